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

__all__ = ["Result", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    """The decision for one text.

    Attributes:
        flagged: True when any risk scored at or above its threshold.
        risks: Risk codes over threshold, highest score first.
        top_risk: The highest-scoring risk (flagged or not); ``None`` for a model with no labels scored.
        top_score: Its score.
        scores: Risk code -> score in [0, 1].
    """

    flagged: bool
    risks: tuple[str, ...]
    top_risk: str | None
    top_score: float
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "risks": list(self.risks),
            "top_risk": self.top_risk,
            "top_score": self.top_score,
            "scores": self.scores,
        }


@dataclass(frozen=True)
class Result:
    """Scores of ``n`` texts over ``k`` risks, with the thresholds that judged them.

    Attributes:
        scores: float32 array ``[n, k]`` of sigmoid scores (the max over windows for long texts).
        labels: The ``k`` risk codes, in column order.
        thresholds: float32 array ``[k]``; ``inf`` marks a risk switched off by the policy.
        windows: int array ``[n]``: model windows scored per text (0 for blank text, which is never scored).
    """

    scores: np.ndarray
    labels: tuple[str, ...]
    thresholds: np.ndarray
    windows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        if self.scores.ndim != 2 or self.scores.shape[1] != len(self.labels):
            raise ValueError(f"scores must be [n, {len(self.labels)}], got {self.scores.shape}")
        if self.thresholds.shape != (len(self.labels),):
            raise ValueError(f"thresholds must be [{len(self.labels)}], got {self.thresholds.shape}")
        if self.windows.size == 0 and len(self.scores):
            object.__setattr__(self, "windows", np.ones(len(self.scores), dtype=np.int64))

    # -- batch views --------------------------------------------------------------------------------------------
    @property
    def flags(self) -> np.ndarray:
        """Boolean ``[n, k]``: score at or above threshold."""
        return self.scores >= self.thresholds

    @property
    def flagged(self) -> np.ndarray:
        """Boolean ``[n]``: any risk flagged."""
        return self.flags.any(axis=1)

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
        return Verdict(
            flagged=bool(flags.any()),
            risks=risks,
            top_risk=self.labels[top] if top is not None else None,
            top_score=float(row[top]) if top is not None else 0.0,
            scores={c: round(float(s), 6) for c, s in zip(self.labels, row)},
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
            "thresholds": {c: (None if not np.isfinite(t) else float(t)) for c, t in zip(self.labels, self.thresholds)},
            "results": self.to_dicts(),
        }
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(payload, **kwargs)
