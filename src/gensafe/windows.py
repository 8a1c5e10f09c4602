"""Tokenisation into model windows, and token-budget batching.

A text longer than the model window is cut into overlapping windows, so a harmful sentence at the end of a long
answer is scored like one at the start. Very long texts are first cut into character chunks, so a 5 MB text
never materialises millions of token objects at once.

Example:
    >>> plan_batches([5, 3, 3, 2], token_budget=9, max_batch=8)
    [[0], [1, 2, 3]]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

__all__ = ["WindowEncoder", "WindowBlock", "plan_batches", "pad_batch"]


@dataclass
class WindowBlock:
    """Token windows of a block of texts: ``owners[i]`` is the index (in the caller's list) of window ``ids[i]``."""

    owners: np.ndarray
    ids: list[list[int]]


class WindowEncoder:
    """Turn texts into windows of at most ``max_tokens`` token ids, special tokens and prefix included.

    Args:
        tokenizer: A ``tokenizers.Tokenizer`` or the path of a ``tokenizer.json``.
        max_tokens: Window length in tokens, special tokens and prefix included.
        overlap: Tokens shared by consecutive windows of one text.
        chunk_chars: Texts longer than this are first cut into character chunks of this size…
        chunk_overlap_chars: …overlapping by this many characters, so no phrase shorter than this is cut apart.
        block_chars: Texts are tokenised in blocks of about this many characters (bounds memory).
    """

    def __init__(
        self,
        tokenizer: Tokenizer | str | Path,
        max_tokens: int,
        overlap: int = 32,
        *,
        chunk_chars: int = 8192,
        chunk_overlap_chars: int = 512,
        block_chars: int = 1 << 20,
    ) -> None:
        if not isinstance(tokenizer, Tokenizer):
            try:
                tokenizer = Tokenizer.from_file(str(tokenizer))
            except Exception as e:  # tokenizers raises a bare Exception for a file that is not a tokenizer.json
                from .manifest import ModelFileError

                raise ModelFileError(f"cannot read tokenizer {tokenizer}: {e}") from e
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.chunk_chars = chunk_chars
        self.chunk_overlap_chars = chunk_overlap_chars
        self.block_chars = block_chars
        self.pad_id = _pad_id(tokenizer)
        bare = Tokenizer.from_str(tokenizer.to_str())  # a padding or truncation set in tokenizer.json must not leak
        bare.no_padding()                                # into the template probed here
        bare.no_truncation()
        probe = bare.encode("a")
        mask = probe.special_tokens_mask
        lead = mask.index(0) if 0 in mask else len(mask)
        # The special tokens the post-processor puts around a text ([CLS] … [SEP], <s> … </s>): a prefix goes
        # after the leading ones, inside the template, so the tokenizer's own truncation counts it.
        self._lead = [(probe.tokens[i], probe.ids[i]) for i in range(lead)]
        self._trail = [(probe.tokens[i], probe.ids[i]) for i in range(lead, len(mask)) if mask[i]]
        # One configured tokenizer per text prefix (a model has one or two: the default and per-role prefixes),
        # built on first use and never mutated afterwards, so threads can share it without a lock.
        self._by_prefix: dict[str, Tokenizer] = {}

    # -- windows ------------------------------------------------------------------------------------------------
    def _windowing_tokenizer(self, prefix: str) -> Tokenizer:
        tok = self._by_prefix.get(prefix)
        if tok is not None:
            return tok
        from tokenizers import processors

        prefix_enc = self.tokenizer.encode(prefix, add_special_tokens=False) if prefix else None
        specials: list = [(t, i) for t, i in (*self._lead, *self._trail)]
        parts = [t for t, _ in self._lead]
        if prefix_enc is not None and prefix_enc.ids:
            specials.append({"id": "[GENSAFE_PREFIX]", "ids": prefix_enc.ids, "tokens": prefix_enc.tokens})
            parts.append("[GENSAFE_PREFIX]")
        template = " ".join([*parts, "$A", *(t for t, _ in self._trail)])
        added = len(self._lead) + len(self._trail) + (len(prefix_enc.ids) if prefix_enc is not None else 0)
        body = self.max_tokens - added
        if body < 2:
            raise ValueError(f"text prefix {prefix!r} leaves no room in a {self.max_tokens}-token window")
        tok = Tokenizer.from_str(self.tokenizer.to_str())
        tok.post_processor = processors.TemplateProcessing(single=template, special_tokens=specials)
        tok.no_padding()
        tok.enable_truncation(max_length=self.max_tokens, stride=min(self.overlap, body - 1), strategy="longest_first")
        self._by_prefix[prefix] = tok  # a race builds it twice at worst: both copies are identical
        return tok

    def _chunks(self, text: str) -> Iterator[str]:
        if len(text) <= self.chunk_chars:
            yield text
            return
        step = self.chunk_chars - self.chunk_overlap_chars
        for start in range(0, len(text), step):
            yield text[start : start + self.chunk_chars]
            if start + self.chunk_chars >= len(text):
                break

    def blocks(self, texts: Sequence[str], indices: Sequence[int], prefix: str = "") -> Iterator[WindowBlock]:
        """Yield the windows of ``texts`` in blocks; owners refer to ``indices``.

        The tokenizer's own truncation (with ``stride`` = overlap) does the windowing: each overflowing piece comes
        back with the post-processor's special tokens, so every window is a well-formed model input.
        """
        tokenizer = self._windowing_tokenizer(prefix)
        pieces: list[str] = []
        owners: list[int] = []
        size = 0
        for text, owner in zip(texts, indices, strict=True):
            for chunk in self._chunks(text):
                pieces.append(chunk)
                owners.append(owner)
                size += len(chunk)
                if size >= self.block_chars:
                    yield _encode(tokenizer, pieces, owners)
                    pieces, owners, size = [], [], 0
        if pieces:
            yield _encode(tokenizer, pieces, owners)


def _encode(tokenizer: Tokenizer, pieces: list[str], owners: list[int]) -> WindowBlock:
    """Every window of every piece (the first encoding and its overflow), with the owner of each."""
    out_ids: list[list[int]] = []
    out_owner: list[int] = []
    for enc, owner in zip(tokenizer.encode_batch(pieces), owners, strict=True):
        for window in (enc, *enc.overflowing):
            out_ids.append(window.ids)
            out_owner.append(owner)
    return WindowBlock(np.asarray(out_owner, dtype=np.int64), out_ids)


def plan_batches(lengths: Sequence[int], token_budget: int, max_batch: int) -> list[list[int]]:
    """Group window indices into batches, longest first, each within ``token_budget`` padded tokens.

    Sorting by length and padding per batch keeps padding waste small; a single window longer than the budget gets a
    batch of its own rather than being refused.
    """
    order = np.argsort(-np.asarray(lengths), kind="stable")
    batches: list[list[int]] = []
    current: list[int] = []
    for idx in order.tolist():
        # Sorted longest first, so the first window of a batch sets its padded width.
        if current and ((len(current) + 1) * lengths[current[0]] > token_budget or len(current) >= max_batch):
            batches.append(current)
            current = []
        current.append(idx)
    if current:
        batches.append(current)
    return batches


def pad_batch(windows: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad windows to the longest in the batch: ``input_ids`` and ``attention_mask`` as int64 ``[b, t]``.

    Example:
        >>> ids, mask = pad_batch([[5, 6, 7], [8]], pad_id=1)
        >>> ids.tolist(), mask.tolist()
        ([[5, 6, 7], [8, 1, 1]], [[1, 1, 1], [1, 0, 0]])
    """
    lengths = np.fromiter((len(w) for w in windows), dtype=np.int64, count=len(windows))
    mask = (np.arange(int(lengths.max())) < lengths[:, None]).astype(np.int64)
    ids = np.full(mask.shape, pad_id, dtype=np.int64)
    ids[mask.astype(bool)] = np.concatenate([np.asarray(w, dtype=np.int64) for w in windows])
    return ids, mask


def _pad_id(tokenizer: Tokenizer) -> int:
    padding = tokenizer.padding
    if padding and "pad_id" in padding:
        return int(padding["pad_id"])
    for token in ("<pad>", "[PAD]", "<|pad|>"):
        tid = tokenizer.token_to_id(token)
        if tid is not None:
            return tid
    return 0
