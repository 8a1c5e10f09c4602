"""Small helpers the lexicon source modules use to write terms: hand-written blocks and composed families.

A source module calls :func:`hand` for terms written one by one and :func:`compose` for a family built from a
list of patterns and a list of objects where every combination is a real phrase (``出售{}`` × drug names).
Every entry remembers whether it was hand-written or composed, so the card can report both counts.

Block syntax (zh): terms separated by whitespace; a term's variants follow it joined by ``|``
(``冰毒出售|出售冰毒``). Block syntax (en): terms separated by ``;`` or new lines, variants joined by ``|``.
``+`` inside a term is an AND rule (every part must occur).

Example:
    >>> from common import hand, compose, ENTRIES
    >>> hand("A.1.8", "flag", "high", "zh", "冰毒出售|出售冰毒  海洛因货源")
    >>> compose("A.1.8", "flag", "high", "en", ["buy {} online"], ["meth", "heroin"])
    >>> [e.term for e in ENTRIES[-4:]]
    ['冰毒出售', '海洛因货源', 'buy meth online', 'buy heroin online']
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Entry:
    """One canonical term as written in a source module (before de-duplication and demotion)."""

    term: str
    risk: str
    tier: str
    severity: str
    lang: str
    variants: tuple[str, ...]
    pinyin: int | None  # None: decided by the builder's default rule
    origin: str  # "hand" or "composed"


ENTRIES: list[Entry] = []


def _split_block(block: str, lang: str) -> list[list[str]]:
    """Block text → list of [term, *variants]."""
    if lang == "zh":
        items = block.split()
    else:
        items = [x.strip() for x in re.split(r"[;\n]", block)]
    out = []
    for item in items:
        if not item or item.startswith("#"):
            continue
        parts = [p.strip() for p in item.split("|") if p.strip()]
        out.append(parts)
    return out


def hand(risk: str, tier: str, severity: str, lang: str, block: str, pinyin: int | None = None) -> None:
    """Add hand-written terms (see the module docstring for the block syntax)."""
    for term, *variants in _split_block(block, lang):
        ENTRIES.append(Entry(term, risk, tier, severity, lang, tuple(variants), pinyin, "hand"))


def compose(risk: str, tier: str, severity: str, lang: str, patterns: list[str], objects: list[str] | str,
            pinyin: int | None = None) -> None:
    """Add ``pattern.format(obj)`` for every pattern × object; ``a{}|{}b`` gives a term and its variant.

    ``objects`` may be a block (same syntax as :func:`hand`); an object's own variants are ignored here.
    """
    objs = [o[0] for o in _split_block(objects, lang)] if isinstance(objects, str) else list(objects)
    for pattern in patterns:
        forms = [p for p in pattern.split("|") if p]
        for obj in objs:
            term, *variants = [f.format(obj) for f in forms]
            ENTRIES.append(Entry(term, risk, tier, severity, lang, tuple(variants), pinyin, "composed"))
