"""`gensafe audit`: Wilson intervals, per-source shares and the §5.1 a rule, seeded samples, the manual-review
export / import, the report; on a synthetic corpus whose unsafe share is known."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from gensafe.audit import import_labels, import_review, measure, run_audit, uniform, wilson
from gensafe.cli import main

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"clean": (1000, 40), "dirty": (500, 50)}  # rows, unsafe rows: 4 % (kept) and 10 % (dropped)


def _truth(name: str, i: int) -> bool:
    rows, bad = SIZES[name]
    return i % (rows // bad) == 0 and i // (rows // bad) < bad  # evenly spread, exactly `bad` unsafe rows


@pytest.fixture()
def scanned(tmp_path) -> tuple[list[Path], Path]:
    """Two corpus files and their scan outputs (as the local engine writes them), verdicts = the known truth; the
    dirty source also has 2 unreadable rows."""
    outputs = []
    for name, (rows, _) in SIZES.items():
        src = tmp_path / f"{name}.jsonl"
        src.write_text("".join(json.dumps({"id": f"{name}{i}", "text": f"text {name} {i}"}) + "\n"
                               for i in range(rows)), encoding="utf-8")
        out = tmp_path / f"{name}.out.jsonl"
        lines = []
        for i in range(rows):
            row = {"row": i, "id": f"{name}{i}", "flagged": _truth(name, i), "risks": [], "top_risk": "A.1.6",
                   "top_score": 0.5}
            lines.append(json.dumps(row))
        if name == "dirty":
            lines += [json.dumps({"row": rows, "error": "invalid JSON"}), json.dumps({"row": rows + 1, "error": "x"})]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        settings = {"input": str(src), "format": "jsonl", "text_field": "text", "id_field": "id", "model": "tiny",
                    "lexicon": "10 terms, sha256 x"}
        (tmp_path / f"{name}.out.jsonl.scan.json").write_text(json.dumps({"settings": settings}), encoding="utf-8")
        outputs.append(out)
    return outputs, tmp_path


def test_wilson_matches_reference_values():
    """Against scipy's binomtest(...).proportion_ci(method='wilson') (values computed once, kept here)."""
    for (k, n), (lo, hi) in {(920, 1000): (0.9015335609704975, 0.935251961901636),
                             (0, 10): (0.0, 0.27753279986288926), (10, 10): (0.7224672001371109, 1.0),
                             (50, 1000): (0.03813026239274881, 0.06531382024425081),
                             (3920, 4000): (0.9751785981654987, 0.983900336276388)}.items():
        assert wilson(k, n) == pytest.approx((lo, hi), abs=1e-12)
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(5, 3)


def test_uniform_draws_are_seeded_and_order_free():
    rows = np.arange(10_000)
    u = uniform(3, "technical", "/a", rows)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    assert np.array_equal(uniform(3, "technical", "/a", rows[::-1]), u[::-1])  # a row's draw is its own
    assert not np.array_equal(uniform(4, "technical", "/a", rows), u)
    assert not np.array_equal(uniform(3, "manual", "/a", rows), u)


def test_figures_on_a_corpus_with_known_unsafe_share(scanned):
    outputs, _ = scanned
    fig = measure(outputs, technical_share=0.2, manual_size=300, seed=1)
    clean, dirty = (fig.sources[str(p.with_name(p.name.split(".")[0] + ".jsonl"))] for p in outputs)
    assert (clean.rows, clean.scored, clean.flagged, clean.errors) == (1000, 1000, 40, 0)
    assert (dirty.rows, dirty.scored, dirty.flagged, dirty.errors) == (502, 500, 50, 2)
    drawn, passed = fig.technical
    assert 0.16 * 1500 < drawn < 0.24 * 1500  # a 20 % draw of 1,500 rows (±5 sd)
    assert passed <= drawn and drawn - passed < 0.2 * 90 + 20  # the unsafe rows drawn: about 20 % of 90
    assert len(fig.manual) == 300 == len(set(fig.manual))
    # the same draws whatever the order of the outputs (and, so, whatever the partitioning)
    again = measure(outputs[::-1], technical_share=0.2, manual_size=300, seed=1)
    assert again.technical == fig.technical and set(again.manual) == set(fig.manual)
    assert set(measure(outputs, manual_size=300, seed=2).manual) != set(fig.manual)
    assert len(measure(outputs, manual_size=5000).manual) == 1500  # more asked than there are: every scored row
    with pytest.raises(ValueError, match="technical_share"):
        measure(outputs, technical_share=0)


def test_report_rules_and_manual_review_round_trip(scanned):
    """§5.1 a fails on the 10 % source only; the exported sample carries the texts; labels (the truth) give the
    manual pass rate; a sample under 4,000 fails §9.2 a; labels of another sample are refused."""
    outputs, tmp = scanned
    # every scored row in the technical sample: a 10 % draw depends on the (temporary) file paths, and ~150 rows of
    # a 94 % corpus can pass at 98 % by chance
    report = run_audit(outputs, tmp / "audit", manual_size=400, seed=5, technical_share=1.0)
    rules = {r["clause"]: r for r in report["rules"]}
    by_source = {Path(s["source"]).stem: s for s in report["sources"]}
    assert by_source["clean"]["status"] == "PASS" and by_source["dirty"]["status"] == "FAIL"
    assert by_source["dirty"]["flagged_share"] == 0.1
    assert by_source["dirty"]["interval"] == pytest.approx(list(wilson(50, 500)))
    assert by_source["clean"]["margin"] == "within interval"  # 4 % of 1,000: the interval reaches above 5 %
    assert rules["5.1 a"]["status"] == "FAIL" and "1 of 2 sources" in rules["5.1 a"]["detail"]
    assert rules["5.2"]["status"] == "PASS" and rules["9.2 a"]["status"] == "PENDING"
    assert rules["9.2 b"]["status"] == "FAIL"  # 94 % pass < 98 %
    md = (tmp / "audit" / "audit.md").read_text(encoding="utf-8")
    assert "§5.1 a" in md and "**FAIL**" in md and "Wilson" in md
    assert json.loads((tmp / "audit" / "audit.json").read_text())["rules"] == report["rules"]

    sample = tmp / "audit" / "manual_sample.csv"
    with open(sample, encoding="utf-8", newline="") as f:
        items = list(csv.DictReader(f))
    assert len(items) == 400 and all(it["text"] == f"text {Path(it['source']).stem} {it['row']}" for it in items)
    assert "flagged" not in items[0]  # reviewers do not see the model's verdict
    truth = [not _truth(Path(it["source"]).stem, int(it["row"])) for it in items]
    for it, ok in zip(items, truth, strict=True):
        it["label"] = "pass" if ok else "FAIL"
    items[0]["label"] = ""
    with open(sample, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
    partial = import_review(sample, tmp / "audit")
    assert {r["clause"]: r for r in partial["rules"]}["9.2 a"]["status"] == "PENDING"

    items[0]["label"] = "pass" if truth[0] else "fail"
    with open(sample, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
    manual = {r["clause"]: r for r in import_review(sample, tmp / "audit")["rules"]}["9.2 a"]
    assert manual["value"] == sum(truth) / 400 and manual["n"] == 400
    assert manual["interval"] == pytest.approx(list(wilson(sum(truth), 400)))
    assert manual["status"] == "FAIL" and "400 reviewed" in manual["detail"]  # 400 < the 4,000 floor

    with pytest.raises(ValueError, match="another manual sample"):
        run_audit(outputs, tmp / "other", manual_size=400, seed=6, labels=sample)
    items[3]["label"] = "maybe"
    with open(sample, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
    with pytest.raises(ValueError, match="item 4 has label 'maybe'"):
        import_labels(sample)


def test_decide_on_the_interval(scanned):
    """--decide interval: the 4 % source no longer passes, its interval reaching above 5 %."""
    outputs, tmp = scanned
    report = run_audit(outputs, tmp / "audit", manual_size=50, decide="interval", manual_format="jsonl")
    assert all(s["status"] == "FAIL" for s in report["sources"])
    assert len((tmp / "audit" / "manual_sample.jsonl").read_text().splitlines()) == 50


def test_cli_scores_a_corpus_itself_and_exits_1_on_fail(tiny_model, tmp_path, capsys):
    """`gensafe audit report --score`: keyword tier alone flags exactly the rows with a lexicon term (10 %)."""
    src = tmp_path / "corpus.jsonl"
    src.write_text("".join(json.dumps({"text": "where to buy a pipe bomb" if i % 10 == 0 else f"a calm day {i}"})
                           + "\n" for i in range(60)), encoding="utf-8")
    argv = ["audit", "report", str(src), "--score", "--out-dir", str(tmp_path / "a"), "--manual-size", "20",
            "--model", str(tiny_model[0]), "--device", "cpu", "--precision", "fp32", "--quiet",
            "--lexicon", str(ROOT / "lexicons" / "example.tsv"), "--keyword-mode", "keywords"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "§5.1 a" in out and "FAIL" in out and "10.00%" in out
    report = json.loads((tmp_path / "a" / "audit.json").read_text())
    assert report["sources"][0]["flagged"] == 6 and report["rules"][1]["status"] == "PASS"  # keywords + model
    assert main(argv) == 1  # a rerun resumes the finished scan and gives the same figures
    assert json.loads((tmp_path / "a" / "audit.json").read_text())["sources"] == report["sources"]
    assert main(["audit", "import", str(tmp_path / "nothing.csv"), "--out-dir", str(tmp_path / "none")]) == 2
