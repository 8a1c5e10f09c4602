"""Static int8 graphs: activation ranges calibrated once, SmoothQuant, and fp32 outlier channels beside int8.

:func:`quantize_calibrated` turns an fp32 ONNX graph into an int8 graph whose every activation scale is a constant,
so a text's scores never depend on its batch-mates (``quantize_dynamic`` computes one scale per batch).
:func:`calibration_feeds` builds the calibration batches from the TC260 bank texts shipped in the package.
:mod:`gensafe.derive` decides the recipe and caches the result.

Example:
    >>> quantize_calibrated("fp32.onnx", "model.int8.onnx", calibration_feeds(folder, manifest),
    ...                     smooth=0.5, split={r"layer\\.\\d+/output/dense": 64})   # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .manifest import ModelManifest

__all__ = ["calibration_feeds", "quantize_calibrated"]


def quantize_calibrated(
    src: str | Path,
    dst: str | Path,
    batches: Sequence[dict[str, np.ndarray]],
    *,
    smooth: float | None = 0.5,
    keep_fp32: Sequence[str] = (),
    split: Mapping[str, int] | None = None,
    min_size: int = 256,
) -> Path:
    """Static int8: fixed activation ranges calibrated once, weights int8 per output channel.

    Each MatMul by a constant weight becomes ``QuantizeLinear`` on its input (a scale and zero point computed here
    from ``batches``: lowest and highest value over the real tokens of each window, padding excluded) and one
    ``com.microsoft.MatMulIntegerToFloat`` (uint8 activations × int8 weights, one weight scale per output column),
    which also adds the bias of an ``Add`` that was the MatMul's only reader: one kernel instead of three
    (``QuantizeLinear → DequantizeLinear → MatMul`` then ``Add``, which onnxruntime fuses only up to the MatMul).
    Because every scale is a constant of the graph, a text's scores never depend on the texts batched with it —
    unlike ``quantize_dynamic``, whose activation scale is computed over the whole batch.

    ``smooth``: SmoothQuant strength (Xiao et al., 2023): each input channel's activation is divided by
    ``act_max**smooth / w_max**(1 - smooth)`` (one ``Mul``) and the weight row multiplied by it, so the few outlier
    channels of a transformer no longer stretch the one activation scale; ``None`` turns it off.
    ``keep_fp32``: regular expressions of MatMul node names left in fp32.
    ``split``: regular expression of MatMul node names → K. The K input channels of largest calibrated magnitude are
    multiplied in fp32 beside the int8 product of all the others (the decomposition of LLM.int8(), Dettmers et al.,
    2022, with the channels fixed at calibration): the activation scale covers the ordinary channels only, and the
    matmul costs K/width of its fp32 price, plus one ``Gather``, instead of all of it. Their rows of the int8 weights
    are zero. The largest K wins where several patterns match; a node matching ``keep_fp32``, or with no more input
    channels than K, stays fp32, as does a weight that MatMuls multiply with two different activations.
    ``batches``: graph feeds (``input_ids``, ``attention_mask``, any other input), e.g. from :func:`calibration_feeds`.

    Example:
        >>> quantize_calibrated("fp32.onnx", "model.int8.onnx", calibration_feeds(folder, manifest),
        ...                     smooth=0.5, keep_fp32=[r"layer\\.0/"], split={r"output/dense": 64})  # doctest: +SKIP
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from .runtime import import_onnxruntime

    if not batches:
        raise ValueError("static int8 quantisation needs calibration batches (graph feeds); got none")
    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    targets = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits
               and len(inits[n.input[1]].dims) == 2 and inits[n.input[1]].data_type == TensorProto.FLOAT
               and int(np.prod(inits[n.input[1]].dims)) >= min_size
               and not any(re.search(p, n.name or n.output[0]) for p in keep_fp32)
               and _split_k(n, split or {}) < inits[n.input[1]].dims[0]]  # all channels split: plain fp32
    read_on: dict[str, set[str]] = {}
    for n in targets:
        read_on.setdefault(n.input[1], set()).add(n.input[0])
    # a weight multiplied with two different activations would need two scalings of its rows: left in fp32
    targets = [n for n in targets if len(read_on[n.input[1]]) == 1]
    acts = sorted({n.input[0] for n in targets})
    if not acts:
        onnx.save(model, str(dst))
        return Path(dst)
    ranges = _calibrate(model, acts, batches, import_onnxruntime())
    weights = {n.input[1]: numpy_helper.to_array(inits[n.input[1]]).astype(np.float32) for n in targets}
    original = dict(weights)  # the fp32 rows of outlier channels are the unsmoothed ones
    outliers = _outlier_channels(targets, ranges, split or {})
    smoothed: dict[str, str] = {}
    new_nodes = []
    for name in acts:
        users = [n for n in targets if n.input[0] == name]
        factor = np.ones(ranges[name][0].shape[0], dtype=np.float32)
        if smooth is not None:  # SmoothQuant: move outlier channels' range from the activation into the weights
            act_max = np.maximum(np.abs(ranges[name][0]), np.abs(ranges[name][1]))
            w_max = np.max([np.abs(weights[n.input[1]]).max(axis=1) for n in users], axis=0)
            factor = np.clip(act_max**smooth / np.maximum(w_max, 1e-8) ** (1 - smooth), 1e-2, 1e2).astype(np.float32)
        if name in outliers:  # their product is computed in fp32 beside: zero rows in the int8 weights
            factor[outliers[name]] = 0.0
        for wname in dict.fromkeys(n.input[1] for n in users):  # once per weight, however many MatMuls share it
            weights[wname] = weights[wname] * factor[:, None]
        kept = factor > 0  # outlier channels stay out of the range (QuantizeLinear saturates them; weight rows are 0)
        ranges[name] = (ranges[name][0][kept] / factor[kept], ranges[name][1][kept] / factor[kept])
        if smooth is not None:
            inverse = np.where(kept, 1.0 / np.where(kept, factor, 1.0), 0.0).astype(np.float32)
            graph.initializer.append(numpy_helper.from_array(inverse, name + "_smooth"))
            new_nodes.append(helper.make_node("Mul", [name, name + "_smooth"], [name + "_s"],
                                              name=name + "_smoothing"))
            smoothed[name] = name + "_s"
    params = []
    for name in acts:  # asymmetric uint8 activations: the fast u8 x s8 path of onnxruntime's CPU kernels
        lo, hi = min(float(ranges[name][0].min()), 0.0), max(float(ranges[name][1].max()), 0.0)
        scale = max(hi - lo, 1e-8) / 255.0
        zp = int(np.clip(np.round(-lo / scale), 0, 255))
        params += [numpy_helper.from_array(np.array(scale, dtype=np.float32), name + "_qscale"),
                   numpy_helper.from_array(np.array(zp, dtype=np.uint8), name + "_qzp")]
        new_nodes.append(helper.make_node("QuantizeLinear", [smoothed.get(name, name), name + "_qscale",
                                                             name + "_qzp"], [name + "_q"], name=name + "_quant"))
    graph.initializer.extend(params)
    for name, channels in outliers.items():
        graph.initializer.append(numpy_helper.from_array(channels.astype(np.int64), name + "_outlier_idx"))
        new_nodes.append(helper.make_node("Gather", [name, name + "_outlier_idx"], [name + "_outliers"], axis=-1,
                                          name=name + "_outlier_gather"))
    # constants by name, through Identity (torch's exporter shares equal tensors, e.g. zero biases, that way)
    constants = {**inits, **{n.output[0]: inits[n.input[0]] for n in graph.node
                             if n.op_type == "Identity" and n.input[0] in inits}}
    readers: dict[str, list[Any]] = {}
    for node in graph.node:
        for i in node.input:
            readers.setdefault(i, []).append(node)
    graph_outputs = {o.name for o in graph.output}
    stored: set[str] = set()  # int8 weights and outlier rows already written (a weight may serve several MatMuls)
    fused = set()
    for node in targets:
        wname, act, label = node.input[1], node.input[0], node.name or node.output[0]
        if wname + "_wq" not in stored:
            stored.add(wname + "_wq")
            w = weights[wname]  # [K, N]: one scale per output column, symmetric (no weight zero point)
            ws = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
            wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
            graph.initializer.extend([numpy_helper.from_array(wq, wname + "_wq"),
                                      numpy_helper.from_array(ws.astype(np.float32), wname + "_wscale")])
        out, bias = node.output[0], None
        if out not in graph_outputs:  # a graph output must still be produced under its name
            bias = _bias_add(readers.get(out, []), out, constants, weights[wname].shape[1])
        if bias is not None:  # the bias is added inside the integer matmul's kernel, not by a separate Add
            fused.add(id(bias[0]))
            out = bias[0].output[0]
        int8_out = out + "_int8_part" if act in outliers else out
        new_nodes.append(helper.make_node(
            "MatMulIntegerToFloat",
            [act + "_q", wname + "_wq", act + "_qscale", wname + "_wscale", act + "_qzp", "",
             *([bias[1]] if bias is not None else [])],
            [int8_out], domain="com.microsoft", name=label + "_int8"))
        if act in outliers:  # the outlier channels' fp32 product, added to the int8 product of the others
            if wname + "_outlier_rows" not in stored:
                stored.add(wname + "_outlier_rows")
                graph.initializer.append(numpy_helper.from_array(original[wname][outliers[act]],
                                                                 wname + "_outlier_rows"))
            new_nodes += [
                helper.make_node("MatMul", [act + "_outliers", wname + "_outlier_rows"], [out + "_fp32_part"],
                                 name=label + "_outlier_matmul"),
                helper.make_node("Add", [int8_out, out + "_fp32_part"], [out], name=label + "_join"),
            ]
        fused.add(id(node))
    kept_nodes = [n for n in graph.node if id(n) not in fused]
    graph.ClearField("node")
    graph.node.extend(kept_nodes)
    still_used = {i for n in list(graph.node) + new_nodes for i in n.input}
    for wname in {n.input[1] for n in targets}:
        if wname not in still_used and wname in inits:
            graph.initializer.remove(inits[wname])
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    nodes = list(graph.node)
    graph.ClearField("node")
    graph.node.extend(new_nodes + nodes)
    _toposort(graph)  # the new nodes read activations produced further down the list
    onnx.save(model, str(dst))
    return Path(dst)


def _bias_add(readers: Sequence[Any], out: str, constants: Mapping[str, Any], width: int) -> tuple[Any, str] | None:
    """The ``Add`` of a constant bias of ``width`` values that is the only reader of ``out``, with the bias name."""
    if len(readers) != 1 or readers[0].op_type != "Add" or len(readers[0].input) != 2:
        return None
    other = readers[0].input[1] if readers[0].input[0] == out else readers[0].input[0]
    init = constants.get(other)
    if init is None or list(init.dims) != [width] or init.data_type != 1:  # 1: float32
        return None
    return readers[0], other


def _split_k(node: Any, split: Mapping[str, int]) -> int:
    """How many input channels of ``node`` the ``split`` patterns send to fp32 (the largest K that matches)."""
    return max((k for pattern, k in split.items() if re.search(pattern, node.name or node.output[0])), default=0)


def _outlier_channels(targets: Sequence[Any], ranges: Mapping[str, tuple[np.ndarray, np.ndarray]],
                      split: Mapping[str, int]) -> dict[str, np.ndarray]:
    """Per activation read by a node matching ``split``: its K channels of largest calibrated magnitude, sorted. Nodes
    reading one activation share its channels (the largest K among them)."""
    wanted: dict[str, int] = {}
    for node in targets:
        wanted[node.input[0]] = max(wanted.get(node.input[0], 0), _split_k(node, split))
    out: dict[str, np.ndarray] = {}
    for name, k in wanted.items():
        if k > 0:
            lo, hi = ranges[name]
            out[name] = np.sort(np.argsort(-np.maximum(np.abs(lo), np.abs(hi)), kind="stable")[:k])
    return out


def _calibrate(model: Any, acts: list[str], batches: Sequence[dict[str, np.ndarray]],
               ort: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per activation tensor and channel (last axis): the lowest and highest value over the real (unpadded)
    tokens of every batch."""
    import copy

    from onnx import TensorProto, helper

    probe = copy.deepcopy(model)
    known = {o.name for o in probe.graph.output}
    probe.graph.output.extend(helper.make_tensor_value_info(a, TensorProto.FLOAT, None) for a in acts if a not in known)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # keep every probed tensor
    session = ort.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    ranges: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for feeds in batches:
        outs = session.run(acts, {k: v for k, v in feeds.items() if k in names})
        real = feeds["attention_mask"].astype(bool)
        for name, x in zip(acts, outs, strict=True):
            rows = x[real] if x.ndim == 3 and x.shape[:2] == real.shape else x.reshape(-1, x.shape[-1])
            lo, hi = rows.min(axis=0), rows.max(axis=0)
            if name in ranges:
                lo, hi = np.minimum(lo, ranges[name][0]), np.maximum(hi, ranges[name][1])
            ranges[name] = (lo, hi)
    return ranges


def _toposort(graph: Any) -> None:
    """Order ``graph.node`` so that every node follows the producers of its inputs (ONNX requires it)."""
    produced = {i.name for i in graph.initializer} | {i.name for i in graph.input} | {""}
    pending = list(graph.node)
    ordered = []
    while pending:
        rest = []
        for node in pending:
            if all(i in produced for i in node.input):
                ordered.append(node)
                produced.update(node.output)
            else:
                rest.append(node)
        if len(rest) == len(pending):
            raise ValueError(f"graph has a cycle or a missing input near node {rest[0].name!r}")
        pending = rest
    graph.ClearField("node")
    graph.node.extend(ordered)


def calibration_feeds(folder: Path, manifest: ModelManifest, *, n_texts: int = 256, batch_tokens: int = 2048,
                      max_batch: int = 64) -> list[dict[str, np.ndarray]]:
    """Graph feeds for calibration: a fixed sample of the TC260 test-bank texts shipped in the package (zh and en),
    as windows of this model (its tokenizer, window length and text prefix), in padded token-budget batches."""
    from .banks import BANK_DIR
    from .windows import WindowEncoder, pad_batch, plan_batches

    texts = []
    for path in sorted(Path(BANK_DIR).glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts += [str(r.get("question") or r.get("text") or r.get("prompt") or "") for r in rows]
    texts = [t for t in texts if t.strip()]
    step = max(1, len(texts) // n_texts)
    texts = texts[::step][:n_texts]
    encoder = WindowEncoder(folder / manifest.tokenizer, manifest.max_tokens, manifest.window_overlap)
    windows = [w for block in encoder.blocks(texts, range(len(texts)), manifest.text_prefix) for w in block.ids]
    feeds = []
    for batch in plan_batches([len(w) for w in windows], batch_tokens, max_batch):
        ids, mask = pad_batch([windows[i] for i in batch], encoder.pad_id)
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    return feeds
