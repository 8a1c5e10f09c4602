"""Input checking and cleaning, done once before tokenisation.

Example:
    >>> as_text_list("你好")
    ['你好']
    >>> clean_text("ｈｅｌｌｏ\\u200b\\x00 world\\ud800")
    'hello world\\ufffd'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

__all__ = ["as_text_list", "per_text", "clean_text", "is_blank", "replace_surrogates", "cap_text"]

# C0/C1 control characters except tab, newline and carriage return (kept as whitespace), plus the
# zero-width and bidi-control characters that are used to split words past a filter.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def as_text_list(texts: str | Sequence[str]) -> list[str]:
    """Accept one ``str`` or a sequence of ``str``; anything else raises ``TypeError`` naming the bad item.

    Bytes are refused on purpose: decoding is the caller's decision (encoding, error policy).
    """
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, (bytes, bytearray, memoryview)):
        raise TypeError("expected str or a sequence of str, got bytes: decode it first, e.g. data.decode('utf-8')")
    if isinstance(texts, (Mapping, AbstractSet)):  # iterating them would score keys, or texts in no defined order
        raise TypeError(f"expected str or a sequence of str, got {type(texts).__name__}: pass a list, e.g. "
                        f"list(d.values()) or sorted(s)")
    if not isinstance(texts, Sequence):
        try:
            texts = list(texts)  # generators and other iterables
        except TypeError:
            raise TypeError(f"expected str or a sequence of str, got {type(texts).__name__}") from None
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str")
    return out


def per_text(value: str | Sequence[str], n: int, name: str = "context") -> list[str]:
    """One ``str`` for all ``n`` texts, or a sequence of one per text, as a list of ``n``; else ``ValueError``.

    >>> per_text("the prompt", 2)
    ['the prompt', 'the prompt']
    """
    values = [value] * n if isinstance(value, str) else as_text_list(value)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} items for {n} texts")
    return values


def clean_text(text: str) -> str:
    """NFKC-normalise, replace lone surrogates with U+FFFD and drop control / zero-width characters.

    NFKC folds full-width letters and digits and compatibility forms, so ``ｆｕｃｋ`` and ``fuck`` tokenise alike.
    Lone surrogates (from ``surrogateescape`` decoding or broken JSON) cannot be encoded to UTF-8 and would crash the
    tokenizer, so they become the replacement character rather than vanishing silently.
    """
    text = replace_surrogates(text)
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub("", text)


def replace_surrogates(text: str) -> str:
    """Lone surrogates -> U+FFFD, one for one (offsets into the text stay valid)."""
    return _SURROGATE.sub("\ufffd", text)


def is_blank(text: str) -> bool:
    """True for empty or whitespace-only text: such text is safe by definition and never reaches the model."""
    return not text or text.isspace()


def cap_text(text: str, max_chars: int, piece_chars: int = 4096) -> list[str]:
    """The part of ``text`` that is scored: the whole text when it has at most ``max_chars`` characters, else its
    head (40 % of ``max_chars``), its tail (40 %) and evenly spaced pieces of the middle (20 %), as separate pieces.

    Deterministic, so a text always gets the same score; harm at the start or the end of a long answer is always
    scored, and a sample of the middle is.

    >>> [len(p) for p in cap_text("x" * 100, 50, piece_chars=5)]
    [20, 5, 5, 20]
    """
    if len(text) <= max_chars:
        return [text]
    head = tail = (max_chars * 2) // 5
    middle = text[head : len(text) - tail]
    budget = max_chars - head - tail
    piece = max(1, min(piece_chars, budget))
    n = max(1, budget // piece)
    step = (len(middle) - piece) / max(n - 1, 1)
    samples = [middle[round(k * step) : round(k * step) + piece] for k in range(n)] if len(middle) > piece else [middle]
    return [text[:head], *samples, text[len(text) - tail :]]
