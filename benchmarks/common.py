"""Shared pieces of the benchmark scripts: the subject model, the text sample, timing and the record format.

The subject is rebuilt from a training run folder (``runs/default``: its config, safetensors checkpoint and
manifest), so gensafe's ONNX graphs and the plain-PyTorch baseline hold the *same weights*. Without a run folder
a base encoder with a random head stands in (same shapes, so the same speed; decisions are then meaningless).
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
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


def build_subject(run: str | None, encoder: str | None, layers: str = "every2", tiny: bool = False) -> dict[str, Any]:
    """The torch model and a temporary gensafe folder (fp32 + int8 ONNX) exported from it, with the same weights."""
    import torch
    from transformers import AutoModel, BertConfig, BertModel

    from gensafe.build.export import write_model_folder
    from gensafe.build.modeling import MeanPoolClassifier
    from trim import keep_layers, parse_layers

    thresholds = None
    if tiny:
        from gensafe.build.testing import build_tiny_tokenizer

        tmp = Path(tempfile.mkdtemp(prefix="gensafe-bench-"))
        tokenizer = build_tiny_tokenizer(tmp / "tokenizer.json", vocab_size=300)
        enc = BertModel(BertConfig(vocab_size=300, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                   intermediate_size=64), add_pooling_layer=False)
        labels, max_tokens, prefix, name = ["A.1.6", "A.1.8"], 64, "query: ", "tiny-random"
    else:
        if run:
            cfg = json.loads((Path(run) / "train_config.json").read_text())
            manifest = json.loads((Path(run) / "model" / "manifest.json").read_text())
            encoder, layers = encoder or cfg["base_model"], cfg["layers"]
            labels, max_tokens, prefix = manifest["labels"], manifest["max_tokens"], manifest["text_prefix"]
            thresholds, name = manifest["thresholds"], manifest["name"]
        else:
            labels, max_tokens, prefix, name = ["A.1.6", "A.1.8", "A.2.5"], 128, "query: ", "random-head"
        enc = AutoModel.from_pretrained(encoder, add_pooling_layer=False)
        kept = parse_layers(layers, enc.config.num_hidden_layers)
        if kept:
            keep_layers(enc, kept)
        tokenizer = Path(encoder) / "tokenizer.json"
    model = MeanPoolClassifier(enc, num_labels=len(labels)).eval()
    if run and not tiny:
        from safetensors.torch import load_file

        model.load_state_dict(load_file(str(Path(run) / "checkpoint" / "model.safetensors")))
    folder = Path(tempfile.mkdtemp(prefix="gensafe-bench-model-"))
    thresholds = thresholds or {"balanced": {c: 0.5 for c in labels}}
    write_model_folder(folder, model, tokenizer, name=name, labels=labels, thresholds=thresholds,
                       precisions=("fp32", "int8"), max_tokens=max_tokens, window_overlap=min(16, max_tokens // 4),
                       text_prefix=prefix,
                       default_operating_point="balanced" if "balanced" in thresholds else next(iter(thresholds)))
    torch.set_grad_enabled(False)
    return {"model": model, "folder": folder, "tokenizer": tokenizer, "labels": labels, "max_tokens": max_tokens,
            "prefix": prefix, "name": name, "trained": bool(run) and not tiny}


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
