"""`gensafe scan` and `scan_file`: every row reported, resume, refusal of mixed settings, progress."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

import gensafe
from gensafe.build.testing import TINY_CORPUS
from gensafe.cli import main
from gensafe.scan import _Progress, scan_file

ROOT = Path(__file__).resolve().parents[1]


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _keep_lines(path, n):
    """Cut a scan output back to its first ``n`` lines, as an interrupted run leaves it."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:n]))


@pytest.fixture()
def jsonl_input(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": TINY_CORPUS[i % len(TINY_CORPUS)] + f" {i}"}, ensure_ascii=False)
             for i in range(50)]
    lines[7] = json.dumps({"id": "r7", "text": None})
    lines[9] = "{broken json"
    for i in (3, 21, 40):  # hits for lexicons/example.tsv ("pipe bomb", "地域黑")
        lines[i] = json.dumps({"id": f"r{i}", "text": f"where to buy a pipe bomb, 地域黑 {i}"}, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n")
    return path


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


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


def test_scan_rows_are_the_verdicts(clf, jsonl_input, tmp_path):
    """Each line is the verdict's dict (scores only with include_scores), with keyword fields when a lexicon hits."""
    pytest.importorskip("ahocorasick")
    pytest.importorskip("opencc")
    kw = clf.with_keywords(ROOT / "lexicons" / "example.tsv", "either")
    texts = [json.loads(line).get("text") for line in jsonl_input.read_text().splitlines()[:12] if "broken" not in line]
    for include_scores in (False, True):
        out = tmp_path / f"out{include_scores}.jsonl"
        stats = scan_file(kw, jsonl_input, out, id_field="id", chunk=5, progress=False, include_scores=include_scores)
        assert (stats.rows, stats.errors, stats.scored) == (50, 2, 48)
        rows = _rows(out)
        assert stats.flagged == sum(r.get("flagged", False) for r in rows)
        ok = [r for r in rows[:12] if "error" not in r]
        verdicts = kw.predict([t for t in texts if isinstance(t, str)])
        for row, verdict in zip(ok, verdicts, strict=True):
            expected = verdict.to_dict()
            if not include_scores:
                del expected["scores"]
            assert row == {"row": row["row"], "id": row["id"], **expected}
        assert rows[3]["keyword_risks"] == ["A.1.8", "A.2.4"] and rows[3]["flagged"] is True
        assert "keyword_hits" not in rows[0] and ("scores" in rows[0]) is include_scores
        assert rows[7] == {"row": 7, "id": "r7", "error": "field 'text' is missing"}


def test_scan_interrupted_then_resumed(clf, jsonl_input, tmp_path):
    reference = tmp_path / "reference.jsonl"
    scan_file(clf, jsonl_input, reference, id_field="id", chunk=8, progress=False)

    class Crashing:
        """The classifier, dying on its third batch like a killed process."""

        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def __getattr__(self, name):
            return getattr(self.inner, name)

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
    assert stats.skipped == len(partial) and stats.rows == 50 - len(partial)
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


def test_scan_resume_signature_covers_every_output_setting(tiny_model, jsonl_input, tmp_path, capsys):
    """Keyword mode, precision, lexicon content, scores, role, fields: any change is refused, naming what differs."""
    pytest.importorskip("ahocorasick")
    pytest.importorskip("opencc")
    lexicon = tmp_path / "words.tsv"
    shutil.copy(ROOT / "lexicons" / "example.tsv", lexicon)
    out = tmp_path / "out.jsonl"
    base = ["scan", str(jsonl_input), "--out", str(out), "--model", str(tiny_model[0]), "--device", "cpu", "--quiet",
            "--id-field", "id", "--precision", "fp32", "--lexicon", str(lexicon)]
    assert main(base) == 0
    reference = out.read_text()
    _keep_lines(out, 20)
    capsys.readouterr()

    def refused(args, *, named):
        """Replace each ``--flag value`` of ``base`` named in ``args`` (or add it) and run."""
        argv = list(base)
        for flag, value in args.items():
            if flag in argv:
                i = argv.index(flag)
                argv[i:i + 2] = [flag] if value is None else [flag, value]
            else:
                argv += [flag] if value is None else [flag, value]
        code, err = main(argv), capsys.readouterr().err
        assert code == 2 and named in err and "--overwrite" in err, err
        assert len(out.read_text().splitlines()) == 20  # refused before touching the output

    refused({"--keyword-mode": "both"}, named="keyword_mode: \"either\" -> \"both\"")
    refused({"--precision": "int8"}, named="precision: \"fp32\" -> \"int8\"")
    refused({"--scores": None}, named="scores: false -> true")
    refused({"--role": "prompt"}, named="role: null -> \"prompt\"")
    refused({"--id-field": "text"}, named="id_field")
    refused({"--operating-point": "strict"}, named="policy")
    # the same file name, other words: the lexicon's content is in the signature, not its path
    original = lexicon.read_text(encoding="utf-8")
    lexicon.write_text(original.replace("地域黑", "地域炮"), encoding="utf-8")
    refused({}, named="lexicon")

    lexicon.write_text(original, encoding="utf-8")  # same content, newer mtime: resumes
    # throughput knobs are not settings of the output: a resume may change them
    assert main([*base, "--chunk", "7", "--threads", "1"]) == 0
    err = capsys.readouterr().err
    assert "30 rows scored" in err and "20 already done" in err, err
    assert out.read_text() == reference  # finished rows kept, not scored twice; no row lost


def test_scan_resume_scores_only_unfinished_rows(clf, jsonl_input, tmp_path):
    out = tmp_path / "out.jsonl"
    scan_file(clf, jsonl_input, out, id_field="id", chunk=8, progress=False)
    reference = out.read_text()
    _keep_lines(out, 20)

    class Counting:
        def __init__(self, inner):
            self.inner, self.texts = inner, []

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def predict(self, texts, role=None):
            self.texts += texts
            return self.inner.predict(texts, role=role)

    counting = Counting(clf)
    stats = scan_file(counting, jsonl_input, out, id_field="id", chunk=8, progress=False)
    assert (stats.skipped, stats.rows) == (20, 30)
    assert len(counting.texts) == 30 and counting.texts[0] == TINY_CORPUS[20 % len(TINY_CORPUS)] + " 20"
    assert out.read_text() == reference


def test_scan_refuses_unknown_or_old_state(clf, jsonl_input, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"row": 0}\n')
    with pytest.raises(FileExistsError, match="not written by a scan"):
        scan_file(clf, jsonl_input, out, progress=False)
    (tmp_path / "out.jsonl.scan.json").write_text(json.dumps({"signature": "0123456789abcdef", "src": "in.jsonl"}))
    with pytest.raises(FileExistsError, match="older gensafe"):
        scan_file(clf, jsonl_input, out, progress=False)
    (tmp_path / "out.jsonl.scan.json").write_text("{half a fi")
    with pytest.raises(FileExistsError, match="unreadable"):
        scan_file(clf, jsonl_input, out, progress=False)
    assert out.read_text() == '{"row": 0}\n'
    assert scan_file(clf, jsonl_input, out, progress=False, overwrite=True).rows == 50


def test_scan_progress_is_read_from_the_byte_offset(clf, jsonl_input, tmp_path, monkeypatch):
    terminal = _FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    scan_file(clf, jsonl_input, tmp_path / "out.jsonl", chunk=8, progress=True)
    last = terminal.getvalue().rstrip("\n").rsplit("\r", 1)[-1]
    # the whole file, JSON syntax and multi-byte text included: counting re-encoded texts would fall short of 100%
    assert last.startswith("scan 100.0%  50 rows"), last

    quiet = _FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    scan_file(clf, jsonl_input, tmp_path / "quiet.jsonl", chunk=8, progress=False)
    assert quiet.getvalue() == ""


def test_progress_disabled_never_reads_the_position(monkeypatch):
    monkeypatch.setattr(sys, "stderr", _FakeTerminal())

    def position() -> int:
        raise AssertionError("a disabled progress line read the file position")

    bar = _Progress(100, position, enabled=False)
    bar.show(10, force=True)
    bar.close(20)
    assert sys.stderr.getvalue() == ""


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
