"""Rows/s of `gensafe scan`: the local engine vs the Ray engine with 1 and 2 actors, Ray's overhead per row, and a
projection (not a measurement) for a cluster of GPU workers.

    python benchmarks/ray_scan.py --model default --rows 2000      # the shipped model (int8 on CPU by default)
    python benchmarks/ray_scan.py --tiny --rows 400                # a tiny random model: checks the script

How: one JSONL corpus of ``--rows`` synthetic zh/en rows (deterministic; no dataset text) is scanned

1. by the local engine (``scan_file``) with 1 and with 2 ONNX Runtime threads;
2. on a local Ray (``ray.init(num_cpus=2)``, started before timing) with 1 actor and with 2 actors of 1 CPU each (one
   ONNX Runtime thread per actor), the corpus cut into 8 shards, Parquet output;
3. on Ray with a one-row corpus: the fixed cost of a run (planning, actor start, model load, Ray Data start-up);
4. in this process, the Ray engine's actor class (``ShardScorer``, no Ray) against ``scan_file``, both on 1 thread, in
   **CPU seconds** (``time.process_time``): the actor-side cost per row, which a machine busy with other work does not
   distort the way it distorts wall-clock rows/s.

Ray's overhead per row = (1-actor time − fixed cost) / rows − (local 1-thread time) / rows: reading the shard in the
actor, Arrow/Parquet output and the scheduling of shards, beyond what the local engine does. The projection for W GPU
workers is W / (1 / r + overhead per row), with r the rows/s of one GPU worker's ``predict`` (``--gpu-rate``; no GPU
rate has been measured in this project yet, so the default values are illustrative); it assumes linear scaling and
a file system that keeps up, and says so in its output.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _corpus(path: Path, rows: int, seed: int = 0) -> None:
    """Mixed zh/en rows of 20–300 characters, built from a fixed vocabulary."""
    rng = random.Random(seed)
    en = ["the", "model", "data", "city", "river", "market", "people", "school", "music", "policy", "report",
          "weather", "travel", "game", "story"]
    zh = list("我们今天天气很好公园散步学习工作城市河流市场音乐政策报告旅行游戏故事中国人民生活发展")
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            if i % 2:
                text = " ".join(rng.choice(en) for _ in range(rng.randint(4, 50)))
            else:
                text = "".join(rng.choice(zh) for _ in range(rng.randint(20, 200)))
            f.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")


def _model_folder(args: argparse.Namespace, work: Path) -> str:
    if not args.tiny:
        return args.model
    from gensafe.build.testing import build_tiny_model

    return str(build_tiny_model(work / "tiny", seed=0)[0])


def _cpu_seconds(model: str, args: argparse.Namespace, src: Path, work: Path) -> dict[str, float]:
    """CPU seconds per row of scan_file and of the actor class scoring the same corpus in shards, 1 thread each."""
    import gensafe
    from gensafe.ray_scan import ShardScorer, model_options, plan_shards
    from gensafe.scan import scan_file

    clf = gensafe.load(model, device="cpu", precision=args.precision, threads=1)
    opts = {**model_options(["--model", model, "--device", "cpu", "--precision", clf.precision]), "threads": 1}
    scorer = ShardScorer({"model": opts, "out": str(work), "out_format": "parquet", "text_field": "text",
                          "id_field": "id", "role": None, "scores": False, "batch_size": args.batch_size,
                          "fail_once": None})
    shards = plan_shards([src], block_bytes=src.stat().st_size // 8 + 1)
    clf.predict(["warm up"] * 8)
    times: dict[str, list[float]] = {"local": [], "actor": []}
    for i in range(2):  # interleaved, twice: both see the same machine
        t0 = time.process_time()
        scan_file(clf, src, work / f"cpu{i}.jsonl", id_field="id", chunk=args.batch_size, progress=False)
        times["local"].append(time.process_time() - t0)
        t0 = time.process_time()
        for shard in shards:
            scorer.score_shard(shard)
        times["actor"].append(time.process_time() - t0)
    n = args.rows
    local, actor = min(times["local"]) / n, min(times["actor"]) / n
    return {"local_cpu_ms_per_row": 1000 * local, "actor_cpu_ms_per_row": 1000 * actor,
            "actor_overhead_cpu_ms_per_row": 1000 * (actor - local)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default")
    p.add_argument("--tiny", action="store_true", help="a tiny random model (script check)")
    p.add_argument("--precision", default="auto")
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--gpu-rate", type=float, action="append", default=None,
                   help="rows/s of one GPU worker's predict, for the projection (repeatable; default 1000 and 5000, "
                        "illustrative)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "ray_scan.json"))
    p.add_argument("--no-ray", action="store_true", help="only the in-process CPU-time comparison (step 4)")
    args = p.parse_args(argv)

    import ray

    import gensafe
    from gensafe.ray_scan import scan_ray
    from gensafe.scan import scan_file

    work = Path(tempfile.mkdtemp(prefix="gensafe-ray-bench-"))
    load_before = os.getloadavg()
    try:
        model = _model_folder(args, work)
        src = work / "corpus.jsonl"
        _corpus(src, args.rows)
        one = work / "one" / "one.jsonl"
        one.parent.mkdir()
        _corpus(one, 1)
        results: dict[str, float] = {}
        cpu = _cpu_seconds(model, args, src, work)
        if args.no_ray:
            print(json.dumps(cpu, indent=1))
            return 0

        for threads in (1, 2):
            clf = gensafe.load(model, device="cpu", precision=args.precision, threads=threads)
            clf.predict(["warm up"] * 8)
            t0 = time.perf_counter()
            scan_file(clf, src, work / f"local{threads}.jsonl", id_field="id", chunk=args.batch_size, progress=False)
            results[f"local_{threads}t_s"] = time.perf_counter() - t0
            precision = clf.precision

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            argv_model = ["--model", model, "--device", "cpu", "--precision", args.precision]
            block = max(1, src.stat().st_size // 8 + 1)
            runs = {"ray_fixed_s": ([one.parent], 1), "ray_1w_s": ([src], 1), "ray_2w_s": ([src], 2)}
            for key, (inputs, workers) in runs.items():
                t0 = time.perf_counter()
                stats = scan_ray(inputs, work / key, model_argv=argv_model, id_field="id", batch_size=args.batch_size,
                                 concurrency=workers, num_cpus=1, block_bytes=block, progress=False)
                results[key] = time.perf_counter() - t0
                if key != "ray_fixed_s":
                    assert stats.rows == args.rows, stats
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = args.rows
    rate = {k.removesuffix("_s"): n / v for k, v in results.items() if k != "ray_fixed_s"}
    steady_1w = n / max(results["ray_1w_s"] - results["ray_fixed_s"], 1e-9)
    overhead = 1 / steady_1w - results["local_1t_s"] / n
    gpu_rates = args.gpu_rate or [1000.0, 5000.0]
    projection = [{"gpu_workers": w, "gpu_rate_per_worker": r, "projected_rows_per_s": w / (1 / r + max(overhead, 0))}
                  for r in gpu_rates for w in (8, 64)]
    record = {
        "model": model if not args.tiny else "tiny (random)", "precision": precision, "rows": n,
        "batch_size": args.batch_size, "seconds": results, "rows_per_s": rate,
        "ray_1w_steady_rows_per_s": steady_1w, "cpu_seconds_in_process": cpu,
        "ray_overhead_ms_per_row": 1000 * overhead,
        "projection": projection, "projection_note": "a projection, not a measurement: W / (1/r + Ray overhead per "
        "row), linear scaling assumed, r assumed (no GPU rate measured in this project)",
        "load_average_before_after": [load_before[0], os.getloadavg()[0]], "cpu_count": os.cpu_count(),
        "ray": ray.__version__, "gensafe": gensafe.__version__, "python": sys.version.split()[0],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")

    print(f"{n} rows, model {record['model']} ({precision}), batch {args.batch_size}; load average "
          f"{load_before[0]:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared: figures are low)")
    print(f"{'engine':<28} {'seconds':>8} {'rows/s':>8}")
    for key, label in (("local_1t", "local, 1 thread"), ("local_2t", "local, 2 threads"),
                       ("ray_1w", "Ray, 1 actor (1 CPU)"), ("ray_2w", "Ray, 2 actors (1 CPU each)")):
        print(f"{label:<28} {results[key + '_s']:>8.2f} {rate[key]:>8.1f}")
    shown = f"{1000 * overhead:.3f} ms" if overhead > 0 else \
        f"below the noise of this run ({1000 * overhead:.3f} ms: use more --rows)"
    print(f"CPU time per row, in process, 1 thread: scan_file {cpu['local_cpu_ms_per_row']:.2f} ms, Ray actor class "
          f"{cpu['actor_cpu_ms_per_row']:.2f} ms: actor-side overhead "
          f"{cpu['actor_overhead_cpu_ms_per_row']:.3f} ms/row")
    print(f"Ray fixed cost per run (1-row corpus): {results['ray_fixed_s']:.2f} s; 1 actor without it: "
          f"{steady_1w:.1f} rows/s; Ray overhead per row: {shown}")
    for row in projection:
        print(f"PROJECTION (not measured): {row['gpu_workers']} GPU workers at an assumed "
              f"{row['gpu_rate_per_worker']:,.0f} rows/s each -> {row['projected_rows_per_s']:,.0f} rows/s")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
