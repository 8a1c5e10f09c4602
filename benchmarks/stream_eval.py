"""How early StreamGuard catches unsafe answers, and what it costs per delta.

Unsafe and safe *responses* of the group-split test rows (never the training split; JADE-DB v3 unsafe answers,
Do-Not-Answer harmful answers, DiaSafety, copyright-evals …) are streamed into
:class:`gensafe.streaming.StreamGuard` in small deltas, as an LLM would send them. Reported: share of unsafe
answers flagged before their last character, characters (and share of the answer) read at the first flag, share
flagged by the final whole-text verdict, false flags on safe answers, and the latency added per delta.

Usage::

    python benchmarks/stream_eval.py --model default --built runs/data/default --n 400   # a built dataset
    python benchmarks/stream_eval.py --model default --data $GENSAFE_DATA --n 400       # build it from the sources
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import environment  # noqa: E402
from gensafe.streaming import StreamGuard  # noqa: E402


def stream(clf: gensafe.Classifier, text: str, delta_chars: int) -> dict:
    guard = StreamGuard(clf, role="response")
    first = None
    per_delta = []
    for i in range(0, len(text), delta_chars):
        t0 = time.perf_counter()
        flag = guard.feed(text[i : i + delta_chars])
        per_delta.append(time.perf_counter() - t0)
        if flag and first is None:
            first = flag.at_char
    final = guard.close()
    return {"first_flag_char": first, "length": len(text), "final_flagged": bool(final.flagged[0]),
            "delta_seconds": per_delta, "checks": guard.checks}


def test_rows(built: str | None, data: str | None) -> list[dict]:
    """The test split: from a dataset already built (``datasets.load_from_disk``), else built from the sources."""
    if built and Path(built).exists():
        import datasets

        return list(datasets.load_from_disk(built)["test"])
    from build_data import build  # training/ is on the path via common

    ds, _card, _ = build(data, "default")
    return list(ds["test"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default")
    p.add_argument("--data", default=os.environ.get("GENSAFE_DATA"))
    p.add_argument("--built", default="runs/data/default", help="a built dataset folder (its test split is used)")
    p.add_argument("--unseen-only", action="store_true",
                   help="only rows marked v1_unseen (a test split built after v1 was trained may share groups with "
                        "v1's training rows)")
    p.add_argument("--n", type=int, default=400, help="unsafe answers (and as many safe ones) to stream")
    p.add_argument("--delta-chars", type=int, default=6)
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "stream_eval.json")
    args = p.parse_args(argv)
    clf = gensafe.load(args.model, device="cpu")
    rows = [r for r in test_rows(args.built, args.data) if r["role"] == "response" and len(r["text"]) >= 40
            and (not args.unseen_only or r.get("v1_unseen", False))]
    rng = random.Random(0)
    unsafe = [r for r in rows if set(r["labels"]) & set(clf.labels)]
    safe = [r for r in rows if not r["labels"]]
    rng.shuffle(unsafe)
    rng.shuffle(safe)
    unsafe, safe = unsafe[: args.n], safe[: args.n]
    u = [stream(clf, r["text"], args.delta_chars) for r in unsafe]
    s = [stream(clf, r["text"], args.delta_chars) for r in safe]
    caught = [x for x in u if x["first_flag_char"] is not None]
    early = [x for x in caught if x["first_flag_char"] < x["length"]]
    deltas = np.concatenate([x["delta_seconds"] for x in u + s]) * 1000
    result = {
        "model": clf.name, "precision": clf.precision, "split": "test", "unseen_only": args.unseen_only,
        "operating_point": clf.manifest.default_operating_point,
        "unsafe_answers": len(u), "safe_answers": len(s), "delta_chars": args.delta_chars,
        "sources": sorted({r["source"] for r in unsafe}),
        "flagged_while_streaming": len(caught) / len(u),
        "flagged_before_last_char": len(early) / len(u),
        "flagged_by_final_verdict": sum(x["final_flagged"] for x in u) / len(u),
        "median_chars_at_first_flag": float(np.median([x["first_flag_char"] for x in caught])) if caught else None,
        "median_share_read_at_first_flag": float(np.median([x["first_flag_char"] / x["length"] for x in caught]))
        if caught else None,
        "median_answer_length": float(np.median([x["length"] for x in u])),
        "false_flags_on_safe_answers": sum(x["first_flag_char"] is not None for x in s) / max(len(s), 1),
        "ms_per_delta": {"mean": float(deltas.mean()), "p50": float(np.percentile(deltas, 50)),
                         "p99": float(np.percentile(deltas, 99))},
        "checks_per_answer": float(np.mean([x["checks"] for x in u + s])),
        "env": environment(),
        "command": "python benchmarks/stream_eval.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "env"}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
