"""Near-duplicate search over character n-grams (Jaccard similarity), fast enough for the whole shared data.

Two texts are near-duplicates when the Jaccard similarity of their character 4-gram sets (after folding: NFKC, lower
case, whitespace and punctuation removed) is at least 0.6 — the measure the evaluation issue used to find leaks.

Candidates come from MinHash LSH (``datasketch``; CRC-32 n-gram hashes, 126 permutations in 42 bands of 3 rows: a
pair at Jaccard 0.6 becomes a candidate with probability 1 − (1 − 0.6³)⁴² > 0.9999, one at 0.3 with probability
0.68), and **every candidate is verified exactly**, so no reported pair is below the threshold. MinHash is seeded:
the same texts give the same pairs.

Example:
    >>> texts = ["How do I report a phone scam?", "how do i report a phone scam", "The weather is nice."]
    >>> pairs(texts)
    [(0, 1, 1.0)]
    >>> across(["the weather is nice today"], ["The weather is nice today!", "something else"])
    [(0, 0, 1.0)]
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

THRESHOLD = 0.6
N = 4
_FOLD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """NFKC, lower case, no whitespace or punctuation: the form near-duplicates are compared in."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).lower())


def exact_key(text: str) -> str:
    """Key for exact and normalised duplicates: the folded text — or, for a text made only of symbols (emoji,
    kaomoji, punctuation), its cleaned form without whitespace, so such texts are compared, not dropped.

    >>> exact_key("Hello, World!") == exact_key("hello world"), exact_key(" 😊 ")
    (True, '😊')
    """
    from gensafe.text import clean_text

    return fold(text) or "".join(clean_text(text).split())


@lru_cache(maxsize=1 << 18)
def shingles(text: str, n: int = N) -> frozenset[str]:
    """Character n-grams of the folded text (the whole folded text when it is shorter than n)."""
    t = fold(text)
    if len(t) <= n:
        return frozenset([t]) if t else frozenset()
    return frozenset(t[i:i + n] for i in range(len(t) - n + 1))


NUM_PERM, BANDS, ROWS = 126, 42, 3


_CACHE: dict[frozenset[str], Any] = {}


def _minhashes(sets: Sequence[frozenset[str]]) -> list[Any]:
    """MinHash of each shingle set (CRC-32 of each n-gram: deterministic, and 3× faster than datasketch's SHA-1
    default); computed once per distinct set and kept, because a data build asks for the same texts three times."""
    from datasketch import LeanMinHash, MinHash

    todo = list({s for s in sets if s not in _CACHE})
    for s, m in zip(todo, MinHash.bulk([[g.encode() for g in s] for s in todo], num_perm=NUM_PERM,
                                        hashfunc=zlib.crc32), strict=True):
        _CACHE[s] = LeanMinHash(m)
    return [_CACHE[s] for s in sets]


def clear_cache() -> None:
    """Forget the MinHashes kept by :func:`pairs` and :func:`across` (about 1 kB per distinct text)."""
    _CACHE.clear()
    shingles.cache_clear()


def _jaccard(a: frozenset[str], b: frozenset[str], threshold: float = 0.0) -> float:
    """Jaccard similarity, or 0.0 when the sizes alone rule out reaching ``threshold`` (Jaccard ≤ min / max)."""
    if min(len(a), len(b)) < threshold * max(len(a), len(b)):
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common) if a or b else 0.0


def pairs(texts: Sequence[str], threshold: float = THRESHOLD, n: int = N) -> list[tuple[int, int, float]]:
    """Every pair (i, j, jaccard), i < j, of near-duplicate texts within one collection."""
    from datasketch import MinHashLSH

    sets = [shingles(t, n) for t in texts]
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    out = []
    for j, (s, m) in enumerate(zip(sets, _minhashes(sets), strict=True)):
        if not s:
            continue
        for i in lsh.query(m):
            jac = _jaccard(s, sets[i], threshold)
            if jac >= threshold:
                out.append((i, j, round(jac, 4)))
        lsh.insert(j, m)
    return sorted(out)


def across(queries: Sequence[str], corpus: Sequence[str], threshold: float = THRESHOLD,
           n: int = N) -> list[tuple[int, int, float]]:
    """Every pair (query index, corpus index, jaccard) with Jaccard ≥ threshold between two collections."""
    from datasketch import MinHashLSH

    c_sets = [shingles(t, n) for t in corpus]
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    for j, (s, m) in enumerate(zip(c_sets, _minhashes(c_sets), strict=True)):
        if s:
            lsh.insert(j, m)
    q_sets = [shingles(t, n) for t in queries]
    out = []
    for i, (s, m) in enumerate(zip(q_sets, _minhashes(q_sets), strict=True)):
        if s:
            for j in lsh.query(m):
                jac = _jaccard(s, c_sets[j], threshold)
                if jac >= threshold:
                    out.append((i, j, round(jac, 4)))
    return sorted(out)


def share_with_duplicate(queries: Sequence[str], corpus: Sequence[str], threshold: float = THRESHOLD) -> float:
    """Share of ``queries`` that have at least one near-duplicate in ``corpus`` (0.0 for no queries)."""
    if not queries:
        return 0.0
    return len({i for i, _, _ in across(queries, corpus, threshold)}) / len(queries)
