"""The lexical head of a harm-risk model: a linear model over hashed TF-IDF character and word n-grams whose logit is
blended into the encoder's P(unsafe).

Why a second, bag-of-n-grams scorer: on gensafe's own dev rows a TF-IDF + logistic-regression model trained on the
same rows ranks public Chinese text as well as the fine-tuned encoder does, and their errors differ, so a weighted
sum of the two logits ranks better than either on those sources. It does not transfer: fitted without a source, the
head lowers the blend's ROC-AUC on that source, so the shipped default has none
(``training/results/v13_lexical_dev.md``). It is for adapting a model to the distribution one's own labelled data
comes from. It is cheap: no tokenizer, numpy only, about 0.1-0.2 ms per short text on one core, fitted on every
training row in seconds.

Features (:func:`featurize`): the normalised text's character 1- to 3-grams and its word 1- and 2-grams, hashed into
``dim`` buckets per block; term frequencies are sublinear (``1 + log count``), weighted by the inverse document
frequency of the training rows and L2-normalised per block. Only buckets seen in at least ``min_df`` training rows
are kept (``vocab``); others are ignored.

Model folder: ``lexical.safetensors`` (``char_vocab``, ``char_idf``, ``char_coef``, ``word_vocab``, ``word_idf``,
``word_coef``, ``bias``), named with its blend weight in the manifest's ``lexical`` entry and hashed like every other
file. Written by ``training/train_lexical.py``.

Example:
    >>> import numpy as np
    >>> vocab = np.unique(featurize_blocks("x")[0])         # one known bucket: the character "x"
    >>> head = LexicalHead(char_vocab=vocab, char_idf=np.ones(1, np.float32), char_coef=np.full(1, 3.0, np.float32),
    ...                    word_vocab=np.zeros(0, np.int64), word_idf=np.zeros(0, np.float32),
    ...                    word_coef=np.zeros(0, np.float32), bias=-1.0)
    >>> [round(float(x), 2) for x in head.logits(["x", "yz"])]    # unseen n-grams: the bias alone
    [2.0, -1.0]
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ngrams import normalise, read_safetensors

__all__ = ["DIM", "LexicalHead", "blend", "featurize_blocks", "tfidf"]

# hash buckets per block. With ~0.6 M kept character n-grams in 4 M buckets, an n-gram never seen in training lands on
# a kept bucket (and takes its weight) about 15 % of the time: noise the fit never sees, small beside the IDF weights
DIM = 1 << 22
_WORD = re.compile(r"\w\w+")  # scikit-learn's default token pattern: a CJK run without spaces is one "word"
# odd 64-bit multipliers: a character n-gram's hash depends on each character and its position, and on n
_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)
_TENSORS = ("char_vocab", "char_idf", "char_coef", "word_vocab", "word_idf", "word_coef", "bias")


def featurize_blocks(text: str, dim: int = DIM) -> tuple[np.ndarray, np.ndarray]:
    """Hashed buckets of one text's n-grams, one entry per occurrence: ``(character 1-3-grams, word 1-2-grams)``.

    >>> chars, words = featurize_blocks("Ab ab")
    >>> len(chars), len(words)      # 5 + 4 + 3 character n-grams of "ab ab"; words "ab", "ab", "ab ab"
    (12, 3)
    >>> int(chars[0]) == int(chars[3]) and int(words[0]) == int(words[1])     # "a" twice, "ab" twice
    True
    """
    text = normalise(text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    grams = []
    with np.errstate(over="ignore"):  # the hash relies on 64-bit wrap-around
        for n in (1, 2, 3):
            if len(codes) < n:
                break
            h = np.full(len(codes) - n + 1, n, dtype=np.uint64) * _MULT[0]
            for k in range(n):
                h ^= codes[k:len(codes) - n + 1 + k] * _MULT[k + 1]
            grams.append((h >> np.uint64(20)) % np.uint64(dim))
    chars = np.concatenate(grams).astype(np.int64) if grams else np.zeros(0, dtype=np.int64)
    words = _WORD.findall(text)
    keys = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    word_buckets = np.fromiter((zlib.crc32(k.encode("utf-8")) % dim for k in keys), dtype=np.int64, count=len(keys))
    return chars, word_buckets


def tfidf(keys: np.ndarray, counts: np.ndarray, vocab: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One block's features from its distinct buckets and their counts: the positions of the known buckets in
    ``vocab`` and their sublinear TF × IDF, L2-normalised (empty when none is known). The one definition of the
    features, used at run time and by ``training/train_lexical.py`` to build its training matrix.

    >>> tfidf(np.array([3, 7]), np.array([1, 2]), np.array([3, 5]), np.array([2.0], np.float32).repeat(2))
    (array([0]), array([1.]))
    """
    if not len(keys) or not len(vocab):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    pos = np.minimum(np.searchsorted(vocab, keys), len(vocab) - 1)
    known = vocab[pos] == keys
    pos = pos[known]
    x = (1.0 + np.log(counts[known])) * idf[pos]
    norm = np.sqrt(x @ x)
    return pos, (x / norm if norm > 0 else x)


def _block_logit(buckets: np.ndarray, vocab: np.ndarray, idf: np.ndarray, coef: np.ndarray) -> float:
    """One block's share of the logit: its :func:`tfidf` features dot the weights."""
    pos, x = tfidf(*np.unique(buckets, return_counts=True), vocab, idf)
    return float(x @ coef[pos])


@dataclass(frozen=True, eq=False)
class LexicalHead:
    """A fitted lexical head (see the module docstring). Immutable; create it with :meth:`read`.

    Attributes:
        char_vocab, word_vocab: Sorted kept bucket ids per block (int64).
        char_idf, word_idf: Inverse document frequency of each kept bucket.
        char_coef, word_coef: Linear weight of each kept bucket.
        bias: The intercept.
        dim: Hash buckets per block (:data:`DIM` unless a test builds a small head).
    """

    char_vocab: np.ndarray
    char_idf: np.ndarray
    char_coef: np.ndarray
    word_vocab: np.ndarray
    word_idf: np.ndarray
    word_coef: np.ndarray
    bias: float
    dim: int = DIM

    def __post_init__(self) -> None:
        if not 0 < self.dim <= 2**31:
            raise ValueError(f"lexical head: dim must be in (0, 2**31], got {self.dim}")
        for block in ("char", "word"):
            vocab, idf, coef = (getattr(self, f"{block}_{k}") for k in ("vocab", "idf", "coef"))
            if not (len(vocab) == len(idf) == len(coef)):
                raise ValueError(f"lexical head: {block} vocab, idf and coef differ in length "
                                 f"({len(vocab)}, {len(idf)}, {len(coef)})")
            if len(vocab) and (np.any(np.diff(vocab) <= 0) or vocab[0] < 0 or vocab[-1] >= self.dim):
                raise ValueError(f"lexical head: {block} vocab must be strictly increasing bucket ids in "
                                 f"[0, {self.dim})")

    @classmethod
    def read(cls, path: str | Path) -> LexicalHead:
        """Load ``lexical.safetensors`` (hashes are checked by the model folder's manifest before this runs)."""
        t = read_safetensors(path)
        missing = [k for k in _TENSORS if k not in t]
        if missing:
            raise ValueError(f"{path}: not a gensafe lexical head (missing tensors {missing})")
        dim = int(t["dim"].reshape(-1)[0]) if "dim" in t else DIM
        return cls(*(t[k].astype(np.int64 if k.endswith("vocab") else np.float32) for k in _TENSORS[:-1]),
                   bias=float(t["bias"].reshape(-1)[0]), dim=dim)

    def tensors(self) -> dict[str, np.ndarray]:
        """The arrays :meth:`read` reads back (for ``gensafe.ngrams.write_safetensors``)."""
        # bucket ids fit 32 bits (dim <= 2**31): a quarter less on disk than int64
        out = {k: np.asarray(getattr(self, k), np.int32 if k.endswith("vocab") else np.float32) for k in _TENSORS[:-1]}
        return {**out, "bias": np.array([self.bias], np.float32), "dim": np.array([self.dim], np.int64)}

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The head's logit of "unsafe" for each text (float32, ``[n]``)."""
        out = np.full(len(texts), self.bias, dtype=np.float32)
        for i, text in enumerate(texts):
            chars, words = featurize_blocks(text, self.dim)
            out[i] += _block_logit(chars, self.char_vocab, self.char_idf, self.char_coef)
            out[i] += _block_logit(words, self.word_vocab, self.word_idf, self.word_coef)
        return out


def blend(scores: np.ndarray, lexical_logits: np.ndarray, weight: float) -> np.ndarray:
    """Per-risk scores of a harm-risk model with the lexical logit blended into P(unsafe).

    A harm-risk model's top risk score is P(unsafe) and every other risk's score is P(unsafe) times a ratio from the
    risk head (``gensafe.build.modeling.combine_harm_risk``). The blend replaces P(unsafe) by
    ``sigmoid((1 - weight) * logit(P(unsafe)) + weight * lexical_logit)`` and scales every risk by the same factor,
    so which risks are reported, and their order, stay the encoder's. Rows whose scores are all zero (blank texts,
    never scored) stay zero.

    >>> s = np.array([[0.5, 0.25], [0.0, 0.0]], np.float32)
    >>> [[round(float(x), 3) for x in row] for row in blend(s, np.array([2.0, 9.0], np.float32), 0.5)]
    [[0.731, 0.366], [0.0, 0.0]]
    """
    top = scores.max(axis=1)
    live = top > 0
    p = np.clip(top[live].astype(np.float64), 1e-7, 1 - 1e-7)
    z = (1.0 - weight) * np.log(p / (1.0 - p)) + weight * lexical_logits[live].astype(np.float64)
    out = scores.copy()
    out[live] = scores[live] * (1.0 / (1.0 + np.exp(-z)) / top[live])[:, None]
    return out.astype(np.float32)
