"""Result: slicing, concatenation, and plain output built once."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gensafe.keywords import KeywordHit
from gensafe.result import Result

LABELS = ("A.1.6", "A.1.8", "A.2.4")
THRESHOLDS = np.array([0.5, 0.5, np.inf], dtype=np.float32)  # A.2.4 switched off


def hit(risk: str) -> KeywordHit:
    return KeywordHit(0, 2, "炸弹", "炸弹", risk, 3)


def make(n: int = 5, *, seed: int = 0, hits: bool = False, mode: str = "either", thresholds=THRESHOLDS) -> Result:
    scores = np.random.default_rng(seed).random((n, len(LABELS))).astype(np.float32)
    keyword_hits = tuple((hit("A.1.8"),) if i % 2 else () for i in range(n)) if hits else None
    return Result(scores, LABELS, thresholds, np.arange(1, n + 1), keyword_hits, mode)


def rows(r: Result) -> list:
    """Everything a row carries, for comparing results."""
    return [(s.tolist(), int(w), h) for s, w, h in zip(r.scores, r.windows, r.keyword_hits or [None] * len(r),
                                                        strict=True)]


@pytest.mark.parametrize(("index", "positions"), [
    (slice(1, 3), [1, 2]), (slice(None, None, -2), [4, 2, 0]), (slice(4, 1), []), ([3, 0, 3], [3, 0, 3]),
    (np.array([4, -5]), [4, 0]), (np.array([True, False, False, True, True]), [0, 3, 4]), ([], []),
])
def test_indexing_a_result_gives_a_result_with_those_rows(index, positions):
    r = make(hits=True)
    got = r[index]
    assert isinstance(got, Result)
    assert rows(got) == [rows(r)[i] for i in positions]
    assert got.labels == r.labels and got.thresholds is r.thresholds and got.keyword_mode == r.keyword_mode
    assert got.flagged.tolist() == [bool(r.flagged[i]) for i in positions]
    assert [v.to_dict() for v in got] == [r[i].to_dict() for i in positions]


def test_an_int_still_gives_a_verdict():
    r = make()
    assert r[-1] == r[4] and r[np.int64(2)] == r[2]
    assert r[1].scores == {c: round(float(s), 6) for c, s in zip(LABELS, r.scores[1], strict=True)}
    with pytest.raises(IndexError, match="out of range for a Result of 5 texts"):
        r[5]
    with pytest.raises(IndexError):
        r[[0, 5]]
    with pytest.raises(IndexError):
        r[np.array([True, False])]  # a mask of the wrong length
    for bad in (1.5, "0", (0, 1), [0.5], np.zeros((1, 1), dtype=int), [[0]]):
        with pytest.raises(TypeError, match="index a Result"):
            r[bad]


def test_concat_and_add_join_rows_in_order():
    r = make(6, hits=True, mode="keywords")
    parts = [r[4:], r[:1], r[1:4]]
    joined = Result.concat(parts)
    order = [4, 5, 0, 1, 2, 3]
    assert rows(joined) == [rows(r)[i] for i in order]
    assert joined.flagged.tolist() == r.flagged[order].tolist()
    assert joined.keyword_mode == "keywords" and joined.labels == LABELS
    assert rows(r[:2] + r[2:]) == rows(r)
    assert rows(Result.concat([r[:0], r[3:4]])) == [rows(r)[3]]
    assert Result.concat(iter([r])) is r
    no_hits = make(3)
    assert (no_hits[:1] + no_hits[1:]).keyword_hits is None
    json.loads(joined.to_json())


def test_concat_refuses_results_that_mean_different_things():
    r = make(hits=True)
    other_labels = Result(np.zeros((1, 3), np.float32), ("A.1.6", "A.1.8", "A.4.1"), THRESHOLDS)
    with pytest.raises(ValueError, match="different labels"):
        Result.concat([make(), other_labels])
    stricter = THRESHOLDS.copy()
    stricter[1] = 0.9
    with pytest.raises(ValueError, match=r"different thresholds .*A\.1\.8 at 0\.9"):
        make() + make(thresholds=stricter)
    with pytest.raises(ValueError, match="different keyword modes: results\\[1\\] is 'both'"):
        Result.concat([r, make(hits=True, mode="both")])
    with pytest.raises(ValueError, match="with and without keyword hits"):
        r + make()
    with pytest.raises(ValueError, match="at least one"):
        Result.concat([])
    with pytest.raises(TypeError, match=r"results\[1\] is ndarray"):
        Result.concat([r, r.scores])
    with pytest.raises(TypeError):
        r + 1


def test_a_result_keeps_windows_aligned_with_rows():
    with pytest.raises(ValueError, match=r"windows must be \[2\]"):
        Result(np.zeros((2, 3), np.float32), LABELS, THRESHOLDS, np.ones(3, dtype=np.int64))


@pytest.mark.parametrize("hits", [False, True])
def test_to_dicts_is_the_verdicts_dicts_and_builds_scores_only_when_asked(hits):
    r = make(2500, seed=1, hits=hits, mode="both")  # more rows than one block of verdicts
    full = r.to_dicts()
    assert full == [v.to_dict() for v in r.verdicts]
    assert len(full) == 2500 and ("keyword_hits" in full[1]) == hits and "keyword_hits" not in full[0]
    lean = r.to_dicts(scores=False)
    assert lean == [{k: v for k, v in d.items() if k not in ("scores", "unscored")} for d in full]
    assert all(v.scores == {} for v in r._verdicts(scores=False))  # never built, not built then dropped
    top = [d["top_risk"] for d in full]
    assert top == [LABELS[j] for j in r.scores.argmax(axis=1)]


def test_verdict_of_a_model_without_labels():
    r = Result(np.zeros((2, 0), np.float32), (), np.zeros(0, np.float32))
    assert r[0].top_risk is None and r[0].top_score == 0.0 and r.to_dicts()[1]["risks"] == []
    assert len(r[1:]) == 1 and len(r + r) == 4
