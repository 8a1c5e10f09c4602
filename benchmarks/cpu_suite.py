"""CPU benchmark suite: engine grid, end-to-end throughput against plain PyTorch, batch-1 latency, targets.

Everything is measured in one run on one machine, so the ratios hold even on a noisy host:

1. Engine grid: batch × sequence length × precision on ONNX Runtime (CPU provider), synthetic token ids;
   warm-up, then timed single calls: p50 / p90 / p99 latency and texts/s.
2. End to end on a fixed mixed-length zh / en sample (tokenisation included): ``gensafe`` fp32 and int8 against
   what a user would write — Hugging Face transformers, the same weights, torch eager fp32, batch 32, padding to the
   longest text, truncation at the model window — and batch-1 latency (the serving case).
3. Targets printed as PASS / FAIL: int8 end-to-end ≥ 4× the baseline's texts/s, fp32 ≥ 1.5×, int8 decisions equal
   to fp32 decisions on ≥ 99 % of the sample.

Rows go to ``benchmarks/results/cpu/rows.jsonl``, a summary to ``summary.md`` and plots to ``*.png``.

Usage::

    python benchmarks/cpu_suite.py --run runs/default          # the trained default model's weights
    python benchmarks/cpu_suite.py --encoder base/e5-small-zh-en  # same shapes, random head
    python benchmarks/cpu_suite.py --tiny --quick                 # smoke test (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import build_subject, environment, percentiles, sample_texts, time_calls, write_rows  # noqa: E402

TARGETS = {"int8_speedup": 4.0, "fp32_speedup": 1.5, "int8_agreement": 0.99}


def engine_grid(subject: dict, threads: int, quick: bool) -> list[dict]:
    import onnxruntime as ort

    rows = []
    batches = (1, 8) if quick else (1, 8, 32)
    seqs = (32,) if quick else tuple(s for s in (32, 128, 256) if s <= subject["max_tokens"])
    manifest = gensafe.ModelManifest.read(subject["folder"])
    for precision, file in manifest.onnx.items():
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(str(subject["folder"] / file), options, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        rng = np.random.default_rng(0)
        for batch in batches:
            for seq in seqs:
                feeds = {"input_ids": rng.integers(5, 200, size=(batch, seq), dtype=np.int64),
                         "attention_mask": np.ones((batch, seq), dtype=np.int64),
                         "token_type_ids": np.zeros((batch, seq), dtype=np.int64)}
                feeds = {k: v for k, v in feeds.items() if k in names}
                repeat = 5 if quick else max(10, min(50, int(2000 / (batch * seq) * 10)))
                times = time_calls(lambda s=session, f=feeds: s.run(None, f), warmup=3, repeat=repeat)
                stats = percentiles(times)
                rows.append({"suite": "engine", "engine": "onnxruntime", "provider": "CPUExecutionProvider",
                             "precision": precision, "batch_size": batch, "sequence_length": seq, "threads": threads,
                             "io_binding": False, "repeat": repeat, **stats,
                             "texts_per_s": batch / (stats["p50_ms"] / 1000)})
                print(f"engine {precision:5} b{batch:<3} s{seq:<4} p50 {stats['p50_ms']:8.2f} ms  "
                      f"{rows[-1]['texts_per_s']:8.1f} texts/s", flush=True)
    return rows


def end_to_end(subject: dict, texts: list[str], threads: int, quick: bool) -> tuple[list[dict], dict]:
    import torch
    from transformers import PreTrainedTokenizerFast

    torch.set_num_threads(threads)
    rows = []
    results = {}
    n_chars = sum(len(t) for t in texts)
    for precision in ("fp32", "int8"):
        clf = gensafe.load(subject["folder"], device="cpu", precision=precision, threads=threads)
        clf.predict(texts[:32])  # warm-up
        times = time_calls(lambda c=clf: c.predict(texts), warmup=0, repeat=1 if quick else 3)
        best = float(np.median(times))
        results[precision] = clf.predict(texts)
        one = time_calls(lambda c=clf: c.predict(texts[7]), warmup=3, repeat=20 if quick else 100)
        rows.append({"suite": "end_to_end", "engine": "gensafe", "provider": clf.provider, "precision": precision,
                     "batch_size": "token-budget", "threads": threads, "io_binding": False, "texts": len(texts),
                     "windows_scored": int(results[precision].windows.sum()),
                     "chars": n_chars, "seconds": best, "texts_per_s": len(texts) / best,
                     "batch1": percentiles(one)})
        print(f"gensafe {precision}: {len(texts) / best:8.1f} texts/s; batch-1 p50 {rows[-1]['batch1']['p50_ms']:.2f} ms",
              flush=True)

    # The baseline a user would write: HF tokenizer + the same torch weights, eager fp32, batch 32, pad to longest.
    tok = PreTrainedTokenizerFast(tokenizer_file=str(subject["tokenizer"]))
    tok.pad_token = "<pad>"
    model = subject["model"].eval()
    prefixed = [subject["prefix"] + t for t in texts]

    def baseline(batch_texts: list[str], bs: int = 32) -> np.ndarray:
        outs = []
        with torch.inference_mode():
            for s in range(0, len(batch_texts), bs):
                enc = tok(batch_texts[s : s + bs], padding="longest", truncation=True,
                          max_length=subject["max_tokens"], return_tensors="pt")
                kwargs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
                if model.uses_token_type_ids:
                    kwargs["token_type_ids"] = torch.zeros_like(enc["input_ids"])
                outs.append(torch.sigmoid(model(**kwargs)).numpy())
        return np.vstack(outs)

    baseline(prefixed[:32])
    times = time_calls(lambda: baseline(prefixed), warmup=0, repeat=1 if quick else 2)
    best = float(np.median(times))
    one = time_calls(lambda: baseline(prefixed[7:8], 1), warmup=3, repeat=20 if quick else 100)
    rows.append({"suite": "end_to_end", "engine": "torch-eager (HF tokenizer, batch 32, pad longest)",
                 "provider": "torch-cpu", "precision": "fp32", "batch_size": 32, "threads": threads,
                 "io_binding": False, "texts": len(texts), "windows_scored": len(texts), "chars": n_chars, "seconds": best,
                 "texts_per_s": len(texts) / best, "batch1": percentiles(one)})
    print(f"baseline torch fp32: {len(texts) / best:8.1f} texts/s; batch-1 p50 {rows[-1]['batch1']['p50_ms']:.2f} ms",
          flush=True)
    fp32, int8 = results["fp32"], results["int8"]
    agreement = float((fp32.flags == int8.flags).all(axis=1).mean())
    correlation = float(np.corrcoef(fp32.scores.ravel(), int8.scores.ravel())[0, 1])
    checks = {"int8_speedup": rows[1]["texts_per_s"] / rows[2]["texts_per_s"],
              "fp32_speedup": rows[0]["texts_per_s"] / rows[2]["texts_per_s"],
              "int8_agreement": agreement, "int8_fp32_score_correlation": correlation,
              "max_abs_score_diff_int8": float(np.abs(fp32.scores - int8.scores).max())}
    return rows, checks


def plots(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    engine = [r for r in rows if r["suite"] == "engine"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for precision in sorted({r["precision"] for r in engine}):
        for seq in sorted({r["sequence_length"] for r in engine}):
            pts = sorted((r["batch_size"], r["texts_per_s"]) for r in engine
                         if r["precision"] == precision and r["sequence_length"] == seq)
            ax.plot(*zip(*pts, strict=True), marker="o", label=f"{precision} seq {seq}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel("texts/s (p50)")
    ax.set_title("ONNX Runtime CPU engine")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "engine_grid.png", dpi=90)
    plt.close(fig)
    e2e = [r for r in rows if r["suite"] == "end_to_end"]
    fig, ax = plt.subplots(figsize=(6, 3))
    names = [f"{r['engine'].split(' ')[0]} {r['precision']}" for r in e2e]
    ax.barh(names, [r["texts_per_s"] for r in e2e])
    ax.set_xlabel("texts/s, end to end (tokenisation included)")
    fig.tight_layout()
    fig.savefig(out / "end_to_end.png", dpi=90)
    plt.close(fig)


def summary(rows: list[dict], checks: dict, env: dict, subject: dict, command: str) -> str:
    lines = ["# CPU benchmark", "", f"Reproduce: `{command}`", "",
             f"Machine: {env['cpu_count']} CPUs, {env['platform']}; onnxruntime {env['onnxruntime']}, "
             f"torch {env.get('torch')}, tokenizers {env['tokenizers']}, numpy {env['numpy']}, Python {env['python']}; "
             f"git {env['git_sha']}. Model: {subject['name']} ({'trained weights' if subject['trained'] else 'random head'}), "
             f"window {subject['max_tokens']} tokens.", "", "## End to end (tokenisation included)", "",
             "| engine | precision | texts/s | windows scored | batch-1 p50 ms | batch-1 p99 ms |",
             "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        if r["suite"] == "end_to_end":
            lines.append(f"| {r['engine']} | {r['precision']} | {r['texts_per_s']:.1f} | {r['windows_scored']} | "
                         f"{r['batch1']['p50_ms']:.2f} | {r['batch1']['p99_ms']:.2f} |")
    lines += ["", "gensafe scores every window of a long text (nothing past the window is dropped); the baseline "
              "truncates each text at the window, as a user's code usually does, so it does less work per text."]
    lines += ["", "## Targets", "", "| check | measured | target | result |", "|---|---:|---:|---|"]
    for key, target in TARGETS.items():
        value = checks[key]
        lines.append(f"| {key} | {value:.3f} | ≥ {target} | {'PASS' if value >= target else 'FAIL'} |")
    lines += ["", f"int8 vs fp32 score correlation {checks['int8_fp32_score_correlation']:.4f}, "
              f"max |Δscore| {checks['max_abs_score_diff_int8']:.4f}.", "", "## Engine grid (synthetic ids)", "",
              "| precision | batch | seq | p50 ms | p90 ms | p99 ms | texts/s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["suite"] == "engine":
            lines.append(f"| {r['precision']} | {r['batch_size']} | {r['sequence_length']} | {r['p50_ms']:.2f} | "
                         f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['texts_per_s']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", default=None, help="training run folder (config + checkpoint + model)")
    p.add_argument("--encoder", default=None, help="encoder folder when no run folder is given")
    p.add_argument("--tiny", action="store_true", help="a tiny random model (smoke test)")
    p.add_argument("--quick", action="store_true", help="fewer configurations and repeats")
    p.add_argument("--texts", type=int, default=512)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "cpu")
    args = p.parse_args(argv)
    t0 = time.time()
    env = environment()
    subject = build_subject(args.run, args.encoder, tiny=args.tiny)
    texts = sample_texts(args.texts)
    rows = engine_grid(subject, args.threads, args.quick)
    e2e_rows, checks = end_to_end(subject, texts, args.threads, args.quick)
    rows += e2e_rows
    for r in rows:
        r.update({k: env[k] for k in ("onnxruntime", "torch", "tokenizers", "git_sha", "device_name") if k in env},
                 model=subject["name"], trained=subject["trained"])
    command = "python benchmarks/cpu_suite.py " + " ".join(argv if argv is not None else sys.argv[1:])
    write_rows(rows, args.out / "rows.jsonl")
    (args.out / "checks.json").write_text(json.dumps({"checks": checks, "targets": TARGETS, "env": env}, indent=2))
    (args.out / "summary.md").write_text(summary(rows, checks, env, subject, command))
    plots(rows, args.out)
    print()
    for key, target in TARGETS.items():
        print(f"{key:16} {checks[key]:8.3f}  target ≥ {target:<5} {'PASS' if checks[key] >= target else 'FAIL'}")
    print(f"done in {time.time() - t0:.0f} s; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
