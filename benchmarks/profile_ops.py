"""Where a model's graph spends its time: onnxruntime's profiler over gensafe's own batches, summed per op type and
per node (layer numbers folded, so the twelve copies of a layer's MatMul count as one row).

The batches are exactly those ``Classifier.predict`` runs (same windows, same length-sorted token-budget batches);
the graph is the one ``gensafe.load`` would open at that precision (the derived int8 graph from the cache, built on
first use). Shares are of the summed kernel time of one pass after a warm-up pass; on a shared host read them as
shares, not as absolute times.

``--option`` profiles instead a graph built by ``int8_options.py`` under one of its option names (for example
``cal:0.7:ffnout+first``, the int8 recipe v2), from the model's fp32 graph.

Usage::

    python benchmarks/profile_ops.py --model models/gensafe-zh-en-v5w --data runs/data/s9 --precision int8
    python benchmarks/profile_ops.py --model models/gensafe-zh-en-v5w --data runs/data/s9 --option cal:0.7:ffnout+first
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import environment  # noqa: E402
from int8_options import add_sample_arguments, build_options, load_texts, window_batches  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_sample_arguments(p)
    p.add_argument("--precision", default="auto")
    p.add_argument("--option", default=None, help="an int8_options.py option name to build and profile instead")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--out", type=Path, default=None, help="JSON of the shares (default: print only)")
    args = p.parse_args(argv)
    import onnxruntime as ort

    clf = gensafe.load(args.model, device="cpu", precision=args.precision, threads=args.threads)
    feeds = window_batches(clf, load_texts(args.data, args.split, args.n), clf.batch_tokens, clf.max_batch)
    with tempfile.TemporaryDirectory() as tmp:
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(tmp) / "profile")
        if args.option:
            from gensafe.graphs import restore_weights_fp32

            fp32 = restore_weights_fp32(clf.folder / clf.manifest.onnx["fp32"], Path(tmp) / "fp32.onnx")
            graph = build_options(fp32, Path(tmp), clf, [args.option], [])[args.option]
        else:
            graph = clf.engine.graph
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        for _ in range(2):  # a warm-up pass, then the counted one
            for feed in feeds:
                session.run(None, feed)
        events = json.loads(Path(session.end_profiling()).read_text())
    runs = sorted(e["ts"] for e in events if e.get("cat") == "Session" and e["name"] == "model_run")
    if len(runs) != 2 * len(feeds):
        raise SystemExit(f"the profile holds {len(runs)} runs, expected {2 * len(feeds)}: cannot tell the passes apart")
    counted_from = runs[len(feeds)]  # the first run of the second pass
    kernels = [e for e in events if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")
               and e["ts"] >= counted_from]
    by_op: collections.Counter[str] = collections.Counter()
    by_node: collections.Counter[str] = collections.Counter()
    for event in kernels:
        op, node = event["args"]["op_name"], re.sub(r"layer[.]\d+", "layer.N", event["name"][: -len("_kernel_time")])
        by_op[op] += event["dur"]
        by_node[f"{op} {node}"] += event["dur"]
    total = sum(by_op.values())
    record = {"model": clf.name, "precision": args.option or clf.precision,
              "windows": sum(len(f["input_ids"]) for f in feeds), "batches": len(feeds), "kernel_seconds": total / 1e6,
              "by_op": {k: round(v / total, 4) for k, v in by_op.most_common()},
              "by_node": {k: round(v / total, 4) for k, v in by_node.most_common(args.top)},
              "env": environment(), "command": "python benchmarks/profile_ops.py " + " ".join(argv or sys.argv[1:])}
    print(f"{clf.name} {record['precision']}: {record['windows']} windows in {len(feeds)} batches, "
          f"{total / 1e6:.2f} s of kernels")
    for name, share in list(record["by_op"].items())[: args.top]:
        print(f"  {share:6.1%}  {name}")
    print("per node (layers folded):")
    for name, share in record["by_node"].items():
        print(f"  {share:6.1%}  {name}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
