"""The benchmark scripts run (smoke tests on tiny models); speed targets live in the scripts, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("wordfreq")


def _run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_cpu_suite_smoke(tmp_path):
    run = _run("benchmarks/cpu_suite.py", "--tiny", "--quick", "--texts", "64", "--threads", "1",
               "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert {r["suite"] for r in rows} == {"engine", "end_to_end"}
    for r in rows:
        assert r["texts_per_s"] > 0 and r["git_sha"] and r["onnxruntime"]
    record = json.loads((tmp_path / "checks.json").read_text())
    checks, targets = record["checks"], record["targets"]
    assert 0 <= checks["int8_agreement"] <= 1
    # the ratios are the measured rows' ratios, and every verdict printed follows from its value and target
    e2e = {(r["engine"].split()[0], r["precision"]): r["texts_per_s"] for r in rows if r["suite"] == "end_to_end"}
    baseline = e2e[("torch-eager", "fp32")]
    assert checks["fp32_speedup"] == pytest.approx(e2e[("gensafe", "fp32")] / baseline)
    assert checks["int8_speedup"] == pytest.approx(e2e[("gensafe", "int8")] / baseline)
    for key, target in targets.items():
        verdict = "PASS" if checks[key] >= target else "FAIL"
        assert any(line.split()[:1] == [key] and line.rstrip().endswith(verdict) for line in run.stdout.splitlines())
    assert (tmp_path / "summary.md").exists() and (tmp_path / "engine_grid.png").exists()


def test_load_test_smoke(tmp_path):
    out = tmp_path / "load.json"
    run = _run("benchmarks/load_test.py", "--tiny", "--requests", "64", "--clients", "8", "--out", str(out))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(out.read_text())
    for mode in ("threads", "asyncio"):
        assert result[mode]["lost"] == 0 and result[mode]["wrong_or_swapped"] == 0
    assert result["asyncio"]["batches"] < 64


def test_gpu_suite_checks_itself_on_cpu(tmp_path):
    run = _run("benchmarks/gpu_suite.py", "--device", "cpu", "--quick", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "onnxruntime providers" in run.stdout and (tmp_path / "rows.jsonl").exists()


def test_serve_load_smoke(tmp_path):
    out = tmp_path / "serve.json"
    run = _run("benchmarks/serve_load.py", "--tiny", "--requests", "24", "--concurrency", "1,8", "--out", str(out),
               timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(out.read_text())
    calls = {(r["mode"], r["call"], r["concurrency"]) for r in result["rows"]}
    assert calls == {("in-process", "clf.predict", 1), ("in-process", "AsyncGuard.apredict", 64),
                     *{("http", f"POST /v1/{e}", c) for e in ("moderations", "check") for c in (1, 8)}}
    for r in result["rows"]:
        assert r["requests"] == 24 and r["errors"] == 0 and r["mixed_up"] == 0, r
        assert r["requests_per_s"] > 0 and 0 < r["p50_ms"] <= r["p99_ms"]
        assert r["statuses"] == ({"200": 24} if r["mode"] == "http" else {})
    assert result["tolerance"] == 1e-5 and result["env"]["git_sha"] and result["command"]
    assert "| http | `POST /v1/check` | 8 |" in out.with_suffix(".md").read_text()
