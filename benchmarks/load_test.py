"""Serving load test: N concurrent asyncio clients and N threads against one classifier, vs sequential calls.

Every request carries a unique id inside its text; each answer is checked against the sequential reference score of
that exact text, so a lost, duplicated or swapped answer is counted, not assumed away.

Usage::

    python benchmarks/load_test.py --model default --clients 32 --requests 512
    python benchmarks/load_test.py --tiny --requests 128        # smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import environment, percentiles, sample_texts  # noqa: E402
from gensafe.batching import AsyncGuard  # noqa: E402


def run(clf: gensafe.Classifier, n_requests: int, clients: int, max_wait_ms: float) -> dict:
    base = sample_texts(n_requests, seed=1)
    texts = [f"[{i}] {t[:300]}" for i, t in enumerate(base)]  # a unique id in every request
    out: dict = {"requests": n_requests, "clients": clients}

    t0 = time.perf_counter()
    latencies = []
    reference = []
    for t in texts:
        s = time.perf_counter()
        reference.append(clf.predict(t).scores[0])
        latencies.append(time.perf_counter() - s)
    out["sequential"] = {"seconds": time.perf_counter() - t0, **percentiles(latencies)}
    reference = np.vstack(reference)

    def check(answers: dict[int, np.ndarray]) -> dict:
        wrong = sum(not np.allclose(answers[i], reference[i], atol=1e-4) for i in answers)
        return {"answered": len(answers), "lost": n_requests - len(answers), "wrong_or_swapped": int(wrong)}

    # threads
    answers: dict[int, np.ndarray] = {}
    lat: list[float] = []

    def one(i: int) -> None:
        s = time.perf_counter()
        score = clf.predict(texts[i]).scores[0]
        lat.append(time.perf_counter() - s)
        if i in answers:
            raise AssertionError(f"request {i} answered twice")
        answers[i] = score

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(n_requests)))
    out["threads"] = {"seconds": time.perf_counter() - t0, **percentiles(lat), **check(answers)}

    # asyncio clients through the dynamic batcher
    async def main() -> dict:
        answers_a: dict[int, np.ndarray] = {}
        lat_a: list[float] = []
        queue = list(range(n_requests))
        async with AsyncGuard(clf, max_wait_ms=max_wait_ms) as guard:

            async def client() -> None:
                while queue:
                    i = queue.pop()
                    s = time.perf_counter()
                    result = await guard.apredict(texts[i])
                    lat_a.append(time.perf_counter() - s)
                    if i in answers_a:
                        raise AssertionError(f"request {i} answered twice")
                    answers_a[i] = result.scores[0]

            t0 = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            seconds = time.perf_counter() - t0
            batches = guard.batches
        return {"seconds": seconds, **percentiles(lat_a), **check(answers_a), "batches": batches,
                "mean_batch": n_requests / max(batches, 1), "max_wait_ms": max_wait_ms}

    out["asyncio"] = asyncio.run(main())
    for mode in ("sequential", "threads", "asyncio"):
        out[mode]["requests_per_s"] = n_requests / out[mode]["seconds"]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default")
    p.add_argument("--tiny", action="store_true", help="build a tiny random model (smoke test)")
    p.add_argument("--requests", type=int, default=512)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--max-wait-ms", type=float, default=2.0)
    p.add_argument("--precision", default="fp32",
                   help="fp32 (default) scores a text the same whatever its batch, so any difference is an error; "
                        "int8 quantises activations per batch and differs slightly by design")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "load_test.json")
    args = p.parse_args(argv)
    model = args.model
    if args.tiny:
        import tempfile

        from gensafe.build.testing import build_tiny_model

        model = build_tiny_model(Path(tempfile.mkdtemp()) / "tiny", max_tokens=64)[0]
    clf = gensafe.load(model, device="cpu", precision=args.precision)
    result = run(clf, args.requests, args.clients, args.max_wait_ms)
    result["model"] = clf.name
    result["precision"] = clf.precision
    result["env"] = environment()
    result["command"] = "python benchmarks/load_test.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"{'mode':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5} {'wrong':>5}")
    for mode in ("sequential", "threads", "asyncio"):
        r = result[mode]
        print(f"{mode:10} {r['requests_per_s']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r.get('lost', 0):5} "
              f"{r.get('wrong_or_swapped', 0):5}")
    print(f"asyncio: {result['asyncio']['batches']} batches, {result['asyncio']['mean_batch']:.1f} requests each")
    ok = all(result[m]["lost"] == 0 and result[m]["wrong_or_swapped"] == 0 for m in ("threads", "asyncio"))
    print("no request lost, duplicated or swapped" if ok else "FAIL: requests lost or swapped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
