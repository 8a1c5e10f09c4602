"""Measure the base encoder variants: parameters, size, CPU inference and fine-tuning throughput (torch).

Compares the full-vocabulary encoder with the trimmed one, and 12 layers with 6 (every other layer), on the same
machine in one run. Writes ``training/results/base_encoder.json`` and prints a markdown table (quoted in
``training/README.md``).

Usage::

    python training/measure_base.py --full base/e5-small-full --trimmed base/e5-small-zh-en
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from transformers import BertModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gensafe.build.modeling import MeanPoolClassifier  # noqa: E402
from trim import keep_layers  # noqa: E402


def _size_mb(model: torch.nn.Module) -> float:
    return sum(p.numel() * p.element_size() for p in model.parameters()) / 1e6


def _throughput(model: torch.nn.Module, vocab: int, batch: int, seq: int, train: bool, repeats: int) -> float:
    """Texts (or samples) per second on random ids: warm-up once, then the median of ``repeats`` timed steps."""
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, vocab, (batch, seq), generator=gen)
    mask = torch.ones_like(ids)
    times = []
    if train:
        clf = MeanPoolClassifier(model, num_labels=18)
        clf.encoder.get_input_embeddings().weight.requires_grad_(True)
        opt = torch.optim.AdamW([p for p in clf.parameters() if p.requires_grad], lr=1e-5)
        target = torch.zeros(batch, 18)
        for i in range(repeats + 1):
            t0 = time.perf_counter()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(clf(ids, mask), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i:
                times.append(time.perf_counter() - t0)
    else:
        model.eval()
        with torch.no_grad():
            for i in range(repeats + 1):
                t0 = time.perf_counter()
                model(input_ids=ids, attention_mask=mask)
                if i:
                    times.append(time.perf_counter() - t0)
    return batch / float(np.median(times))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--full", required=True, help="untrimmed encoder folder (build_base_encoder.py --no-trim)")
    p.add_argument("--trimmed", required=True, help="trimmed encoder folder")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "base_encoder.json")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    rows = []
    for name, folder in (("full vocabulary", args.full), ("trimmed zh+en", args.trimmed)):
        for layers in (None, [1, 3, 5, 7, 9, 11]):
            model = BertModel.from_pretrained(folder, add_pooling_layer=False)
            if layers:
                keep_layers(model, layers)
            vocab = model.config.vocab_size
            row = {
                "variant": name, "layers": len(model.encoder.layer), "vocab": vocab,
                "parameters_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 1),
                "fp32_mb": round(_size_mb(model)),
                "infer_texts_s_b32_s64": round(_throughput(model, vocab, 32, 64, False, args.repeats), 1),
                "infer_texts_s_b32_s128": round(_throughput(model, vocab, 32, 128, False, args.repeats), 1),
            }
            row["train_samples_s_b16_s128"] = round(_throughput(model, vocab, 16, 128, True, max(2, args.repeats // 2)), 1)
            rows.append(row)
            print(row, flush=True)
    record = {
        "command": "python training/measure_base.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "platform": platform.platform(), "python": platform.python_version(), "torch": torch.__version__},
        "note": "torch eager fp32, random token ids, median of timed steps after one warm-up; fine-tuning = "
                "forward + backward + AdamW step with the embedding table trainable",
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print("\n| variant | layers | vocab | params (M) | fp32 MB | infer b32 s64 (texts/s) | infer b32 s128 | "
          "fine-tune b16 s128 (samples/s) |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['variant']} | {r['layers']} | {r['vocab']:,} | {r['parameters_m']} | {r['fp32_mb']} | "
              f"{r['infer_texts_s_b32_s64']} | {r['infer_texts_s_b32_s128']} | {r['train_samples_s_b16_s128']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
