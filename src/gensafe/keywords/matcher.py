"""Aho–Corasick matching over folded text, with the rules that keep the keyword tier precise.

* Repeats: the automaton runs over the repeat-collapsed text, but a hit must carry at least the term's own repeats
  (``ass`` needs ``ss``, ``butt`` needs ``tt``), so collapsing never creates a key the lexicon does not hold; the
  span is cut to the characters the term needs (``吸毒毒贩`` reports ``毒贩``).
* Latin terms (and pinyin) match whole words of the original text; a CJK neighbour counts as a word boundary.
* Short Chinese terms (one or two characters once folded) match only as whole words: the span must start and end on
  word boundaries of a jieba segmentation (``人民`` inside ``人民代表大会`` is no hit).
* ``a+b`` terms are AND rules: every part must occur in the text; the hit spans the parts.
* One hit per span: when several lexicon entries share a span, the hit is the entry that flags before one that is
  evidence, then the closer spelling (term, variant, AND rule, pinyin, initials), the more severe, the earlier.

Example:
    >>> from gensafe.keywords import Lexicon
    >>> m = Matcher(Lexicon.from_terms([("炸弹", "A.1.8"), ("butt", "A.1.6")]))
    >>> [(h.text, h.term) for h in m.find("b u t t, but 炸.弹.弹")]
    [('b u t t', 'butt'), ('炸.弹', '炸弹')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..text import replace_surrogates
from .coverage import MIN_CHARS
from .lexicon import Lexicon, Term
from .normalise import _fold_cached, fold, fold_runs, is_cjk

__all__ = ["Matcher", "KeywordHit"]

SHORT_ZH = 2  # Chinese terms of at most this many folded characters must be whole jieba words
_VIA_RANK = {"term": 4, "variant": 3, "and": 2, "pinyin": 1, "initials": 0}  # one hit per span: the closest spelling


@dataclass(frozen=True)
class KeywordHit:
    """A lexicon match: ``text[start:end]`` of the original text matched ``term`` (found ``via`` a spelling)."""

    start: int
    end: int
    text: str
    term: str
    risk: str
    severity: int
    via: str = "term"
    tier: str = "flag"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (a lone surrogate in ``text`` becomes U+FFFD there: JSON output must be valid UTF-8)."""
        return {"start": self.start, "end": self.end, "text": replace_surrogates(self.text), "term": self.term,
                "risk": self.risk, "severity": self.severity, "via": self.via, "tier": self.tier}


@dataclass(frozen=True)
class _Entry:
    index: int  # term index in the lexicon
    via: str
    runs: tuple[int, ...]  # the spelling's own run lengths: a hit needs at least these
    repeats: bool  # some run is longer than one: check the text's runs
    latin: bool  # whole-word check on the original text
    short_zh: bool  # whole-word check against a jieba segmentation
    part: int = -1  # >= 0: part number of an AND rule
    parts: int = 0  # number of parts of that AND rule
    rule: int = 0  # which spelling of the term the AND rule is
    rank: tuple[int, int, int, int] = (0, 0, 0, 0)  # one hit per span: the highest rank wins (see Matcher._rank)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    try:
        import jieba
    except ImportError as e:
        raise ImportError("short Chinese terms need jieba: pip install 'gensafe[keywords]'") from e
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


_CONTEXT = 6  # folded characters of context each side of a short term, for its segmentation


def _whole_word(folded: Any, f0: int, f1: int) -> bool:
    """Folded characters ``f0..f1`` start and end on word boundaries: of a jieba segmentation of the span with
    ``_CONTEXT`` characters each side, or where the original text had a dropped character (space, punctuation)."""
    text, starts, ends = folded
    lo, hi = max(0, f0 - _CONTEXT), min(len(text), f1 + 1 + _CONTEXT)

    def cut_before(i: int) -> bool:  # an end of the text, or the original had a dropped character before i
        return i <= 0 or i >= len(text) or starts[i] > ends[i - 1]

    need = [i for i in (f0, f1 + 1) if not cut_before(i)]
    if not need:
        return True
    bounds = {lo}
    pos = lo
    for w in _jieba().cut(text[lo:hi], HMM=False):
        pos += len(w)
        bounds.add(pos)
    return all(i in bounds for i in need)


_WORD_CHAR: dict[str, bool] = {}


def _is_word_char(ch: str) -> bool:
    """``ch`` folds to a Latin letter or digit (a CJK character or a separator is a word boundary)."""
    w = _WORD_CHAR.get(ch)
    if w is None:
        f = _fold_cached(ch)
        w = _WORD_CHAR[ch] = bool(f) and f[0].isascii() and f[0].isalnum()
    return w


def _pinyin_spellings(term: str) -> list[tuple[str, str]]:
    from pypinyin import Style, lazy_pinyin

    out = []
    plain = "".join(lazy_pinyin(term))
    out.append((plain, "pinyin"))
    if "v" in plain:  # pypinyin writes ü as v; people write u
        out.append((plain.replace("v", "u"), "pinyin"))
    out.append(("".join(lazy_pinyin(term, style=Style.TONE3)), "pinyin"))  # zha4dan4
    initials = "".join(lazy_pinyin(term, style=Style.FIRST_LETTER))
    if len(initials) >= 3:
        out.append((initials, "initials"))
    return out


class Matcher:
    """Aho–Corasick over folded text for one or more lexicons (built once, then thread-safe to query).

    Args:
        lexicons: Lexicons to match, stacked.
        allow: Phrases whose occurrences suppress any hit inside them (known false positives), added to the
            lexicons' own allow lists.
    """

    def __init__(self, *lexicons: Lexicon, allow: Sequence[str] = ()) -> None:
        try:
            import ahocorasick
        except ImportError as e:
            raise ImportError("the keyword tier needs pyahocorasick: pip install 'gensafe[keywords]'") from e
        lexicon = Lexicon.stack(list(lexicons)) if lexicons else Lexicon()
        self.lexicon = lexicon
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[_Entry]] = defaultdict(list)
        for i, t in enumerate(lexicon.terms):
            for rule, (spelling, via) in enumerate(self._spellings(t)):
                parts = spelling.split("+") if "+" in spelling.strip("+") else [spelling]
                folds = [fold(part).text for part in parts]
                if not all(self._usable(f, t, via) for f in folds):
                    continue  # folds to nothing or to one letter: it would hit everywhere
                rank = self._rank(t, i, via)
                for p, folded in enumerate(folds):
                    runs = fold_runs(folded)
                    entries[runs.text].append(_Entry(
                        i, via, tuple(runs.count), max(runs.count) > 1, latin=folded.isascii(),
                        short_zh=all(is_cjk(c) for c in folded) and len(folded) <= SHORT_ZH,
                        part=p if len(parts) > 1 else -1, parts=len(parts) if len(parts) > 1 else 0, rule=rule,
                        rank=rank))
        for key, value in entries.items():
            # best first (see _rank): of entries that would be checked the same way, only the first is
            value.sort(key=lambda e: e.rank, reverse=True)
            self._automaton.add_word(key, (len(key), tuple(value)))
        self.patterns = len(entries)
        if entries:
            self._automaton.make_automaton()
        self._allow = None
        phrases = [fold_runs(fold(a).text).text for a in (*lexicon.allow, *allow)]
        if any(phrases):
            self._allow = ahocorasick.Automaton()
            for p in filter(None, phrases):
                self._allow.add_word(p, len(p))
            self._allow.make_automaton()

    @staticmethod
    def _usable(folded: str, t: Term, via: str) -> bool:
        # one-character keys only for a severe Chinese term's own spelling (still as a whole word)
        return len(folded) >= MIN_CHARS or (len(folded) == 1 and is_cjk(folded) and via == "term" and t.severity == 3)

    @staticmethod
    def _spellings(t: Term) -> list[tuple[str, str]]:
        out = [(t.term, "term")] + [(v, "variant") for v in t.variants]
        if t.pinyin and "+" not in t.term and any(is_cjk(c) for c in t.term):
            out += _pinyin_spellings(t.term)
        return out

    def find(self, text: str) -> list[KeywordHit]:
        """All hits in ``text``, in order of position: one per span (overlapping spans of different terms are all
        reported)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if not self.patterns or not text:
            return []
        folded = fold(text)
        if not folded.text:
            return []
        runs = fold_runs(folded.text)
        allowed: list[tuple[int, int]] = []
        if self._allow is not None:
            allowed = [(end - n + 1, end) for end, n in self._allow.iter(runs.text)]
        count, first, starts = runs.count, runs.first, folded.starts
        best: dict[tuple[int, int], _Entry] = {}
        and_parts: dict[tuple[int, int, int], dict[int, tuple[int, int]]] = defaultdict(dict)
        for end, (n, entries) in self._automaton.iter(runs.text):
            start = end - n + 1
            if allowed and any(a <= start and end <= b for a, b in allowed):
                continue
            checked: set[tuple[Any, ...]] | None = set() if len(entries) > 1 else None
            for e in entries:  # best rank first
                r = e.runs
                if checked is not None and e.part < 0:
                    sig = (r, e.latin, e.short_zh)
                    if sig in checked:
                        continue  # a lower-ranked duplicate (same term from another list): same span, loses
                    checked.add(sig)
                if e.repeats and any(count[start + j] < r[j] for j in range(n)):
                    continue  # the text lacks the term's own repeats: "as" is not "ass"
                # cut the span to what the term needs: the last r[0] of the first run, the first r[-1] of the last
                f0 = first[start] + count[start] - r[0] if n > 1 else first[start]
                f1 = first[end] + r[-1] - 1
                o_start, o_end = starts[f0], starts[f1] + 1
                if e.latin:
                    # each end must be a word boundary: at the cut span, or further into its run ("mmmisogyny"
                    # starts at the first m; in "jewboyyy yesterday" the y-run crosses the space, so the end is
                    # the last y before it). No boundary anywhere: "ass" inside "class".
                    if o_start > 0 and _is_word_char(text[o_start - 1]):
                        for k in range(f0 - 1, first[start] - 1, -1):
                            o_start = starts[k]
                            if not (o_start > 0 and _is_word_char(text[o_start - 1])):
                                break
                        else:
                            continue
                    if o_end < len(text) and _is_word_char(text[o_end]):
                        for k in range(f1 + 1, first[end] + count[end]):
                            o_end = starts[k] + 1
                            if not (o_end < len(text) and _is_word_char(text[o_end])):
                                break
                        else:
                            continue
                elif e.short_zh and not _whole_word(folded, f0, f1):
                    # 人民 inside 人民代表大会 is no hit; 比比 in 滥比比比 may be a word of its own: try whole runs
                    g0, g1 = first[start], first[end] + count[end] - 1
                    f0, f1 = next(((a, b) for a, b in ((g0, f1), (f0, g1), (g0, g1)) if _whole_word(folded, a, b)),
                                  (-1, -1))
                    if f0 < 0:
                        continue
                    o_start, o_end = starts[f0], starts[f1] + 1
                if e.parts:
                    and_parts[(e.index, e.rule, e.parts)].setdefault(e.part, (o_start, o_end))
                    continue
                old = best.get((o_start, o_end))
                if old is None or e.rank > old.rank:
                    best[(o_start, o_end)] = e
        for (index, _rule, parts), found in and_parts.items():
            if len(found) == parts:  # every part occurs: the hit spans them all
                span = (min(s for s, _ in found.values()), max(x for _, x in found.values()))
                t = self.lexicon.terms[index]
                e = _Entry(index, "and", (), False, False, False, rank=self._rank(t, index, "and"))
                if span not in best or e.rank > best[span].rank:
                    best[span] = e
        terms = self.lexicon.terms
        hits = []
        for (s, x), e in sorted(best.items()):
            t = terms[e.index]
            hits.append(KeywordHit(s, x, text[s:x], t.term, t.risk, t.severity, e.via, t.tier))
        return hits

    @staticmethod
    def _rank(t: Term, index: int, via: str) -> tuple[int, int, int, int]:
        return (t.tier == "flag", _VIA_RANK.get(via, 0), t.severity, -index)

    def find_batch(self, texts: Sequence[str]) -> list[list[KeywordHit]]:
        return [self.find(t) for t in texts]
