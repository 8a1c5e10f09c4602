"""Rebuild the torch model of a gensafe model folder from its ONNX graph: the same weights the graph runs.

``torch.onnx.export`` keeps parameter names for biases, LayerNorms and embeddings, and names every MatMul node after
its module (``/encoder/encoder/layer.0/attention/self/query/MatMul``), so the weights of a Hugging Face ``BertModel``
and of the head can be read back from the graph's initialisers. Compact graphs store large weights as fp16 behind a
``Cast`` and the word-embedding table as int8 rows times a per-row scale (:func:`gensafe.graphs.store_weights_fp16`):
both are undone here exactly as the graph computes them, so the torch model holds the weights the ONNX graph runs.

The head class is read from the manifest (``provenance.architecture``, absent = ``MeanPoolClassifier``) and looked
up in :mod:`gensafe.build.modeling`; every parameter of the rebuilt model must be found in the graph. Used by the
benchmarks' PyTorch baseline and by ``training/unpack_model.py`` (continue training from a shipped folder).

Example:
    >>> model, info = torch_from_folder("models/gensafe-zh-en-v5w")       # doctest: +SKIP
    >>> info["config"]["num_hidden_layers"], info["architecture"]          # doctest: +SKIP
    (12, 'harm-risk')
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

_MATMUL = re.compile(r"^/(.+)/MatMul(?:_output_0)?$")


def graph_weights(graph: Any) -> dict[str, np.ndarray]:
    """Every constant tensor of the graph as fp32 numpy, under the name the graph computes it by (stored fp16
    weights cast back, int8 embedding rows multiplied by their scales)."""
    from onnx import numpy_helper

    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:  # Cast(stored fp16) -> fp32 weight
        if node.op_type == "Cast" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]].astype(np.float32)
    for node in graph.node:  # the exporter keeps one copy of equal tensors and names the others by Identity
        if node.op_type == "Identity" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]]
    for name in [n for n in values if n.endswith("_int8")]:
        base = name[: -len("_int8")]
        if base + "_scale" in values:  # Gather(int8 rows) -> Cast -> Mul(Gather(scale)): the same product, row-wise
            values[base] = values[name].astype(np.float32) * values[base + "_scale"].astype(np.float32)[:, None]
    return values


def state_dict_from_graph(graph: Any) -> dict[str, np.ndarray]:
    """Parameter name -> fp32 array: named initialisers as they are, MatMul weights named after their node (and
    transposed back to torch's ``[out, in]``), Gemm weights by their own name."""
    values = graph_weights(graph)
    state = {k: v.astype(np.float32) for k, v in values.items()
             if "." in k and not k.startswith("onnx::") and not k.endswith(("_fp16", "_int8", "_scale", "_axes"))}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in values and values[node.input[1]].ndim == 2:
            m = _MATMUL.match(node.name) or _MATMUL.match(node.output[0])
            if m:
                key = m.group(1).replace("/", ".")
                if key.startswith("layer."):  # HarmRiskClassifier runs encoder.encoder.layer[i] itself: no prefix
                    key = "encoder.encoder." + key
                state[key + ".weight"] = values[node.input[1]].T.astype(np.float32)
        elif node.op_type == "Gemm" and node.input[1] in values:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            w = values[node.input[1]]
            state[node.input[1]] = (w if trans_b else w.T).astype(np.float32)
    return state


def bert_config(state: dict[str, np.ndarray], graph: Any) -> dict[str, Any]:
    """The ``BertConfig`` of the encoder, read from the weights' shapes and the graph's constants."""
    from onnx import numpy_helper

    words = state["encoder.embeddings.word_embeddings.weight"]
    hidden = words.shape[1]
    layers = {int(m.group(1)) for k in state for m in [re.match(r"encoder\.encoder\.layer\.(\d+)\.", k)] if m}
    # The attention's one float constant gives the head size: torch's SDPA export (NaN-guarded softmax) scales q and
    # k each by head_dim ** -0.25; the eager export (gensafe's since v3) scales q·k by head_dim ** -0.5.
    power = -4 if any(n.op_type == "IsNaN" for n in graph.node) else -2
    head_dim = 0
    for node in graph.node:
        if node.op_type == "Constant" and "/layer.0/attention/self/" in node.output[0]:
            value = numpy_helper.to_array(node.attribute[0].t)
            if value.dtype == np.float32 and value.size == 1 and 0 < float(value) < 1:
                head_dim = int(round(float(value) ** power))
                break
    if not head_dim or hidden % head_dim:
        raise ValueError(f"cannot read the attention head size from the graph (found {head_dim} for hidden {hidden})")
    eps = next((a.f for n in graph.node if n.op_type == "LayerNormalization" for a in n.attribute
                if a.name == "epsilon"), 1e-12)
    return {"vocab_size": words.shape[0], "hidden_size": hidden, "num_hidden_layers": len(layers),
            "num_attention_heads": hidden // head_dim,
            "intermediate_size": state["encoder.encoder.layer.0.intermediate.dense.weight"].shape[0],
            "max_position_embeddings": state["encoder.embeddings.position_embeddings.weight"].shape[0],
            "type_vocab_size": state["encoder.embeddings.token_type_embeddings.weight"].shape[0],
            "layer_norm_eps": float(eps), "hidden_act": "gelu"}


def torch_from_folder(folder: str | Path, precision: str = "fp32") -> tuple[Any, dict[str, Any]]:
    """(torch model in eval mode, facts) rebuilt from ``folder``'s ``precision`` graph."""
    import onnx
    import torch
    from transformers import BertConfig, BertModel

    from . import modeling

    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    graph = onnx.load(str(folder / manifest["onnx"][precision])).graph
    state = state_dict_from_graph(graph)
    config = bert_config(state, graph)
    architecture = (manifest.get("provenance") or {}).get("architecture") or "mean-pool"
    # the manifest records the name in modeling.ARCHITECTURES ("mean-pool", "harm-risk"); a class name also works
    head_class = modeling.ARCHITECTURES.get(architecture) or getattr(modeling, architecture, None)
    if head_class is None:
        raise ValueError(f"{folder}: architecture {architecture!r} is not in gensafe.build.modeling")
    encoder = BertModel(BertConfig(**config, pad_token_id=1), add_pooling_layer=False)
    model = head_class(encoder, num_labels=len(manifest["labels"])).eval()
    wanted = model.state_dict()
    missing = [k for k in wanted if k not in state]
    if missing:
        raise ValueError(f"{folder}: {len(missing)} parameters of {architecture} not found in the graph, e.g. "
                         f"{missing[:5]} (graph parameters: {sorted(state)[:8]} …)")
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(state[k])).reshape(wanted[k].shape)
                           for k in wanted})
    model.requires_grad_(False)  # inference only; never torch.set_grad_enabled(False): that is process-wide
    return model, {"config": config, "architecture": architecture, "parameters": len(wanted),
                   "graph_tensors_unused": sorted(set(state) - set(wanted))}


def max_logit_difference(model: Any, session: Any, batches: list[tuple[np.ndarray, np.ndarray]],
                         output_name: str = "logits") -> float:
    """Largest |torch logit - ONNX logit| of ``model`` against an onnxruntime ``session`` over ``batches`` (padded
    ids, attention mask); ``token_type_ids`` (zeros) is fed only where the graph takes it."""
    import torch

    names = {i.name for i in session.get_inputs()}
    worst = 0.0
    for ids, mask in batches:
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (onnx_logits,) = session.run([output_name], {k: v for k, v in feeds.items() if k in names})
        kwargs = {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)}
        if "token_type_ids" in names:
            kwargs["token_type_ids"] = torch.zeros_like(kwargs["input_ids"])
        worst = max(worst, float(np.abs(model(**kwargs).numpy() - onnx_logits).max()))
    return worst
