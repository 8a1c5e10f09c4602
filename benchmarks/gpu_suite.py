"""GPU benchmark suite on the real path: the shipped model folder through ``gensafe.load(device="cuda")``.

Measured in one run, on the same texts (a fixed mixed-length zh / en sample, tokenisation included), timed calls
interleaved round robin across engines:

1. gensafe on CUDA (onnxruntime CUDA execution provider, IO binding): fp32 as shipped, and fp16 (the fp32 graph
   converted with ``gensafe.graphs.convert_fp16``, same windows / batches / thresholds);
2. baselines as in the CPU suite, on CUDA: (a) Hugging Face tokenizer + torch eager (fp32 and fp16), input-order
   batches of 32 padded to the longest; (b) torch on exactly gensafe's batches. The torch model is rebuilt from the
   folder's own ONNX weights (``torch_baseline.py``) and checked against the graph;
3. a token-budget sweep of gensafe fp16 (padded tokens per batch);
4. the share of the device's measured matmul rate (fp16 and fp32) that gensafe's useful FLOPs reach.

Rows go to ``benchmarks/results/gpu/rows.jsonl`` and ``summary.json``. It prints the onnxruntime providers first and
fails loudly when ``--device cuda`` is asked for and onnxruntime has no CUDA provider.

Usage (from the repository root)::

    python benchmarks/gpu_suite.py                                # on a CUDA host, < 8 minutes
    python benchmarks/gpu_suite.py --device cpu --quick --tiny    # checks the script itself on a CPU machine (CI)
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
from common import environment, sample_texts, time_calls, write_rows  # noqa: E402


def flops_per_token(config: dict, tokens: int) -> float:
    """Forward FLOPs (2 per multiply-add) per token of a ``tokens``-long window: projections, FFN, attention."""
    h, f, n = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    return n * (2 * (4 * h * h + 2 * h * f) + 2 * 2 * tokens * h)


def matmul_rate(device: str, dtype: object, n: int) -> float:
    import torch

    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    sync = torch.cuda.synchronize if device.startswith("cuda") else None
    return 2 * n**3 / float(np.median(time_calls(lambda: a @ b, 3, 10, sync)))


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 (one linear script)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--model", default="default")
    p.add_argument("--tiny", action="store_true", help="a tiny random model (self-check)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--texts", type=int, default=4096)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "gpu")
    args = p.parse_args(argv)
    import torch

    from cpu_engines import baseline_a, baseline_b, gensafe_engine, swap_graph
    from gensafe.graphs import convert_fp16, restore_weights_fp32
    from gensafe.runtime import import_onnxruntime
    from torch_baseline import check_parity, torch_from_folder

    t_start = time.time()
    ort = import_onnxruntime()
    print("onnxruntime providers:", ort.get_available_providers(), flush=True)
    device = args.device
    if device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("--device cuda but torch sees no GPU (use --device cpu --quick --tiny to check the script)")
    env = environment()
    tmp = Path(tempfile.mkdtemp(prefix="gensafe-gpu-"))
    if args.tiny:
        from gensafe.build.testing import build_tiny_model

        folder, _ = build_tiny_model(tmp / "tiny", compact=True, hidden=64, layers=2, max_tokens=64)
    else:
        folder = gensafe.load(args.model, device="cpu", precision="fp32").folder
    n_texts = min(args.texts, 128) if args.quick else args.texts
    repeat = 1 if args.quick else args.repeat
    texts = sample_texts(n_texts)
    # gensafe.load on the device: the engine checks CUDA really runs the graph (no silent CPU fallback)
    fp32 = gensafe.load(folder, device=device, precision="fp32")
    manifest = fp32.manifest
    restored = restore_weights_fp32(folder / manifest.onnx["fp32"], tmp / "fp32.onnx")
    clfs = {"gensafe fp32": fp32}
    if device.startswith("cuda"):
        clfs["gensafe fp16"] = swap_graph(fp32, convert_fp16(restored, tmp / "fp16.onnx"), None, device)
    model, info = torch_from_folder(folder)
    model = model.to(device)
    from gensafe.build.modeling import text_windows
    from gensafe.windows import pad_batch

    windows, _ = text_windows(fp32.encoder, texts[:32], manifest.text_prefix)
    cpu_session = ort.InferenceSession(str(restored), providers=["CPUExecutionProvider"])
    parity = check_parity(model.cpu(), cpu_session, [pad_batch(windows[:16], fp32.encoder.pad_id)])
    model = model.to(device)
    print(f"torch rebuilt ({info['architecture']}), max |logit torch - onnx| {parity:.1e}", flush=True)

    engines = {name: gensafe_engine(c) for name, c in clfs.items()}
    tok_file, prefix, window = folder / manifest.tokenizer, manifest.text_prefix, manifest.max_tokens
    engines["baseline (a) fp32, batch 32"] = baseline_a(model, tok_file, prefix, window, device=device)
    engines["baseline (b) fp32, gensafe's batches"] = baseline_b(model, fp32, device=device)
    if device.startswith("cuda"):
        half = torch_from_folder(folder)[0].to(device).half()
        engines["baseline (a) fp16, batch 32"] = baseline_a(half, tok_file, prefix, window, device=device)
        engines["baseline (b) fp16, gensafe's batches"] = baseline_b(half, clfs["gensafe fp16"], device=device)
    best = "gensafe fp16" if "gensafe fp16" in clfs else "gensafe fp32"
    for budget in (1024, 8192, 65536) if not args.quick else (256, 4096):  # token-budget sweep
        engines[f"{best}, batch_tokens {budget}"] = gensafe_engine(
            dataclasses.replace(clfs[best], batch_tokens=budget, max_batch=max(256, budget // 16)))
    for fn in engines.values():
        fn(texts[:64])
    times: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(repeat):
        for name, fn in engines.items():
            t0 = time.perf_counter()
            fn(texts)
            times[name].append(time.perf_counter() - t0)
    real_tokens = sum(len(w) for w in text_windows(fp32.encoder, texts, prefix)[0])
    useful = sum(flops_per_token(info["config"], len(w)) * len(w) for w in text_windows(fp32.encoder, texts, prefix)[0])
    rates = {"fp32": matmul_rate(device, torch.float32, 1024 if args.quick else 8192)}
    if device.startswith("cuda"):
        rates["fp16"] = matmul_rate(device, torch.float16, 8192)
    rows = []
    for name, ts in times.items():
        s = float(np.median(ts))
        precision = "fp16" if "fp16" in name or ("batch_tokens" in name and "fp16" in rates) else "fp32"
        rows.append({"suite": "end_to_end", "engine": name, "device": device, "texts": len(texts), "seconds": s,
                     "texts_per_s": len(texts) / s, "real_tokens": real_tokens, "rounds": repeat,
                     "share_of_matmul_rate": useful / s / rates[precision] if name.startswith("gensafe") else None,
                     "provider": fp32.provider})
        print(f"{name:42} {len(texts) / s:10.1f} texts/s", flush=True)
    rate = {r["engine"]: r["texts_per_s"] for r in rows}
    summary = {"model": manifest.name, "device": device, "provider": fp32.provider, "env": env,
               "matmul_rate_tflops": {k: v / 1e12 for k, v in rates.items()}, "torch_onnx_parity": parity,
               "ratios": {f"{g} vs {b}": rate[g] / rate[b] for g in rate if g in clfs
                          for b in rate if b.startswith("baseline")},
               "seconds": time.time() - t_start,
               "command": "python benchmarks/gpu_suite.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    args.out.mkdir(parents=True, exist_ok=True)
    write_rows(rows, args.out / "rows.jsonl")
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    for k, v in summary["ratios"].items():
        print(f"{k:70} {v:6.2f}x")
    print(f"done in {time.time() - t_start:.0f} s; matmul rate {summary['matmul_rate_tflops']} TFLOP/s", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
