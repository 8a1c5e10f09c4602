"""Vocabulary trimming and depth reduction for a Hugging Face encoder folder with a Unigram ``tokenizer.json``.

Why trimming is safe: a Unigram tokenizer picks the highest-scoring segmentation among its pieces. Removing pieces
that a text's best segmentation does not use cannot change that segmentation, so text made only of kept pieces
tokenises identically (with renumbered ids) and the trimmed model, whose embedding rows are the kept rows, gives
identical outputs. Text that needed a dropped piece gets a different (longer) segmentation: the kept set is chosen
from a broad zh + en corpus so that this is rare.

Example:
    >>> keep = sorted(special_ids | corpus_ids)                       # doctest: +SKIP
    >>> new_tok, old_ids = trim_tokenizer_json(tok_json, keep)         # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

_CJK = re.compile(r"^[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+$")


def special_ids(tok_json: dict[str, Any]) -> set[int]:
    """Ids of added/special tokens (``<s>``, ``<pad>``, ``</s>``, ``<unk>``, ``<mask>``)."""
    return {t["id"] for t in tok_json.get("added_tokens", [])}


def cjk_piece_ids(tok_json: dict[str, Any]) -> set[int]:
    """Pieces made only of CJK characters and CJK/full-width punctuation (kept whole: Chinese is the point)."""
    vocab = tok_json["model"]["vocab"]
    return {i for i, (piece, _score) in enumerate(vocab) if _CJK.match(piece.lstrip("▁") or "x")}


def single_char_ids(tok_json: dict[str, Any], scripts: str = "latin") -> set[int]:
    """Single-character pieces (with or without the ``▁`` marker) in ASCII/Latin-1: rare words still spell out."""
    out = set()
    for i, (piece, _score) in enumerate(tok_json["model"]["vocab"]):
        body = piece.lstrip("▁")
        if len(body) <= 1 and (not body or ord(body) < 0x250):
            out.add(i)
    return out


def corpus_ids(tokenizer: Any, texts: Iterable[str], batch: int = 4096) -> tuple[set[int], int]:
    """Ids used when ``tokenizer`` encodes ``texts``; also the number of texts seen."""
    used: set[int] = set()
    n = 0
    chunk: list[str] = []
    for t in texts:
        chunk.append(t)
        if len(chunk) >= batch:
            for enc in tokenizer.encode_batch(chunk, add_special_tokens=False):
                used.update(enc.ids)
            n += len(chunk)
            chunk = []
    if chunk:
        for enc in tokenizer.encode_batch(chunk, add_special_tokens=False):
            used.update(enc.ids)
        n += len(chunk)
    return used, n


def trim_tokenizer_json(tok_json: dict[str, Any], keep: Sequence[int]) -> tuple[dict[str, Any], np.ndarray]:
    """A new ``tokenizer.json`` holding only pieces ``keep`` (sorted old ids); returns it and the old id of each new id."""
    keep = sorted(set(keep))
    old_to_new = {old: new for new, old in enumerate(keep)}
    out = json.loads(json.dumps(tok_json))
    model = out["model"]
    model["vocab"] = [tok_json["model"]["vocab"][i] for i in keep]
    if model.get("unk_id") is not None:
        model["unk_id"] = old_to_new[model["unk_id"]]
    for t in out.get("added_tokens", []):
        t["id"] = old_to_new[t["id"]]
    post = out.get("post_processor")
    if post and post.get("type") == "TemplateProcessing":
        for token in post.get("special_tokens", {}).values():
            token["ids"] = [old_to_new[i] for i in token["ids"]]
    return out, np.asarray(keep, dtype=np.int64)


def keep_layers(model: Any, layers: Sequence[int]) -> Any:
    """Keep only the given encoder layers (in order) of a BERT-like model, in place; updates the config."""
    import torch

    blocks = model.encoder.layer
    bad = [i for i in layers if not 0 <= i < len(blocks)]
    if bad or len(set(layers)) != len(layers):
        raise ValueError(f"layers must be distinct indices in [0, {len(blocks)}), got {list(layers)}")
    model.encoder.layer = torch.nn.ModuleList([blocks[i] for i in layers])
    model.config.num_hidden_layers = len(layers)
    return model


def parse_layers(spec: str | None, total: int) -> list[int] | None:
    """``None``/``"all"`` keeps all; ``"every2"`` keeps 1, 3, 5, … (the top layer always kept); ``"0,2,4"`` lists them."""
    if spec in (None, "", "all"):
        return None
    if spec.startswith("every"):
        step = int(spec[5:])
        return list(range(total - 1, -1, -step))[::-1]
    return [int(x) for x in spec.split(",")]


def word_lists(n: int = 100_000) -> tuple[list[str], dict[str, int]]:
    """Frequent zh and en words from the PyPI packages ``wordfreq`` and ``jieba`` (each optional)."""
    words: list[str] = []
    counts: dict[str, int] = {}
    try:
        import wordfreq

        for lang in ("en", "zh"):
            got = wordfreq.top_n_list(lang, n)
            words += got
            # also capitalised English, as it starts sentences and names
            if lang == "en":
                words += [w.capitalize() for w in got[: n // 2]]
            counts[f"wordfreq:{lang}"] = len(got)
    except ImportError:
        counts["wordfreq"] = 0
    try:
        import os

        import jieba

        with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
            got = [line.split(" ", 1)[0] for line in f]
        words += got
        counts["jieba"] = len(got)
    except ImportError:
        counts["jieba"] = 0
    return words, counts
