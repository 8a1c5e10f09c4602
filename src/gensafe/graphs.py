"""Graph-level ONNX transforms that need no torch: int8 quantisation, fp16 weight storage and its exact reversal.

Run-time code uses them to derive a graph on first use (:mod:`gensafe.derive`); the build code
(:mod:`gensafe.build.export`) uses them when it writes a model folder. Needs ``onnx`` (the ``cpu`` / ``gpu`` extras).

Example:
    >>> quantize_int8("model.onnx", "model.int8.onnx", embeddings=False)   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["quantize_int8", "store_weights_fp16", "restore_weights_fp32", "convert_fp16"]


def quantize_int8(
    src: str | Path, dst: str | Path, *, per_channel: bool = True, embeddings: bool = True, min_table: int = 1 << 16
) -> Path:
    """Dynamic int8 quantisation (activations stay float, so no calibration set is needed).

    MatMul weights are quantised per output channel by onnxruntime. With ``embeddings`` the word-embedding table
    (for a 64k-token vocabulary, most of the file) is stored as int8 with one scale per row, dequantised after the
    lookup: per-row scales keep rare tokens' vectors accurate, where one scale for the whole table would not.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=per_channel,
                     op_types_to_quantize=["MatMul"])
    if embeddings:
        _quantize_embedding_rows(dst, min_table)
    return Path(dst)


def _quantize_embedding_rows(path: str | Path, min_table: int = 1 << 16) -> None:
    """Replace the largest Gather table by int8 rows + per-row scales: Gather → Cast → Mul(scale[ids])."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] in inits
               and len(inits[n.input[0]].dims) == 2 and inits[n.input[0]].data_type == onnx.TensorProto.FLOAT]
    if not gathers:
        return
    table_name = max((n.input[0] for n in gathers), key=lambda k: np.prod(inits[k].dims))
    if np.prod(inits[table_name].dims) < min_table:
        return  # no vocabulary-sized table (tiny test models keep theirs in fp32)
    table = numpy_helper.to_array(inits[table_name]).astype(np.float32)
    scale = np.maximum(np.abs(table).max(axis=1), 1e-12) / 127.0
    q = np.clip(np.round(table / scale[:, None]), -127, 127).astype(np.int8)
    graph.initializer.remove(inits[table_name])
    graph.initializer.extend([numpy_helper.from_array(q, table_name + "_int8"),
                              numpy_helper.from_array(scale.astype(np.float32), table_name + "_scale"),
                              numpy_helper.from_array(np.array([-1], dtype=np.int64), table_name + "_axes")])
    nodes = list(graph.node)
    graph.ClearField("node")
    for node in nodes:
        if node.op_type == "Gather" and node.input[0] == table_name:
            ids, out, tag = node.input[1], node.output[0], node.name or table_name
            graph.node.extend([
                helper.make_node("Gather", [table_name + "_int8", ids], [tag + "_q"], name=tag + "_gather_q"),
                helper.make_node("Cast", [tag + "_q"], [tag + "_f"], to=onnx.TensorProto.FLOAT, name=tag + "_cast"),
                helper.make_node("Gather", [table_name + "_scale", ids], [tag + "_s"], name=tag + "_gather_s"),
                helper.make_node("Unsqueeze", [tag + "_s", table_name + "_axes"], [tag + "_s3"], name=tag + "_unsq"),
                helper.make_node("Mul", [tag + "_f", tag + "_s3"], [out], name=tag + "_dequant"),
            ])
        else:
            graph.node.append(node)
    onnx.save(model, str(path))


def store_weights_fp16(
    path: str | Path, *, embeddings_int8: bool = True, min_size: int = 4096, min_table: int = 1 << 16
) -> Path:
    """Shrink an fp32 graph on disk without changing how it computes: large weights are stored in fp16 behind a
    Cast to fp32 (onnxruntime folds the Cast when the session opens, so inference runs in fp32), and the
    word-embedding table is stored as int8 rows with per-row scales. About 2.5x smaller; scores move by ~1e-2.
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if embeddings_int8:
        _quantize_embedding_rows(path, min_table)
    model = onnx.load(str(path))
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= min_size:
            array = numpy_helper.to_array(init)
            graph.initializer.remove(init)
            graph.initializer.append(numpy_helper.from_array(array.astype(np.float16), init.name + "_fp16"))
            casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=TensorProto.FLOAT,
                                          name=init.name + "_to_fp32"))
    nodes = list(graph.node)
    graph.ClearField("node")
    graph.node.extend(casts + nodes)
    onnx.save(model, str(path))
    return Path(path)


def restore_weights_fp32(src: str | Path, dst: str | Path) -> Path:
    """Undo :func:`store_weights_fp16` for the Cast-behind weights (int8 embedding rows stay): the input that
    :func:`quantize_int8` needs to derive an int8 graph from a shipped fp16-stored one."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    keep = []
    for node in graph.node:
        if node.op_type == "Cast" and node.input[0].endswith("_fp16") and node.input[0] in inits:
            stored = inits.pop(node.input[0])
            array = numpy_helper.to_array(stored).astype(np.float32)
            graph.initializer.remove(stored)
            graph.initializer.append(numpy_helper.from_array(array, node.output[0]))
        else:
            keep.append(node)
    graph.ClearField("node")
    graph.node.extend(keep)
    onnx.save(model, str(dst))
    return Path(dst)


def convert_fp16(src: str | Path, dst: str | Path) -> Path:
    """Cast weights and activations to fp16 for GPU serving, keeping graph inputs and outputs in their types."""
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = convert_float_to_float16(onnx.load(str(src)), keep_io_types=True)
    onnx.save(model, str(dst))
    return Path(dst)
