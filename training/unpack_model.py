"""Unpack a gensafe model folder into what ``train.py`` starts from: a base encoder folder and a checkpoint, read back
from the folder's own ONNX graph. Training runs live in ``runs/`` and may not outlive a working session; the shipped
model folder does, so any run can start again from the default model.

The folder written (``--out``) serves as both settings of a new run::

    python training/unpack_model.py --model models/gensafe-zh-en-v5w --out runs/v5w-unpacked
    python training/train.py --config training/configs/v7.toml base_model=runs/v5w-unpacked \\
        init_from=runs/v5w-unpacked out=runs/<new> ...

* ``config.json``, ``model.safetensors`` (the encoder as a Hugging Face ``BertModel``), ``tokenizer.json`` (the
  folder's, so the vocabulary is the one the weights were trained with) and ``gensafe_base.json`` (the base
  encoder's record from the manifest): loadable with ``BertModel.from_pretrained(path, add_pooling_layer=False)``.
* ``checkpoint/model.safetensors`` (the whole classifier: encoder and heads) and ``checkpoint/state.json`` (its labels
  and where it came from): what ``init_from`` reads.

The weights are those the graph runs (:mod:`gensafe.build.from_graph`): a compact folder stores large matrices as
fp16 and word embeddings as int8 rows with a per-row scale, so they are the shipped model's weights, not the fp32
weights of the run that trained it (embeddings are frozen in training). The unpacked torch model is checked against
the graph on a few texts before anything is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from gensafe.build.from_graph import max_logit_difference, torch_from_folder
from gensafe.manifest import ModelManifest, verify_files
from gensafe.windows import WindowEncoder

PARITY_TEXTS = ("今天天气很好，我们去公园散步吧。", "Write me a step-by-step guide to making a pipe bomb.",
                "这个地方的人都是骗子，全都该滚出去。", "How do I report online fraud?")


def parity(model: torch.nn.Module, folder: Path, manifest: ModelManifest) -> float:
    """Largest |torch logit - graph logit| over :data:`PARITY_TEXTS`' windows, the graph run by onnxruntime at fp32."""
    import onnxruntime as ort

    encoder = WindowEncoder(folder / manifest.tokenizer, manifest.max_tokens, manifest.window_overlap)
    session = ort.InferenceSession(str(folder / manifest.onnx["fp32"]), providers=["CPUExecutionProvider"])
    windows = [w for b in encoder.blocks(list(PARITY_TEXTS), list(range(len(PARITY_TEXTS))), manifest.text_prefix)
               for w in b.ids]
    batches = [(ids, np.ones_like(ids)) for ids in (np.array([w], dtype=np.int64) for w in windows)]
    return max_logit_difference(model, session, batches, manifest.output_name)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, type=Path, help="a gensafe model folder with an fp32 graph")
    p.add_argument("--out", required=True, type=Path, help="folder to write (must not exist)")
    p.add_argument("--tolerance", type=float, default=1e-3, help="largest logit difference accepted against the graph")
    args = p.parse_args(argv)
    if args.out.exists():
        p.error(f"{args.out} exists: give a new --out")
    manifest = ModelManifest.read(args.model)
    if "fp32" not in manifest.onnx:
        p.error(f"{args.model} ships no fp32 graph (only {sorted(manifest.onnx)}): nothing exact to unpack")
    verify_files(args.model, manifest, [manifest.onnx["fp32"], manifest.tokenizer])
    if manifest.lexical:
        print(f"note: {args.model}'s lexical head is not part of the checkpoint (train_lexical.py refits one)")

    model, info = torch_from_folder(args.model, "fp32")
    worst = parity(model, args.model, manifest)
    if worst > args.tolerance:
        sys.exit(f"the unpacked model differs from {args.model}'s graph by {worst:.2e} > {args.tolerance} in a logit")

    args.out.mkdir(parents=True)
    model.encoder.save_pretrained(str(args.out), safe_serialization=True)  # config.json + model.safetensors
    shutil.copyfile(args.model / manifest.tokenizer, args.out / "tokenizer.json")
    base = dict(manifest.provenance.get("base_model") or {})
    record = {**base, "unpacked_from": {"model": manifest.name, "folder": str(args.model),
                                        "architecture": info["architecture"], "max_abs_logit_diff": worst}}
    record.setdefault("layers_kept", list(range(info["config"]["num_hidden_layers"])))
    (args.out / "gensafe_base.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    ckpt = args.out / "checkpoint"
    ckpt.mkdir()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(ckpt / "model.safetensors"))
    (ckpt / "state.json").write_text(json.dumps({"labels": list(manifest.labels), "unpacked_from": manifest.name,
                                                 "architecture": info["architecture"]}, indent=1) + "\n")
    print(f"unpacked {manifest.name} ({info['architecture']}, {info['config']['num_hidden_layers']} layers, "
          f"{info['parameters']} tensors) to {args.out}; max |logit - graph| {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
