"""One result type for every call: scores for a batch of texts plus the thresholds that judged them.

A :class:`Result` is a batch: index it with an int for one text's :class:`Verdict`, with a slice, a list of positions
or a numpy index array (integers or a boolean mask) for a smaller :class:`Result`, and join results scored under the
same labels, thresholds and keyword mode with :meth:`Result.concat` or ``+``.

Example:
    >>> import numpy as np
    >>> r = Result(np.array([[0.9, 0.1], [0.2, 0.3], [0.1, 0.7]], dtype=np.float32), ("A.1.6", "A.2.5"),
    ...            np.array([0.5, 0.5], dtype=np.float32))
    >>> r.flagged.tolist()
    [True, False, True]
    >>> r[0].risks, r[0].top_risk
    (('A.1.6',), 'A.1.6')
    >>> r[[2, 0]].flagged.tolist(), len(r[1:])
    ([True, True], 2)
    >>> len(r[:1] + r[1:]), r[r.flagged][1].risks
    (3, ('A.2.5',))
    >>> r.to_dicts(scores=False)[1]
    {'flagged': False, 'risks': [], 'top_risk': 'A.2.5', 'top_score': 0.30000001192092896}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, overload

import numpy as np

__all__ = ["Result", "Verdict", "KEYWORD_MODES"]

KEYWORD_MODES = ("model", "keywords", "either", "both")

# Rows turned into verdicts per step when iterating: batch-wide sorts stay fast, and a million-row result never
# becomes a million rows of Python lists at once.
_BLOCK = 1024


@dataclass(frozen=True)
class Verdict:
    """The decision for one text.

    Attributes:
        flagged: The verdict: a risk at or above its threshold, and/or a keyword hit (see ``Result.keyword_mode``).
        risks: Risk codes over threshold in the model's scores, highest score first.
        top_risk: The highest-scoring risk (flagged or not); ``None`` for a model with no labels scored.
        top_score: Its score.
        scores: Risk code -> score in [0, 1].
        keyword_risks: Risks of the keyword hits, in order of first hit.
        keyword_hits: The hits (span in the original text, term, risk, severity).
        keyword_only_risks: Keyword risks the model has no score for (covered by the keyword tier alone).
        truncated: The text was over the classifier's limits and was scored on a defined part of it (head, tail and
            an evenly spaced sample of the middle; see ``gensafe.load(max_chars=..., max_windows=...)``).
    """

    flagged: bool
    risks: tuple[str, ...]
    top_risk: str | None
    top_score: float
    scores: dict[str, float]
    keyword_risks: tuple[str, ...] = ()
    keyword_hits: tuple[Any, ...] = ()
    keyword_only_risks: tuple[str, ...] = ()
    truncated: bool = False

    def to_dict(self, *, scores: bool = True) -> dict[str, Any]:
        """A plain JSON-ready dict; ``scores=False`` leaves out the per-risk scores. Keyword fields only with hits."""
        out: dict[str, Any] = {
            "flagged": self.flagged,
            "risks": list(self.risks),
            "top_risk": self.top_risk,
            "top_score": self.top_score,
        }
        if scores:
            out["scores"] = self.scores
        if self.truncated:
            out["truncated"] = True
        if self.keyword_hits or self.keyword_risks:
            out["keyword_risks"] = list(self.keyword_risks)
            out["keyword_only_risks"] = list(self.keyword_only_risks)
            out["keyword_hits"] = [h.to_dict() for h in self.keyword_hits]
        return out


@dataclass(frozen=True)
class Result:
    """Scores of ``n`` texts over ``k`` risks, with the thresholds that judged them.

    Attributes:
        scores: float32 array ``[n, k]`` of sigmoid scores (the max over windows for long texts).
        labels: The ``k`` risk codes, in column order.
        thresholds: float32 array ``[k]``; ``inf`` marks a risk switched off by the policy.
        windows: int array ``[n]``: model windows scored per text (0 for blank text, which is never scored).
        keyword_hits: Per text, the keyword-tier hits (``None`` when no lexicon is attached).
        keyword_mode: How keyword hits and model scores combine into ``flagged``: ``"model"`` (keywords are
            reported only), ``"keywords"`` (keywords alone flag), ``"either"`` or ``"both"`` (both must agree).
        truncated: bool array ``[n]``: the text was over the classifier's limits and was scored on a defined part.
    """

    scores: np.ndarray
    labels: tuple[str, ...]
    thresholds: np.ndarray
    windows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    keyword_hits: tuple[tuple[Any, ...], ...] | None = None
    keyword_mode: str = "either"
    truncated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        if self.scores.ndim != 2 or self.scores.shape[1] != len(self.labels):
            raise ValueError(f"scores must be [n, {len(self.labels)}], got {self.scores.shape}")
        if self.thresholds.shape != (len(self.labels),):
            raise ValueError(f"thresholds must be [{len(self.labels)}], got {self.thresholds.shape}")
        if self.keyword_mode not in KEYWORD_MODES:
            raise ValueError(f"keyword_mode must be one of {KEYWORD_MODES}, got {self.keyword_mode!r}")
        if self.keyword_hits is not None and len(self.keyword_hits) != len(self.scores):
            raise ValueError("keyword_hits must have one entry per text")
        if self.windows.size == 0 and len(self.scores):
            object.__setattr__(self, "windows", np.ones(len(self.scores), dtype=np.int64))
        if self.windows.shape != (len(self.scores),):  # slicing and concat keep rows aligned only if this holds
            raise ValueError(f"windows must be [{len(self.scores)}], got {self.windows.shape}")
        if self.truncated.size == 0 and len(self.scores):
            object.__setattr__(self, "truncated", np.zeros(len(self.scores), dtype=bool))
        if self.truncated.shape != (len(self.scores),):
            raise ValueError(f"truncated must be [{len(self.scores)}], got {self.truncated.shape}")

    # -- batch views --------------------------------------------------------------------------------------------
    @property
    def flags(self) -> np.ndarray:
        """Boolean ``[n, k]``: score at or above threshold."""
        return self.scores >= self.thresholds

    @property
    def model_flagged(self) -> np.ndarray:
        """Boolean ``[n]``: any risk over its threshold in the model's scores."""
        return self.flags.any(axis=1)

    @property
    def keyword_flagged(self) -> np.ndarray:
        """Boolean ``[n]``: any keyword hit (all False when no lexicon is attached)."""
        if self.keyword_hits is None:
            return np.zeros(len(self), dtype=bool)
        return np.array([bool(h) for h in self.keyword_hits], dtype=bool)

    @property
    def flagged(self) -> np.ndarray:
        """Boolean ``[n]``: the verdict, combining model and keywords by ``keyword_mode``."""
        return self._combine(self.model_flagged, self.keyword_flagged)

    def _combine(self, model: Any, keywords: Any) -> Any:
        if self.keyword_hits is None or self.keyword_mode == "model":
            return model
        if self.keyword_mode == "keywords":
            return keywords
        if self.keyword_mode == "both":
            return model & keywords
        return model | keywords

    def __len__(self) -> int:
        return len(self.scores)

    # -- rows: indexing, slicing, joining -------------------------------------------------------------------------
    @overload
    def __getitem__(self, index: int | np.integer) -> Verdict: ...

    @overload
    def __getitem__(self, index: slice | Sequence[int] | Sequence[bool] | np.ndarray) -> Result: ...

    def __getitem__(self, index: Any) -> Verdict | Result:
        """``result[i]`` is text ``i``'s :class:`Verdict`; ``result[1:3]``, ``result[[2, 0]]``, ``result[mask]``
        are a :class:`Result` with those rows, in that order (a slice shares the arrays, like a numpy view)."""
        if isinstance(index, (int, np.integer)):
            n = len(self)
            i = int(index) + n if index < 0 else int(index)
            if not 0 <= i < n:
                raise IndexError(f"index {int(index)} is out of range for a Result of {n} texts")
            return next(self._verdicts(i, i + 1))
        return self._take(index)

    def _take(self, index: Any) -> Result:
        if isinstance(index, slice):
            rows: slice | np.ndarray = index
            hits = None if self.keyword_hits is None else self.keyword_hits[index]
        else:
            if isinstance(index, tuple):  # result[0, 1] reads like a 2-D index: refuse rather than guess
                raise TypeError("index a Result with an int, a slice, or a list / 1-D array of positions or bools")
            idx = np.asarray(index)
            if idx.size == 0:  # np.asarray([]) is float64
                idx = idx.astype(np.intp)
            if idx.ndim != 1 or not (idx.dtype == bool or np.issubdtype(idx.dtype, np.integer)):
                raise TypeError("index a Result with an int, a slice, or a list / 1-D array of positions or bools; "
                                f"got {type(index).__name__} of {idx.dtype}, {idx.ndim}-D")
            rows = np.arange(len(self))[idx]  # numpy checks bounds and mask length, and resolves negative positions
            hits = None if self.keyword_hits is None else tuple(self.keyword_hits[j] for j in rows.tolist())
        return replace(self, scores=self.scores[rows], windows=self.windows[rows], truncated=self.truncated[rows],
                       keyword_hits=hits)

    @classmethod
    def concat(cls, results: Iterable[Result]) -> Result:
        """Join results row-wise, in order. They must share labels, thresholds, keyword mode and keyword tier
        (a lexicon attached or not), since those decide what a row's scores mean; anything else is a ``ValueError``.

        Example:
            >>> r = Result(np.array([[0.9], [0.1]], dtype=np.float32), ("A.1.8",), np.array([0.5], dtype=np.float32))
            >>> Result.concat([r[1:], r[:1]]).flagged.tolist()
            [False, True]
        """
        parts = list(results)
        if not parts:
            raise ValueError("Result.concat needs at least one Result (labels and thresholds come from it)")
        for i, r in enumerate(parts):
            if not isinstance(r, Result):
                raise TypeError(f"results[{i}] is {type(r).__name__}, expected Result")
        first = parts[0]
        for i, r in enumerate(parts[1:], 1):
            if r.labels != first.labels:
                raise ValueError(f"cannot concat results with different labels: results[{i}] has {len(r.labels)} "
                                 f"{r.labels[:4]}..., results[0] has {len(first.labels)} {first.labels[:4]}...")
            if not np.array_equal(r.thresholds, first.thresholds, equal_nan=True):
                j = int(np.flatnonzero(r.thresholds != first.thresholds)[0])
                raise ValueError(f"cannot concat results judged by different thresholds (policies): results[{i}] has "
                                 f"{first.labels[j]} at {r.thresholds[j]:g}, results[0] at {first.thresholds[j]:g}")
            if r.keyword_mode != first.keyword_mode:
                raise ValueError(f"cannot concat results with different keyword modes: results[{i}] is "
                                 f"{r.keyword_mode!r}, results[0] is {first.keyword_mode!r}")
            if (r.keyword_hits is None) != (first.keyword_hits is None):
                # a row without a lexicon is judged on the model alone; joined, it would be judged on keywords too
                raise ValueError(f"cannot concat results with and without keyword hits (a lexicon attached): "
                                 f"results[{i}] {'has none' if r.keyword_hits is None else 'has them'}, "
                                 f"results[0] {'has none' if first.keyword_hits is None else 'has them'}")
        if len(parts) == 1:
            return first
        hits = None if first.keyword_hits is None else tuple(h for r in parts for h in r.keyword_hits)  # type: ignore[union-attr]
        return replace(first, scores=np.concatenate([r.scores for r in parts]),
                       windows=np.concatenate([r.windows for r in parts]),
                       truncated=np.concatenate([r.truncated for r in parts]), keyword_hits=hits)

    def __add__(self, other: Any) -> Result:
        """``r1 + r2`` is ``Result.concat([r1, r2])``."""
        if not isinstance(other, Result):
            return NotImplemented
        return Result.concat([self, other])

    # -- verdicts and plain output --------------------------------------------------------------------------------
    def _verdicts(self, start: int = 0, stop: int | None = None, *, scores: bool = True) -> Iterator[Verdict]:
        """Verdicts of rows ``start:stop``, sorted a block at a time. ``scores=False`` leaves ``Verdict.scores``
        empty, for callers that will not return them (``to_dicts(scores=False)``): only what is returned is built."""
        labels, known, thresholds = self.labels, set(self.labels), self.thresholds.tolist()
        stop = len(self) if stop is None else stop
        for b in range(start, stop, _BLOCK):
            block = slice(b, min(b + _BLOCK, stop))
            order = np.argsort(-self.scores[block], axis=1, kind="stable").tolist()
            hits_block = self.keyword_hits[block] if self.keyword_hits is not None else ((),) * len(order)
            # Python floats from float32 compare exactly as the float32 arrays do, so ``risks`` matches ``flags``
            for row, o, hits, cut in zip(self.scores[block].tolist(), order, hits_block,
                                         self.truncated[block].tolist(), strict=True):
                risks = tuple(labels[j] for j in o if row[j] >= thresholds[j])
                keyword_risks = tuple(dict.fromkeys(h.risk for h in hits))
                yield Verdict(
                    flagged=self._combine(bool(risks), bool(hits)),
                    risks=risks,
                    top_risk=labels[o[0]] if o else None,
                    top_score=row[o[0]] if o else 0.0,
                    scores={c: round(v, 6) for c, v in zip(labels, row, strict=True)} if scores else {},
                    keyword_risks=keyword_risks,
                    keyword_hits=tuple(hits),
                    keyword_only_risks=tuple(k for k in keyword_risks if k not in known),
                    truncated=cut,
                )

    def __iter__(self) -> Iterator[Verdict]:
        return self._verdicts()

    @property
    def verdicts(self) -> list[Verdict]:
        return list(self)

    def to_dicts(self, *, scores: bool = True) -> list[dict[str, Any]]:
        """One plain dict per text (JSON-ready), as ``Verdict.to_dict``; ``scores=False`` leaves out (and never
        builds) the per-risk scores."""
        return [v.to_dict(scores=scores) for v in self._verdicts(scores=scores)]

    def to_json(self, **kwargs: Any) -> str:
        """The batch as a JSON document: labels, thresholds and one object per text."""
        payload = {
            "labels": list(self.labels),
            "thresholds": {c: (None if not np.isfinite(t) else float(t))
                           for c, t in zip(self.labels, self.thresholds, strict=True)},
            "results": self.to_dicts(),
        }
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(payload, **kwargs)
