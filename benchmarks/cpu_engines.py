"""The engines the CPU suite times, each a ``texts -> scores [n, labels]`` callable, and their token accounting.

* gensafe through :func:`gensafe.load` on the shipped folder (any precision; a graph file can be swapped in to
  measure a graph optimisation or a thread setting with everything else equal);
* baseline (a), what users write: Hugging Face tokenizer and the torch model rebuilt from the same folder
  (:mod:`torch_baseline`), eager fp32, input-order batches of 32, padding to the longest, truncation at the window;
* baseline (b), torch with exactly gensafe's windows and batches (its tokenisation, token-budget planner and
  padding), so the only difference left is the engine.

Example:
    >>> fn = baseline_a(model, "models/x/tokenizer.json", "query: ", 128)      # doctest: +SKIP
    >>> fn(["a text"]).shape                                                  # doctest: +SKIP
    (1, 18)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import gensafe
from gensafe.engine import OnnxEngine, sigmoid
from gensafe.windows import pad_batch, plan_batches

Engine = Callable[[list[str]], np.ndarray]


def gensafe_engine(clf: gensafe.Classifier) -> Engine:
    return lambda texts: clf.predict(texts).scores


def swap_graph(clf: gensafe.Classifier, graph: str | Path, threads: int | None,
               device: str = "cpu") -> gensafe.Classifier:
    """The same classifier (windows, batches, thresholds) on another graph file, thread count or device."""
    engine = OnnxEngine.open(graph, device, output_name=clf.manifest.output_name, width=len(clf.labels),
                             threads=threads)
    return dataclasses.replace(clf, engine=engine)


def _torch_logits(model: Any, ids: np.ndarray, mask: np.ndarray, device: str = "cpu") -> np.ndarray:
    import torch

    kwargs = {"input_ids": torch.from_numpy(ids).to(device), "attention_mask": torch.from_numpy(mask).to(device)}
    if model.uses_token_type_ids:
        kwargs["token_type_ids"] = torch.zeros_like(kwargs["input_ids"])
    with torch.inference_mode():
        return model(**kwargs).float().cpu().numpy()


def hf_tokenizer(tokenizer_file: str | Path) -> Any:
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(tokenizer_file=str(tokenizer_file))
    tok.pad_token = "<pad>"
    return tok


def baseline_a(model: Any, tokenizer_file: str | Path, prefix: str, max_tokens: int, batch: int = 32,
               device: str = "cpu") -> Engine:
    """HF tokenizer + torch eager fp32, input-order batches of ``batch``, pad to longest, truncate at the window."""
    tok = hf_tokenizer(tokenizer_file)

    def run(texts: list[str]) -> np.ndarray:
        out = []
        for s in range(0, len(texts), batch):
            enc = tok([prefix + t for t in texts[s : s + batch]], padding="longest", truncation=True,
                      max_length=max_tokens, return_tensors="np")
            out.append(sigmoid(_torch_logits(model, enc["input_ids"].astype(np.int64),
                                             enc["attention_mask"].astype(np.int64), device)))
        return np.vstack(out)

    return run


def baseline_b(model: Any, clf: gensafe.Classifier, device: str = "cpu") -> Engine:
    """Torch on exactly gensafe's windows (its cleaning, prefix, overlap) and batches (token budget, padding)."""
    from gensafe.build.modeling import text_windows

    def run(texts: list[str]) -> np.ndarray:
        windows, owners = text_windows(clf.encoder, texts, clf.manifest.text_prefix)
        scores = np.zeros((len(windows), len(clf.labels)), dtype=np.float32)
        for b in plan_batches([len(w) for w in windows], clf.batch_tokens, clf.max_batch):
            ids, mask = pad_batch([windows[i] for i in b], clf.encoder.pad_id)
            scores[b] = sigmoid(_torch_logits(model, ids, mask, device))
        out = np.zeros((len(texts), len(clf.labels)), dtype=np.float32)
        np.maximum.at(out, owners, scores)
        return out

    return run


def tokens_gensafe(clf: gensafe.Classifier, texts: list[str]) -> dict[str, int]:
    """Real and padded tokens of gensafe's batches for ``texts`` (the same for every gensafe engine and (b))."""
    from gensafe.build.modeling import text_windows

    windows, _ = text_windows(clf.encoder, texts, clf.manifest.text_prefix)
    lengths = [len(w) for w in windows]
    padded = sum(len(b) * max(lengths[i] for i in b) for b in plan_batches(lengths, clf.batch_tokens, clf.max_batch))
    return {"windows": len(windows), "real_tokens": sum(lengths), "padded_tokens": padded}


def tokens_baseline_a(tokenizer_file: str | Path, texts: list[str], prefix: str, max_tokens: int,
                      batch: int = 32) -> dict[str, int]:
    tok = hf_tokenizer(tokenizer_file)
    real = padded = 0
    for s in range(0, len(texts), batch):
        enc = tok([prefix + t for t in texts[s : s + batch]], padding="longest", truncation=True,
                  max_length=max_tokens, return_tensors="np")
        real += int(enc["attention_mask"].sum())
        padded += int(enc["attention_mask"].size)
    return {"windows": len(texts), "real_tokens": real, "padded_tokens": padded}


def transformer_optimised(fp32_graph: Path, dst: Path, config: dict[str, Any]) -> tuple[Path, dict[str, int]]:
    """ONNX Runtime's transformer optimiser (attention, LayerNorm, GELU, skip-LayerNorm fusions) on the fp32 graph."""
    from onnxruntime.transformers.optimizer import optimize_model

    opt = optimize_model(str(fp32_graph), model_type="bert", num_heads=config["num_attention_heads"],
                         hidden_size=config["hidden_size"], opt_level=1)
    opt.save_model_to_file(str(dst))
    stats = {k: int(v) for k, v in opt.get_fused_operator_statistics().items() if v}
    return dst, stats
