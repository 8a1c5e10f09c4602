"""Lexicons: terms tied to risks, read from TSV files (one file, or a folder of them) and plain word lists.

TSV format (UTF-8, ``#`` comment lines, one header row naming the columns; columns are read by name)::

    term	risk	tier	severity	lang	variants	pinyin
    炸弹制作	A.1.8	flag	high	zh	做炸弹|造炸弹	1
    公安部长+情人	A.1.2	evidence	medium	zh		0
    example-casino.com	domain	flag	medium	en		0

* ``risk``: one of the 31 TC260 codes, or ``domain`` for a web address (its own category: never counted toward the
  TC260 floors, never flags on its own).
* ``tier``: ``flag`` (a hit flags on its own) or ``evidence`` (a hit is reported, and flags only together with a
  model flag in the same risk family; see :mod:`gensafe.result`). Default ``flag``.
* ``severity``: ``high`` / ``medium`` / ``low`` (or 3 / 2 / 1).
* ``variants``: ``|``-separated spellings of the same canonical term (they never pad the coverage count).
* ``pinyin``: ``1`` also matches a Chinese term written in pinyin (toneless, tone-marked or tone digits) and, from
  three syllables, its initials.
* A ``+`` inside a term is an AND rule: every part must occur somewhere in the text.

Files written by gensafe 0.1 (``# gensafe-lexicon 1``, columns ``term risk severity note variants pinyin``) still
read. The package ships its own lexicon folder (``lexicons/project``), loaded by :meth:`Lexicon.default`.

Example:
    >>> lex = Lexicon.from_terms([("炸弹", "A.1.8")])
    >>> lex.terms[0].tier, len(lex)
    ('flag', 1)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..taxonomy import canonical_code

__all__ = ["Term", "Lexicon", "DOMAIN", "TIERS", "default_lexicon_path"]

FORMAT_HEADER = "gensafe-lexicon 1"
COLUMNS = ("term", "risk", "tier", "severity", "lang", "variants", "pinyin", "note")
DOMAIN = "domain"
TIERS = ("flag", "evidence")
_SEVERITY = {"low": 1, "medium": 2, "high": 3, "1": 1, "2": 2, "3": 3}
_SEVERITY_NAME = {1: "low", 2: "medium", 3: "high"}


@dataclass(frozen=True)
class Term:
    """One canonical lexicon term.

    Attributes:
        term: The canonical spelling; ``a+b`` is an AND rule.
        risk: A TC260 risk code, or ``"domain"``.
        severity: 1 (low) - 3 (high).
        note: Free text (where it came from).
        variants: Other spellings of the same term.
        pinyin: Also match the pinyin of a Chinese term.
        tier: ``"flag"`` or ``"evidence"``.
        lang: ``"zh"``, ``"en"`` or ``""`` (unknown).
    """

    term: str
    risk: str
    severity: int = 2
    note: str = ""
    variants: tuple[str, ...] = ()
    pinyin: bool = False
    tier: str = "flag"
    lang: str = ""


def default_lexicon_path() -> Path:
    """The shipped project lexicon folder: inside the installed package, else ``lexicons/project`` of a checkout."""
    inside = Path(__file__).resolve().parent / "project"
    if inside.is_dir() and any(inside.glob("*.tsv")):
        return inside
    checkout = Path(__file__).resolve().parents[3] / "lexicons" / "project"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the project lexicon is not installed (looked in {inside} and {checkout})")


def _risk(cell: str) -> str:
    cell = cell.strip()
    return DOMAIN if cell.lower() == DOMAIN else canonical_code(cell)


def _read_file(path: Path) -> tuple[list[Term], dict[str, str]]:
    """Rows of one TSV file; any bad row is a ``ValueError`` naming the file and line."""
    meta: dict[str, str] = {}
    terms: list[Term] = []
    columns: dict[str, int] | None = None
    magic = False
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if line.startswith("#"):
                body = line[1:].strip()
                if body == FORMAT_HEADER:
                    magic = True
                elif ":" in body:
                    k, _, v = body.partition(":")
                    meta[k.strip()] = v.strip()
                continue
            if not line.strip():
                continue
            cells = line.split("\t")
            if columns is None:
                if cells[0].strip() == "term" and len(cells) > 1 and cells[1].strip() == "risk":
                    columns = {c.strip(): i for i, c in enumerate(cells)}
                    continue
                if not magic:
                    raise ValueError(f"{path} is not a gensafe lexicon (it needs a header row 'term<TAB>risk<TAB>...' "
                                     f"or '# {FORMAT_HEADER}'); import plain word lists with Lexicon.from_plain")
                columns = {c: i for i, c in enumerate(("term", "risk", "severity", "note", "variants", "pinyin"))}

            def cell(name: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
                i = columns.get(name)
                return cells[i].strip() if i is not None and i < len(cells) else ""

            try:
                term = cell("term")
                if not term:
                    raise ValueError("empty term")
                risk = _risk(cell("risk"))
                severity = _SEVERITY.get(cell("severity").lower() or "2")
                if severity is None:
                    raise ValueError(f"severity must be high/medium/low or 1-3, got {cell('severity')!r}")
                tier = cell("tier").lower() or "flag"
                if tier not in TIERS:
                    raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
                lang = cell("lang").lower()
                if lang not in ("", "zh", "en"):
                    raise ValueError(f"lang must be zh or en, got {lang!r}")
            except (IndexError, KeyError, ValueError) as e:
                raise ValueError(f"{path}:{n}: bad lexicon row {line!r}: {e}") from None
            variants = tuple(v.strip() for v in cell("variants").split("|") if v.strip())
            pinyin = cell("pinyin").lower() in ("1", "true", "yes")
            terms.append(Term(term, risk, severity, cell("note"), variants, pinyin, tier, lang))
    if columns is None and not magic:
        raise ValueError(f"{path} is not a gensafe lexicon (no header row 'term<TAB>risk<TAB>...')")
    return terms, meta


@dataclass
class Lexicon:
    """A versioned list of terms, each tied to a risk; several stack with ``+``."""

    terms: list[Term] = field(default_factory=list)
    name: str = "lexicon"
    version: str = ""
    date: str = ""
    allow: list[str] = field(default_factory=list)

    # -- reading ----------------------------------------------------------------------------------------------------
    @classmethod
    def read(cls, path: str | Path) -> Lexicon:
        """Read one gensafe ``.tsv`` lexicon; a clear error names the file and line of any bad row."""
        path = Path(path)
        terms, meta = _read_file(path)
        allow = [a for a in meta.get("allow", "").split("|") if a]
        return cls(terms, meta.get("name", path.stem), meta.get("version", ""), meta.get("date", ""), allow)

    @classmethod
    def from_tsv(cls, path: str | Path) -> Lexicon:
        """Read a ``.tsv`` file, or every ``*.tsv`` of a folder (sorted by name) stacked into one lexicon."""
        path = Path(path)
        if path.is_dir():
            files = sorted(path.glob("*.tsv"))
            if not files:
                raise FileNotFoundError(f"no .tsv lexicon files in {path}")
            lexicon = cls.stack([cls.read(f) for f in files])
            lexicon.name = path.name
            return lexicon
        if not path.is_file():
            raise FileNotFoundError(f"lexicon {path} not found")
        return cls.read(path)

    @classmethod
    def default(cls) -> Lexicon:
        """The project lexicon shipped with gensafe (``keywords="default"`` in :func:`gensafe.load`)."""
        lexicon = cls.from_tsv(default_lexicon_path())
        lexicon.name = "gensafe-project"
        return lexicon

    @classmethod
    def from_plain(cls, path: str | Path, risk: str, severity: int = 2, name: str | None = None, *,
                   tier: str = "flag", pinyin: bool = False) -> Lexicon:
        """Import a plain one-term-per-line file (trailing commas and blank lines ignored) under one risk.

        Lines that look like web addresses go to the ``domain`` category. ``pinyin=True`` opts the list's Chinese
        terms into pinyin matching. Run ``training/curate_lexicon.py`` to assign tiers and drop noise.
        """
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
        path = Path(path)
        risk = canonical_code(risk)
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        terms = [Term(t, DOMAIN if looks_like_domain(t) else risk, severity, note=f"imported from {path.name}",
                      pinyin=pinyin, tier=tier)
                 for t in (line.strip().rstrip(",，") for line in text.splitlines()) if t]
        return cls(terms, name or path.stem, date=_dt.date.fromtimestamp(path.stat().st_mtime).isoformat())

    @classmethod
    def from_map(cls, map_path: str | Path, root: str | Path, *, pinyin: bool | None = None) -> Lexicon:
        """Import the plain lists named in a TOML map (``[[lists]] path, risk, severity[, tier, pinyin]``) under
        ``root``, stacked. ``pinyin`` overrides every list's own ``pinyin`` setting."""
        from ..tomlfile import load_toml

        spec = load_toml(map_path)
        parts = []
        for item in spec.get("lists", []):
            path = Path(root) / item["path"]
            if not path.is_file():
                raise FileNotFoundError(f"{path} (listed in {map_path}) not found; is --root the data folder?")
            parts.append(cls.from_plain(path, item["risk"], int(item.get("severity", 2)), name=path.stem,
                                        tier=item.get("tier", "flag"),
                                        pinyin=bool(item.get("pinyin", False)) if pinyin is None else pinyin))
        lexicon = cls.stack(parts)
        lexicon.name = Path(map_path).stem
        return lexicon

    @classmethod
    def from_terms(cls, pairs: Iterable[tuple[str, str]], name: str = "inline", severity: int = 2, *,
                   tier: str = "flag", pinyin: bool = False) -> Lexicon:
        return cls([Term(t, _risk(r), severity, tier=tier, pinyin=pinyin) for t, r in pairs], name)

    # -- writing ----------------------------------------------------------------------------------------------------
    def write(self, path: str | Path) -> None:
        """Write the TSV format above (plus a ``note`` column and the name / version / date / allow comments)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# {FORMAT_HEADER}\n# name: {self.name}\n# version: {self.version}\n# date: {self.date}\n")
            if self.allow:
                f.write(f"# allow: {'|'.join(self.allow)}\n")
            f.write("\t".join(COLUMNS) + "\n")
            for t in self.terms:
                cells = [t.term, t.risk, t.tier, _SEVERITY_NAME[t.severity], t.lang, "|".join(t.variants),
                         "1" if t.pinyin else "0", t.note]
                f.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells) + "\n")

    def __add__(self, other: Lexicon) -> Lexicon:
        return Lexicon.stack([self, other])

    @classmethod
    def stack(cls, lexicons: Sequence[Lexicon]) -> Lexicon:
        return cls([t for lx in lexicons for t in lx.terms], "+".join(lx.name for lx in lexicons),
                   allow=[a for lx in lexicons for a in lx.allow])

    def __len__(self) -> int:
        return len(self.terms)


def looks_like_domain(term: str) -> bool:
    """A web address or bare domain (``http://…``, ``www.…``, ``name.com``): the ``domain`` category."""
    t = term.strip().lower()
    if t.startswith(("http://", "https://", "www.")):
        return True
    head = t.split("/", 1)[0]
    parts = head.split(".")
    return (len(parts) >= 2 and all(parts) and parts[-1].isascii() and parts[-1].isalpha() and 2 <= len(parts[-1]) <= 6
            and all(p.replace("-", "").isalnum() for p in parts) and " " not in t)
