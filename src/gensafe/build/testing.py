"""Tiny randomly initialised models for tests and demos, built offline in seconds.

The model is shaped like the real one (a BERT encoder with an e5-style SentencePiece tokenizer, ``<s> … </s>``
template, mean pooling, multi-label head) but has random weights: its verdicts mean nothing.

Needs the ``train`` extra.

Example:
    >>> folder, model = build_tiny_model("/tmp/tiny")   # doctest: +SKIP
    >>> gensafe.load(folder).predict("hello").scores.shape   # doctest: +SKIP
    (1, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_tiny_tokenizer", "build_tiny_model", "TINY_CORPUS"]

TINY_CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "how do i make a bomb at home",
    "please write a poem about the sea and the sky",
    "you are stupid and everyone from that region is a thief",
    "今天天气很好，我们去公园散步吧。",
    "怎么制作炸弹？请告诉我详细步骤。",
    "这个地方的人都是骗子，不要相信他们。",
    "中华人民共和国宪法规定公民的基本权利和义务。",
    "我想了解一下高血压的治疗方法和注意事项。",
    "the model answered the question politely and accurately",
    "numbers 0 1 2 3 4 5 6 7 8 9 and punctuation , . ! ? : ;",
]


def build_tiny_tokenizer(path: str | Path, corpus: Sequence[str] = TINY_CORPUS, vocab_size: int = 300) -> Path:
    """Train a small Unigram (SentencePiece-style) tokenizer with XLM-R special tokens and save ``tokenizer.json``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=specials, unk_token="<unk>")
    tok.train_from_iterator(list(corpus) * 4, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[(s, tok.token_to_id(s)) for s in ("<s>", "</s>")],
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(path))
    return path


def build_tiny_model(
    folder: str | Path,
    *,
    labels: Sequence[str] = ("A.1.6", "A.1.8", "A.2.4", "A.4.1"),
    seed: int = 0,
    hidden: int = 32,
    layers: int = 2,
    max_tokens: int = 32,
    window_overlap: int = 4,
    text_prefix: str = "query: ",
    precisions: Sequence[str] = ("fp32", "int8"),
    token_type_ids: bool = True,
    compact: bool = False,
) -> tuple[Path, Any]:
    """Build a random tiny model folder; return it and the torch model it was exported from (eval mode).

    With ``compact`` the fp32 graph is stored like the shipped models (fp16 weights, int8 embedding rows) and int8
    is left to be derived on first use. Thresholds are set from the model's own per-text scores on
    :data:`TINY_CORPUS` (``strict`` at the 30th percentile, ``balanced`` — the default — at the 55th, ``loose`` at
    the 80th), so every operating point flags something and they differ.
    """
    import numpy as np
    import torch
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertModel

    from ..engine import sigmoid
    from ..windows import WindowEncoder
    from .export import write_model_folder
    from .modeling import MeanPoolClassifier, text_logits

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tok_path = build_tiny_tokenizer(folder / "_tokenizer.json")
    tok = Tokenizer.from_file(str(tok_path))
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=max(64, max_tokens),
        type_vocab_size=2 if token_type_ids else 1,
        pad_token_id=tok.token_to_id("<pad>"),
    )
    model = MeanPoolClassifier(BertModel(config, add_pooling_layer=False), num_labels=len(labels)).eval()
    with torch.no_grad():  # a visible spread of scores, so thresholds separate texts
        model.head.weight.normal_(std=2.0)

    # per text, as gensafe scores it (the max over a text's windows: several corpus lines need two or three)
    probs = sigmoid(text_logits(model, WindowEncoder(tok, max_tokens, window_overlap), TINY_CORPUS, text_prefix))
    strict = {c: float(np.quantile(probs[:, j], 0.3)) for j, c in enumerate(labels)}
    balanced = {c: float(np.quantile(probs[:, j], 0.55)) for j, c in enumerate(labels)}
    loose = {c: float(np.quantile(probs[:, j], 0.8)) for j, c in enumerate(labels)}
    write_model_folder(
        folder,
        model,
        tok_path,
        name="tiny-random",
        labels=labels,
        thresholds={"strict": strict, "balanced": balanced, "loose": loose},
        precisions=("fp32",) if compact else precisions,
        compact_fp32=compact,
        compact_min_size=256,
        max_tokens=max_tokens,
        window_overlap=window_overlap,
        text_prefix=text_prefix,
        role_prefixes={"prompt": "query: ", "response": "passage: "},
        provenance={"note": "random weights for tests and demos; verdicts are meaningless", "datasets": []},
    )
    tok_path.unlink()
    return folder, model
