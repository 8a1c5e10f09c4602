"""Keyword matching throughput: gensafe's Matcher (normalisation included) vs a naive ``any(term in text)`` loop.

The lexicon has at least 50,000 terms: the shared word lists (``--map lexicons/shared_map.toml --root $GENSAFE_DATA``)
or, by default, 60,000 words of jieba's dictionary and wordfreq's English list (deterministic). The texts are the
benchmark sample of ``common.sample_texts``. Both methods run in the same process on the same texts.

Usage::

    python benchmarks/keyword_bench.py
    python benchmarks/keyword_bench.py --map lexicons/shared_map.toml --root $GENSAFE_DATA
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import environment, sample_texts  # noqa: E402
from gensafe.keywords import Lexicon, Matcher, Term  # noqa: E402


def synthetic_lexicon(n: int) -> Lexicon:
    import jieba
    import wordfreq

    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        zh = [line.split(" ", 1)[0] for line in f]
    zh = [w for w in zh if len(w) >= 3][: n * 2 // 3]  # longer words: rarer in text, like real lexicon terms
    en = [w for w in wordfreq.top_n_list("en", 200_000) if len(w) >= 6][: n - len(zh)]
    codes = ["A.1.1", "A.1.4", "A.1.6", "A.1.8", "A.2.4", "A.2.5"]
    return Lexicon([Term(w, codes[i % len(codes)]) for i, w in enumerate(zh + en)], name=f"synthetic-{n}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--map", default=None)
    p.add_argument("--root", default=os.environ.get("GENSAFE_DATA"))
    p.add_argument("--terms", type=int, default=60_000)
    p.add_argument("--texts", type=int, default=2000)
    p.add_argument("--naive-texts", type=int, default=100, help="texts for the (slow) naive baseline")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "keywords.json")
    args = p.parse_args(argv)
    lexicon = Lexicon.from_map(args.map, args.root) if args.map else synthetic_lexicon(args.terms)
    if len(lexicon) < 50_000:
        print(f"warning: only {len(lexicon)} terms (the target is >= 50,000)")
    texts = sample_texts(args.texts, seed=2)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    t0 = time.perf_counter()
    matcher = Matcher(lexicon)
    build_s = time.perf_counter() - t0
    matcher.find_batch(texts[:50])  # warm-up
    t0 = time.perf_counter()
    hits = matcher.find_batch(texts)
    ac_s = time.perf_counter() - t0
    terms = [t.term.lower() for t in lexicon.terms]
    naive_texts = texts[: args.naive_texts]
    naive_mb = sum(len(t.encode()) for t in naive_texts) / 1e6
    t0 = time.perf_counter()
    naive = [any(term in t.lower() for term in terms) for t in naive_texts]
    naive_s = time.perf_counter() - t0
    result = {
        "lexicon": lexicon.name, "terms": len(lexicon), "patterns": matcher.patterns, "build_seconds": build_s,
        "texts": len(texts), "megabytes": megabytes,
        "matcher": {"seconds": ac_s, "texts_per_s": len(texts) / ac_s, "mb_per_s": megabytes / ac_s,
                    "texts_with_hits": sum(bool(h) for h in hits)},
        "naive_any_term_in_text": {"texts": len(naive_texts), "seconds": naive_s,
                                   "texts_per_s": len(naive_texts) / naive_s, "mb_per_s": naive_mb / naive_s,
                                   "texts_with_hits": sum(naive)},
        "env": environment(),
        "command": "python benchmarks/keyword_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    result["speedup_texts_per_s"] = result["matcher"]["texts_per_s"] / result["naive_any_term_in_text"]["texts_per_s"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"lexicon {lexicon.name}: {len(lexicon):,} terms, {matcher.patterns:,} patterns, built in {build_s:.1f} s")
    for name in ("matcher", "naive_any_term_in_text"):
        r = result[name]
        print(f"{name:24} {r['texts_per_s']:10.1f} texts/s {r['mb_per_s']:8.3f} MB/s")
    print(f"speed-up {result['speedup_texts_per_s']:.0f}x (matcher includes normalisation; naive does not)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
