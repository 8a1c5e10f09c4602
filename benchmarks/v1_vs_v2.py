"""End-to-end CPU throughput of two model folders in one run, through ``gensafe.load`` as a user calls it.

Issue #13 asks that the new default, at its default precision, is not slower than v1's fp32 graph on the same
machine in the same run. Both models score the same texts (dev rows of a ``build_data.py`` folder, seeded sample),
alternating repeats so that machine load affects both alike; the best of the repeats is reported.

Usage (v1 left ``models/`` with v2; take it from git history first)::

    mkdir -p runs/v1-model && git archive ff9319e models/gensafe-zh-en-v1 | tar -x --strip-components=2 -C runs/v1-model
    python benchmarks/v1_vs_v2.py --old runs/v1-model --new models/gensafe-zh-en-v5w --data runs/data/s9 \\
        --out benchmarks/results/v1_vs_v2.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import gensafe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import environment  # noqa: E402
from gensafe.derive import INT8_RECIPE  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, help="reference model folder (v1)")
    p.add_argument("--new", required=True, help="model folder under test (v2)")
    p.add_argument("--data", required=True, help="build_data.py folder: texts from its dev split")
    p.add_argument("--texts", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=None)
    args = p.parse_args()
    from datasets import load_from_disk

    dev = load_from_disk(args.data)["dev"]["text"]
    texts = random.Random(0).sample(dev, min(args.texts, len(dev)))
    engines = {
        "old fp32": gensafe.load(args.old, device="cpu", precision="fp32"),
        "new auto": gensafe.load(args.new, device="cpu"),
        "new fp32": gensafe.load(args.new, device="cpu", precision="fp32"),
        "new int8": gensafe.load(args.new, device="cpu", precision="int8"),
    }
    for clf in engines.values():  # warm-up (and a derived int8 graph is built here, not timed)
        clf.predict(texts[:64])
    best = {name: float("inf") for name in engines}
    for _ in range(args.repeats):
        for name, clf in engines.items():
            t0 = time.perf_counter()
            clf.predict(texts)
            best[name] = min(best[name], time.perf_counter() - t0)
    fp32, int8 = engines["new fp32"].predict(texts), engines["new int8"].predict(texts)
    agreement = {"verdict": float((fp32.flagged == int8.flagged).mean()),
                 "every_risk": float(((fp32.scores >= fp32.thresholds) == (int8.scores >= int8.thresholds))
                                     .all(axis=1).mean()),
                 "max_abs_score_diff": float(abs(fp32.scores - int8.scores).max())}
    rows = {name: {"model": engines[name].name, "precision": engines[name].precision,
                   "texts_per_s": round(len(texts) / best[name], 1)} for name in engines}
    ratio = rows["new auto"]["texts_per_s"] / rows["old fp32"]["texts_per_s"]
    out = {"command": "python benchmarks/v1_vs_v2.py " + " ".join(f"--{k} {v}" for k, v in vars(args).items() if v),
           "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}",
           "texts": len(texts), "rows": rows, "new_int8_vs_fp32": agreement, "new_default_vs_old_fp32": round(ratio, 3),
           "check": "PASS" if ratio >= 1.0 else "FAIL", "int8_recipe": INT8_RECIPE, "env": environment()}
    print(json.dumps(out, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
