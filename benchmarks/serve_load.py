"""HTTP load test: ``gensafe serve`` in its own process, driven by 1, 8 and 64 concurrent httpx clients.

The server is started as a separate process (``gensafe serve`` on 127.0.0.1 and a free port) because a server in a
thread of the measuring process shares its event loop and GIL with the clients, which distorts client-side latency.
Every request carries one distinct text whose answer is known beforehand: ``clf.predict`` of the same text in this
process. A response whose scores differ from it by more than ``--tolerance`` (or whose ``flagged`` differs) is
counted as *mixed up* — a swapped, duplicated or wrong answer — and every non-200 status or transport failure as an
*error*. Beside the HTTP rows, the same texts are scored in-process: ``clf.predict`` one text at a time, and
``AsyncGuard.apredict`` from 64 concurrent tasks (the batcher the server itself uses, with the server's settings).

Usage::

    python benchmarks/serve_load.py                                  # shipped model → results/serve_load.{json,md}
    python benchmarks/serve_load.py --tiny --requests 32 --out /tmp/s.json   # smoke run on a tiny random model

Example (from Python)::

    >>> main(["--tiny", "--requests", "16", "--concurrency", "1,8", "--out", "/tmp/s.json"])   # doctest: +SKIP
    0
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gensafe  # noqa: E402
from common import environment, percentiles, sample_texts  # noqa: E402
from gensafe.batching import AsyncGuard  # noqa: E402
from gensafe.server import ServerSettings  # noqa: E402

RESULTS = Path(__file__).with_name("results")
ENDPOINTS = ("moderations", "check")


@dataclass
class Row:
    """One measured configuration: a transport (``http`` or ``in-process``), what was called, and how it went.

    Attributes:
        mode: ``http`` (through the server process) or ``in-process``.
        call: ``POST /v1/moderations``, ``POST /v1/check``, ``clf.predict`` or ``AsyncGuard.apredict``.
        concurrency: Clients (HTTP) or tasks (asyncio) in flight at once; 1 for sequential calls.
        requests: Requests sent, one text each.
        seconds: Wall time of the whole run (warm-up excluded).
        requests_per_s: ``requests / seconds``.
        p50_ms, p99_ms, mean_ms: Latency of one request as its caller sees it.
        errors: Non-200 answers and transport failures.
        mixed_up: Answers whose scores or verdict are not those of ``clf.predict`` on the same text.
        statuses: HTTP status code → count (HTTP rows only).
    """

    mode: str
    call: str
    concurrency: int
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    errors: int = 0
    mixed_up: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel picks it; the tiny race before the server binds is accepted)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gensafe_command() -> list[str]:
    """The ``gensafe`` console script of this interpreter's environment, or the same entry point through ``-c``."""
    script = Path(sys.executable).with_name("gensafe")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from gensafe.cli import main; sys.exit(main())"]


@contextlib.contextmanager
def server_process(model: str, precision: str, port: int, max_wait_ms: float, timeout_s: float = 120.0):
    """Run ``gensafe serve`` on 127.0.0.1:``port`` until the block ends; yield its base URL once ``/readyz`` is 200.

    No API keys: the server listens on loopback only, which ``serve`` allows without them.
    """
    import httpx

    cmd = [*gensafe_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--model", str(model),
           "--device", "cpu", "--precision", precision, "--max-wait-ms", str(max_wait_ms)]
    env = {k: v for k, v in os.environ.items() if k != "GENSAFE_API_KEYS"}
    url = f"http://127.0.0.1:{port}"
    # the server's log goes to a file, shown only if it fails to come up (a pipe nobody reads would fill and block)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"gensafe serve exited with {proc.returncode}:\n{log.read().decode()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"gensafe serve not ready within {timeout_s:.0f} s")
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()  # SIGTERM: uvicorn drains in-flight requests and exits
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def answer_scores(endpoint: str, body: dict, labels: tuple[str, ...]) -> tuple[np.ndarray, bool]:
    """The per-label scores and the verdict of the one text in a response of ``endpoint``."""
    if endpoint == "moderations":
        res = body["results"][0]
        return np.array([res["category_scores"][c] for c in labels], dtype=np.float64), bool(res["flagged"])
    res = body["results"][0]
    return np.array([res["scores"][c] for c in labels], dtype=np.float64), bool(res["flagged"])


def _row(mode: str, call: str, concurrency: int, seconds: float, latencies: list[float], **extra) -> Row:
    p = percentiles(latencies)
    n = len(latencies)
    return Row(mode, call, concurrency, n, seconds, n / seconds, p["p50_ms"], p["p99_ms"], p["mean_ms"], **extra)


async def http_level(url: str, endpoint: str, texts: list[str], reference: np.ndarray, flags: list[bool],
                     labels: tuple[str, ...], concurrency: int, tolerance: float, warmup: int = 8) -> Row:
    """``concurrency`` clients share the texts (each sent once) over one pooled connection each; answers checked."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    errors, mixed = 0, 0
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60.0) as client:
        for t in texts[:warmup]:  # open connections, warm the server's code paths; not measured
            await client.post(f"/v1/{endpoint}", json={"input": t})
        pending = iter(range(len(texts)))

        async def one_client() -> None:
            nonlocal errors, mixed
            for i in pending:  # a shared iterator: each text goes to exactly one client
                start = time.perf_counter()
                try:
                    resp = await client.post(f"/v1/{endpoint}", json={"input": texts[i]})
                except httpx.HTTPError as e:
                    latencies.append(time.perf_counter() - start)
                    statuses[type(e).__name__] += 1
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - start)
                statuses[str(resp.status_code)] += 1
                if resp.status_code != 200:
                    errors += 1
                    continue
                scores, flagged = answer_scores(endpoint, resp.json(), labels)
                if not np.allclose(scores, reference[i], rtol=0, atol=tolerance) or flagged != flags[i]:
                    mixed += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        seconds = time.perf_counter() - t0
    return _row("http", f"POST /v1/{endpoint}", concurrency, seconds, latencies, errors=errors, mixed_up=mixed,
                statuses=dict(statuses))


async def guard_level(clf: gensafe.Classifier, texts: list[str], reference: np.ndarray, flags: list[bool],
                      concurrency: int, settings: ServerSettings, tolerance: float) -> Row:
    """``AsyncGuard.apredict`` from ``concurrency`` tasks, batched with the server's own settings."""
    latencies: list[float] = []
    mixed = 0
    pending = iter(range(len(texts)))
    async with AsyncGuard(clf, max_wait_ms=settings.max_wait_ms, max_batch_tokens=settings.max_batch_tokens,
                          workers=settings.batch_workers) as guard:

        async def task() -> None:
            nonlocal mixed
            for i in pending:
                start = time.perf_counter()
                result = await guard.apredict(texts[i])
                latencies.append(time.perf_counter() - start)
                if not np.allclose(result.scores[0], reference[i], rtol=0, atol=tolerance) \
                        or bool(result.flagged[0]) != flags[i]:
                    mixed += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(concurrency)))
        seconds = time.perf_counter() - t0
    return _row("in-process", "AsyncGuard.apredict", concurrency, seconds, latencies, mixed_up=mixed)


def run(model: str, precision: str, n_requests: int, levels: list[int], endpoints: list[str],
        tolerance: float) -> dict:
    """Start the server, score the texts in-process (the reference), then drive each endpoint at each level."""
    settings = ServerSettings()  # what `gensafe serve` runs with by default; the in-process guard copies it
    clf = gensafe.load(model, device="cpu", precision=precision)
    base = sample_texts(n_requests, seed=2)
    texts = [f"[{i}] {t[:300]}" for i, t in enumerate(base)]  # a unique id in every text: no two answers alike
    rows: list[Row] = []
    port = free_port()
    t_start = time.perf_counter()
    with server_process(model, precision, port, settings.max_wait_ms) as url:
        startup_s = time.perf_counter() - t_start
        # in-process, while the server idles: clf.predict one text at a time gives the expected answers
        for t in texts[:8]:
            clf.predict(t)
        latencies, reference, flags = [], [], []
        t0 = time.perf_counter()
        for t in texts:
            s = time.perf_counter()
            r = clf.predict(t)
            latencies.append(time.perf_counter() - s)
            reference.append(r.scores[0])
            flags.append(bool(r.flagged[0]))
        rows.append(_row("in-process", "clf.predict", 1, time.perf_counter() - t0, latencies))
        ref = np.vstack(reference).astype(np.float64)
        rows.append(asyncio.run(guard_level(clf, texts, ref, flags, 64, settings, tolerance)))
        for endpoint in endpoints:
            for level in levels:
                rows.append(asyncio.run(http_level(url, endpoint, texts, ref, flags, tuple(clf.labels), level,
                                                   tolerance)))
                print(f"  {rows[-1].call} x{level}: {rows[-1].requests_per_s:.1f} req/s", file=sys.stderr)
    return {"model": clf.name, "precision": clf.precision, "labels": list(clf.labels), "requests": n_requests,
            "text_chars": {"median": float(np.median([len(t) for t in texts])), "max": max(len(t) for t in texts)},
            "flagged_texts": int(sum(flags)), "tolerance": tolerance, "server_startup_s": startup_s,
            "server_settings": {"max_wait_ms": settings.max_wait_ms, "max_batch_tokens": settings.max_batch_tokens,
                                "batch_workers": settings.batch_workers, "workers": 1},
            "rows": [asdict(r) for r in rows]}


def markdown(result: dict) -> str:
    """The rows as a markdown table (what benchmarks/README.md quotes)."""
    lines = ["| mode | call | concurrency | req/s | p50 ms | p99 ms | errors | mixed-up |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(f"| {r['mode']} | `{r['call']}` | {r['concurrency']} | {r['requests_per_s']:.1f} | "
                     f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} | {r['mixed_up']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default", help="model name or folder (default: the shipped model)")
    p.add_argument("--tiny", action="store_true", help="build a tiny random model (smoke test)")
    p.add_argument("--requests", type=int, default=512, help="requests per row, one distinct text each")
    p.add_argument("--concurrency", default="1,8,64", help="HTTP client counts, comma-separated")
    p.add_argument("--endpoints", default=",".join(ENDPOINTS), help="moderations and/or check")
    p.add_argument("--precision", default="fp32",
                   help="fp32 scores a text the same in any batch, so any difference is an error (int8 does not)")
    p.add_argument("--tolerance", type=float, default=1e-5, help="largest score difference still the same answer")
    p.add_argument("--out", type=Path, default=RESULTS / "serve_load.json", help="JSON; the table goes beside (.md)")
    args = p.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]
    endpoints = [e.strip() for e in args.endpoints.split(",")]
    if unknown := set(endpoints) - set(ENDPOINTS):
        p.error(f"unknown endpoints {sorted(unknown)}; known: {list(ENDPOINTS)}")
    model = args.model
    if args.tiny:
        from gensafe.build.testing import build_tiny_model

        model = str(build_tiny_model(Path(tempfile.mkdtemp()) / "tiny", max_tokens=64)[0])
    load_before = os.getloadavg()
    result = run(model, args.precision, args.requests, levels, endpoints, args.tolerance)
    result["env"] = environment()
    # the client, the server and anything else on the machine share its cores: the load says how quiet it was
    result["env"]["loadavg_1min_before_after"] = [load_before[0], os.getloadavg()[0]]
    result["command"] = "python benchmarks/serve_load.py " + " ".join(argv if argv is not None else sys.argv[1:])
    table = markdown(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    args.out.with_suffix(".md").write_text(f"`{result['command']}` — model {result['model']} ({result['precision']}), "
                                           f"{result['env']['cpu_count']} CPU cores\n\n{table}")
    print(table)
    bad = sum(r["errors"] + r["mixed_up"] for r in result["rows"])
    print("every answer arrived and matched clf.predict" if not bad else f"FAIL: {bad} errors or mixed-up answers")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
