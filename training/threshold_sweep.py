"""What one model would score at other thresholds: F1 / safe flagged % per language and on the suites, per threshold.

A model's operating points are chosen on dev by ``calibrate.py``; this asks the question behind issue #13's paired
targets (F1 ≥ 85 *and* ≤ 5 % safe texts flagged): is there a threshold that meets both, or do they conflict at this
model's ROC curve? For a model whose thresholds are one number on P(unsafe) for every risk (``harm-risk``), a text is
flagged at threshold ``t`` exactly when its highest risk score reaches ``t``; that is the score swept here. Read on dev
(choices are made there), never to tune on test.

Example:
    python training/threshold_sweep.py --model models/gensafe-zh-en-v5w --data runs/data/s9 \\
        --not-trained-in runs/data/default --thresholds 0.5 0.7 0.8 0.85   # + its own points
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

import gensafe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_models import restrict  # noqa: E402
from evaluate import AUTHORED, _prf, load_data  # noqa: E402

SUITES = ("xstest", "hatecheck")


def verdict_scores(clf: gensafe.Classifier, texts: list[str]) -> np.ndarray:
    """The score the verdict thresholds: each text's highest risk score (NaN for unscored risks ignored)."""
    scores = np.asarray(clf.predict(texts).scores, dtype=float)
    return np.nanmax(scores, axis=1)


def f1_and_flagged(unsafe: np.ndarray, score: np.ndarray, t: float) -> tuple[float, float]:
    """Unsafe-vs-safe F1 and the share of safe texts flagged, in %, when ``score >= t`` flags.

        >>> f1_and_flagged(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.6, 0.1]), 0.5)
        (50.0, 50.0)
    """
    b = _prf(np.asarray(unsafe, dtype=bool), np.asarray(score) >= t)  # evaluate.py's figures, as every report has
    return round(100 * b["f1"], 1), round(100 * (b["false_positive_rate"] or 0.0), 1)


def sweep(clf: gensafe.Classifier, ds: Any, rows: Any, thresholds: list[float],
          names: dict[float, str] | None = None) -> list[str]:
    """Markdown rows: per threshold, public zh / public en F1 and safe flagged, and each suite's recall / flagged;
    ``names`` marks the thresholds that are the model's own operating points."""
    names = names or {}
    score = verdict_scores(clf, list(rows["text"]))
    unsafe = np.array([bool(x) for x in rows["labels"]])
    lang, source = np.array(rows["lang"]), np.array(rows["source"])
    slices = {f"public {x}": (source != AUTHORED) & (lang == x) for x in ("zh", "en")}
    slices = {k: m for k, m in slices.items() if m.any()}  # a language the rows lack gets no column, not zeros
    suites = {}
    for name in SUITES:
        if name in ds and len({bool(x) for x in ds[name]["labels"]}) == 2:  # recall and flagged need both classes
            suites[name] = (verdict_scores(clf, list(ds[name]["text"])),
                            np.array([bool(x) for x in ds[name]["labels"]]))
    head = ["threshold", *(f"{s}: F1 / safe flagged %" for s in slices),
            *(f"{s}: unsafe recall / safe flagged %" for s in suites)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for t in thresholds:
        cells = [f"{t:.3f}" + (f" ({names[t]})" if t in names else "")]
        for mask in slices.values():
            f1, flagged = f1_and_flagged(unsafe[mask], score[mask], t)
            cells.append(f"{f1} / {flagged}")
        for s, y in suites.values():
            cells.append(f"{100 * (s[y] >= t).mean():.1f} / {100 * (s[~y] >= t).mean():.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="model folder")
    p.add_argument("--data", required=True, help="folder written by build_data.py")
    p.add_argument("--split", default="dev")
    p.add_argument("--not-trained-in", default=None, help="another build: drop the texts in its train split")
    p.add_argument("--thresholds", nargs="+", type=float, default=[],
                   help="thresholds to add to the model's own operating points (always shown)")
    args = p.parse_args(argv)
    clf = gensafe.load(args.model, device="cpu")
    points = {name: sorted(set(th.values())) for name, th in clf.manifest.thresholds.items()}
    if any(len(v) != 1 for v in points.values()):
        p.error(f"{args.model}: its thresholds differ between risks, so no single score decides the verdict")
    ds = load_data(args.data)
    trained = load_data(args.not_trained_in) if args.not_trained_in else None
    rows = restrict(ds, args.split, None, trained)
    print(f"{clf.name} at {clf.precision} on {len(rows):,} {args.split} rows; its operating points: "
          + ", ".join(f"{k} {v[0]:.3f}" for k, v in points.items()))
    own: dict[float, str] = {}  # the exact operating points, not rounded ones typed in
    for name, (t,) in points.items():
        own[t] = f"{own[t]}, {name}" if t in own else name
    print("\n".join(sweep(clf, ds, rows, sorted(set(args.thresholds) | set(own)), own)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
