"""One result type for every call: scores for a batch of texts plus the thresholds that judged them.

A :class:`Result` is a batch: index it with an int for one text's :class:`Verdict`, with a slice, a list of positions
or a numpy index array (integers or a boolean mask) for a smaller :class:`Result`, and join results scored under the
same labels, thresholds and keyword mode with :meth:`Result.concat` or ``+``. Beside gensafe's own dicts and JSON,
it speaks OpenAI's ``/v1/moderations`` shape (:meth:`Result.to_openai`) and a Hugging Face pipeline's
(:meth:`Result.to_pipeline`).

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
    >>> r.to_dicts(scores=False)[1]["top_risk"], len(r.unscored)       # 29 of the 31 risks are not scored
    ('A.2.5', 29)
    >>> r
    Result(3 texts, 2 flagged, 2 of 31 risks scored, threshold 0.5)

Every plain output (``to_dict``, ``to_json``, ``to_openai``) names all 31 risks: the ones the model does not score
are listed in ``unscored`` and have score ``None`` (0.0 with no applied input type in the OpenAI shape), so "not
flagged" is never mistaken for "checked and clean". ``Result.scores`` stays the model's ``[n, k]`` array.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, overload

import numpy as np

from .taxonomy import OPENAI_CATEGORIES, OPENAI_MAP, RISK_CODES, RISKS, canonical_code

__all__ = ["Result", "Verdict", "KEYWORD_MODES"]

KEYWORD_MODES = ("model", "keywords", "either", "both")
DOMAIN_RISK = "domain"  # the keyword tier's category for web addresses (gensafe.keywords.DOMAIN)


def _flags_alone(hit: Any) -> bool:
    return getattr(hit, "tier", "flag") == "flag" and hit.risk != DOMAIN_RISK

# Rows turned into verdicts per step when iterating: batch-wide sorts stay fast, and a million-row result never
# becomes a million rows of Python lists at once.
_BLOCK = 1024


@lru_cache(maxsize=64)
def _columns(labels: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every risk an output names, in taxonomy order; the TC260 risks missing from ``labels``). Cached: a batch's
    verdicts share one model's labels, so this runs once per model, not once per row."""
    unscored = tuple(c for c in RISK_CODES if c not in labels)
    extra = tuple(c for c in labels if c not in RISK_CODES)  # only a hand-made Result can carry these
    return RISK_CODES + extra, unscored


@lru_cache(maxsize=64)
def _key_order(scored: tuple[str, ...], unscored: tuple[str, ...]) -> tuple[str, ...]:
    """Keys of a complete scores dict, in taxonomy order (labels outside it last)."""
    keep = set(scored) | set(unscored)
    return tuple(c for c in _columns(scored)[0] if c in keep)


_NAMES = {r.code: (r.zh, r.en) for r in RISKS}


def _names(code: str) -> dict[str, str]:
    """``{"zh", "en"}`` of a risk code (a new dict each time: callers may edit theirs); an empty dict for a code
    outside the taxonomy (a hand-made Result)."""
    zh_en = _NAMES.get(code)
    return {"zh": zh_en[0], "en": zh_en[1]} if zh_en else {}


@dataclass(frozen=True)
class Verdict:
    """The decision for one text.

    Attributes:
        flagged: The verdict: a risk at or above its threshold, and/or a keyword hit (see ``Result.keyword_mode``).
        risks: Risk codes over threshold in the model's scores, highest score first; then, when keyword hits count
            toward the verdict (see ``Result.keyword_mode``), their risks. A flagged verdict always names a risk.
        top_risk: The highest-scoring risk (flagged or not); ``None`` for a model with no labels scored.
        top_score: Its score.
        scores: Risk code -> score in [0, 1], for the model's risks (``Result.labels``).
        keyword_risks: Risks of the keyword hits, in order of first hit.
        keyword_hits: The hits (span in the original text, term, risk, severity).
        keyword_only_risks: Keyword risks the model has no score for (covered by the keyword tier alone).
        truncated: The text was over the classifier's limits and was scored on a defined part of it (head, tail and
            an evenly spaced sample of the middle; see ``gensafe.load(max_chars=..., max_windows=...)``).
        unscored: TC260 risks the model gives no score for: "not flagged" says nothing about them (only the keyword
            tier, if attached, can flag them). ``scores`` holds the model's risks only; :meth:`score` and
            :meth:`to_dict` cover all 31.

    Example:
        >>> v = Verdict(True, ("A.1.8",), "A.1.8", 0.97, {"A.1.8": 0.97}, unscored=("A.1.1",))
        >>> v.score("A.1 h"), v.score("A.1.1"), v.risk_names["A.1.8"]["en"]
        (0.97, None, 'Other content prohibited by laws and administrative regulations')
        >>> v
        Verdict(flagged: A.1.8 0.970)
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
    unscored: tuple[str, ...] = ()

    def score(self, code: str) -> float | None:
        """The score of one risk (any spelling :func:`~gensafe.taxonomy.canonical_code` reads), ``None`` for a risk
        the model does not score; ``KeyError`` for a code that is not one of the 31."""
        key = code if code in self.scores else canonical_code(code)
        return self.scores.get(key)

    @property
    def risk_names(self) -> dict[str, dict[str, str]]:
        """``{code: {"zh", "en"}}`` of the risks in ``risks`` (model, over threshold), then ``keyword_risks``."""
        return {c: _names(c) for c in dict.fromkeys(self.risks + self.keyword_risks)}

    def to_dict(self, *, scores: bool = True) -> dict[str, Any]:
        """A plain JSON-ready dict; ``scores=False`` leaves out the per-risk scores. Keyword fields only with hits.

        With ``scores``, ``scores`` names every risk in taxonomy order, ``None`` for each risk the model does not
        score, and ``unscored`` lists those. ``risk_names`` (only when a risk is over threshold or hit by keywords)
        gives their Chinese and English names. A lean row (``scores=False``, what ``gensafe scan`` writes by default)
        carries only the verdict, so a corpus scan does not repeat the same lists on every row.
        """
        out: dict[str, Any] = {
            "flagged": self.flagged,
            "risks": list(self.risks),
            "top_risk": self.top_risk,
            "top_score": self.top_score,
        }
        names = self.risk_names
        if names:
            out["risk_names"] = names
        if scores:
            out["scores"] = self._complete_scores()
            out["unscored"] = list(self.unscored)
        if self.truncated:
            out["truncated"] = True
        if self.keyword_hits or self.keyword_risks:
            out["keyword_risks"] = list(self.keyword_risks)
            out["keyword_only_risks"] = list(self.keyword_only_risks)
            out["keyword_hits"] = [h.to_dict() for h in self.keyword_hits]
        return out

    def _complete_scores(self) -> dict[str, float | None]:
        if not self.unscored:
            return dict(self.scores)
        out: dict[str, float | None] = dict.fromkeys(_key_order(tuple(self.scores), self.unscored))
        out.update(self.scores)  # keeps the taxonomy order of the keys laid down by fromkeys
        return out

    def __repr__(self) -> str:
        # one short line: the decision, what made it, and nothing per-risk beyond the risks over threshold
        risks = ", ".join(f"{c} {self.scores[c]:.3f}" if c in self.scores else c for c in self.risks)
        if self.flagged:
            parts = [f"flagged: {risks}" if risks else "flagged"]
        else:
            parts = ["not flagged"] + ([f"over threshold: {risks}"] if risks else [])
        if self.top_risk is not None and self.top_risk not in self.risks:
            parts.append(f"top {self.top_risk} {self.top_score:.3f}")
        if self.keyword_hits or self.keyword_risks:
            n = len(self.keyword_hits)
            parts.append(f"{n} keyword hit{'' if n == 1 else 's'} ({', '.join(self.keyword_risks)})")
        if self.truncated:
            parts.append("truncated")
        return f"Verdict({', '.join(parts)})"


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
        """Boolean ``[n]``: a keyword hit that flags on its own (tier ``flag``, a TC260 risk; all False when no
        lexicon is attached)."""
        if self.keyword_hits is None:
            return np.zeros(len(self), dtype=bool)
        return np.array([any(_flags_alone(h) for h in hits) for hits in self.keyword_hits], dtype=bool)

    @property
    def flagged(self) -> np.ndarray:
        """Boolean ``[n]``: the verdict, combining model and keywords by ``keyword_mode``."""
        model = self.model_flagged
        if self.keyword_hits is None or self.keyword_mode == "model":
            return model
        out = np.zeros(len(self), dtype=bool) if self.keyword_mode in ("keywords", "both") else model.copy()
        flags, labels = self.flags, self.labels
        for i, hits in enumerate(self.keyword_hits):
            if hits:  # rows without hits keep the model's verdict ("either") or stay unflagged
                model_risks = tuple(labels[j] for j in np.flatnonzero(flags[i]).tolist())
                out[i] = self._decide(model_risks, hits)[0]
        return out

    def _decide(self, model_risks: tuple[str, ...], hits: Sequence[Any]) -> tuple[bool, tuple[str, ...]]:
        """One text's verdict and the risks that made it (model risks first, then the keyword risks that count).

        * ``model``: keyword hits are reported only.
        * ``keywords``: hits of tier ``flag`` flag on their own.
        * ``either``: the model flags, or a ``flag`` hit, or an ``evidence`` hit in a family the model flags.
        * ``both``: a hit (any tier) in the *same family* (A.1 … A.5) as a risk the model flags: the family, not the
          exact risk, because the model scores fewer, broader risks than a lexicon names.

        ``domain`` hits (web addresses) name no TC260 risk: they are reported and never flag.
        """
        mode = self.keyword_mode
        if self.keyword_hits is None or mode == "model" or not hits:
            # no lexicon: the model decides; a lexicon that found nothing: only "either" lets the model flag alone
            model_decides = self.keyword_hits is None or mode in ("model", "either")
            return model_decides and bool(model_risks), model_risks
        families = {r[:3] for r in model_risks}
        counted = []
        for h in hits:
            if h.risk == DOMAIN_RISK:
                continue
            alone = getattr(h, "tier", "flag") == "flag"
            if (mode == "keywords" and alone) or (mode == "either" and (alone or h.risk[:3] in families)) \
                    or (mode == "both" and h.risk[:3] in families):
                counted.append(h.risk)
        keyword_risks = tuple(r for r in dict.fromkeys(counted) if r not in model_risks)
        flagged = bool(counted) or (mode == "either" and bool(model_risks))
        return flagged, (model_risks + keyword_risks if flagged else model_risks)

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def unscored(self) -> tuple[str, ...]:
        """The TC260 risks the model has no score for, in taxonomy order: never flagged by the model."""
        return _columns(self.labels)[1]

    def __repr__(self) -> str:
        """One line, no arrays: e.g. ``Result(3 texts, 1 flagged, 18 of 31 risks scored, thresholds 0.21-0.93)``."""
        n = len(self)
        parts = [f"{n} text{'' if n == 1 else 's'}", f"{int(self.flagged.sum())} flagged",
                 f"{len(self.labels)} of {len(RISK_CODES)} risks scored"]
        on = self.thresholds[np.isfinite(self.thresholds)]
        if on.size:
            lo, hi = float(on.min()), float(on.max())
            parts.append(f"threshold {lo:.3g}" if lo == hi else f"thresholds {lo:.3g}-{hi:.3g}")
        off = len(self.thresholds) - on.size
        if off:
            parts.append(f"{off} switched off")
        if self.keyword_hits is not None:
            parts.append(f"keywords ({self.keyword_mode}): {int(self.keyword_flagged.sum())} with hits")
        cut = int(self.truncated.sum())
        if cut:
            parts.append(f"{cut} truncated")
        return f"Result({', '.join(parts)})"

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
        unscored = self.unscored
        stop = len(self) if stop is None else stop
        for b in range(start, stop, _BLOCK):
            block = slice(b, min(b + _BLOCK, stop))
            order = np.argsort(-self.scores[block], axis=1, kind="stable").tolist()
            hits_block = self.keyword_hits[block] if self.keyword_hits is not None else ((),) * len(order)
            # Python floats from float32 compare exactly as the float32 arrays do, so ``risks`` matches ``flags``
            for row, o, hits, cut in zip(self.scores[block].tolist(), order, hits_block,
                                         self.truncated[block].tolist(), strict=True):
                model_risks = tuple(labels[j] for j in o if row[j] >= thresholds[j])
                keyword_risks = tuple(dict.fromkeys(h.risk for h in hits))
                flagged, risks = self._decide(model_risks, hits)
                yield Verdict(
                    flagged=flagged,
                    risks=risks,
                    top_risk=labels[o[0]] if o else None,
                    top_score=row[o[0]] if o else 0.0,
                    scores={c: round(v, 6) for c, v in zip(labels, row, strict=True)} if scores else {},
                    keyword_risks=keyword_risks,
                    keyword_hits=tuple(hits),
                    keyword_only_risks=tuple(k for k in keyword_risks if k not in known),
                    truncated=cut,
                    unscored=unscored,
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
        """The batch as a JSON document: labels, thresholds (``null``: switched off), ``unscored``, ``risks`` (all 31:
        names, scored or not, threshold) and one object per text (:meth:`Verdict.to_dict`)."""
        thresholds = {c: (None if not np.isfinite(t) else float(t))
                      for c, t in zip(self.labels, self.thresholds, strict=True)}
        payload = {
            "labels": list(self.labels),
            "thresholds": thresholds,
            "unscored": list(self.unscored),
            "risks": {c: {**_names(c), "scored": c in thresholds, "threshold": thresholds.get(c)}
                      for c in _columns(self.labels)[0]},
            "results": self.to_dicts(),
        }
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(payload, **kwargs)

    # -- other ecosystems' shapes ---------------------------------------------------------------------------------
    def to_openai(self, model: str = "gensafe", id: str | None = None) -> dict[str, Any]:
        """The batch as an OpenAI ``/v1/moderations`` response, which the official ``openai`` client parses.

        ``categories`` and ``category_scores`` hold OpenAI's 13 categories (scored from the risks mapped to them in
        :data:`gensafe.taxonomy.OPENAI_MAP`: a category's score is the max of its risks' scores, and it is flagged
        when one of its risks is) and then all 31 TC260 risk codes. A category or risk the model does not score has
        score 0.0 and an empty ``category_applied_input_types`` list, OpenAI's own way of saying it was not applied
        to the input. ``flagged`` and each category follow the verdict, keyword tier included: a risk counts when it
        is over threshold (model) or hit (keywords) and that source can flag under ``keyword_mode``. A risk only the
        keyword tier found keeps its model score (0.0 if unscored) but is marked applied and flagged.

        Args:
            model: The ``model`` field (say, the classifier's name).
            id: The response id; default ``"modr-"`` and a random hex string.

        Example:
            >>> r = Result(np.array([[0.9, 0.2]], dtype=np.float32), ("A.1.6", "A.2.5"),
            ...            np.array([0.5, 0.5], dtype=np.float32))
            >>> m = r.to_openai("gensafe-zh-en-v1", id="modr-1")["results"][0]
            >>> m["flagged"], m["categories"]["violence"], m["categories"]["hate"], m["category_scores"]["hate"]
            (True, True, False, 0.2)
            >>> m["category_scores"]["A.1.1"], m["category_applied_input_types"]["A.1.1"]
            (0.0, [])
        """
        order, _ = _columns(self.labels)
        scored = set(self.labels)
        model_counts = self.keyword_hits is None or self.keyword_mode != "keywords"
        keywords_count = self.keyword_hits is not None and self.keyword_mode != "model"
        results = []
        for v in self._verdicts():
            hit = set(v.keyword_risks)
            counted = set(v.risks) if model_counts else set()
            if keywords_count:
                counted |= hit
            flags = {c: v.flagged and c in counted for c in order}
            scores = {c: float(v.scores.get(c, 0.0)) for c in order}
            applied = {c: ["text"] if c in scored or c in hit else [] for c in order}
            cat_flags, cat_scores, cat_applied = {}, {}, {}
            for cat in OPENAI_CATEGORIES:
                mapped = OPENAI_MAP[cat]
                cat_flags[cat] = any(flags.get(c, False) for c in mapped)
                cat_scores[cat] = max((scores[c] for c in mapped if c in scored), default=0.0)
                cat_applied[cat] = ["text"] if any(applied.get(c) for c in mapped) else []
            results.append({
                "flagged": bool(v.flagged),
                "categories": {**cat_flags, **flags},
                "category_scores": {**cat_scores, **scores},
                "category_applied_input_types": {**cat_applied, **applied},
            })
        return {"id": id or f"modr-{uuid.uuid4().hex}", "model": model, "results": results}

    def to_pipeline(self, top_k: int | None = None) -> list[list[dict[str, Any]]]:
        """Per text, ``[{"label": code, "score": s}, ...]`` highest first, like a Hugging Face
        ``pipeline("text-classification", top_k=None)`` given a list of texts (``top_k``: only the first k).

        Like a pipeline, it lists the model's labels (``Result.labels``); the risks it does not score are
        ``Result.unscored``.

        Example:
            >>> r = Result(np.array([[0.25, 0.75]], dtype=np.float32), ("A.1.6", "A.2.5"),
            ...            np.array([0.5, 0.5], dtype=np.float32))
            >>> r.to_pipeline()
            [[{'label': 'A.2.5', 'score': 0.75}, {'label': 'A.1.6', 'score': 0.25}]]
        """
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
        labels = self.labels
        out: list[list[dict[str, Any]]] = []
        for b in range(0, len(self), _BLOCK):
            block = self.scores[b:b + _BLOCK]
            order = np.argsort(-block, axis=1, kind="stable")[:, :top_k]
            for row, o in zip(block.tolist(), order.tolist(), strict=True):
                out.append([{"label": labels[j], "score": row[j]} for j in o])
        return out
