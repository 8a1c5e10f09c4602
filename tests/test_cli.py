from __future__ import annotations

import csv
import json

import pytest

import gensafe
from gensafe.cli import main
from gensafe.scan import scan_file
from gensafe.testing import TINY_CORPUS


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_check_table_and_json(tiny_model, capsys):
    folder = str(tiny_model[0])
    assert main(["check", "--model", folder, "--device", "cpu", *TINY_CORPUS[:3]]) == 0
    out = capsys.readouterr().out
    assert "of 3 flagged" in out and "model tiny-random" in out
    assert main(["check", "--json", "--model", folder, "--operating-point", "loose", TINY_CORPUS[0]]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["labels"] == ["A.1.6", "A.1.8", "A.2.4", "A.4.1"] and len(doc["results"]) == 1


def test_check_fail_on_flag_and_errors(tiny_model, capsys):
    folder = str(tiny_model[0])
    code = main(["check", "--fail-on-flag", "--model", folder, "--operating-point", "strict", *TINY_CORPUS])
    assert code == 1  # strict thresholds flag most of the corpus
    assert main(["check", "--model", "/nonexistent/model", "x"]) == 2
    assert "no gensafe model" in capsys.readouterr().err
    assert main(["check", "--model", folder, "--operating-point", "medium", "x"]) == 2


def test_info(tiny_model, capsys):
    assert main(["info", "--json", "--model", str(tiny_model[0]), "--device", "cpu"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["provider"] == "CPUExecutionProvider"
    assert main(["info", "--model", str(tiny_model[0])]) == 0
    assert "4 risks: A.1.6" in capsys.readouterr().out


@pytest.fixture()
def jsonl_input(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": TINY_CORPUS[i % len(TINY_CORPUS)] + f" {i}"}, ensure_ascii=False)
             for i in range(50)]
    lines[7] = json.dumps({"id": "r7", "text": None})
    lines[9] = "{broken json"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_scan_jsonl_reports_every_row(tiny_model, jsonl_input, tmp_path):
    out = tmp_path / "out.jsonl"
    code = main(["scan", str(jsonl_input), "--out", str(out), "--model", str(tiny_model[0]), "--id-field", "id",
                 "--quiet", "--chunk", "8"])
    assert code == 0
    rows = _rows(out)
    assert [r["row"] for r in rows] == list(range(50))
    assert "error" in rows[7] and "missing" in rows[7]["error"]
    assert "invalid JSON" in rows[9]["error"]
    assert rows[0]["id"] == "r0" and "flagged" in rows[0]
    clf = gensafe.load(tiny_model[0])
    expected = clf.predict(TINY_CORPUS[0] + " 0")
    assert rows[0]["flagged"] == bool(expected.flagged[0])


def test_scan_interrupted_then_resumed(tiny_model, jsonl_input, tmp_path):
    clf = gensafe.load(tiny_model[0])
    reference = tmp_path / "reference.jsonl"
    scan_file(clf, jsonl_input, reference, id_field="id", chunk=8, progress=False)

    class Crashing:
        """A classifier that dies on its third batch, like a killed process."""

        def __init__(self, inner):
            self.inner, self.calls = inner, 0
            self.name, self.policy = inner.name, inner.policy

        def predict(self, texts, role=None):
            self.calls += 1
            if self.calls == 3:
                raise KeyboardInterrupt
            return self.inner.predict(texts, role=role)

    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        scan_file(Crashing(clf), jsonl_input, out, id_field="id", chunk=8, progress=False)
    partial = _rows(out)
    assert 0 < len(partial) < 50
    with open(out, "a") as f:  # a half-written line, as a kill mid-write leaves
        f.write('{"row": 16, "id": "r1')
    stats = scan_file(clf, jsonl_input, out, id_field="id", chunk=8, progress=False)
    assert stats.skipped == len(partial)
    assert out.read_text() == reference.read_text()  # nothing lost, nothing duplicated
    # a finished scan rerun is a no-op
    assert scan_file(clf, jsonl_input, out, id_field="id", chunk=8, progress=False).rows == 0
    assert out.read_text() == reference.read_text()


def test_scan_refuses_to_mix_arguments(tiny_model, jsonl_input, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    folder = str(tiny_model[0])
    assert main(["scan", str(jsonl_input), "--out", str(out), "--model", folder, "--quiet"]) == 0
    assert main(["scan", str(jsonl_input), "--out", str(out), "--model", folder, "--quiet",
                 "--operating-point", "loose"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["scan", str(jsonl_input), "--out", str(out), "--model", folder, "--quiet",
                 "--operating-point", "loose", "--overwrite"]) == 0
    assert len(_rows(out)) == 50


def test_scan_csv_and_text(tiny_model, tmp_path):
    src = tmp_path / "in.csv"
    with open(src, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["body", "n"])
        for i, t in enumerate(TINY_CORPUS):
            w.writerow([t.replace(" ", "\n", 1), i])  # multi-line cells survive
    out = tmp_path / "csv.jsonl"
    assert main(["scan", str(src), "--out", str(out), "--text-field", "body", "--id-field", "n",
                 "--model", str(tiny_model[0]), "--quiet", "--scores"]) == 0
    rows = _rows(out)
    assert len(rows) == len(TINY_CORPUS) and rows[3]["id"] == "3" and len(rows[0]["scores"]) == 4
    assert main(["scan", str(src), "--out", str(tmp_path / "x.jsonl"), "--text-field", "nope",
                 "--model", str(tiny_model[0]), "--quiet"]) == 2

    txt = tmp_path / "in.txt"
    txt.write_bytes("line one\n\n第三行 \xff bad byte\n".encode().replace(b"\xc3\xbf", b"\xff"))
    out = tmp_path / "txt.jsonl"
    assert main(["scan", str(txt), "--out", str(out), "--model", str(tiny_model[0]), "--quiet"]) == 0
    rows = _rows(out)
    assert len(rows) == 3 and rows[1]["flagged"] is False and "flagged" in rows[2]
