"""Shared pieces of the benchmark scripts: the text sample, timing, the environment record and the row format.

The PyTorch baseline of the CPU and GPU suites is rebuilt from the model folder itself (``torch_baseline.py``).
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))


def git_sha() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def environment() -> dict[str, Any]:
    """Versions and machine facts recorded in every row."""
    import onnxruntime as ort
    import tokenizers

    import gensafe

    env = {"gensafe": gensafe.__version__, "onnxruntime": ort.__version__, "tokenizers": tokenizers.__version__,
           "numpy": np.__version__, "python": platform.python_version(), "platform": platform.platform(),
           "cpu_count": os.cpu_count(), "git_sha": git_sha(), "ort_providers": ort.get_available_providers()}
    try:
        import torch

        env["torch"] = torch.__version__
        env["device_name"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else platform.processor() or "cpu"
    except ImportError:
        env["device_name"] = platform.processor() or "cpu"
    return env


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p90_ms": float(np.percentile(ms, 90)),
            "p99_ms": float(np.percentile(ms, 99)), "mean_ms": float(ms.mean())}


def time_calls(fn: Callable[[], Any], warmup: int, repeat: int, sync: Callable[[], None] | None = None) -> list[float]:
    """Warm up, then time ``repeat`` single calls (``timeit.repeat(number=1)`` style); ``sync`` for CUDA."""
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        if sync:
            sync()
        out.append(time.perf_counter() - t0)
    return out


def sample_texts(n: int = 512, seed: int = 0) -> list[str]:
    """A fixed, mixed-length zh / en sample generated deterministically from PyPI word lists (wordfreq, jieba).

    Lengths follow a log-normal distribution (median ~60 characters, a tail past 1,000) like chat prompts and
    answers; half Chinese, half English. No dataset text is used, so nothing from shared/ is copied.
    """
    import wordfreq

    rng = random.Random(seed)
    en = wordfreq.top_n_list("en", 20000)
    zh = wordfreq.top_n_list("zh", 20000)
    texts = []
    for i in range(n):
        length = int(min(3000, max(8, rng.lognormvariate(4.1, 1.0))))
        if i % 2:
            words: list[str] = []
            while sum(len(w) + 1 for w in words) < length:
                words.append(rng.choice(en[: rng.choice((500, 5000, 20000))]))
            text = " ".join(words).capitalize() + "."
        else:
            parts: list[str] = []
            while sum(len(w) for w in parts) < length:
                parts.append(rng.choice(zh[: rng.choice((500, 5000, 20000))]))
                if rng.random() < 0.08:
                    parts.append("，" if rng.random() < 0.7 else "。")
            text = "".join(parts) + "。"
        texts.append(text)
    return texts


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
