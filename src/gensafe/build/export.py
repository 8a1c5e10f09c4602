"""Write a gensafe model folder from a torch :class:`~gensafe.build.modeling.MeanPoolClassifier`.

Needs the ``train`` extra (torch, onnx) for export and the ``cpu`` extra for int8 quantisation.

Example:
    >>> write_model_folder("out/my-model", model, "tokenizer.json", labels=["A.1.6", "A.2.5"],
    ...                    thresholds={"strict": {...}, "balanced": {...}, "loose": {...}},
    ...                    precisions=("fp32", "int8"))  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..graphs import convert_fp16, quantize_int8, store_weights_fp16
from ..manifest import ModelManifest

__all__ = ["export_onnx", "quantize_int8", "convert_fp16", "store_weights_fp16", "write_model_folder", "ONNX_FILES"]

ONNX_FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx", "fp16": "model.fp16.onnx"}


def export_onnx(model: Any, path: str | Path, *, opset: int = 17) -> Path:
    """Export ``model`` (a MeanPoolClassifier) to ONNX with dynamic batch and sequence axes.

    Uses the TorchScript exporter (``dynamo=False``): on this model it gives a smaller graph that runs faster in
    onnxruntime than the dynamo exporter, and needs no onnxscript. The encoder's attention is exported in its eager
    form: torch's SDPA exports with a mask rebuilt and NaN-guarded in every layer (``Where``/``IsNaN``, ~6 % of CPU
    time), which onnxruntime's transformer optimiser cannot fuse into its ``Attention`` operator.
    """
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if model.uses_token_type_ids else [])
    dummy = tuple(torch.ones(2, 8, dtype=torch.long) if n != "token_type_ids" else torch.zeros(2, 8, dtype=torch.long)
                  for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["logits"] = {0: "batch"}
    encoder = getattr(model, "encoder", None)
    attention = getattr(getattr(encoder, "config", None), "_attn_implementation", None)
    switch = attention not in (None, "eager") and hasattr(encoder, "set_attn_implementation")
    if switch:
        encoder.set_attn_implementation("eager")  # same weights, same function: the graph only changes shape
    try:
        with torch.no_grad():
            torch.onnx.export(
                model,
                dummy,
                str(path),
                input_names=names,
                output_names=["logits"],
                dynamic_axes=axes,
                opset_version=opset,
                dynamo=False,
            )
    finally:  # the caller's model is left as it was, even when the export fails
        if switch:
            encoder.set_attn_implementation(attention)
    return path


def write_model_folder(
    folder: str | Path,
    model: Any,
    tokenizer_file: str | Path,
    *,
    name: str,
    labels: Sequence[str],
    thresholds: dict[str, dict[str, float]],
    precisions: Sequence[str] = ("fp32",),
    max_tokens: int = 256,
    window_overlap: int = 32,
    compact_fp32: bool = False,
    compact_min_size: int = 4096,
    text_prefix: str = "",
    role_prefixes: dict[str, str] | None = None,
    default_operating_point: str = "balanced",
    provenance: dict[str, Any] | None = None,
) -> ModelManifest:
    """Export ``model`` in the given precisions, copy the tokenizer and write a hashed ``manifest.json``.

    With ``compact_fp32`` the fp32 graph is stored with fp16 weights and int8 embedding rows (it still computes in
    fp32; see :func:`store_weights_fp16`), and the manifest says int8 can be derived from it on first use.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    unknown = set(precisions) - set(ONNX_FILES)
    if unknown or not precisions:
        raise ValueError(f"precisions must be a subset of {sorted(ONNX_FILES)}, got {list(precisions)}")
    fp32 = export_onnx(model, folder / ONNX_FILES["fp32"])
    onnx_files = {"fp32": fp32.name}
    min_table = 1 << 16 if compact_min_size >= 4096 else compact_min_size
    if "int8" in precisions:
        onnx_files["int8"] = quantize_int8(fp32, folder / ONNX_FILES["int8"], min_table=min_table).name
    if "fp16" in precisions:
        onnx_files["fp16"] = convert_fp16(fp32, folder / ONNX_FILES["fp16"]).name
    derive = {}
    if "fp32" not in precisions:
        fp32.unlink()
        del onnx_files["fp32"]
    elif compact_fp32:
        store_weights_fp16(fp32, min_size=compact_min_size, min_table=min_table)
        if "int8" not in onnx_files:
            derive["int8"] = "fp32"
    shutil.copyfile(tokenizer_file, folder / "tokenizer.json")
    manifest = ModelManifest(
        name=name,
        labels=list(labels),
        thresholds=thresholds,
        default_operating_point=default_operating_point,
        max_tokens=max_tokens,
        window_overlap=window_overlap,
        text_prefix=text_prefix,
        role_prefixes=role_prefixes or {},
        onnx=onnx_files,
        derive=derive,
        tokenizer="tokenizer.json",
        provenance=provenance or {},
    )
    manifest.write(folder)
    return manifest
