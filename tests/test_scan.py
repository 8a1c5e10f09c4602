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



def _same_output(got: str, expected: str) -> None:
    """The same rows in the same order; scores equal to 1e-5 (a resumed scan batches rows differently, and fp32 sums
    in another order can differ in the last bits)."""
    a, b = got.splitlines(), expected.splitlines()
    assert len(a) == len(b)

    def close(x, y):
        if isinstance(x, float) or isinstance(y, float):
            return abs(x - y) <= 1e-5
        if isinstance(x, dict):
            return isinstance(y, dict) and x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
        if isinstance(x, list):
            return isinstance(y, list) and len(x) == len(y) and all(map(close, x, y))
        return x == y

    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert close(json.loads(x), json.loads(y)), (i, x, y)

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
                del expected["scores"], expected["unscored"]
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
    _same_output(out.read_text(), reference.read_text())  # nothing lost, nothing duplicated
    # a finished scan rerun is a no-op
    assert scan_file(clf, jsonl_input, out, id_field="id", chunk=8, progress=False).rows == 0
    _same_output(out.read_text(), reference.read_text())


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
    _same_output(out.read_text(), reference)  # finished rows kept, not scored twice; no row lost


def test_scan_resume_scores_only_unfinished_rows(clf, jsonl_input, tmp_path):
    out = tmp_path / "out.jsonl"
    scan_file(clf, jsonl_input, out, id_field="id", chunk=8, progress=False)
    reference = out.read_text()
    _keep_lines(out, 20)
    counting = _Counting(clf)
    stats = scan_file(counting, jsonl_input, out, id_field="id", chunk=8, progress=False)
    assert (stats.skipped, stats.rows) == (20, 30)
    assert len(counting.texts) == 30 and counting.texts[0] == TINY_CORPUS[20 % len(TINY_CORPUS)] + " 20"
    _same_output(out.read_text(), reference)


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
    assert len(rows) == len(TINY_CORPUS) and rows[3]["id"] == "3" and len(rows[0]["scores"]) == 31  # all risks
    assert sum(s is not None for s in rows[0]["scores"].values()) == 4  # the model's 4; the rest None (unscored)
    assert main(["scan", str(src), "--out", str(tmp_path / "x.jsonl"), "--text-field", "nope",
                 "--model", str(tiny_model[0]), "--quiet"]) == 2

    txt = tmp_path / "in.txt"
    txt.write_bytes("line one\n\n第三行 \xff bad byte\n".encode().replace(b"\xc3\xbf", b"\xff"))
    out = tmp_path / "txt.jsonl"
    assert main(["scan", str(txt), "--out", str(out), "--model", str(tiny_model[0]), "--quiet"]) == 0
    rows = _rows(out)
    assert len(rows) == 3 and rows[1]["flagged"] is False and "flagged" in rows[2]


# -- every input row gives exactly one output row, and the output is always valid UTF-8 (issue #20) -----------------
def _strict_rows(path):
    """The output's rows, read as strictly as any consumer may: UTF-8 and JSON without NaN or lone surrogates."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    text = path.read_bytes().decode("utf-8")  # raises on any invalid byte
    rows = [json.loads(line, parse_constant=refuse) for line in text.splitlines()]
    json.dumps(rows, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate written as a \\uXXXX escape
    return rows


def test_scan_jsonl_bad_rows_one_row_each_and_valid_utf8(clf, tmp_path):
    src = tmp_path / "bad.jsonl"
    lines = [
        b'{"id": "a", "text": "lone \\ud800 escaped"}',  # 0: an escaped lone surrogate in the text
        b'{"id": "\\ud800x", "text": "ok"}',  # 1: ... in the id
        b'{"id": "b\xff", "text": "bad byte \xfe here"}',  # 2: invalid UTF-8 in id and text
        b'{"id": "c", "text": "raw surrogate \xed\xa0\x80"}',  # 3: a raw (CESU-8) surrogate
        b'{broken json',  # 4
        b'[' * 100_000,  # 5: nested past the parser's recursion limit
        b'{"id": NaN, "text": "nan id"}',  # 6
        b'{"id": "d",\r "text": "a bare CR between tokens"}',  # 7: one row, not two
        b'{"id": "e", "text": "a bare CR\r inside a string"}',  # 8: a raw control character: invalid JSON
        b'{"id": "f", "text": "CRLF line"}\r',  # 9
        b'',  # 10
        b'{"id": "g", "text": "last line, no newline"}',  # 11
    ]
    src.write_bytes(b"\n".join(lines))
    out = tmp_path / "out.jsonl"
    stats = scan_file(clf, src, out, id_field="id", chunk=4, progress=False)
    rows = _strict_rows(out)
    assert [r["row"] for r in rows] == list(range(12)) and (stats.rows, stats.errors) == (12, 4)
    assert [i for i, r in enumerate(rows) if "error" in r] == [4, 5, 8, 10]
    assert "invalid JSON" in rows[5]["error"] and rows[10]["error"] == "blank line"
    assert [r.get("id") for r in rows[:4]] == ["a", "\\ud800x", "b\\xff", "c"]  # escaped, never raw
    assert rows[6]["id"] == "nan" and rows[7]["id"] == "d" and rows[9]["id"] == "f" and rows[11]["id"] == "g"
    # the broken rows are scored as the cleaned text: U+FFFD where the bad bytes were
    expected = clf.predict(["lone \ufffd escaped", "bad byte \ufffd here"])
    assert rows[0]["top_score"] == expected[0].top_score and rows[2]["top_score"] == expected[1].top_score
    _assert_rerun_scores_nothing(clf, src, out, 12)


class _Counting:
    """The classifier, recording every text it is asked to score."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def predict(self, texts, role=None):
        self.texts += texts
        return self.inner.predict(texts, role=role)


def _assert_rerun_scores_nothing(clf, src, out, n):
    before = out.read_bytes()
    counting = _Counting(clf)
    again = scan_file(counting, src, out, id_field="id", chunk=4, progress=False)
    assert (again.rows, again.skipped, counting.texts) == (0, n, [])  # a finished scan is never re-scored
    assert out.read_bytes() == before


def test_scan_rerun_after_an_invalid_byte_id_scores_nothing(clf, tmp_path):
    """An id holding an invalid byte was written back raw: the output was not UTF-8 and a rerun re-scored rows."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "a", "text": "one"}\n{"id": "b\xff", "text": "two"}\n{"id": "c", "text": "three"}\n')
    out = tmp_path / "out.jsonl"
    assert scan_file(clf, src, out, id_field="id", progress=False).rows == 3
    assert _strict_rows(out)[1]["id"] == "b\\xff"
    _assert_rerun_scores_nothing(clf, src, out, 3)


def test_scan_text_rows_are_lines_split_on_newline_only(clf, tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"one\rstill one\ntwo\r\nthree \xff\n\n" + b"x\r" * 5 + b"\nlast")
    out = tmp_path / "out.jsonl"
    assert scan_file(clf, src, out, progress=False).rows == 6
    rows = _strict_rows(out)
    assert [r["row"] for r in rows] == list(range(6)) and all("flagged" in r for r in rows)
    # the same text scored inside the file's batch and alone: equal up to kernel rounding (README: ≤ 1e-5)
    assert rows[0]["top_score"] == pytest.approx(clf.predict("one\rstill one")[0].top_score, abs=1e-5)


def _csv_out(clf, tmp_path, data: bytes, name="in.csv", **kw):
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / (name + ".out.jsonl")
    stats = scan_file(clf, src, out, id_field="id", progress=False, overwrite=True, **kw)
    rows = _strict_rows(out)
    assert [r["row"] for r in rows] == list(range(stats.rows))
    return rows


def test_scan_csv_unterminated_quote_and_ragged_rows(clf, tmp_path):
    rows = _csv_out(clf, tmp_path, b'text,id\nfirst,1\n"never closed,2\nthird,3\nfourth,4\n')
    assert len(rows) == 4 and [r.get("id") for r in rows] == ["1", None, "3", "4"]
    assert "line 3 is never closed" in rows[1]["error"] and "flagged" in rows[2] and "flagged" in rows[3]

    rows = _csv_out(clf, tmp_path, b'text,id\r\nok,1\r\ntoo,many,2\r\nshort\r\n\r\n"a ""quoted""\r\ncell",6\r\n')
    assert len(rows) == 5
    assert rows[1]["error"] == "row has 3 fields, the header has 2" and rows[1]["id"] == "many"
    assert rows[2]["error"] == "row has 1 fields, the header has 2" and rows[3]["error"] == "blank line"
    assert rows[4]["id"] == "6"
    assert rows[4]["top_score"] == pytest.approx(clf.predict('a "quoted"\r\ncell')[0].top_score, abs=1e-5)


def test_scan_csv_bare_cr_huge_field_and_bad_bytes(clf, tmp_path):
    huge = "风险" * 70_000  # 140,000 characters: over the csv module's 131,072 field limit
    data = (f"\ufeffid,text\n1,a bare\rCR stays in its row\n2,{huge}\n".encode() + b"3\xff,bad \xff byte\n"
            + b'"4\xed\xa0\x80",x\n')
    rows = _csv_out(clf, tmp_path, data)
    assert [r.get("id") for r in rows] == ["1", "2", "3\\xff", "4\\xed\\xa0\\x80"]
    assert all("flagged" in r for r in rows)
    rows = _csv_out(clf, tmp_path, b"id\ttext\n1\ta, b\n", name="in.tsv")  # TSV: commas are text
    assert rows[0]["id"] == "1" and "flagged" in rows[0]


def test_csv_records_match_the_csv_module_on_well_formed_input():
    import csv as csv_module

    from gensafe.readers import _CsvRecords, _Lines

    cases = ['a,b\r\n', '"ab"cd,e\n', 'ab"cd,e\n', '"a""b",c\n', ' "x",y\n', '"",\n', 'a,"b\nc",d\n',
             'a,"b\r\nc"\r\n', ',,\n', '"x,y",z', 'é,"多\n行",\n', '"a"\n"b"\n', '\n""\n\r\nx\n']
    for case in cases:
        expected = list(csv_module.reader(io.StringIO(case, newline="")))
        reader = _CsvRecords(_Lines(io.BytesIO(case.encode())), ",")
        got = []
        while (rec := reader.next()) is not None:
            got.append(rec[0])
        assert got == expected, case


# -- one-line errors, never a traceback, and nothing written (issue #20) -----------------------------------------
def _skip_if_writable(folder):
    """Skip where a read-only folder is writable anyway (root, with CAP_DAC_OVERRIDE)."""
    try:
        (folder / "probe").touch()
    except PermissionError:
        return
    (folder / "probe").unlink()
    pytest.skip("this user writes into read-only folders (root)")


def _one_line_error(capsys, code):
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("gensafe scan: error: ") and "Traceback" not in err
    return err


@pytest.mark.parametrize("case", ["missing folder", "folder is a file", "out is a folder", "overwrite a folder",
                                  "out is the input", "read-only folder"])
def test_scan_unwritable_output_is_one_line_error(tiny_model, jsonl_input, tmp_path, capsys, case):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "keep.txt").write_text("kept")
    extra = []
    out = {"missing folder": tmp_path / "nope" / "out.jsonl", "folder is a file": jsonl_input / "out.jsonl",
           "out is the input": jsonl_input, "read-only folder": folder / "out.jsonl"}.get(case, folder)
    if case == "overwrite a folder":
        extra = ["--overwrite"]
    if case == "read-only folder":
        folder.chmod(0o555)
        _skip_if_writable(folder)
    before = jsonl_input.read_bytes()
    code = main(["scan", str(jsonl_input), "--out", str(out), "--model", str(tiny_model[0]), "--quiet", *extra])
    err = _one_line_error(capsys, code)
    named = {"missing folder": "does not exist", "folder is a file": "is not a folder",
             "out is a folder": "is a folder", "overwrite a folder": "is a folder",
             "out is the input": "would overwrite the input",
             "read-only folder": "Permission denied"}[case]
    assert named in err, err
    assert "other arguments" not in err and "other settings" not in err
    assert jsonl_input.read_bytes() == before and not (tmp_path / "nope").exists()
    if case in ("out is a folder", "overwrite a folder"):
        assert (folder / "keep.txt").read_text() == "kept" and not list(tmp_path.glob("d.scan.json"))


@pytest.mark.parametrize("how", ["a file in the way", "read-only"])
def test_scan_unwritable_cache_for_int8_is_one_line_error(model_copy, jsonl_input, tmp_path, capsys, monkeypatch, how):
    # a folder that ships fp32 only and derives int8 on first use, into GENSAFE_CACHE
    manifest_path = model_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    int8 = manifest["onnx"].pop("int8")
    del manifest["files"][int8]
    (model_copy / int8).unlink()
    manifest["derive"] = {"int8": "fp32"}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    cache = tmp_path / "cache"
    if how == "a file in the way":
        cache.write_text("not a folder")
        cache = cache / "sub"
    else:
        cache.mkdir(mode=0o555)
        _skip_if_writable(cache)
    monkeypatch.setenv("GENSAFE_CACHE", str(cache))
    monkeypatch.setenv("GENSAFE_STATE", str(tmp_path / "state"))
    out = tmp_path / "out.jsonl"
    code = main(["scan", str(jsonl_input), "--out", str(out), "--model", str(model_copy), "--precision", "int8",
                 "--device", "cpu", "--quiet"])
    err = _one_line_error(capsys, code)
    assert "GENSAFE_CACHE" in err and not out.exists()


def test_scan_unreadable_or_headerless_input_writes_nothing(tiny_model, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    for src, named in [(tmp_path / "missing.jsonl", "No such file"), (tmp_path, "is a folder"),
                       (tmp_path / "empty.csv", "the file is empty"), (tmp_path / "open.csv", "never closed")]:
        if src.suffix == ".csv":
            src.write_bytes(b"" if src.stem == "empty" else b'"text\nrow\n')
        code = main(["scan", str(src), "--out", str(out), "--model", str(tiny_model[0]), "--quiet"])
        assert named in _one_line_error(capsys, code)
        assert not out.exists() and not (tmp_path / "out.jsonl.scan.json").exists()
