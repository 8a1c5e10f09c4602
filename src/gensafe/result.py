"""One result type for every call: scores for a batch of texts plus the thresholds that judged them.

Example:
    >>> import numpy as np
    >>> r = Result(np.array([[0.9, 0.1], [0.2, 0.3]], dtype=np.float32), ("A.1.6", "A.2.5"),
    ...            np.array([0.5, 0.5], dtype=np.float32))
    >>> r.flagged.tolist()
    [True, False]
    >>> r[0].risks, r[0].top_risk
    (('A.1.6',), 'A.1.6')
    >>> r.to_dicts()[1]["flagged"]
    False
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Result", "Verdict", "KEYWORD_MODES"]

KEYWORD_MODES = ("model", "keywords", "either", "both")


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
    """

    flagged: bool
    risks: tuple[str, ...]
    top_risk: str | None
    top_score: float
    scores: dict[str, float]
    keyword_risks: tuple[str, ...] = ()
    keyword_hits: tuple[Any, ...] = ()
    keyword_only_risks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {
            "flagged": self.flagged,
            "risks": list(self.risks),
            "top_risk": self.top_risk,
            "top_score": self.top_score,
            "scores": self.scores,
        }
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
    """

    scores: np.ndarray
    labels: tuple[str, ...]
    thresholds: np.ndarray
    windows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    keyword_hits: tuple[tuple[Any, ...], ...] | None = None
    keyword_mode: str = "either"

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

    def __getitem__(self, i: int) -> Verdict:
        if not isinstance(i, (int, np.integer)):
            raise TypeError("index a Result with an int; use .scores for array slicing")
        row = self.scores[i]
        flags = row >= self.thresholds
        order = np.argsort(-row, kind="stable")
        risks = tuple(self.labels[j] for j in order if flags[j])
        top = int(order[0]) if len(order) else None
        hits = tuple(self.keyword_hits[i]) if self.keyword_hits is not None else ()
        keyword_risks = tuple(dict.fromkeys(h.risk for h in hits))
        return Verdict(
            flagged=self._combine(bool(flags.any()), bool(hits)),
            risks=risks,
            top_risk=self.labels[top] if top is not None else None,
            top_score=float(row[top]) if top is not None else 0.0,
            scores={c: round(float(s), 6) for c, s in zip(self.labels, row, strict=True)},
            keyword_risks=keyword_risks,
            keyword_hits=hits,
            keyword_only_risks=tuple(r for r in keyword_risks if r not in self.labels),
        )

    def __iter__(self) -> Iterator[Verdict]:
        for i in range(len(self)):
            yield self[i]

    @property
    def verdicts(self) -> list[Verdict]:
        return list(self)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One plain dict per text (JSON-ready)."""
        return [v.to_dict() for v in self]

    def to_json(self, **kwargs: Any) -> str:
        """The batch as a JSON document: labels, thresholds and one object per text."""
        payload = {
            "labels": list(self.labels),
            "thresholds": {c: (None if not np.isfinite(t) else float(t)) for c, t in zip(self.labels, self.thresholds, strict=True)},
            "results": self.to_dicts(),
        }
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(payload, **kwargs)
