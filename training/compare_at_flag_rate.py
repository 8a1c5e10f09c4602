"""Several harm-risk models at the same safe-flag rate: F1 and unsafe recall per public language on dev.

``compare_models.py`` compares models each at its own operating point, so a model that ranks better but whose point
sits lower shows more safe texts flagged and looks worse. Here each model's threshold is set, per slice, to flag at
most a given share of that slice's safe rows, so what differs is the ranking alone. The
thresholds are read off the rows they are scored on: a diagnostic for choosing between candidates on dev, never an
operating point to ship (``calibrate.py`` chooses those).

Example:
    python training/compare_at_flag_rate.py --models models/gensafe-zh-en-v5w runs/v14-wise/model \\
        --data runs/data/s9 --not-trained-in runs/data/default --rates 0.05 0.069 0.112
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import gensafe
from gensafe.manifest import ModelManifest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_models import restrict  # noqa: E402
from evaluate import AUTHORED, _prf  # noqa: E402


def at_flag_rate(p_unsafe: np.ndarray, unsafe: np.ndarray, rate: float) -> tuple[float, float]:
    """(F1, unsafe recall) when the threshold flags at most ``rate`` of the safe rows: a text is flagged when its
    score is above the ``k``-th highest safe score, ``k = floor(rate * safe rows)`` (ties stay unflagged).

    >>> at_flag_rate(np.array([0.1, 0.2, 0.3, 0.4, 0.35, 0.9, 0.05]), np.array([0, 0, 0, 0, 1, 1, 1], bool), 0.25)
    (0.6666666666666666, 0.6666666666666666)
    """
    safe = np.sort(p_unsafe[~unsafe])[::-1]
    k = int(np.floor(rate * len(safe)))
    flagged = p_unsafe > safe[k] if k < len(safe) else np.ones(len(p_unsafe), dtype=bool)
    scored = _prf(unsafe, flagged)
    return scored["f1"], scored["recall"]


def main(argv: list[str] | None = None) -> int:
    from datasets import load_from_disk

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", nargs="+", required=True, help="harm-risk model folders (top risk score = P(unsafe))")
    p.add_argument("--data", required=True, help="folder written by build_data.py")
    p.add_argument("--split", default="dev")
    p.add_argument("--not-trained-in", default=None, help="another build: drop the texts in its train split")
    p.add_argument("--rates", nargs="+", type=float, default=[0.05], help="shares of safe rows flagged")
    args = p.parse_args(argv)
    ds = load_from_disk(args.data)
    rows = restrict(ds, args.split, None, load_from_disk(args.not_trained_in) if args.not_trained_in else None)
    unsafe = np.array([bool(x) for x in rows["labels"]])
    lang, public = np.array(rows["lang"]), np.array(rows["source"]) != AUTHORED
    scores = {m: gensafe.load(m, device="cpu").predict(rows["text"]).scores.max(axis=1) for m in args.models}
    names = {m: f"{ModelManifest.read(m).name} ({m})" for m in args.models}
    print(f"{len(rows):,} {args.split} rows; F1 / unsafe recall % at each share of safe rows flagged\n")
    print("| slice | safe flagged | " + " | ".join(names.values()) + " |")
    print("|---|---:|" + "---:|" * len(args.models))
    for code in ("zh", "en"):
        sel = public & (lang == code)
        for rate in args.rates:
            cells = [at_flag_rate(s[sel], unsafe[sel], rate) for s in scores.values()]
            print(f"| public {code} | {rate * 100:.1f} % | "
                  + " | ".join(f"{f * 100:.1f} / {r * 100:.1f}" for f, r in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
