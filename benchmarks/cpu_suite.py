"""CPU benchmark suite: the shipped model folder through ``gensafe.load`` against two PyTorch baselines, one run.

Runs from a fresh clone with no arguments (the default model folder; the torch baseline is rebuilt from that folder's
own ONNX weights, see ``torch_baseline.py``, and checked against the graph before anything is timed):

1. End to end on a fixed mixed-length zh / en sample (tokenisation included), timed calls interleaved round robin
   across engines so that a load spike on a shared host hits all of them alike: gensafe at its default precision,
   fp32 and int8 (derived on first use); baseline (a) what users write (HF tokenizer, torch eager fp32, input-order
   batches of 32, pad to longest, truncated at the window); baseline (b) torch on exactly gensafe's batches.
   Real vs padded tokens per engine; batch-1 latency.
2. Graph optimisation and threads, each against gensafe fp32 in the same rounds: ONNX Runtime's transformer
   optimiser (fused attention / LayerNorm / GELU), and one intra-op thread instead of all.
3. int8 batch independence: texts scored alone and inside the mixed batch.
4. int8 vs fp32 on test texts (``--data``, a built dataset; its ``test`` split): decision agreement, max |Δscore|,
   unsafe-vs-safe F1 of each. Without data it is measured on the sample and marked so.

Every target goes to ``checks.json`` with its measured value and PASS / FAIL; rows to ``rows.jsonl``; a summary
to ``summary.md``.

Usage::

    python benchmarks/cpu_suite.py                             # shipped default model (needs the train extra)
    python benchmarks/cpu_suite.py --data runs/data/default    # + agreement on the group-split test texts
    python benchmarks/cpu_suite.py --tiny --quick              # smoke test (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import environment, percentiles, sample_texts, time_calls, write_rows  # noqa: E402

# name -> (comparison, target); see issue 15
TARGETS = {
    "default_vs_baseline_a": (">=", 5.0),
    "default_vs_baseline_b": (">=", 2.0),
    "fp32_vs_baseline_a": (">=", 2.0),
    "int8_batch_dependence": ("<=", 1e-5),
    "int8_agreement": (">=", 0.99),
    "int8_f1_delta_points": ("<=", 0.5),
}


def verdict(name: str, value: float | None) -> str:
    op, target = TARGETS[name]
    if value is None or not np.isfinite(value):
        return "NOT MEASURED"
    return "PASS" if (value >= target if op == ">=" else value <= target) else "FAIL"


def subject(args: argparse.Namespace, tmp: Path) -> Path:
    if args.tiny:
        from gensafe.build.testing import build_tiny_model

        folder, _ = build_tiny_model(tmp / "tiny", compact=True, hidden=64, layers=2, max_tokens=64)
        return folder
    return gensafe.load(args.model, device="cpu", precision="fp32").folder


def timed_round_robin(engines: dict, texts: list[str], repeat: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Median seconds per engine over ``repeat`` rounds, each round calling every engine once, in turn."""
    times: dict[str, list[float]] = {k: [] for k in engines}
    scores = {}
    for fn in engines.values():
        fn(texts[:32])  # warm-up: sessions, allocator, tokenizer caches
    for _ in range(repeat):
        for name, fn in engines.items():
            t0 = time.perf_counter()
            scores[name] = fn(texts)
            times[name].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) for k, v in times.items()}, scores


def test_texts(data: str | None, n: int, model_labels: tuple[str, ...]) -> tuple[list[str], np.ndarray] | None:
    if not data or not Path(data).exists():
        return None
    import datasets

    ds = datasets.load_from_disk(data)["test"]
    idx = np.sort(np.random.default_rng(0).choice(len(ds), size=min(n, len(ds)), replace=False))
    rows = ds.select(idx.tolist())
    unsafe = np.array([bool(set(r) & set(model_labels)) for r in rows["labels"]])
    return list(rows["text"]), unsafe


def f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float((pred & truth).sum())
    return 2 * tp / max(float(pred.sum() + truth.sum()), 1.0)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 (one linear script)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default", help="model name or folder (default: the shipped default)")
    p.add_argument("--data", default=os.environ.get("GENSAFE_RUN_DATA", "runs/data/default"),
                   help="built dataset (datasets.load_from_disk) whose test split measures int8 agreement")
    p.add_argument("--tiny", action="store_true", help="a tiny random model (smoke test)")
    p.add_argument("--quick", action="store_true", help="one timing round, fewer texts alone")
    p.add_argument("--texts", type=int, default=512)
    p.add_argument("--agreement-texts", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "cpu")
    args = p.parse_args(argv)
    import torch

    from cpu_engines import (
        baseline_a,
        baseline_b,
        gensafe_engine,
        swap_graph,
        tokens_baseline_a,
        tokens_gensafe,
        transformer_optimised,
    )
    from torch_baseline import check_parity, torch_from_folder

    t_start = time.time()
    torch.set_num_threads(args.threads)
    env = environment()
    tmp = Path(tempfile.mkdtemp(prefix="gensafe-bench-"))
    folder = subject(args, tmp)
    if args.tiny:  # never touch the user's cache from a smoke test
        os.environ["GENSAFE_CACHE"], os.environ["GENSAFE_STATE"] = str(tmp / "cache"), str(tmp / "state")
    repeat = 1 if args.quick else args.repeat
    default = gensafe.load(folder, device="cpu", threads=args.threads)
    fp32 = gensafe.load(folder, device="cpu", precision="fp32", threads=args.threads)
    t0 = time.perf_counter()
    int8 = gensafe.load(folder, device="cpu", precision="int8", threads=args.threads)
    derive_s = time.perf_counter() - t0
    manifest = fp32.manifest
    texts = sample_texts(args.texts)

    model, info = torch_from_folder(folder)
    from gensafe.build.modeling import text_windows
    from gensafe.windows import pad_batch

    windows, _ = text_windows(fp32.encoder, texts[:48], manifest.text_prefix)
    parity = check_parity(model, fp32.engine.session, [pad_batch(windows[i : i + 16], fp32.encoder.pad_id)
                                                       for i in range(0, len(windows), 16)])
    print(f"torch rebuilt from {folder.name}: {info['architecture']}, {info['config']['num_hidden_layers']} layers; "
          f"max |logit torch - onnx| {parity:.2e}", flush=True)

    engines = {f"gensafe default ({default.precision})": gensafe_engine(default), "gensafe fp32": gensafe_engine(fp32),
               "gensafe int8": gensafe_engine(int8),
               "baseline (a) HF eager, batch 32, pad longest": baseline_a(model, folder / manifest.tokenizer,
                                                                         manifest.text_prefix, manifest.max_tokens),
               "baseline (b) torch, gensafe's batches": baseline_b(model, fp32)}
    variants = {}
    from gensafe.graphs import restore_weights_fp32

    restored = restore_weights_fp32(folder / manifest.onnx["fp32"], tmp / "fp32.onnx")
    try:
        fused, fusions = transformer_optimised(restored, tmp / "fused.onnx", info["config"])
        engines["gensafe fp32 + transformer optimiser"] = gensafe_engine(swap_graph(fp32, fused, args.threads))
        variants["transformer_optimiser_fusions"] = fusions
    except Exception as e:  # noqa: BLE001 (an optimiser failure is a result to record, not a crash)
        variants["transformer_optimiser_error"] = f"{type(e).__name__}: {e}"[:300]
    if args.threads > 1:
        engines["gensafe fp32, 1 thread"] = gensafe_engine(swap_graph(fp32, restored, 1))
    seconds, scores = timed_round_robin(engines, texts, repeat)
    tokens = {"gensafe": tokens_gensafe(fp32, texts),
              "baseline (a)": tokens_baseline_a(folder / manifest.tokenizer, texts, manifest.text_prefix,
                                                manifest.max_tokens)}
    rows = []
    for name, s in seconds.items():
        tok = tokens["baseline (a)"] if name.startswith("baseline (a)") else tokens["gensafe"]
        rows.append({"suite": "end_to_end", "engine": name, "texts": len(texts), "seconds": s,
                     "texts_per_s": len(texts) / s, "threads": 1 if "1 thread" in name else args.threads,
                     "rounds": repeat, **tok})
        print(f"{name:46} {len(texts) / s:8.1f} texts/s", flush=True)
    rate = {r["engine"]: r["texts_per_s"] for r in rows}
    base_a = rate["baseline (a) HF eager, batch 32, pad longest"]
    base_b = rate["baseline (b) torch, gensafe's batches"]

    one = texts[7]  # batch-1 latency (the serving case)
    batch1 = {name: percentiles(time_calls(lambda f=fn: f([one]), warmup=3, repeat=10 if args.quick else 50))
              for name, fn in engines.items()}
    for r in rows:  # the fields training/ship_model.py reads for the model card
        r["batch1"] = batch1[r["engine"]]
        r["precision"] = "int8" if "int8" in r["engine"] else default.precision if "default" in r["engine"] else "fp32"

    n_alone = 32 if args.quick else 200
    alone = np.vstack([int8.predict(t).scores for t in texts[:n_alone]])
    batch_dep = float(np.abs(alone - scores["gensafe int8"][:n_alone]).max())
    alone32 = np.vstack([fp32.predict(t).scores for t in texts[:n_alone]])
    batch_dep_fp32 = float(np.abs(alone32 - scores["gensafe fp32"][:n_alone]).max())

    labelled = test_texts(None if args.tiny else args.data, args.agreement_texts, fp32.labels)
    agree_texts, truth = labelled if labelled else (texts, None)
    a, b = fp32.predict(agree_texts), int8.predict(agree_texts)
    agreement = float((a.flags == b.flags).all(axis=1).mean())
    f1_fp32 = f1(a.flags.any(axis=1), truth) if truth is not None else None
    f1_int8 = f1(b.flags.any(axis=1), truth) if truth is not None else None
    checks = {
        "default_vs_baseline_a": rate[f"gensafe default ({default.precision})"] / base_a,
        "default_vs_baseline_b": rate[f"gensafe default ({default.precision})"] / base_b,
        "fp32_vs_baseline_a": rate["gensafe fp32"] / base_a,
        "int8_batch_dependence": batch_dep,
        "int8_agreement": agreement,
        "int8_f1_delta_points": abs(f1_fp32 - f1_int8) * 100 if truth is not None else None,
    }
    facts = {
        "default_precision": default.precision, "fp32_vs_baseline_b": rate["gensafe fp32"] / base_b,
        "int8_vs_baseline_a": rate["gensafe int8"] / base_a, "int8_vs_baseline_b": rate["gensafe int8"] / base_b,
        "int8_vs_fp32": rate["gensafe int8"] / rate["gensafe fp32"], "int8_derive_seconds": derive_s,
        "fp32_batch_dependence": batch_dep_fp32, "texts_alone": n_alone,
        "agreement_texts": len(agree_texts), "agreement_on": "test split" if truth is not None else "sample (no data)",
        "int8_max_abs_score_diff": float(np.abs(a.scores - b.scores).max()), "f1_fp32": f1_fp32, "f1_int8": f1_int8,
        "baseline_b_vs_gensafe_fp32_max_abs_diff": float(np.abs(scores["baseline (b) torch, gensafe's batches"]
                                                                - scores["gensafe fp32"]).max()),
        "torch_onnx_parity_max_abs_logit": parity, "architecture": info["architecture"], "batch1": batch1,
        **variants,
    }
    for name in engines:
        if name.startswith("gensafe fp32 ") or name == "gensafe fp32, 1 thread":
            facts[f"{name} vs gensafe fp32"] = rate[name] / rate["gensafe fp32"]
    targets = [{"name": k, "measured": checks[k], "comparison": TARGETS[k][0], "target": TARGETS[k][1],
                "result": verdict(k, checks[k])} for k in TARGETS]
    for r in rows:
        r.update({k: env[k] for k in ("onnxruntime", "torch", "tokenizers", "git_sha", "device_name") if k in env},
                 model=manifest.name)
    command = "python benchmarks/cpu_suite.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    write_rows(rows, args.out / "rows.jsonl")
    record = {"targets": targets, "checks": checks, "facts": facts, "tokens": tokens, "env": env, "command": command,
              "seconds": time.time() - t_start, "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}
    (args.out / "checks.json").write_text(json.dumps(record, indent=2, default=float))
    (args.out / "summary.md").write_text(summary(rows, record, manifest.name, folder))
    print()
    for t in targets:
        measured = "—" if t["measured"] is None else f"{t['measured']:.4g}"
        print(f"{t['name']:24} {measured:>10}  target {t['comparison']} {t['target']:<6} {t['result']}")
    print(f"done in {time.time() - t_start:.0f} s; results in {args.out}")
    return 0


def summary(rows: list[dict], record: dict, name: str, folder: Path) -> str:
    env, facts = record["env"], record["facts"]
    lines = ["# CPU benchmark", "", f"Reproduce: `{record['command']}`", "",
             f"Machine: {env['cpu_count']} CPUs, {env['platform']}; onnxruntime {env['onnxruntime']}, torch "
             f"{env.get('torch')}, Python {env['python']}; git {env['git_sha']}; load average at the end "
             f"{record['load_average']}. Model: {name} ({folder}), torch rebuilt as {facts['architecture']} "
             f"(max |logit torch − ONNX| {facts['torch_onnx_parity_max_abs_logit']:.1e}). Timed calls interleaved "
             "across engines; on a shared host compare ratios, not absolute rates.", "",
             "| engine | texts/s | windows | real tokens | padded tokens |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['engine']} | {r['texts_per_s']:.1f} | {r['windows']} | {r['real_tokens']} | "
                     f"{r['padded_tokens']} |")
    lines += ["", "Baseline (a) truncates each text at the window; gensafe and (b) score every window of long texts.",
              "", "| batch-1 | p50 ms | p99 ms |", "|---|---:|---:|"]
    lines += [f"| {k} | {v['p50_ms']:.2f} | {v['p99_ms']:.2f} |" for k, v in facts["batch1"].items()]
    lines += ["", "## Targets", "", "| check | measured | target | result |", "|---|---:|---:|---|"]
    for t in record["targets"]:
        measured = "—" if t["measured"] is None else f"{t['measured']:.4g}"
        lines.append(f"| {t['name']} | {measured} | {t['comparison']} {t['target']} | {t['result']} |")
    lines += ["", "## Other facts", "", "```", json.dumps({k: v for k, v in facts.items() if k != "batch1"},
                                                           indent=1, default=float), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
