"""Frozen copy of gensafe.keywords as of 2026-11-29 (before issue #14), kept only to measure "today's" throughput.

Lexicon format (``.tsv``, UTF-8): ``#`` header lines carry metadata, then one term per row::

    # gensafe-lexicon 1
    # name: my-provider-list
    # version: 2026.48
    # date: 2026-11-29
    term	risk	severity	note	variants	pinyin
    法轮功	A.1.1	3	banned org	法lun功|法輪功	1

``risk`` is a TC260 code, ``severity`` 1 (low) – 3 (high), ``variants`` are ``|``-separated spellings that count as
the same canonical term (they never pad the coverage count), ``pinyin`` = 1 also matches the term written in pinyin
or pinyin initials (Chinese terms only). Plain one-term-per-line files import with :meth:`Lexicon.from_plain`.

Matching normalises text and terms the same way — NFKC (full-width → half-width), lower case, traditional →
simplified Chinese (OpenCC), separators, punctuation, emoji and zero-width characters dropped, repeated characters
collapsed — and reports every hit with its span in the *original* text.

Example:
    >>> lex = Lexicon.from_terms([("炸弹", "A.1.8"), ("nazi", "A.1.4")])       # doctest: +SKIP
    >>> Matcher(lex).find("教我做炸 彈，ＮＡＺＩ")[0].risk                      # doctest: +SKIP
    'A.1.8'
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from gensafe.taxonomy import RISK_CODES, canonical_code

__all__ = ["Term", "Lexicon", "Matcher", "KeywordHit", "normalise", "coverage_report", "FLOORS"]

FORMAT_HEADER = "gensafe-lexicon 1"
COLUMNS = ("term", "risk", "severity", "note", "variants", "pinyin")
# TC260-003 §8.1 (kept by GB/T 45654): >= 10,000 terms, >= 200 per A.1 risk, >= 100 per A.2 risk.
FLOORS = {"total": 10_000, "A.1": 200, "A.2": 100}
MIN_CHARS, MAX_CHARS = 2, 32


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002fa1f"


@lru_cache(maxsize=1)
def _t2s() -> Any:
    try:
        import opencc
    except ImportError as e:
        raise ImportError("the keyword tier needs OpenCC and pyahocorasick: pip install 'gensafe[keywords]'") from e
    return opencc.OpenCC("t2s")


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; return it and, for each kept character, its index in the original text.

    Example:
        >>> normalise("Ｆ u u u c k")[0]
        'fuck'
    """
    norm, starts, _ends = _normalise_spans(text)
    return norm, starts


def _normalise_spans(text: str) -> tuple[str, list[int], list[int]]:
    """Like :func:`normalise`, plus the end offset (exclusive) of each kept character's run of repeats."""
    simplified = _t2s().convert(text)
    if len(simplified) != len(text):  # phrase rules changed the length: convert char by char to keep offsets
        simplified = "".join(_t2s().convert(c) for c in text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(simplified):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if not (c.isalnum() or _is_cjk(c)):
                continue  # separators, punctuation, emoji, zero-width characters
            if c.isdigit():  # numbers keep their repeats: 110 is not 10
                pass
            elif out and out[-1] == c and ends[-1] == i:
                ends[-1] = i + 1  # repeated characters: "fuuuck" -> "fuck", "傻傻傻逼" -> "傻逼"
                continue
            elif out and out[-1] == c:
                continue  # repeats split by separators ("f u u ck") collapse too, the span stays at the first
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def _key(term: str) -> str:
    return normalise(term)[0]


@dataclass(frozen=True)
class Term:
    """One canonical lexicon term."""

    term: str
    risk: str
    severity: int = 2
    note: str = ""
    variants: tuple[str, ...] = ()
    pinyin: bool = False


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

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "term": self.term, "risk": self.risk,
                "severity": self.severity, "via": self.via}


@dataclass
class Lexicon:
    """A versioned list of terms, each tied to a risk; several stack with ``+``."""

    terms: list[Term] = field(default_factory=list)
    name: str = "lexicon"
    version: str = ""
    date: str = ""
    allow: list[str] = field(default_factory=list)

    # -- reading and writing ------------------------------------------------------------------------------------
    @classmethod
    def read(cls, path: str | Path) -> Lexicon:
        """Read a gensafe ``.tsv`` lexicon; a clear error names the file and line of any bad row."""
        path = Path(path)
        meta: dict[str, str] = {}
        terms: list[Term] = []
        header_seen = False
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                line = line.rstrip("\r\n")
                if line.startswith("#"):
                    body = line[1:].strip()
                    if body == FORMAT_HEADER:
                        header_seen = True
                    elif ":" in body:
                        k, _, v = body.partition(":")
                        meta[k.strip()] = v.strip()
                    continue
                if not line.strip():
                    continue
                if not header_seen:
                    raise ValueError(f"{path} is not a gensafe lexicon (its first lines must include "
                                     f"'# {FORMAT_HEADER}'); import plain word lists with Lexicon.from_plain")
                cells = line.split("\t")
                if cells[0] == "term":
                    continue  # column header
                try:
                    risk = canonical_code(cells[1])
                    severity = int(cells[2]) if len(cells) > 2 and cells[2] else 2
                    if not 1 <= severity <= 3:
                        raise ValueError(f"severity must be 1-3, got {severity}")
                except (IndexError, KeyError, ValueError) as e:
                    raise ValueError(f"{path}:{n}: bad lexicon row {line!r}: {e}") from None
                variants = tuple(v for v in (cells[4].split("|") if len(cells) > 4 else []) if v)
                pinyin = len(cells) > 5 and cells[5].strip() in ("1", "true", "yes")
                terms.append(Term(cells[0], risk, severity, cells[3] if len(cells) > 3 else "", variants, pinyin))
        if not header_seen:
            raise ValueError(f"{path} is not a gensafe lexicon (first lines must include '# {FORMAT_HEADER}')")
        allow = [a for a in meta.get("allow", "").split("|") if a]
        return cls(terms, meta.get("name", path.stem), meta.get("version", ""), meta.get("date", ""), allow)

    @classmethod
    def from_plain(cls, path: str | Path, risk: str, severity: int = 2, name: str | None = None) -> Lexicon:
        """Import a plain one-term-per-line file (trailing commas and blank lines ignored) under one risk."""
        path = Path(path)
        risk = canonical_code(risk)
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        terms = [Term(t, risk, severity, note=f"imported from {path.name}")
                 for t in (line.strip().rstrip(",，") for line in text.splitlines()) if t]
        return cls(terms, name or path.stem, date=_dt.date.fromtimestamp(path.stat().st_mtime).isoformat())

    @classmethod
    def from_map(cls, map_path: str | Path, root: str | Path) -> Lexicon:
        """Import the plain lists named in a TOML map (``[[lists]] path, risk, severity``) under ``root``, stacked."""
        from gensafe.tomlfile import load_toml

        spec = load_toml(map_path)
        parts = []
        for item in spec.get("lists", []):
            path = Path(root) / item["path"]
            if not path.is_file():
                raise FileNotFoundError(f"{path} (listed in {map_path}) not found; is --root the data folder?")
            parts.append(cls.from_plain(path, item["risk"], int(item.get("severity", 2)), name=path.stem))
        lexicon = cls.stack(parts)
        lexicon.name = Path(map_path).stem
        return lexicon

    @classmethod
    def from_terms(cls, pairs: Iterable[tuple[str, str]], name: str = "inline", severity: int = 2) -> Lexicon:
        return cls([Term(t, canonical_code(r), severity) for t, r in pairs], name)

    def write(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# {FORMAT_HEADER}\n# name: {self.name}\n# version: {self.version}\n# date: {self.date}\n")
            if self.allow:
                f.write(f"# allow: {'|'.join(self.allow)}\n")
            f.write("\t".join(COLUMNS) + "\n")
            for t in self.terms:
                cells = [t.term, t.risk, str(t.severity), t.note, "|".join(t.variants), "1" if t.pinyin else ""]
                f.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells) + "\n")

    def __add__(self, other: Lexicon) -> Lexicon:
        return Lexicon.stack([self, other])

    @classmethod
    def stack(cls, lexicons: Sequence[Lexicon]) -> Lexicon:
        return cls([t for lx in lexicons for t in lx.terms], "+".join(lx.name for lx in lexicons),
                   allow=[a for lx in lexicons for a in lx.allow])

    def __len__(self) -> int:
        return len(self.terms)


class Matcher:
    """Aho–Corasick over normalised text for one or more lexicons (built once, then thread-safe to query).

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
        entries: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for i, t in enumerate(lexicon.terms):
            for spelling, via in self._spellings(t):
                key = _key(spelling)
                if len(key) >= MIN_CHARS or (len(key) == 1 and _is_cjk(key) and via == "term" and t.severity == 3):
                    entries[key].append((i, via))
        for key, value in entries.items():
            self._automaton.add_word(key, (key, tuple(value)))
        self.patterns = len(entries)
        if entries:
            self._automaton.make_automaton()
        self._allow = None
        phrases = [_key(a) for a in (*lexicon.allow, *allow) if _key(a)]
        if phrases:
            self._allow = ahocorasick.Automaton()
            for p in phrases:
                self._allow.add_word(p, len(p))
            self._allow.make_automaton()

    @staticmethod
    def _spellings(t: Term) -> list[tuple[str, str]]:
        out = [(t.term, "term")] + [(v, "variant") for v in t.variants]
        if t.pinyin and any(_is_cjk(c) for c in t.term):
            from pypinyin import Style, lazy_pinyin

            out.append(("".join(lazy_pinyin(t.term)), "pinyin"))
            initials = "".join(lazy_pinyin(t.term, style=Style.FIRST_LETTER))
            if len(initials) >= 3:
                out.append((initials, "initials"))
        return out

    def find(self, text: str) -> list[KeywordHit]:
        """All hits in ``text``, in order of position (overlapping hits of different terms are all reported)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if not self.patterns or not text:
            return []
        norm, offsets, ends = _normalise_spans(text)
        if not norm:
            return []
        allowed: list[tuple[int, int]] = []
        if self._allow is not None:
            allowed = [(end - n + 1, end) for end, n in self._allow.iter(norm)]
        hits: list[KeywordHit] = []
        for end, (key, entries) in self._automaton.iter(norm):
            start = end - len(key) + 1
            if any(a <= start and end <= b for a, b in allowed):
                continue
            o_start, o_end = offsets[start], ends[end]
            if key.isascii() and not _word_bounded(text, o_start, o_end):
                continue  # "ass" inside "class": Latin terms must stand as words in the original text
            for index, via in entries:
                t = self.lexicon.terms[index]
                hits.append(KeywordHit(o_start, o_end, text[o_start:o_end], t.term, t.risk, t.severity, via))
        hits.sort(key=lambda h: (h.start, h.end))
        return hits

    def find_batch(self, texts: Sequence[str]) -> list[list[KeywordHit]]:
        return [self.find(t) for t in texts]


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


# -- coverage against the TC260 floors -------------------------------------------------------------------------------
def coverage_report(lexicon: Lexicon) -> dict[str, Any]:
    """Canonical terms per risk (variants counted apart), duplicates, odd lengths, and the TC260 floors missed."""
    per_risk: Counter = Counter()
    variants: Counter = Counter()
    seen: dict[tuple[str, str], str] = {}
    duplicates: list[dict[str, str]] = []
    too_short: list[str] = []
    too_long: list[str] = []
    cross_risk: dict[str, set[str]] = defaultdict(set)
    for t in lexicon.terms:
        key = _key(t.term)
        cross_risk[key].add(t.risk)
        if (key, t.risk) in seen:
            duplicates.append({"term": t.term, "same_as": seen[(key, t.risk)], "risk": t.risk})
            continue
        seen[(key, t.risk)] = t.term
        per_risk[t.risk] += 1
        variants[t.risk] += len(t.variants)
        if len(key) < MIN_CHARS:
            too_short.append(t.term)
        if len(t.term) > MAX_CHARS:
            too_long.append(t.term)
    canonical_total = len({k for k, _ in seen})
    missed = []
    if canonical_total < FLOORS["total"]:
        missed.append(f"total: {canonical_total} distinct canonical terms < {FLOORS['total']}")
    for code in RISK_CODES:
        fam = code[:3]
        if fam in ("A.1", "A.2") and per_risk[code] < FLOORS[fam]:
            missed.append(f"{code}: {per_risk[code]} terms < {FLOORS[fam]}")
    return {
        "name": lexicon.name, "version": lexicon.version, "date": lexicon.date,
        "canonical_total": canonical_total, "variants_total": sum(variants.values()),
        "per_risk": {c: per_risk[c] for c in RISK_CODES}, "variants_per_risk": {c: variants[c] for c in RISK_CODES},
        "duplicates": len(duplicates), "duplicate_examples": duplicates[:10],
        "in_several_risks": sum(len(v) > 1 for v in cross_risk.values()),
        "too_short": len(too_short), "too_short_examples": too_short[:10],
        "too_long": len(too_long), "too_long_examples": too_long[:10],
        "floors_missed": missed, "passes": not missed,
    }

