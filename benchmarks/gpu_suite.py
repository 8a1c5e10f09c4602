"""GPU benchmark suite, self-contained: runs on a CUDA host with only torch (and numpy) installed, in < 8 minutes.

Nothing is downloaded. The model is the default model's architecture (BERT, 6 layers, hidden 384, 12 heads, FFN 1536,
63,574-token vocabulary, mean pooling, 18-risk head) with random weights: speed does not depend on the weights, and
this keeps the script free of transformers and of large files.

Measured, in one run:

1. torch CUDA, fp32 and fp16, synthetic ids: batch × sequence grid (warm-up, synchronised timed calls; p50/p90/p99,
   texts/s).
2. onnxruntime with CUDAExecutionProvider, fp32 and fp16, IO binding — only where the installed onnxruntime has that
   provider (the available providers are printed first); otherwise skipped and said so.
3. "Serving" throughput: a fixed mixed-length workload batched by gensafe's own planner
   (``gensafe.windows.plan_batches``: length-sorted, token-budget batches, padding per batch), on torch CUDA fp16,
   versus naive fixed batches of 32 padded to 128.
4. The physical limit: FLOPs per text of the model against the device's measured fp16 / fp32 matmul rate.

A short table is printed last; rows go to ``benchmarks/results/gpu/rows.jsonl``.

Usage (on the GPU host, from the repository root)::

    python benchmarks/gpu_suite.py            # full suite
    python benchmarks/gpu_suite.py --device cpu --quick   # check the script itself on a CPU machine
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentiles, time_calls  # noqa: E402  (numpy and the standard library only)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # a checkout without `pip install`
from gensafe.windows import plan_batches  # noqa: E402  (the library's own batch planner, not a copy)

CONFIG = {"vocab": 63574, "hidden": 384, "layers": 6, "heads": 12, "ffn": 1536, "labels": 18, "max_pos": 512}


class Bert(nn.Module):
    """A plain-torch BERT encoder + mean pooling + linear head (the shapes of gensafe's default model)."""

    def __init__(self, c: dict) -> None:
        super().__init__()
        h = c["hidden"]
        self.heads = c["heads"]
        self.word = nn.Embedding(c["vocab"], h)
        self.pos = nn.Embedding(c["max_pos"], h)
        self.token_type = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(
            nn.ModuleDict({"qkv": nn.Linear(h, 3 * h), "ao": nn.Linear(h, h), "aln": nn.LayerNorm(h, eps=1e-12),
                           "fi": nn.Linear(h, c["ffn"]), "fo": nn.Linear(c["ffn"], h), "oln": nn.LayerNorm(h, eps=1e-12)})
            for _ in range(c["layers"]))
        self.head = nn.Linear(h, c["labels"])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        b, t = input_ids.shape
        pos = torch.arange(t, device=input_ids.device)
        x = self.ln(self.word(input_ids) + self.pos(pos)[None] + self.token_type.weight[0])
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            q, k, v = layer["qkv"](x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
            a = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            x = layer["aln"](x + layer["ao"](a.transpose(1, 2).reshape(b, t, -1)))
            x = layer["oln"](x + layer["fo"](nn.functional.gelu(layer["fi"](x))))
        m = attention_mask[..., None].to(x.dtype)
        return self.head((x * m).sum(1) / m.sum(1).clamp(min=1))


def flops_per_text(c: dict, tokens: int) -> float:
    """Forward FLOPs (2 per multiply-add) for one text of ``tokens`` tokens."""
    h, f, n = c["hidden"], c["ffn"], c["layers"]
    per_token_layer = 2 * (4 * h * h + 2 * h * f) + 2 * 2 * tokens * h  # projections + FFN + attention scores/values
    return n * tokens * per_token_layer + 2 * h * c["labels"]


def matmul_rate(device: str, dtype: torch.dtype, sync, n: int = 8192) -> float:
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    times = time_calls(lambda: a @ b, 3, 10, sync)
    return 2 * n**3 / float(np.median(times))


def workload(n: int = 4096, seed: int = 0) -> list[int]:
    """Token lengths of a mixed chat workload (log-normal, median ~40 tokens, capped at the 128-token window)."""
    rng = np.random.default_rng(seed)
    return [int(min(128, max(4, x))) for x in rng.lognormal(3.7, 0.9, size=n)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "gpu")
    args = p.parse_args(argv)
    t_start = time.time()
    device = args.device
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("CUDA requested but torch sees no GPU (use --device cpu to check the script)")
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    try:
        import onnxruntime as ort

        providers = ort.get_available_providers()
        ort_version = ort.__version__
    except ImportError:
        ort, providers, ort_version = None, [], None
    env = {"torch": torch.__version__, "onnxruntime": ort_version, "ort_providers": providers,
           "device_name": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu",
           "cuda": torch.version.cuda, "python": platform.python_version()}
    print("environment:", json.dumps(env))
    print("onnxruntime providers:", providers or "onnxruntime not installed")
    rows = []
    batches = (1, 32) if args.quick else (1, 8, 32, 128, 512)
    seqs = (32,) if args.quick else (32, 128)
    dtypes = [("fp32", torch.float32)] + ([("fp16", torch.float16)] if device == "cuda" else [])
    cfg = dict(CONFIG, layers=2) if args.quick else CONFIG
    models = {}
    for name, dtype in dtypes:
        torch.manual_seed(0)
        models[name] = Bert(cfg).to(device=device, dtype=dtype).eval()
    rates = {name: matmul_rate(device, dtype, sync, 2048 if args.quick else 8192) for name, dtype in dtypes}
    print("matmul rate:", {k: f"{v / 1e12:.1f} TFLOP/s" for k, v in rates.items()})

    with torch.inference_mode():
        for name, model in models.items():
            for b in batches:
                for s in seqs:
                    ids = torch.randint(5, cfg["vocab"], (b, s), device=device)
                    mask = torch.ones_like(ids)
                    times = time_calls(lambda m=model, i=ids, k=mask: m(i, k), 3, 5 if args.quick else 30, sync)
                    st = percentiles(times)
                    tps = b / (st["p50_ms"] / 1000)
                    limit = rates[name] / flops_per_text(cfg, s)
                    rows.append({"suite": "engine", "engine": "torch", "device": device, "precision": name,
                                 "batch_size": b, "sequence_length": s, **st, "texts_per_s": tps,
                                 "roofline_texts_per_s": limit, "share_of_limit": tps / limit})

    if ort is not None and "CUDAExecutionProvider" in providers and device == "cuda":
        tmp = Path(tempfile.mkdtemp())
        for name, model in models.items():
            path = tmp / f"model_{name}.onnx"
            ids = torch.ones(2, 8, dtype=torch.long, device=device)
            torch.onnx.export(model, (ids, ids), str(path), input_names=["input_ids", "attention_mask"],
                              output_names=["logits"], dynamo=False, opset_version=17,
                              dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"}})
            sess = ort.InferenceSession(str(path), providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
            for b in batches:
                for s in seqs:
                    feeds = {"input_ids": np.random.randint(5, cfg["vocab"], (b, s)).astype(np.int64),
                             "attention_mask": np.ones((b, s), dtype=np.int64)}
                    binding = sess.io_binding()
                    for k, v in feeds.items():
                        binding.bind_ortvalue_input(k, ort.OrtValue.ortvalue_from_numpy(v, "cuda", 0))
                    binding.bind_output("logits", "cuda", 0)
                    times = time_calls(lambda bd=binding, s=sess: s.run_with_iobinding(bd), 3, 30)
                    st = percentiles(times)
                    tps = b / (st["p50_ms"] / 1000)
                    rows.append({"suite": "engine", "engine": "onnxruntime", "device": "CUDAExecutionProvider",
                                 "precision": name, "batch_size": b, "sequence_length": s, "io_binding": True, **st,
                                 "texts_per_s": tps, "roofline_texts_per_s": rates[name] / flops_per_text(cfg, s)})
    else:
        print("onnxruntime CUDA provider not available here: the ONNX rows are skipped; torch CUDA is measured instead")

    # serving workload: gensafe-style batching vs naive fixed batches padded to the window
    lengths = workload(64 if args.quick else 8192)
    name, model = list(models.items())[-1]
    with torch.inference_mode():
        for label, batches_ in (("gensafe token-budget batches", plan_batches(lengths, 65536, 512)),
                                ("naive batch 32, pad to 128", [list(range(i, min(i + 32, len(lengths))))
                                                                for i in range(0, len(lengths), 32)])):
            tensors = []
            for batch in batches_:
                width = 128 if label.startswith("naive") else max(lengths[i] for i in batch)
                ids = torch.randint(5, cfg["vocab"], (len(batch), width), device=device)
                mask = torch.zeros_like(ids)
                for r, i in enumerate(batch):
                    mask[r, : lengths[i]] = 1
                tensors.append((ids, mask))
            run = lambda ts=tensors: [model(i, m) for i, m in ts]  # noqa: E731
            times = time_calls(run, 0 if args.quick else 1, 1 if args.quick else 3, sync)
            seconds = float(np.median(times))
            useful = sum(flops_per_text(cfg, n) for n in lengths)
            rows.append({"suite": "workload", "engine": "torch", "device": device, "precision": name,
                         "batching": label, "texts": len(lengths), "seconds": seconds,
                         "texts_per_s": len(lengths) / seconds, "share_of_limit": useful / seconds / rates[name]})
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "rows.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps({**r, **env}) + "\n")
    print(f"\n{'engine':12} {'prec':5} {'batch':>6} {'seq':>4} {'p50 ms':>8} {'texts/s':>10} {'% of limit':>10}")
    for r in rows:
        if r["suite"] == "engine":
            share = r["texts_per_s"] / r["roofline_texts_per_s"] * 100
            print(f"{r['engine']:12} {r['precision']:5} {r['batch_size']:6} {r['sequence_length']:4} "
                  f"{r['p50_ms']:8.2f} {r['texts_per_s']:10.0f} {share:9.1f}%")
    for r in rows:
        if r["suite"] == "workload":
            print(f"workload {r['batching']:30} {r['texts_per_s']:10.0f} texts/s "
                  f"({100 * r['share_of_limit']:.1f}% of the {r['precision']} matmul limit)")
    print(f"done in {time.time() - t_start:.0f} s (flops/text at 128 tokens: {flops_per_text(cfg, 128) / 1e9:.2f} GFLOP)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
