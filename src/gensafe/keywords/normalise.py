"""Text folding for keyword matching: one table per character, then Chinese conversion, then repeat runs.

Every character of the original text folds to zero or more characters (cached, so a text costs one dict lookup per
character): NFKC (full-width → half-width, ``𝐚`` → ``a``), a confusables table from the ``confusable-homoglyphs``
package (Cyrillic ``а``/``е``/``о`` in a Latin word → ``a``/``e``/``o``), lower case, accents dropped from Latin
letters (tone-marked pinyin ``zhà dàn`` → ``zha dan``), and anything that is not a letter, digit or CJK ideograph
dropped (separators, punctuation, emoji, zero-width characters, lone surrogates). The kept characters are then
converted to simplified Chinese with OpenCC ``hk2s`` *as one string*, so phrase rules work across dropped separators
(``回 覆`` → ``回复``) and Hong Kong variants fold (``衞`` → ``卫``).

Repeats are kept apart, not thrown away: :func:`fold_runs` returns the collapsed string *and* each run's length, so
a matcher can require a term's own repeats (``ass`` needs two ``s``; ``as`` never matches it) and cut a span to the
characters the term needs (``吸毒毒贩`` → ``毒贩``).

Example:
    >>> fold("Ｆｕ ｕｃｋ，強衞 zhà")[0]
    'fuuck强卫zha'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import compress
from typing import Any, NamedTuple

__all__ = ["fold", "fold_runs", "is_cjk", "Folded", "Runs"]


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002fa1f"


@lru_cache(maxsize=1)
def _converter() -> Any:
    try:
        import opencc
    except ImportError as e:
        raise ImportError("the keyword tier needs OpenCC and pyahocorasick: pip install 'gensafe[keywords]'") from e
    return opencc.OpenCC("hk2s")  # traditional and Hong Kong variants (衞, 着) -> simplified


@lru_cache(maxsize=1)
def _homoglyphs() -> dict[str, str]:
    """Non-ASCII letter -> the ASCII letter or digit it is confusable with (Unicode confusables, via the package).

    CJK characters are left out: the table pairs some of them with Latin look-alikes (``一`` and ``-``) that would
    break Chinese matching.
    """
    try:
        from confusable_homoglyphs import utils
    except ImportError as e:
        raise ImportError("homoglyph folding needs confusable-homoglyphs: pip install 'gensafe[keywords]'") from e
    table: dict[str, str] = {}
    for ch, entries in utils.load("confusables.json").items():
        if len(ch) != 1 or ch.isascii() or is_cjk(ch):
            continue
        ascii_ = [e["c"] for e in entries if len(e["c"]) == 1 and e["c"].isascii() and e["c"].isalnum()]
        letters = [c for c in ascii_ if c.isalpha()]
        if letters or ascii_:
            table[ch] = (letters or ascii_)[0].lower()
    return table


_CACHE: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    """What one original character becomes (may be empty or several characters, e.g. ``㎏`` → ``kg``)."""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if not c.isascii() and not is_cjk(c):
            c = _homoglyphs().get(c, c)
            base = unicodedata.normalize("NFD", c)[0]
            if base.isascii():  # à -> a, ǚ -> u: accents and pinyin tone marks
                c = base
        for low in c.lower():
            if low.isalnum() or is_cjk(low):
                out.append(low)
    return "".join(out)


def _fold_cached(ch: str) -> str:
    got = _CACHE.get(ch)
    if got is None:
        got = _CACHE[ch] = _fold_char(ch) if not ("\ud800" <= ch <= "\udfff") else ""
    return got


class Folded(NamedTuple):
    text: str  # folded characters, repeats kept
    starts: list[int]  # per folded character: the offset of the original character it came from
    ends: Any  # per folded character: that offset + 1 (``ends[i]``), kept for readable span code


class _PlusOne:
    """``ends[i] == starts[i] + 1`` without a second list: every folded character comes from one original one."""

    __slots__ = ("starts",)

    def __init__(self, starts: list[int]) -> None:
        self.starts = starts

    def __getitem__(self, i: int) -> int:
        return self.starts[i] + 1

    def __len__(self) -> int:
        return len(self.starts)


def fold(text: str) -> Folded:
    """Fold ``text`` character by character; keep, for each folded character, the original offset it came from."""
    pieces = list(map(_CACHE.get, text))
    if None in pieces:  # characters seen for the first time
        pieces = [p if p is not None else _fold_cached(ch) for p, ch in zip(pieces, text, strict=True)]
    folded = "".join(pieces)
    starts = list(compress(range(len(pieces)), pieces))  # offsets of the characters that fold to something
    if len(starts) != len(folded):  # a character folded to several (㎏ -> kg): one offset per folded character
        starts = [i for i, p in enumerate(pieces) for _ in p]
    if folded and not folded.isascii():
        simplified = _converter().convert(folded)
        if len(simplified) != len(folded):  # a phrase rule changed the length: convert char by char to keep offsets
            simplified = "".join(_converter().convert(c) for c in folded)
        folded = simplified
    return Folded(folded, starts, _PlusOne(starts))


class Runs(NamedTuple):
    text: str  # one character per run of repeats (digits never collapse: 110 is not 10)
    first: list[int]  # per run: index in the folded text of its first character
    count: list[int]  # per run: its length


_RUN = re.compile(r"([^0-9])\1+")  # a run of a repeated character (digits never collapse: 110 is not 10)


def fold_runs(folded: str) -> Runs:
    """Collapse runs of a repeated character (``fuuuck`` → ``fuck``), keeping where each run starts and its length.

    The runs are found by a regular expression and the text between them is copied in slices, so the cost in Python
    is per run, not per character.
    """
    n = len(folded)
    spans = [m.span() for m in _RUN.finditer(folded)]
    if not spans:
        return Runs(folded, list(range(n)), [1] * n)
    chars: list[str] = []
    first: list[int] = []
    count: list[int] = []
    pos = 0
    for a, b in spans:
        chars.append(folded[pos : a + 1])
        first.extend(range(pos, a + 1))
        count.extend([1] * (a - pos))
        count.append(b - a)
        pos = b
    chars.append(folded[pos:])
    first.extend(range(pos, n))
    count.extend([1] * (n - pos))
    return Runs("".join(chars), first, count)
