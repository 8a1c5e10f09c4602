"""Per-risk thresholds for the operating points, and expected calibration error.

* ``strict``   (high recall):    the highest threshold whose dev recall is at least ``target_recall``;
* ``balanced``:                  the per-risk best-F1 thresholds, then tuned jointly (coordinate ascent) for the F1
  of the verdict users act on — "any risk flagged" vs safe — on dev;
* ``loose``    (high precision): the lowest threshold whose dev precision is at least ``target_precision``
  (the best-F0.5 threshold when no threshold reaches it).

Thresholds are kept within [0.02, 0.98]. When a target cannot be met on dev for a risk (or a threshold is clipped),
the returned notes say so with the dev figure reached ("not met" / "clipped"); train.py records them in the manifest
(``provenance.operating_point_targets``) and the model card shows them.

Risks with fewer than ``min_positives`` dev positives get fixed thresholds (0.3 / 0.5 / 0.7): too few examples to
choose from, and the report says so.

Example:
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1]); p = np.array([0.1, 0.4, 0.35, 0.8])
    >>> round(threshold_for_recall(y, p, 1.0), 2)
    0.35
"""

from __future__ import annotations

from typing import Any

import numpy as np

FALLBACK = {"strict": 0.3, "balanced": 0.5, "loose": 0.7}
_LOW, _HIGH = 0.02, 0.98


def _curve(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thresholds (descending unique scores) with the precision and recall of ``p >= t``."""
    order = np.argsort(-p, kind="stable")
    p, y = p[order], y[order]
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    last = np.r_[np.nonzero(np.diff(p))[0], len(p) - 1]  # last index of each distinct score
    precision = tp[last] / np.maximum(tp[last] + fp[last], 1)
    recall = tp[last] / max(y.sum(), 1)
    return p[last], precision, recall


def threshold_for_recall(y: np.ndarray, p: np.ndarray, target: float) -> float:
    t, _prec, rec = _curve(y, p)
    ok = np.nonzero(rec >= target)[0]
    return float(t[ok[0]]) if len(ok) else float(t[-1])


def threshold_for_precision(y: np.ndarray, p: np.ndarray, target: float) -> float:
    t, prec, rec = _curve(y, p)
    ok = np.nonzero((prec >= target) & (rec > 0))[0]
    if len(ok):
        return float(t[ok[-1]])
    return threshold_best_f(y, p, beta=0.5)


def threshold_best_f(y: np.ndarray, p: np.ndarray, beta: float = 1.0) -> float:
    t, prec, rec = _curve(y, p)
    b2 = beta * beta
    f = (1 + b2) * prec * rec / np.maximum(b2 * prec + rec, 1e-12)
    return float(t[int(np.argmax(f))])


def choose_thresholds(
    y: np.ndarray,
    p: np.ndarray,
    mask: np.ndarray,
    labels: list[str],
    target_recall: float = 0.9,
    target_precision: float = 0.9,
    min_positives: int = 5,
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """Thresholds per operating point and per label from dev labels ``y``, scores ``p`` and the known-label ``mask``."""
    points: dict[str, dict[str, float]] = {"strict": {}, "balanced": {}, "loose": {}}
    notes: dict[str, Any] = {}
    for j, code in enumerate(labels):
        m = mask[:, j].astype(bool)
        yj, pj = y[m, j], p[m, j]
        if yj.sum() < min_positives:
            for k, v in FALLBACK.items():
                points[k][code] = v
            notes[code] = f"fixed thresholds: {int(yj.sum())} dev positives"
            continue
        strict = threshold_for_recall(yj, pj, target_recall)
        balanced = threshold_best_f(yj, pj)
        loose = threshold_for_precision(yj, pj, target_precision)
        # keep the points ordered (strict <= balanced <= loose) and away from 0 and 1
        strict = min(strict, balanced)
        loose = max(loose, balanced)
        missed = []
        for k, v in (("strict", strict), ("balanced", balanced), ("loose", loose)):
            points[k][code] = float(np.clip(v, _LOW, _HIGH))
            if points[k][code] != v:
                missed.append(f"{k} threshold {v:.4f} clipped to {points[k][code]:.2f}")
        # what each target point really achieves on dev, after ordering and clipping: recorded, never silent
        rec = float((pj[yj.astype(bool)] >= points["strict"][code]).mean())
        flagged = pj >= points["loose"][code]
        prec = float(yj[flagged].mean()) if flagged.any() else 0.0
        if rec < target_recall:
            missed.append(f"strict recall target {target_recall:.2f} not met (dev recall {rec:.3f})")
        if prec < target_precision:
            missed.append(f"loose precision target {target_precision:.2f} not met (dev precision {prec:.3f})")
        if missed:
            notes[code] = "; ".join(missed)
    points["balanced"] = tune_for_any_flag(y.astype(bool), p, mask, labels, points["balanced"], points["strict"],
                                           points["loose"])
    return points, notes


def tune_for_any_flag(
    y: np.ndarray, p: np.ndarray, mask: np.ndarray, labels: list[str], start: dict[str, float],
    low: dict[str, float], high: dict[str, float], rounds: int = 3, candidates: int = 60,
) -> dict[str, float]:
    """Coordinate ascent on per-risk thresholds (each kept within ``[low, high]``) for the F1 of "any known risk
    flagged" against "row is unsafe"; returns the tuned thresholds."""
    unsafe = (y & mask).any(axis=1)
    t = np.array([start[c] for c in labels], dtype=np.float64)
    known = mask.astype(bool)

    def f1(flagged: np.ndarray) -> np.ndarray:  # flagged: [candidates, n]
        tp = (flagged & unsafe).sum(axis=1)
        fp = (flagged & ~unsafe).sum(axis=1)
        fn = (~flagged & unsafe).sum(axis=1)
        return 2 * tp / np.maximum(2 * tp + fp + fn, 1)

    for _ in range(rounds):
        for j, code in enumerate(labels):
            others = np.delete(np.arange(len(labels)), j)
            rest = ((p[:, others] >= t[others]) & known[:, others]).any(axis=1)
            grid = np.unique(np.clip(np.r_[np.quantile(p[known[:, j], j], np.linspace(0.5, 0.999, candidates))
                                           if known[:, j].any() else [], t[j]], low[code], high[code]))
            flagged = rest[None, :] | ((p[None, :, j] >= grid[:, None]) & known[None, :, j])
            t[j] = grid[int(np.argmax(f1(flagged)))]
    return {c: float(t[j]) for j, c in enumerate(labels)}


def expected_calibration_error(y: np.ndarray, p: np.ndarray, mask: np.ndarray, bins: int = 15) -> float:
    """ECE over every known (text, risk) pair: |accuracy − confidence| weighted by bin size, equal-width bins."""
    m = mask.astype(bool)
    yv, pv = y[m].astype(float), p[m].astype(float)
    if not len(yv):
        return float("nan")
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(pv, edges) - 1, 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            ece += sel.mean() * abs(yv[sel].mean() - pv[sel].mean())
    return float(ece)


def choose_unsafe_thresholds(
    unsafe: np.ndarray, p_unsafe: np.ndarray, labels: list[str], target_recall: float = 0.9,
    target_precision: float = 0.9,
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """Operating points of a harm-risk model: one threshold on P(unsafe) per point, shared by every risk (a risk's
    score is at most P(unsafe) and the top risk's equals it, so "any risk flagged" is "P(unsafe) >= t").

    ``strict``: highest threshold with dev recall >= ``target_recall``; ``balanced``: best dev F1; ``loose``: lowest
    threshold with dev precision >= ``target_precision``. Ordered, clipped to [0.02, 0.98]; unmet targets are noted
    under ``"unsafe"``.

    Example:
        >>> points, notes = choose_unsafe_thresholds(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), ["A.1.1"])
        >>> points["strict"]["A.1.1"], points["loose"]["A.1.1"]
        (0.35, 0.8)
    """
    y = np.asarray(unsafe).astype(int)
    p = np.asarray(p_unsafe, dtype=np.float64)
    balanced = threshold_best_f(y, p)
    strict = min(threshold_for_recall(y, p, target_recall), balanced)
    loose = max(threshold_for_precision(y, p, target_precision), balanced)
    chosen = {k: float(np.clip(v, _LOW, _HIGH)) for k, v in (("strict", strict), ("balanced", balanced),
                                                              ("loose", loose))}
    missed = [f"{k} threshold {v:.4f} clipped to {chosen[k]:.2f}" for k, v in
              (("strict", strict), ("balanced", balanced), ("loose", loose)) if chosen[k] != v]
    rec = float((p[y == 1] >= chosen["strict"]).mean()) if (y == 1).any() else 0.0
    flagged = p >= chosen["loose"]
    prec = float(y[flagged].mean()) if flagged.any() else 0.0
    if rec < target_recall:
        missed.append(f"strict recall target {target_recall:.2f} not met (dev recall {rec:.3f})")
    if prec < target_precision:
        missed.append(f"loose precision target {target_precision:.2f} not met (dev precision {prec:.3f})")
    points = {k: {c: v for c in labels} for k, v in chosen.items()}
    return points, ({"unsafe": "; ".join(missed)} if missed else {})
