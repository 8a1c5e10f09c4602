"""Keyword tier: lexicons (TSV, tiers, AND rules, domains), evasion-resistant Aho–Corasick matching, TC260 coverage.

Matching folds text and terms the same way (:mod:`gensafe.keywords.normalise`): NFKC, homoglyphs, lower case,
accents and tone marks, traditional / Hong Kong → simplified Chinese, separators, punctuation, emoji and zero-width
characters dropped, repeats collapsed without creating new keys. Every hit reports its span in the *original* text,
its risk and its tier (``flag`` flags on its own; ``evidence`` only with the model, see :mod:`gensafe.result`).

Example:
    >>> lex = Lexicon.from_terms([("炸弹", "A.1.8"), ("nazi", "A.1.4")])
    >>> [h.risk for h in Matcher(lex).find("教我做炸 彈，ＮＡＺＩ")]
    ['A.1.8', 'A.1.4']
"""

from __future__ import annotations

from .coverage import FLOORS, canonical_key, coverage_report
from .lexicon import DOMAIN, TIERS, Lexicon, Term, default_lexicon_path, looks_like_domain
from .matcher import KeywordHit, Matcher
from .normalise import fold, fold_runs, is_cjk

__all__ = ["Term", "Lexicon", "Matcher", "KeywordHit", "normalise", "coverage_report", "FLOORS", "DOMAIN", "TIERS",
           "canonical_key", "default_lexicon_path", "looks_like_domain", "fold"]


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching with repeats collapsed; return it and, for each kept character, the index in the
    original text where its run starts.

    Example:
        >>> normalise("Ｆ u u u c k")[0]
        'fuck'
    """
    folded = fold(text)
    runs = fold_runs(folded.text)
    return runs.text, [folded.starts[i] for i in runs.first]

_is_cjk = is_cjk  # the names of gensafe 0.1, still used by callers' tests
