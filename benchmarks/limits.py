"""Worst-case cost of one input: seconds per MB of a text made to produce as many windows as possible.

The worst case for gensafe is a long text of characters that each become one token (CJK characters outside common
words): a 1 MB text is ~350,000 tokens, ~3,200 windows. Measures ``predict`` on such texts with the default limits
(``max_chars``, ``max_windows``) and with the limits lifted (what every version before them did), on the shipped model.

Usage::

    python benchmarks/limits.py [--model default] [--mb 1 10] [--unbounded-mb 0.25] [--out benchmarks/results/limits.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import gensafe


def worst_text(n_bytes: int, seed: int = 0) -> str:
    """Random CJK Unified Ideographs (3 bytes each in UTF-8): almost every character is its own token."""
    rng = np.random.default_rng(seed)
    return "".join(map(chr, rng.integers(0x4E00, 0x9FFF, size=n_bytes // 3)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default")
    p.add_argument("--mb", type=float, nargs="*", default=[1.0, 10.0], help="text sizes with the default limits")
    p.add_argument("--unbounded-mb", type=float, default=0.25, help="text size with the limits lifted")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "limits.json")
    args = p.parse_args(argv)
    rows = []
    runs = [("default limits", mb, {}) for mb in args.mb]
    runs.append(("limits lifted", args.unbounded_mb, {"max_chars": 10**12, "max_windows": 10**12}))
    for label, mb, limits in runs:
        clf = gensafe.load(args.model, device="cpu", precision="fp32", **limits)
        text = worst_text(int(mb * 1_000_000))
        clf.predict("warm up")
        t0 = time.perf_counter()
        result = clf.predict(text)
        seconds = time.perf_counter() - t0
        rows.append({"limits": label, "mb": mb, "seconds": round(seconds, 2), "seconds_per_mb": round(seconds / mb, 2),
                     "windows": int(result.windows[0]), "truncated": bool(result.truncated[0]),
                     "max_chars": clf.max_chars, "max_windows": clf.max_windows})
        print(json.dumps(rows[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"model": clf.name, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
