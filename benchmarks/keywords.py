"""Keyword tier: benign flag rate per shared benign source, evasion recall per evasion type, throughput vs 0.1.

Three measurements, all in one process, written to one JSON record:

1. **Benign flag rate** on the held-out ``test`` half of the shared benign sets (``training/curate_lexicon.py``
   fits its rules on the ``dev`` half): the share of texts the keyword tier *alone* flags (a hit of tier ``flag``
   with a TC260 risk: ``keyword_mode="keywords"``), and the share with any hit, per lexicon given. ``--legacy-map``
   adds the issue #14 baseline: the public lists read through gensafe 0.1's matcher, where any hit flags. With
   ``--model`` also the model alone and the model merged with the keyword tier (``either``) on the first
   ``--model-cap`` texts of each source.
2. **Evasion recall** on a generated set: terms of the first lexicon (``--evasion-terms`` per language, seeded),
   each put in a carrier sentence under one evasion (traditional script, full-width, case, separators,
   zero-width characters, emoji, repeats, homoglyphs, pinyin, tone-marked pinyin), matched with pinyin opted in for
   every Chinese term; recall = the term is found. The 0.1 matcher runs on the same set.
3. **Throughput** (per CPU second of the process): gensafe 0.1's matcher (``benchmarks/legacy_keywords.py``, a
   frozen copy) and today's on the same texts (``common.sample_texts``) and the same 60,000-term synthetic lexicon
   as ``keyword_bench.py``, plus today's matcher with each lexicon given.

Usage::

    python benchmarks/keywords.py --data $GENSAFE_DATA --lexicon default \\
        --lexicon runs/lexicon/public_curated.tsv --legacy-map lexicons/shared_map.toml
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "training"))
import legacy_keywords as legacy  # noqa: E402
from common import sample_texts  # noqa: E402
from curate_lexicon import benign_sets  # noqa: E402
from gensafe.keywords import DOMAIN, Lexicon, Matcher, Term, canonical_key  # noqa: E402
from gensafe.keywords.normalise import is_cjk  # noqa: E402

SEPARATORS = [" ", ".", "-", "_", "*", "/", "|"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff"]
EMOJI = ["😀", "🔥", "💣", "👍", "🙂"]
CYRILLIC = {"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у", "s": "ѕ", "j": "ј"}
CARRIER = {"zh": "我们讨论一下{}这个问题。", "en": "We talked about {} yesterday."}


def _lexicon(spec: str) -> Lexicon:
    return Lexicon.default() if spec == "default" else Lexicon.from_tsv(spec)


def _flags_alone(hits: list[Any]) -> bool:
    return any(h.tier == "flag" and h.risk != DOMAIN for h in hits)


# -- 1. benign flag rate ---------------------------------------------------------------------------------------------
def benign(matchers: dict[str, Any], sets: dict[str, list[str]], legacy_names: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, matcher in matchers.items():
        rows = {}
        for source, texts in sets.items():
            found = [matcher.find(t) for t in texts]
            flagged = [bool(h) if name in legacy_names else _flags_alone(h) for h in found]
            rows[source] = {"texts": len(texts), "keyword_alone_flag_rate": sum(flagged) / max(len(texts), 1),
                            "any_hit_rate": sum(bool(h) for h in found) / max(len(texts), 1)}
        n = sum(r["texts"] for r in rows.values())
        rows["all"] = {"texts": n, "keyword_alone_flag_rate": sum(r["keyword_alone_flag_rate"] * r["texts"]
                                                                 for r in rows.values()) / max(n, 1)}
        out[name] = rows
    return out


def with_model(model: str, matcher: Matcher, sets: dict[str, list[str]], cap: int) -> dict[str, Any]:
    import gensafe

    clf = gensafe.load(model, keywords=matcher, keyword_mode="either")
    rows = {}
    for source, texts in sets.items():
        r = clf.predict(texts[:cap])
        rows[source] = {"texts": len(r), "model_alone": float(r.model_flagged.mean()),
                        "model_either_keywords": float(r.flagged.mean())}
    return {"model": model, "per_source": rows}


# -- 2. evasion recall -----------------------------------------------------------------------------------------------
def _evade(term: str, kind: str, rng: random.Random) -> str | None:
    """``term`` under one evasion, or ``None`` where the evasion does not apply to it."""
    zh = any(is_cjk(c) for c in term)
    chars = list(term)
    if kind == "plain":
        return term
    if kind == "traditional":
        from opencc import OpenCC

        out = OpenCC("s2t").convert(term)
        return out if zh and out != term else None
    if kind == "fullwidth":
        out = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
        return out if out != term else None
    if kind == "case":
        out = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in term)
        out = out if out != term.lower() else term.upper()
        return out if not zh and out != term else None
    if kind in ("separators", "zero_width", "emoji"):
        pool = {"separators": SEPARATORS, "zero_width": ZERO_WIDTH, "emoji": EMOJI}[kind]
        return "".join(c + rng.choice(pool) for c in chars[:-1]) + chars[-1] if len(chars) > 1 else None
    if kind == "repeats":  # digits never collapse (110 is not 10): a repeated digit is not this evasion
        idx = [i for i, c in enumerate(chars) if not c.isdigit() and not c.isspace()]
        if not idx:
            return None
        i = rng.choice(idx)
        return "".join(chars[: i + 1]) + chars[i] * 2 + "".join(chars[i + 1 :])
    if kind == "homoglyph":
        idx = [i for i, c in enumerate(chars) if c.lower() in CYRILLIC]
        if zh or not idx:
            return None
        for i in rng.sample(idx, max(1, len(idx) // 2)):
            chars[i] = CYRILLIC[chars[i].lower()]
        return "".join(chars)
    if kind in ("pinyin", "pinyin_tone"):
        from pypinyin import Style, lazy_pinyin

        if not zh or not all(is_cjk(c) for c in term):
            return None
        return " ".join(lazy_pinyin(term, style=Style.TONE if kind == "pinyin_tone" else Style.NORMAL))
    raise ValueError(kind)


KINDS = ("plain", "traditional", "fullwidth", "case", "separators", "zero_width", "emoji", "repeats", "homoglyph",
         "pinyin", "pinyin_tone")


def evasion(lexicon: Lexicon, per_lang: int, seed: int = 0) -> dict[str, Any]:
    rng = random.Random(seed)
    usable = [t for t in lexicon.terms if t.risk != DOMAIN and "+" not in t.term and len(canonical_key(t.term)) >= 2]
    by_lang = {"zh": [t for t in usable if any(is_cjk(c) for c in t.term)],
               "en": [t for t in usable if t.term.isascii()]}
    sample = {lang: rng.sample(terms, min(per_lang, len(terms))) for lang, terms in by_lang.items()}
    # pinyin opted in for every Chinese term, as an operator would for an imported list
    opted = [Term(t.term, t.risk, t.severity, t.note, t.variants, any(is_cjk(c) for c in t.term), t.tier, t.lang)
             for t in usable]
    new = Matcher(Lexicon(opted))
    old = legacy.Matcher(legacy.Lexicon([legacy.Term(t.term, t.risk, t.severity, "", t.variants, t.pinyin)
                                         for t in opted]))
    results: dict[str, Any] = {}
    for kind in KINDS:
        n = caught_new = caught_old = 0
        misses = []
        for lang, terms in sample.items():
            for t in terms:
                evaded = _evade(t.term, kind, rng)
                if evaded is None:
                    continue
                text = CARRIER[lang].format(evaded)
                key = canonical_key(t.term)
                n += 1
                if any(canonical_key(h.term) == key for h in new.find(text)):
                    caught_new += 1
                elif len(misses) < 8:
                    misses.append(text)
                caught_old += any(canonical_key(h.term) == key for h in old.find(text))
        results[kind] = {"cases": n, "recall": caught_new / n if n else None,
                         "recall_0_1": caught_old / n if n else None, "miss_examples": misses}
    return {"terms": {k: len(v) for k, v in sample.items()}, "per_type": results}


# -- 3. throughput ---------------------------------------------------------------------------------------------------
def _rate(matcher: Any, texts: list[str]) -> dict[str, float]:
    """Rates on CPU time of this process (a shared machine's other load barely moves it); wall time beside."""
    matcher.find_batch(texts[:50])  # warm-up (jieba, caches)
    t0, c0 = time.perf_counter(), time.process_time()
    matcher.find_batch(texts)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    mb = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    return {"texts_per_s": len(texts) / cpu, "mb_per_s": mb / cpu, "cpu_seconds": cpu, "wall_seconds": wall}


def throughput(lexicons: dict[str, Lexicon], n_texts: int, terms: int) -> dict[str, Any]:
    from keyword_bench import synthetic_lexicon

    texts = sample_texts(n_texts, seed=2)
    synth = synthetic_lexicon(terms)
    old = legacy.Matcher(legacy.Lexicon([legacy.Term(t.term, t.risk) for t in synth.terms]))
    out = {"texts": len(texts), "synthetic_terms": len(synth),
           "synthetic_0_1": _rate(old, texts), "synthetic_today": _rate(Matcher(synth), texts)}
    out["today_vs_0_1"] = out["synthetic_today"]["texts_per_s"] / out["synthetic_0_1"]["texts_per_s"]
    for name, lex in lexicons.items():
        out[name] = _rate(Matcher(lex), texts)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.environ.get("GENSAFE_DATA"))
    p.add_argument("--lexicon", action="append", default=[], help="'default', a .tsv or a folder (repeatable)")
    p.add_argument("--legacy-map", default=None, help="the public lists through the 0.1 matcher (issue baseline)")
    p.add_argument("--cap", type=int, default=4000, help="benign test texts per source")
    p.add_argument("--evasion-terms", type=int, default=400, help="terms per language in the evasion set")
    p.add_argument("--texts", type=int, default=2000, help="texts for the throughput runs")
    p.add_argument("--terms", type=int, default=60_000, help="synthetic lexicon size for the throughput runs")
    p.add_argument("--model", default=None, help="also measure the model alone and merged (either)")
    p.add_argument("--model-cap", type=int, default=300)
    p.add_argument("--out", type=Path, default=HERE / "results" / "keywords_tiers.json")
    args = p.parse_args(argv)
    if not args.data:
        p.error("--data (or GENSAFE_DATA) is required")
    lexicons = {spec: _lexicon(spec) for spec in (args.lexicon or ["default"])}
    matchers: dict[str, Any] = {name: Matcher(lex) for name, lex in lexicons.items()}
    if args.legacy_map:
        matchers["0.1:" + args.legacy_map] = legacy.Matcher(legacy.Lexicon.from_map(args.legacy_map, args.data))
    sets = benign_sets(args.data, "test", args.cap)
    record: dict[str, Any] = {
        "command": "python benchmarks/keywords.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d"), "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "lexicon_terms": {k: len(v) for k, v in lexicons.items()},
    }
    record["benign"] = benign(matchers, sets, {k for k in matchers if k.startswith("0.1:")})
    if args.model:
        record["benign_with_model"] = with_model(args.model, next(iter(matchers.values())), sets, args.model_cap)
    record["evasion"] = evasion(next(iter(lexicons.values())), args.evasion_terms)
    record["throughput"] = throughput(lexicons, args.texts, args.terms)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    for name, rows in record["benign"].items():
        print(f"benign, keyword tier alone — {name}")
        for source, r in rows.items():
            extra = f"  any hit {r['any_hit_rate']:.1%}" if "any_hit_rate" in r else ""
            print(f"  {source:24} {r['texts']:6} texts  flag {r['keyword_alone_flag_rate']:6.2%}{extra}")
    print("evasion recall (today / 0.1):")
    for kind, r in record["evasion"]["per_type"].items():
        if r["cases"]:
            print(f"  {kind:12} {r['cases']:5} cases  {r['recall']:.3f} / {r['recall_0_1']:.3f}")
    t = record["throughput"]
    print(f"throughput, {t['synthetic_terms']:,}-term synthetic lexicon, {t['texts']} texts: 0.1 "
          f"{t['synthetic_0_1']['texts_per_s']:.0f} texts/s, today {t['synthetic_today']['texts_per_s']:.0f} texts/s "
          f"({t['today_vs_0_1']:.2f}x)")
    for name in lexicons:
        print(f"  {name}: {t[name]['texts_per_s']:.0f} texts/s, {t[name]['mb_per_s']:.2f} MB/s")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
