"""Property-based tests (Hypothesis): text cleaning, windowing, batch planning, keyword normalisation, scan reading,
and batch independence of the classifier. Each property runs a bounded number of examples (a few seconds in all).

The slow companion, ``benchmarks/fuzz.py``, scores ≥ 100,000 generated inputs; ``test_fuzz_100k`` runs it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gensafe.text import as_text_list, cap_text, clean_text, replace_surrogates  # noqa: E402
from gensafe.windows import WindowEncoder, pad_batch, plan_batches  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Fast and deterministic in CI: a fixed number of examples, no per-example deadline (the first example of a test
# pays for building tokenizers), no example database written into the checkout.
FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=25, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow])

# Any code point, lone surrogates included (Hypothesis leaves them out of text() unless asked).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
NASTY = st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\ud800",
                         "\udfff", "\u0301", "\u0e4d", "\U0001f469\u200d\U0001f4bb", "\r", "\n", "\t", "\U0010ffff",
                         "\ufffd", "ｆ", "ﬁ", "炸", "彈", " "])
TEXT = st.lists(st.one_of(ANY_CHAR, NASTY), max_size=80).map("".join)

# What clean_text promises to remove: C0/C1 controls except tab, LF, CR; zero-width and bidi controls; BOM.
_REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                      r"\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


# -- text cleaning --------------------------------------------------------------------------------------------------
@FAST
@given(TEXT)
def test_clean_text_leaves_no_surrogate_or_control_and_encodes(text):
    out = clean_text(text)
    assert not any("\ud800" <= c <= "\udfff" for c in out)
    assert not _REMOVED.search(out)
    assert all(unicodedata.category(c) != "Cc" or c in "\t\n\r" for c in out)  # tab and line ends stay as spacing
    out.encode("utf-8")  # what the tokenizer needs
    # nothing else is lost: every character left is NFKC of the input with the removed characters taken out
    expected = unicodedata.normalize("NFKC", replace_surrogates(text))
    assert out == _REMOVED.sub("", expected)


@FAST
@given(TEXT)
def test_replace_surrogates_is_one_for_one(text):
    out = replace_surrogates(text)
    assert len(out) == len(text)
    for a, b in zip(text, out, strict=True):
        assert b == ("\ufffd" if "\ud800" <= a <= "\udfff" else a)
    out.encode("utf-8")


@FAST
@given(st.one_of(TEXT, st.lists(TEXT, max_size=5), st.tuples(TEXT, TEXT)))
def test_as_text_list_keeps_strings_in_order(texts):
    out = as_text_list(texts)
    assert out == ([texts] if isinstance(texts, str) else list(texts))


@FAST
@given(st.lists(st.one_of(TEXT, st.integers(), st.none(), st.binary(max_size=4), st.floats()), min_size=1, max_size=5))
def test_as_text_list_refuses_any_non_str_item(items):
    if all(isinstance(t, str) for t in items):
        assert as_text_list(items) == items
    else:
        first = next(i for i, t in enumerate(items) if not isinstance(t, str))
        with pytest.raises(TypeError, match=rf"texts\[{first}\] is {type(items[first]).__name__}"):
            as_text_list(items)


@FAST
@given(st.one_of(st.dictionaries(TEXT, TEXT, max_size=3), st.sets(TEXT, max_size=3), st.binary(max_size=8),
                 st.integers(), st.none()))
def test_as_text_list_refuses_non_sequences(value):
    with pytest.raises(TypeError, match=type(value).__name__):
        as_text_list(value)


@FAST
@given(st.text(max_size=200), st.integers(1, 150), st.integers(1, 32))
def test_cap_text_keeps_head_and_tail_within_max_chars(text, max_chars, piece_chars):
    pieces = cap_text(text, max_chars, piece_chars=piece_chars)
    assert pieces == cap_text(text, max_chars, piece_chars=piece_chars)  # deterministic
    if len(text) <= max_chars:
        assert pieces == [text]
        return
    keep = (max_chars * 2) // 5
    assert pieces[0] == text[:keep] and pieces[-1] == text[len(text) - keep :]
    assert sum(map(len, pieces)) <= max_chars
    # the middle pieces are slices of the middle, in order, not overlapping
    middle, pos = text[keep : len(text) - keep], 0
    for piece in pieces[1:-1]:
        assert piece
        at = middle.find(piece, pos)
        assert at >= 0, (piece, middle, pos)
        pos = at + len(piece)


# -- windowing ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def encoder(tiny_model):
    """The tiny model's tokenizer in short windows, so that short generated texts already need several."""
    return WindowEncoder(tiny_model[0] / "tokenizer.json", max_tokens=12, overlap=3, chunk_chars=64,
                         chunk_overlap_chars=8, block_chars=256)


WORDS = st.lists(st.one_of(st.sampled_from(list("abcdefghij 你好世界炸弹。,!")), ANY_CHAR, NASTY),
                 max_size=60).map("".join)


def _body(encoder, window, prefix_len):
    lead, trail = len(encoder._lead), len(encoder._trail)
    return window[lead + prefix_len : len(window) - trail]


@FAST
@given(st.lists(WORDS.map(clean_text), min_size=1, max_size=4), st.sampled_from(["", "query: "]))
def test_windows_are_bounded_framed_overlapping_and_cover_the_text(encoder, texts, prefix):
    tok = encoder.tokenizer
    prefix_ids = tok.encode(prefix, add_special_tokens=False).ids if prefix else []
    lead = [i for _, i in encoder._lead]
    trail = [i for _, i in encoder._trail]
    body_max = encoder.max_tokens - len(lead) - len(trail) - len(prefix_ids)
    stride = min(encoder.overlap, body_max - 1)
    windows: dict[int, list[list[int]]] = {}
    for block in encoder.blocks(texts, range(len(texts)), prefix):
        assert len(block.owners) == len(block.ids)
        for owner, ids in zip(block.owners.tolist(), block.ids, strict=True):
            windows.setdefault(owner, []).append(ids)
    assert sorted(windows) == list(range(len(texts)))  # every text, even an empty one, has a window
    for i, text in enumerate(texts):
        for w in windows[i]:
            assert len(w) <= encoder.max_tokens
            assert w[: len(lead)] == lead and w[len(w) - len(trail) :] == trail
            assert w[len(lead) : len(lead) + len(prefix_ids)] == prefix_ids
        if len(text) > encoder.chunk_chars:
            continue  # cut into character chunks first: covered chunk by chunk (below)
        bodies = [_body(encoder, w, len(prefix_ids)) for w in windows[i]]
        for a, b in zip(bodies, bodies[1:], strict=False):
            assert len(a) == body_max  # only the last window is short
            assert a[len(a) - stride :] == b[:stride]  # consecutive windows overlap by `overlap` tokens
        stitched = bodies[0] + [t for b in bodies[1:] for t in b[stride:]]
        assert stitched == tok.encode(text, add_special_tokens=False).ids  # every token, in order, once


@FEW
@given(st.text(st.sampled_from(list("abcdefghij 你好世界")), min_size=65, max_size=300))
def test_long_texts_are_covered_chunk_by_chunk(encoder, text):
    chunks = list(encoder._chunks(text))
    assert chunks[0] == text[: encoder.chunk_chars] and text.endswith(chunks[-1])
    step = encoder.chunk_chars - encoder.chunk_overlap_chars
    assert "".join(c[:step] for c in chunks[:-1]) + chunks[-1] == text  # every character, chunks overlapping
    n = sum(len(b.ids) for b in encoder.blocks([text], [0]))
    assert n >= len(chunks)


LENGTHS = st.lists(st.integers(1, 200), min_size=1, max_size=80)


@FAST
@given(LENGTHS, st.integers(1, 4000), st.integers(1, 64))
def test_plan_batches_partitions_within_budget(lengths, budget, max_batch):
    batches = plan_batches(lengths, token_budget=budget, max_batch=max_batch)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))  # every window exactly once
    for b in batches:
        assert 1 <= len(b) <= max_batch
        width = max(lengths[i] for i in b)
        assert lengths[b[0]] == width  # longest first: the first window sets the padded width
        assert len(b) * width <= budget or len(b) == 1  # only a window over the budget alone exceeds it
    assert [lengths[b[0]] for b in batches] == sorted((lengths[b[0]] for b in batches), reverse=True)


@FAST
@given(st.lists(st.lists(st.integers(0, 30_000), min_size=1, max_size=40), min_size=1, max_size=16),
       st.integers(0, 5))
def test_pad_batch_shapes_masks_and_ids(windows, pad_id):
    ids, mask = pad_batch(windows, pad_id)
    lengths = [len(w) for w in windows]
    assert ids.shape == mask.shape == (len(windows), max(lengths))
    assert ids.dtype == mask.dtype == np.int64
    assert mask.sum(axis=1).tolist() == lengths
    for row, m, w in zip(ids, mask, windows, strict=True):
        assert row[: len(w)].tolist() == w and (row[len(w) :] == pad_id).all()
        assert m[: len(w)].all() and not m[len(w) :].any()


# -- keyword normalisation ------------------------------------------------------------------------------------------
def _keywords():
    pytest.importorskip("opencc")
    from gensafe import keywords

    return keywords


@FAST
@given(TEXT.map(replace_surrogates))  # the classifier gives the matcher text with surrogates replaced
def test_normalise_offsets_point_into_the_original_text(text):
    kw = _keywords()
    norm, offsets = kw.normalise(text)
    assert len(norm) == len(offsets)
    assert offsets == sorted(offsets) and all(0 <= o < len(text) for o in offsets)
    for c, o in zip(norm, offsets, strict=True):
        assert c.isalnum() or kw._is_cjk(c)  # separators, punctuation, emoji and zero-width characters are dropped
        # the character came from text[o]: folding that one character gives it (a Chinese character may come from a
        # phrase rule applied across the whole folded text, issue #14: 回 覆 -> 回复)
        src = text[o]
        assert c in kw.fold(src).text or (kw._is_cjk(c) and kw._is_cjk(kw.fold(src).text[:1])), (c, src)
    assert kw.normalise(norm)[0] == norm  # folding is idempotent


SEPARATORS = st.text(st.sampled_from([" ", "-", ".", "\u200b", "\u200d", "\ufeff", "😀", "_", "/"]), max_size=3)


@FAST
@given(st.lists(st.tuples(st.sampled_from(list("abcxyz019炸弹制作你好")), SEPARATORS), min_size=1, max_size=12))
def test_separators_between_characters_do_not_change_matching(parts):
    kw = _keywords()
    plain = "".join(c for c, _ in parts)
    spaced = "".join(c + sep for c, sep in parts)
    assert kw.normalise(spaced)[0] == kw.normalise(plain)[0]
    norm, offsets = kw.normalise(spaced)
    assert all(spaced[o] == norm[k] for k, o in enumerate(offsets))  # lower-case ASCII and simplified: identical


@FEW
@given(st.text(max_size=20), st.sampled_from(["炸弹制作", "nazi", "地域黑"]), st.text(max_size=20), SEPARATORS)
def test_keyword_hits_span_the_original_text(before, term, after, sep):
    kw = _keywords()
    pytest.importorskip("ahocorasick")
    matcher = _matcher(kw)
    text = before + " " + sep.join(term) + " " + after
    hits = matcher.find(text)
    assert any(h.term == term for h in hits), (text, hits)
    for h in hits:
        assert 0 <= h.start < h.end <= len(text) and text[h.start : h.end] == h.text


_MATCHER: list = []


def _matcher(kw):
    if not _MATCHER:
        _MATCHER.append(kw.Matcher(kw.Lexicon([kw.Term("炸弹制作", "A.1.8", 3), kw.Term("nazi", "A.1.4", 3),
                                               kw.Term("地域黑", "A.2.4", 2)], name="props")))
    return _MATCHER[0]


# -- classifier -----------------------------------------------------------------------------------------------------
@FEW
@given(st.lists(st.one_of(TEXT, WORDS, st.text(st.sampled_from(list("abc 你好")), max_size=300)), min_size=1,
                max_size=8), st.data())
def test_scores_alone_equal_scores_in_a_batch(clf, texts, data):
    i = data.draw(st.integers(0, len(texts) - 1))
    batch = clf.predict(texts)
    alone = clf.predict(texts[i])
    assert np.isfinite(batch.scores).all()
    np.testing.assert_allclose(alone.scores[0], batch.scores[i], atol=1e-5, rtol=0)
    assert alone.windows[0] == batch.windows[i]


# -- scan readers (the public reading function, gensafe.scan.read_rows) ---------------------------------------------
@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """One folder for the whole module (Hypothesis reruns a test body many times; tmp_path is per test)."""
    return tmp_path_factory.mktemp("props_scan")


def _rows(folder, name, data: bytes, fmt: str, **kw):
    from gensafe.scan import read_rows

    path = folder / name
    path.write_bytes(data)
    return list(read_rows(path, fmt, kw.pop("text_field", "text"), kw.pop("id_field", "id")))


def _lines(data: bytes) -> list[bytes]:
    """Physical lines, split on ``\\n`` only (no empty last line after a final newline)."""
    parts = data.split(b"\n")
    return parts[:-1] if parts[-1] == b"" else parts


def _check_shape(rows):
    assert [r["row"] for r in rows] == list(range(len(rows)))  # numbered in order, none skipped
    for r in rows:
        assert ("text" in r) != ("error" in r), r  # a text to score or an error naming the problem
        if "text" in r:
            assert isinstance(r["text"], str)


BYTES = st.one_of(st.binary(max_size=300), st.lists(st.sampled_from(
    [b"\n", b"\r", b"\r\n", b'"', b",", b"\t", b"{", b"}", b'"text"', b":", b"\\ud800", b"\xff", b"\xed\xa0\x80",
     b"\xef\xbb\xbf", b"\x00", b"abc", "\u70b8".encode(), b"[", b"1e999"]), max_size=60).map(b"".join))


@FAST
@given(BYTES)
def test_read_rows_jsonl_and_txt_give_one_row_per_line(scratch, data):
    lines = _lines(data)
    for fmt in ("jsonl", "txt"):
        rows = _rows(scratch, f"in.{fmt}", data, fmt)
        assert len(rows) == len(lines)  # every input line, exactly one row; a bare \r never splits a line
        _check_shape(rows)
    ended = data.endswith(b"\n")
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):  # txt: the line itself, line end removed
        if i == 0 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if i < len(lines) - 1 or ended:  # "\r\n" is a line end; a "\r" anywhere else is text
            line = line.removesuffix(b"\r")
        assert row["text"] == line.decode("utf-8", "surrogateescape")


@FAST
@given(BYTES)
def test_read_rows_csv_never_crashes_on_a_body_of_any_bytes(scratch, data):
    rows = _rows(scratch, "in.csv", b"id,text\n" + data, "csv")
    _check_shape(rows)
    lines = _lines(data)
    assert len(rows) <= len(lines)  # a quoted field may span lines; nothing is invented
    if b'"' not in data:
        assert len(rows) == len(lines)  # no quoting: one row per line


@FAST
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(), TEXT), TEXT), max_size=8))
def test_read_rows_jsonl_round_trips_any_text(scratch, records):
    data = "".join(json.dumps({"id": rid, "text": text}) + "\n" for rid, text in records).encode()
    rows = _rows(scratch, "rt.jsonl", data, "jsonl")
    assert [(r["id"], r["text"]) for r in rows] == records  # escaped lone surrogates included


@FAST
@given(st.lists(st.tuples(TEXT.map(replace_surrogates), TEXT.map(replace_surrogates)), max_size=8))
def test_read_rows_csv_round_trips_what_the_csv_module_writes(scratch, records):
    import csv
    import io

    buf = io.StringIO(newline="")
    writer = csv.writer(buf)  # "\r\n" line ends: the writer quotes any field holding "\r" or "\n"
    writer.writerow(["id", "text"])
    writer.writerows(records)
    rows = _rows(scratch, "rt.csv", buf.getvalue().encode(), "csv")
    assert [(r["id"], r["text"]) for r in rows] == [tuple(r) for r in records]


# -- fuzz (slow companion) ------------------------------------------------------------------------------------------
def test_fuzz_script_smoke(clf):
    """The fuzz script's generator and checker, in process on a few hundred inputs (the full run is slow)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import fuzz
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    texts = fuzz.generate(300, seed=1, long_chars=3_000)
    assert len(texts) == 300 and {k for k, _ in texts} == set(fuzz.KINDS)
    report = fuzz.run(clf, texts, batch=64, alone_every=10)
    assert report["inputs"] == 300 and report["crashes"] == [] and report["nan"] == 0
    assert report["alone_checked"] >= 30 and report["batch_dependence_max"] <= 1e-5


@pytest.mark.slow
def test_fuzz_100k(tmp_path):
    out = tmp_path / "fuzz.json"
    run = subprocess.run([sys.executable, "benchmarks/fuzz.py", "--tiny", "--n", "100000", "--out", str(out)],
                         capture_output=True, text=True, timeout=1800, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["inputs"] >= 100_000 and report["crashes"] == [] and report["nan"] == 0
    assert report["batch_dependence_max"] <= 1e-5
