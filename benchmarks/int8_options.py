"""Which int8 graph to derive: speed, fp32 agreement and batch independence of each quantisation, in one run.

Every option is derived from the shipped model folder's fp32 graph (its stored fp16 weights restored to fp32) and
scored through the same :class:`gensafe.Classifier` (same windows, same token-budget batches, same thresholds); only
the ONNX graph differs. Options:

* ``dynamic``: onnxruntime ``quantize_dynamic`` (one activation scale per *batch*: a text's score moves with its
  batch-mates) — the int8 graph gensafe derived before.
* ``static-qdq``: static QDQ, activation scales calibrated once on texts (fixed afterwards), weights per channel.
* ``nbits8``: weight-only int8 (``MatMulNBits``, 8 bits, symmetric blocks); ``accuracy_level=4`` quantises each
  activation row block on its own inside the kernel (per-row dynamic scales), ``accuracy_level=0`` dequantises the
  weights and multiplies in fp32.

Reported per option: texts/s (same run as fp32, so the ratio holds on a busy host), decisions equal to fp32 (all
labels of a text at the default operating point), max |Δscore|, and batch independence (every text scored alone and
inside the whole mixed batch; max |Δscore| between the two).

Usage::

    python benchmarks/int8_options.py --split dev --n 2000          # choose on dev texts
    python benchmarks/int8_options.py --split test --n 2000 --only fp32,det   # final figure on test texts
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import environment  # noqa: E402
from gensafe.engine import OnnxEngine  # noqa: E402
from gensafe.graphs import quantize_int8, restore_weights_fp32  # noqa: E402


def load_texts(data: str, split: str, n: int, seed: int = 0) -> list[str]:
    """``n`` texts of one split of a built dataset (``datasets.load_from_disk``), a fixed random sample."""
    import datasets

    ds = datasets.load_from_disk(data)[split]
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(ds), size=min(n, len(ds)), replace=False)
    return [ds[int(i)]["text"] for i in sorted(idx)]


def add_sample_arguments(p: argparse.ArgumentParser) -> None:
    """``--model``, ``--data``, ``--split``, ``--n``: the model folder and the texts of a built dataset to use."""
    p.add_argument("--model", default="default")
    p.add_argument("--data", default=os.environ.get("GENSAFE_RUN_DATA", "runs/data/default"))
    p.add_argument("--split", default="dev")
    p.add_argument("--n", type=int, default=2000)


KEEP = {"": (), "ffnout": (r"layer\.\d+/output/dense",), "attnout": (r"attention/output/dense",),
        "outs": (r"layer\.\d+/output/dense", r"attention/output/dense"),
        "ffnout+last": (r"layer\.\d+/output/dense", r"layer\.11/"),
        "ffnout+first": (r"layer\.\d+/output/dense", r"layer\.0/"),
        "ffnout+ends": (r"layer\.\d+/output/dense", r"layer\.0/", r"layer\.11/"),
        "ffnout+first2": (r"layer\.\d+/output/dense", r"layer\.[01]/"), "first": (r"layer\.0/",)}
SPLIT = {"ffnout": r"layer\.\d+/output/dense", "first": r"layer\.0/", "all": r"."}  # split-NAME-K: see build_options


def build_options(fp32: Path, tmp: Path, clf: gensafe.Classifier, only: list[str], dev_feeds: list) -> dict[str, Path]:
    """Option names: ``fp32``, ``dynamic``, ``nbits8-accN``, ``static-qdq`` (onnxruntime's quantize_static, MinMax
    on dev texts), ``cal:ALPHA[:KEEP][:split-NAME-K...][:dev]`` (:func:`gensafe.quantize.quantize_calibrated` with
    SmoothQuant strength ALPHA or none, MatMuls of KEEP left in fp32, the K widest input channels of the MatMuls of
    SPLIT[NAME] multiplied in fp32 beside the int8 rest (the largest K where two match), calibrated on the bank
    texts — what ``gensafe.load`` derives — or on dev texts)."""
    from gensafe.quantize import calibration_feeds, quantize_calibrated

    out: dict[str, Path] = {}
    bank_feeds = None
    for i, name in enumerate(only):
        dst = tmp / f"opt{i}.onnx"
        if name == "fp32":
            out[name] = fp32
        elif name == "dynamic":
            out[name] = quantize_int8(fp32, dst, embeddings=False)
        elif name.startswith("nbits8-acc"):
            out[name] = nbits8(fp32, dst, int(name[-1]))
        elif name == "static-qdq":
            out[name] = static_qdq(fp32, dst, dev_feeds)
        elif name.startswith("cal:"):
            parts = name.split(":")
            keep, split = (), {}
            for part in parts[2:]:
                if part.startswith("split-"):
                    _, what, k = part.split("-")
                    split[SPLIT[what]] = int(k)
                elif part in KEEP:
                    keep = KEEP[part]
                elif part != "dev":
                    raise SystemExit(f"unknown part {part!r} of option {name!r}")
            if "dev" in parts:
                feeds = dev_feeds
            else:
                bank_feeds = bank_feeds or calibration_feeds(clf.folder, clf.manifest)
                feeds = bank_feeds
            smooth = None if parts[1] == "none" else float(parts[1])
            out[name] = quantize_calibrated(fp32, dst, feeds, smooth=smooth, keep_fp32=keep, split=split)
        else:
            raise SystemExit(f"unknown option {name!r}")
    return out


def nbits8(fp32: Path, dst: Path, level: int, block: int = 32) -> Path:
    """Weight-only int8 through ``com.microsoft.MatMulNBits`` (symmetric blocks of ``block`` input rows)."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(fp32))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits or len(inits[node.input[1]].dims) != 2:
            continue
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        k, n = w.shape
        cols = w.T.reshape(n, k // block, block)
        scale = np.maximum(np.abs(cols).max(axis=2), 1e-12) / 127.0
        q = (np.clip(np.round(cols / scale[..., None]), -127, 127) + 128).astype(np.uint8)
        tag = node.input[1]
        graph.initializer.extend([numpy_helper.from_array(q, tag + "_q8"),
                                  numpy_helper.from_array(scale.reshape(-1).astype(np.float32), tag + "_s8")])
        new = helper.make_node("MatMulNBits", [node.input[0], tag + "_q8", tag + "_s8"], list(node.output),
                               domain="com.microsoft", K=k, N=n, bits=8, block_size=block, accuracy_level=level)
        node.CopyFrom(new)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(dst))
    return dst


def static_qdq(fp32: Path, dst: Path, feeds: list) -> Path:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(feeds)

        def get_next(self):  # noqa: ANN201
            return next(self.it, None)

    quantize_static(str(fp32), str(dst), Reader(), quant_format=QuantFormat.QDQ, op_types_to_quantize=["MatMul"],
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax, extra_options={"MatMulConstBOnly": True})
    return dst


def window_batches(clf: gensafe.Classifier, texts: list[str], batch_tokens: int, max_batch: int) -> list[dict]:
    """Session feeds for ``texts``: their windows as ``Classifier.predict`` makes them, in length-sorted token-budget
    batches, each padded to its longest window."""
    from gensafe.build.modeling import text_windows
    from gensafe.windows import pad_batch, plan_batches

    windows, _ = text_windows(clf.encoder, texts, clf.manifest.text_prefix)
    return [clf.engine.feeds(*pad_batch([windows[i] for i in batch], clf.encoder.pad_id))
            for batch in plan_batches([len(w) for w in windows], batch_tokens, max_batch)]


def dev_calibration(clf: gensafe.Classifier, texts: list[str]) -> list[dict]:
    return window_batches(clf, texts, 2048, 64)


def measure(clfs: dict[str, gensafe.Classifier], texts: list[str], alone: int, repeat: int) -> dict[str, dict]:
    """Timed calls interleaved across options (round robin), so a load spike on the shared host hits all alike."""
    times: dict[str, list[float]] = {k: [] for k in clfs}
    results = {}
    for clf in clfs.values():
        clf.predict(texts[:64])
    for _ in range(repeat):
        for name, clf in clfs.items():
            t0 = time.perf_counter()
            results[name] = clf.predict(texts)
            times[name].append(time.perf_counter() - t0)
    out = {}
    for name, clf in clfs.items():
        solo = np.vstack([clf.predict(t).scores for t in texts[:alone]])
        out[name] = {"result": results[name], "texts_per_s": len(texts) / float(np.median(times[name])),
                     "batch_dependence": float(np.abs(solo - results[name].scores[:alone]).max())}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_sample_arguments(p)
    p.add_argument("--calib", type=int, default=256, help="dev texts for static calibration")
    p.add_argument("--alone", type=int, default=200, help="texts also scored alone (batch independence)")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--only", default="fp32,dynamic,nbits8-acc4,static-qdq,cal:none,cal:0.5")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "int8_options.json")
    args = p.parse_args(argv)
    only = ["fp32"] + [o for o in args.only.split(",") if o and o != "fp32"]
    clf = gensafe.load(args.model, device="cpu", precision="fp32", threads=args.threads)
    texts = load_texts(args.data, args.split, args.n)
    dev_feeds = dev_calibration(clf, load_texts(args.data, "dev", args.calib, seed=1))
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = restore_weights_fp32(clf.folder / clf.manifest.onnx["fp32"], Path(tmp) / "fp32.onnx")
        graphs = build_options(fp32, Path(tmp), clf, only, dev_feeds)
        clfs = {name: dataclasses.replace(clf, engine=OnnxEngine.open(
            graph, "cpu", output_name=clf.manifest.output_name, width=len(clf.labels), threads=args.threads))
            for name, graph in graphs.items()}
        measured = measure(clfs, texts, args.alone, args.repeat)
        base = measured["fp32"]["result"]
        for name, m in measured.items():
            res = m.pop("result")
            m["texts_per_s_vs_fp32"] = m["texts_per_s"] / measured["fp32"]["texts_per_s"]
            m["decision_agreement"] = float((res.flags == base.flags).all(axis=1).mean())
            m["unsafe_agreement"] = float((res.flags.any(axis=1) == base.flags.any(axis=1)).mean())
            m["max_abs_score_diff"] = float(np.abs(res.scores - base.scores).max())
            m["graph_mb"] = graphs[name].stat().st_size / 1e6
            rows[name] = m
            print(f"{name:18} {m['texts_per_s']:7.1f} texts/s ({m['texts_per_s_vs_fp32']:.2f}x fp32)  "
                  f"agree {m['decision_agreement']:.4f}  max|d| {m['max_abs_score_diff']:.4f}  "
                  f"batch-dep {m['batch_dependence']:.2e}", flush=True)
    record = {"split": args.split, "texts": len(texts), "threads": args.threads, "options": rows,
              "env": environment(), "command": "python benchmarks/int8_options.py " + " ".join(argv or sys.argv[1:])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
