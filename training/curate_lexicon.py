"""Curate a keyword lexicon: drop noise and assign tiers from word frequency and hits on the shared benign sets.

Every rule is a number on the command line and every decision is written to the report, so a rerun on the same
inputs gives the same lexicon. The benign sets are split in two by a hash of each text: curation looks only at the
``dev`` half; ``benchmarks/keywords.py`` measures on the held-out ``test`` half, so the measured flag rate is not the
one the rules were fitted to.

Benign sets (read where they lie in the shared data folder, through ``training/sources.py``): statutes
(LawRefBook-Laws), THUCNews titles, Chinese medical Q&A, XSTest safe prompts, HateCheck non-hateful cases, and the
non-offensive rows of COLDataset (label 0), SWSR (label 0) and davidson (class 2, "neither": davidson's class 0 is
hate speech).

Rules, in order, per canonical term (its folded spelling; ``--mode assign``, for imported public lists):

1. ``empty``: folds to nothing or to one letter or digit (``🖕``, ``&``, ``a``): it cannot be matched, dropped (one
   Chinese character stays: the matcher takes it, as a whole word, when its severity is high);
2. ``domain``: web addresses keep their own category (``risk = domain``), never count toward the floors;
3. ``stopword``: word frequency (``wordfreq`` Zipf) ≥ ``--drop-zipf`` (is, this, 一个, 国家, 政府): dropped;
4. ``noise``: hits ≥ ``--drop-rate`` of the texts of any benign dev source (第一 in statutes): dropped;
   (topic words that are hit less often, such as 强奸 in criminal statutes, become evidence below);
5. ``evidence``: any benign dev hit, or Zipf ≥ ``--evidence-zipf`` (a common word, ambiguous even where unseen),
   or a short term: two Chinese characters or fewer with Zipf ≥ ``--short-zipf``, three Latin letters or fewer
   (``sb``, ``tmd``: abbreviations collide with ordinary words). These priors were chosen by a split *inside* the dev
   half (fit on one part, count hits on the other): the terms that hit unseen benign text are mostly short or
   common ones;
6. ``flag``: the rest.

``--mode demote`` (for a lexicon whose tiers an author chose, e.g. ``lexicons/project``) keeps every tier and term
and only demotes a ``flag`` term with benign dev hits to ``evidence`` (and lists it).

Usage::

    python training/curate_lexicon.py --map lexicons/shared_map.toml --data $GENSAFE_DATA \\
        --out runs/lexicon/public_curated.tsv
    python training/curate_lexicon.py --lexicon lexicons/project --mode demote --data $GENSAFE_DATA \\
        --out runs/lexicon/project_curated.tsv
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gensafe.keywords import DOMAIN, Lexicon, Matcher, canonical_key  # noqa: E402
from gensafe.keywords.normalise import is_cjk  # noqa: E402

BENIGN = ("statutes", "thucnews_titles", "medical_qa", "xstest_safe", "hatecheck_non_hateful", "cold_0", "swsr_0",
          "davidson_neither")


def split_of(text: str) -> str:
    """``dev`` or ``test``: a stable hash of the text (curation sees dev only)."""
    return "dev" if hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()[0] % 2 == 0 else "test"


def _benign_rows(root: Path) -> Iterator[tuple[str, str]]:
    import sources as S

    wanted = {
        "statutes": (S.read_lawrefbook, None), "thucnews_titles": (S.read_thucnews, None),
        "medical_qa": (S.read_medical, None), "xstest_safe": (S.read_xstest, "safe"),
        "hatecheck_non_hateful": (S.read_hatecheck, "non-hateful"), "cold_0": (S.read_cold, "0"),
        "swsr_0": (S.read_swsr, "0"), "davidson_neither": (S.read_davidson, "2"),
    }
    for name in BENIGN:
        reader, key = wanted[name]
        for raw in reader(root):
            if key is None or raw.key == key:
                yield name, raw.text


def benign_sets(root: str | Path, split: str, cap: int = 4000) -> dict[str, list[str]]:
    """Benign texts of one split per source (distinct texts, at most ``cap`` per source, in a stable hash order)."""
    out: dict[str, dict[str, None]] = defaultdict(dict)
    for name, text in _benign_rows(Path(root)):
        if text.strip() and split_of(text) == split:
            out[name][text] = None
    ordered = {}
    for name in BENIGN:
        texts = sorted(out[name], key=lambda t: hashlib.sha1(t.encode("utf-8", "surrogatepass")).digest())
        ordered[name] = texts[:cap]
    return ordered


def zipf(term: str) -> float:
    import wordfreq

    lang = "zh" if any(is_cjk(c) for c in term) else "en"
    # an AND rule is as rare as its rarest part
    return min(wordfreq.zipf_frequency(p, lang) for p in term.split("+") if p) if term.strip("+") else 0.0


def benign_hits(lexicon: Lexicon, sets: dict[str, list[str]]) -> dict[str, Counter]:
    """Canonical key -> {source: texts with a hit}. Every term is matched as ``flag`` so none hides another."""
    matcher = Matcher(Lexicon([replace(t, tier="flag") for t in lexicon.terms], lexicon.name))
    keys = [canonical_key(t.term) for t in lexicon.terms]
    term_key = {t.term: k for t, k in zip(lexicon.terms, keys, strict=True)}
    out: dict[str, Counter] = defaultdict(Counter)
    for name, texts in sets.items():
        for text in texts:
            for key in {term_key[h.term] for h in matcher.find(text)}:
                out[key][name] += 1
    return out


def _short(key: str, z: float, short_zipf: float, short_latin: int) -> bool:
    part = min(key.split("+"), key=len)
    if part.isascii():
        return len(part) <= short_latin
    return len(part) <= 2 and z >= short_zipf


def curate(lexicon: Lexicon, sets: dict[str, list[str]], *, mode: str = "assign", drop_zipf: float = 6.0,
           drop_rate: float = 0.05, evidence_zipf: float = 3.0, short_zipf: float = 2.0,
           short_latin: int = 3) -> tuple[Lexicon, dict[str, Any]]:
    """The curated lexicon and a report of every decision (counts, examples, parameters)."""
    hits = benign_hits(lexicon, sets)
    sizes = {name: max(len(texts), 1) for name, texts in sets.items()}
    decisions: Counter = Counter()
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    kept = []
    freq_cache: dict[str, float] = {}
    for t in lexicon.terms:
        key = canonical_key(t.term)
        seen = dict(hits.get(key, {}))
        worst = max((n / sizes[s] for s, n in seen.items()), default=0.0)
        if key not in freq_cache:
            freq_cache[key] = zipf(t.term) if key else 0.0
        z = freq_cache[key]
        if mode == "demote":
            decision = "demoted" if t.tier == "flag" and seen else t.tier
            term = replace(t, tier="evidence") if decision == "demoted" else t
        elif not key or any(len(p) < 2 and not is_cjk(p) for p in key.split("+")):  # one CJK character may stay
            decision, term = "empty", None
        elif t.risk == DOMAIN:
            decision, term = "domain", t
        elif z >= drop_zipf:
            decision, term = "stopword", None
        elif worst >= drop_rate:
            decision, term = "noise", None
        elif seen or z >= evidence_zipf or _short(key, z, short_zipf, short_latin):
            decision, term = "evidence", replace(t, tier="evidence")
        else:
            decision, term = "flag", replace(t, tier="flag")
        decisions[decision] += 1
        if len(examples[decision]) < 25:
            examples[decision].append({"term": t.term, "risk": t.risk, "zipf": round(z, 2), "benign_hits": seen})
        if term is not None:
            kept.append(term)
    curated = Lexicon(kept, f"{lexicon.name}-curated", lexicon.version, time.strftime("%Y-%m-%d"), lexicon.allow)
    report = {
        "input": lexicon.name, "input_terms": len(lexicon), "output_terms": len(kept), "mode": mode,
        "decisions": dict(decisions), "examples": examples,
        "params": {"drop_zipf": drop_zipf, "drop_rate": drop_rate, "evidence_zipf": evidence_zipf,
                   "short_zipf": short_zipf, "short_latin": short_latin},
        "benign_dev_texts": {name: len(texts) for name, texts in sets.items()},
    }
    return curated, report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lexicon", action="append", default=[], help="gensafe .tsv lexicon or folder (repeatable)")
    p.add_argument("--map", default=None, help="TOML map of plain word lists (e.g. lexicons/shared_map.toml)")
    p.add_argument("--data", default=os.environ.get("GENSAFE_DATA"), help="shared data folder (default $GENSAFE_DATA)")
    p.add_argument("--out", required=True, type=Path, help="curated .tsv to write (its report: .report.json beside)")
    p.add_argument("--mode", choices=["assign", "demote"], default="assign")
    p.add_argument("--pinyin", action="store_true", help="opt the --map lists into pinyin matching")
    p.add_argument("--cap", type=int, default=4000, help="benign dev texts per source")
    p.add_argument("--drop-zipf", type=float, default=6.0)
    p.add_argument("--drop-rate", type=float, default=0.05)
    p.add_argument("--evidence-zipf", type=float, default=3.0)
    p.add_argument("--short-zipf", type=float, default=2.0)
    p.add_argument("--short-latin", type=int, default=3)
    args = p.parse_args(argv)
    if not args.data:
        p.error("--data (or GENSAFE_DATA) is required: the benign sets are read from it")
    parts = [Lexicon.from_tsv(x) for x in args.lexicon]
    if args.map:
        parts.append(Lexicon.from_map(args.map, args.data, pinyin=True if args.pinyin else None))
    if not parts:
        p.error("give --lexicon and/or --map")
    lexicon = parts[0] if len(parts) == 1 else Lexicon.stack(parts)
    t0 = time.perf_counter()
    sets = benign_sets(args.data, "dev", args.cap)
    curated, report = curate(lexicon, sets, mode=args.mode, drop_zipf=args.drop_zipf, drop_rate=args.drop_rate,
                             evidence_zipf=args.evidence_zipf, short_zipf=args.short_zipf,
                             short_latin=args.short_latin)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    report["command"] = "python training/curate_lexicon.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    curated.write(args.out)
    report_path = args.out.with_suffix(".report.json")
    report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{report['input_terms']:,} terms in, {report['output_terms']:,} out: "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(report["decisions"].items())))
    print(f"wrote {args.out} and {report_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
