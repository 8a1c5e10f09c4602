"""Validate the project lexicon (``lexicons/project/*.tsv``) and measure its ``flag`` tier on benign text.

Checks, for every file: the exact header, one risk code per file (the file's own name), tiers, severities,
languages, the pinyin column, empty or padded fields, duplicate terms inside and across files (compared after
case folding and NFKC), variants that repeat a term, and the TC260-003 §8.1 floors (≥ 10,000 canonical terms,
≥ 200 per A.1 risk, ≥ 100 per A.2 risk, ≥ 50 per A.3–A.5 risk here). Prints the count table per risk × tier × lang.

With ``--benign DATA`` (the shared data folder) it also measures, per benign source, the share of texts that
contain any ``flag`` term by plain substring (case-insensitive for Latin; ``+`` rules need every part). Substring
matching over-counts the real matcher, which matches short terms as whole words, so this is an upper bound.
By default a text is also searched in gensafe's folded form (separators dropped, traditional → simplified);
``--plain`` turns that off, ``--matcher`` measures with gensafe's own ``Matcher`` instead (whole words, pinyin).
``--write-demoted PATH`` adds every ``flag`` term that hit a benign text to PATH (one term a line), which
``training/lexicon_sources/build_project_lexicon.py`` reads to demote those terms to ``evidence``.

Example:
    nice -n 19 .venv/bin/python training/check_lexicon.py                       # format + floors + table
    nice -n 19 .venv/bin/python training/check_lexicon.py --benign /work/shared/data --sample 3000
    nice -n 19 .venv/bin/python training/check_lexicon.py --benign /work/shared/data --sample 1500 --matcher
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HEADER = ["term", "risk", "tier", "severity", "lang", "variants", "pinyin"]
TIERS = ("flag", "evidence")
SEVERITIES = ("high", "medium", "low")
LANGS = ("zh", "en")
TOTAL_FLOOR = 10_000
REPO = Path(__file__).resolve().parents[1]


def floor_of(code: str) -> int:
    """The per-risk floor: 200 for A.1 (§8.1), 100 for A.2 (§8.1), 50 for A.3–A.5 (project choice)."""
    return 200 if code.startswith("A.1.") else 100 if code.startswith("A.2.") else 50


def risk_codes() -> tuple[str, ...]:
    """The 31 codes from gensafe's taxonomy (the one source of truth), read without importing the package."""
    sys.path.insert(0, str(REPO / "src"))
    from gensafe.taxonomy import RISK_CODES  # noqa: PLC0415 - path set just above

    return RISK_CODES


def norm(term: str) -> str:
    """Comparison key: NFKC + case fold, so 'Meth' and 'meth' or full-width forms count as one term."""
    return unicodedata.normalize("NFKC", term).casefold()


def read_lexicon(folder: Path) -> tuple[list[dict], list[str]]:
    """All rows of all ``*.tsv`` files under ``folder`` and the list of format errors found."""
    codes = set(risk_codes())
    rows: list[dict] = []
    errors: list[str] = []
    files = sorted(folder.glob("*.tsv"))
    if not files:
        errors.append(f"{folder}: no .tsv files")
    missing = codes - {f.stem for f in files}
    errors += [f"{folder}: no file for {c}" for c in sorted(missing)]
    for path in files:
        if path.stem not in codes:
            errors.append(f"{path.name}: file name is not a risk code")
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
        if not lines or lines[0].split("\t") != HEADER:
            errors.append(f"{path.name}: first non-comment line must be the header {HEADER}")
            continue
        for n, line in enumerate(lines[1:], start=2):
            cols = line.split("\t")
            where = f"{path.name}:{n}"
            if len(cols) != len(HEADER):
                errors.append(f"{where}: {len(cols)} columns, expected {len(HEADER)}")
                continue
            row = dict(zip(HEADER, cols))
            if any(c != c.strip() for c in cols):
                errors.append(f"{where}: padded field")
            bad = [
                (not row["term"] or row["term"].startswith("+") or row["term"].endswith("+") or "++" in row["term"],
                 "empty term or empty + part"),
                (row["risk"] != path.stem, f"risk {row['risk']!r} differs from the file's {path.stem}"),
                (row["tier"] not in TIERS, f"tier {row['tier']!r}"),
                (row["severity"] not in SEVERITIES, f"severity {row['severity']!r}"),
                (row["lang"] not in LANGS, f"lang {row['lang']!r}"),
                (row["pinyin"] not in ("0", "1"), f"pinyin {row['pinyin']!r}"),
                (row["pinyin"] == "1" and row["lang"] != "zh", "pinyin=1 on a non-zh term"),
            ]
            errors += [f"{where}: {msg}" for cond, msg in bad if cond]
            variants = [v for v in row["variants"].split("|") if v] if row["variants"] else []
            if len(variants) != len(set(map(norm, variants))) or norm(row["term"]) in map(norm, variants):
                errors.append(f"{where}: a variant repeats the term or another variant")
            row["variant_list"] = variants
            row["where"] = where
            rows.append(row)
    seen: dict[str, str] = {}
    for row in rows:  # every spelling (term or variant) belongs to one row only
        for spelling in [row["term"], *row["variant_list"]]:
            key = norm(spelling)
            if key in seen and seen[key] != row["where"]:
                errors.append(f"{row['where']}: {spelling!r} already at {seen[key]}")
            seen.setdefault(key, row["where"])
    return rows, errors


def count_table(rows: list[dict]) -> tuple[str, list[str]]:
    """The per-risk × tier × lang table as text, and the floors that are missed."""
    cells: Counter = Counter((r["risk"], r["tier"], r["lang"]) for r in rows)
    head = f"{'risk':7} {'flag zh':>8} {'flag en':>8} {'evid zh':>8} {'evid en':>8} {'total':>6} {'floor':>6}"
    out, missed = [head, "-" * len(head)], []
    for code in risk_codes():
        total = sum(v for (c, _, _), v in cells.items() if c == code)
        line = [cells[(code, t, lang)] for t in TIERS for lang in LANGS]
        ok = "" if total >= floor_of(code) else "  MISSED"
        if ok:
            missed.append(f"{code}: {total} < {floor_of(code)}")
        out.append(f"{code:7} " + " ".join(f"{v:>8}" for v in line) + f" {total:>6} {floor_of(code):>6}{ok}")
    sums = [sum(v for (_, t, g), v in cells.items() if t == tier and g == lang) for tier in TIERS for lang in LANGS]
    out.append(f"{'all':7} " + " ".join(f"{v:>8}" for v in sums) + f" {len(rows):>6} {TOTAL_FLOOR:>6}")
    if len(rows) < TOTAL_FLOOR:
        missed.append(f"total: {len(rows)} < {TOTAL_FLOOR}")
    return "\n".join(out), missed


# --- benign sources ------------------------------------------------------------------------------------------


def _csv_rows(path: Path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def benign_sources(data: Path) -> dict[str, list[str]]:
    """Benign texts per shared source (all rows; sampling happens later). Missing sources are skipped."""
    out: dict[str, list[str]] = {}
    law = data / "LawRefBook-Laws/laws_articles.jsonl.gz"
    if law.exists():
        with gzip.open(law, "rt", encoding="utf-8") as fh:
            out["LawRefBook-Laws"] = [json.loads(ln)["text"] for ln in fh if ln.strip()]
    thuc = sorted((data / "THUCNews-titles").glob("*.txt"))
    if thuc:
        out["THUCNews-titles"] = [ln.split("\t")[0] for p in thuc if p.name != "class.txt"
                                  for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
    med = data / "Chinese-medical-dialogue/样例_内科5000-6000.utf8.csv.gz"
    if med.exists():
        with gzip.open(med, "rt", encoding="utf-8") as fh:
            out["Chinese-medical-dialogue"] = [f"{r['title']}\n{r['ask']}\n{r['answer']}" for r in csv.DictReader(fh)]
    xs = data / "XSTest/xstest_prompts.csv"
    if xs.exists():
        out["XSTest-safe"] = [r["prompt"] for r in _csv_rows(xs) if r["label"] == "safe"]
    hc = data / "HateCheck/test_suite_cases.csv"
    if hc.exists():
        out["HateCheck-nonhateful"] = [r["test_case"] for r in _csv_rows(hc) if r["label_gold"] == "non-hateful"]
    cold = sorted((data / "COLDataset").glob("*.csv"))
    if cold:
        out["COLDataset-label0"] = [r["TEXT"] for p in cold for r in _csv_rows(p) if r["label"] == "0"]
    return out


def heldout_sources(data: Path) -> dict[str, list[str]]:
    """Benign sources never used to demote terms: an out-of-sample check of the flag tier."""
    out: dict[str, list[str]] = {}
    qa = data / "Chinese-SafetyQA/chinese_safetyqa.jsonl"
    if qa.exists():
        out["Chinese-SafetyQA (held out)"] = [json.loads(ln)["question"] for ln in qa.open(encoding="utf-8") if ln.strip()]
    smile = data / "SmileChat/smilechat_subset.jsonl.gz"
    if smile.exists():
        with gzip.open(smile, "rt", encoding="utf-8") as fh:
            out["SmileChat (held out)"] = ["\n".join(t["content"] for t in json.loads(ln)["dialog"]) for ln in fh]
    panda = data / "PANDA/panda_dataset.tsv"
    if panda.exists():
        with panda.open(encoding="utf-8", newline="") as fh:
            out["PANDA counter-speech (held out)"] = [r["userEnteredResponse"] for r in csv.DictReader(fh, delimiter="\t")
                                                      if r.get("userEnteredResponse")]
    orb = data / "ORBench/orbench_hard.json"
    if orb.exists():
        out["ORBench-hard (held out)"] = [r["prompt"] for r in json.loads(orb.read_text(encoding="utf-8"))]
    coco = data / "CoCoNot/coconot_contrast_eval.jsonl"
    if coco.exists():
        out["CoCoNot-contrast (held out)"] = [json.loads(ln)["prompt"] for ln in coco.open(encoding="utf-8") if ln.strip()]
    return out


def _gensafe_fold():
    """gensafe's matcher folding (separators dropped, traditional → simplified, homoglyphs), or None."""
    try:
        sys.path.insert(0, str(REPO / "src"))
        from gensafe.keywords.normalise import fold  # noqa: PLC0415 - optional, needs opencc
        fold("測試")
    except Exception:  # noqa: BLE001 - any import / converter failure: plain matching only
        return None
    return lambda text: fold(text).text


def flag_rules(rows: list[dict], normalise=norm) -> list[tuple[str, tuple[str, ...]]]:
    """(term, parts) for every flag-tier spelling: the term and each variant, ``+`` split into AND parts."""
    rules = []
    for r in rows:
        if r["tier"] != "flag":
            continue
        for spelling in [r["term"], *r["variant_list"]]:
            parts = tuple(normalise(p) for p in spelling.split("+"))
            if all(parts):
                rules.append((r["term"], parts))
    return rules


def benign_rates(rows: list[dict], texts: dict[str, list[str]], sample: int, seed: int = 0, folded: bool = False):
    """Per source: (n texts, n flagged, rate) and the Counter of flag terms that hit.

    A text is flagged when a flag term occurs in it as a plain substring (NFKC, case-folded) or, with ``folded``,
    also in gensafe's folded form of the text (separators dropped, traditional → simplified), as the matcher sees it.
    Rules are indexed by the first two characters of their first part, so a text is only tested against the
    rules whose opening bigram it contains (the brute-force scan is minutes on a busy machine).
    """
    views = [norm]
    gfold = _gensafe_fold() if folded else None
    if gfold is not None:
        views.append(gfold)
    indexes = []
    for view in views:
        index: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for term, parts in flag_rules(rows, view):
            index[parts[0][:2]].append((term, parts))
        indexes.append((view, index))
    rng = random.Random(seed)
    rates, hits = {}, Counter()
    for name, items in texts.items():
        chosen = items if len(items) <= sample else rng.sample(items, sample)
        flagged = 0
        for text in chosen:
            found = set()
            for view, index in indexes:
                low = view(text)
                grams = {low[i:i + 2] for i in range(len(low))}
                found |= {term for g in grams if g in index for term, parts in index[g] if all(p in low for p in parts)}
            flagged += bool(found)
            hits.update(found)
        rates[name] = (len(chosen), flagged, flagged / max(len(chosen), 1))
    return rates, hits


_MATCHERS: dict = {}


def matcher_rates(folder: Path, texts: dict[str, list[str]], sample: int, seed: int = 0):
    """Like :func:`benign_rates` but with gensafe's own matcher (whole words, pinyin, folding); flag-tier hits only."""
    sys.path.insert(0, str(REPO / "src"))
    from gensafe.keywords import Lexicon, Matcher  # noqa: PLC0415 - the package is only needed for this check

    key = str(folder)
    if key not in _MATCHERS:  # building the automaton takes a minute; the held-out pass reuses it
        _MATCHERS[key] = Matcher(Lexicon.from_tsv(folder))
    matcher = _MATCHERS[key]
    rng = random.Random(seed)
    rates, hits = {}, Counter()
    for name, items in texts.items():
        chosen = items if len(items) <= sample else rng.sample(items, sample)
        flagged = 0
        for text in chosen:
            found = {h.term for h in matcher.find(text) if h.tier == "flag"}
            flagged += bool(found)
            hits.update(found)
        rates[name] = (len(chosen), flagged, flagged / max(len(chosen), 1))
    return rates, hits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", default=str(REPO / "lexicons/project"), help="folder of <risk>.tsv files")
    ap.add_argument("--benign", help="shared data folder; measure the flag tier's benign hit rate per source")
    ap.add_argument("--sample", type=int, default=3000, help="texts per benign source (default 3000)")
    ap.add_argument("--write-demoted", help="append flag terms that hit benign text to this file")
    ap.add_argument("--plain", action="store_true",
                    help="plain substring only (default: also gensafe's folded text, as the matcher sees it)")
    ap.add_argument("--matcher", action="store_true", help="measure with gensafe's Matcher instead of substrings")
    ap.add_argument("--max-rate", type=float, default=0.02, help="fail when a source's flag rate exceeds this")
    args = ap.parse_args(argv)

    rows, errors = read_lexicon(Path(args.folder))
    table, missed = count_table(rows)
    print(table)
    by_lang = Counter(r["lang"] for r in rows)
    variants = sum(len(r["variant_list"]) for r in rows)
    print(f"\ncanonical terms: {len(rows)} (zh {by_lang['zh']}, en {by_lang['en']}); variants (not counted): {variants}")
    for e in errors[:50]:
        print("ERROR", e)
    if len(errors) > 50:
        print(f"ERROR ... and {len(errors) - 50} more")
    for m in missed:
        print("FLOOR", m)
    bad_rate = False
    if args.benign:
        texts = benign_sources(Path(args.benign))
        if not texts:
            print(f"ERROR no benign source found under {args.benign}")
            return 1
        measure = ((lambda t: matcher_rates(Path(args.folder), t, args.sample)) if args.matcher
                   else (lambda t: benign_rates(rows, t, args.sample, folded=not args.plain)))
        rates, hits = measure(texts)
        how = ("gensafe Matcher" if args.matcher else "plain substring" if args.plain
               else "substring of the plain or the gensafe-folded text")
        print(f"\nflag tier on benign text ({how}, ≤ {args.sample} texts per source):")
        for name, (n, k, rate) in rates.items():
            bad_rate |= rate > args.max_rate
            print(f"  {name:32} {k:>5} / {n:<5} = {rate:6.2%}")
        held = heldout_sources(Path(args.benign))
        if held:
            hrates, hhits = measure(held)
            print("  -- held out (not used for demotion) --")
            for name, (n, k, rate) in hrates.items():
                print(f"  {name:32} {k:>5} / {n:<5} = {rate:6.2%}")
            print("  held-out hits: " + ", ".join(f"{t} ({k})" for t, k in hhits.most_common(15)))
        for term, k in hits.most_common(25):
            print(f"  hit {k:>4}  {term}")
        if args.write_demoted and hits:
            path = Path(args.write_demoted)
            old = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
            new = sorted(set(hits) - old)
            with path.open("a", encoding="utf-8") as fh:
                fh.writelines(f"{t}\n" for t in new)
            print(f"  {len(new)} flag terms added to {path}")
    return 1 if errors or missed or bad_rate else 0


if __name__ == "__main__":
    raise SystemExit(main())
