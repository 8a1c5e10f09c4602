"""Shared data + the project's authored data → one deduplicated, group-split ``datasets.DatasetDict`` and a data card.

Steps:

1. read every source of the chosen build (``sources.py`` + ``label_map.toml``);
2. merge exact and normalised duplicates (NFKC, case, whitespace and punctuation folded; positive labels are
   unioned, so a text can never be both safe and unsafe);
3. **groups**: rows that must stay together share a group — a source's own grouping (a HateCheck template with its
   target groups, one question with its answers or translations, a dialogue context, a statute, an authored seed;
   see ``Raw.group`` in sources.py), rows merged as duplicates, and near-duplicates (character 4-gram Jaccard ≥ 0.6,
   found exactly by ``neardup.py``) are joined into one group;
4. **external suites** (``external = true`` in label_map.toml: HateCheck, XSTest; CHiSafetyBench; the project's
   trivial-text suite and TC260 test banks) go to splits of their own, and a training row that duplicates or
   near-duplicates one of them is dropped, so they are never trained on;
5. **split by group**: a group inside a source's own test (dev) split goes to test (dev); the rest is split
   80 / 10 / 10 per stratum (source × primary risk), whole groups at a time (the idea of scikit-learn's
   ``StratifiedGroupKFold``), in a deterministic hash order, so a rebuild gives the same splits;
6. **audit**: the share of test and dev rows with a near-duplicate in train (target ≤ 1 %) goes into the card and
   ``stats.json``.

Also kept per row: ``v1_unseen`` — the row was in the test split of the build the v1 model was trained from (the old
per-text hash split) and has no near-duplicate in that build's train or dev split: the only rows on which v1's
figures are not inflated by training on them.

Usage::

    python training/build_data.py --data $GENSAFE_DATA --out runs/data/default [--build research]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import neardup  # noqa: E402
from gensafe.text import clean_text, is_blank  # noqa: E402
from sources import BUILDS, load_chisafety, load_rows, read_user_csv  # noqa: E402

SPLITS = ("train", "dev", "test")
EXTERNAL_SPLITS = {"HateCheck": "hatecheck", "XSTest": "xstest", "CHiSafetyBench": "chisafety",
                   "trivial-suite": "trivial", "tc260-banks": "banks"}  # golden-test rows: "dropped"
_ORIGIN = {"test": "test", "dev": "dev", "val": "dev", "valid": "dev", "validation": "dev", "train": "train"}
_HELD_OUT = {"test": 2, "dev": 1, "train": 0}
COLUMNS = ("text", "lang", "role", "labels", "known", "source", "licence", "also_in", "group", "detail", "v1_unseen")


normalise = neardup.exact_key  # the key rows are deduplicated by (kept under this name for callers and tests)


def stratum_key(row: dict[str, Any]) -> tuple[str, str]:
    """The stratum of a row: (source, primary risk), ``"safe"`` for a row without labels. Splitting (here) and
    train.py's balancing both use it, so a stratum means the same thing everywhere.

    Example:
        >>> stratum_key({"source": "COLDataset", "labels": ["A.2.4", "A.4.3"]})
        ('COLDataset', 'A.2.4')
    """
    return row["source"], row["labels"][0] if row["labels"] else "safe"


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def deduplicate(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Merge rows with the same normalised text; the first row's fields win, labels and known risks are unioned.

    The groups of merged rows are kept in ``_links`` (the merged row joins all of them) and the most held-out
    ``origin_split`` of the merged rows wins.
    """
    merged: dict[str, dict[str, Any]] = {}
    exact = 0
    seen_exact: set[str] = set()
    for r in rows:
        if r["text"] in seen_exact:
            exact += 1
        seen_exact.add(r["text"])
        key = normalise(r["text"])
        if not key or is_blank(clean_text(r["text"])):  # blank once cleaned (zero-width, controls): never scored
            continue
        if key in merged:
            m = merged[key]
            m["labels"] = sorted(set(m["labels"]) | set(r["labels"]))
            m["known"] = sorted(set(m["known"]) | set(r["known"]))
            m["external"] = m["external"] or r.get("external", False)
            if r.get("group"):
                m["_links"].add(r["group"])
            origin = _ORIGIN.get(r.get("origin_split", ""), "")
            if origin and _HELD_OUT[origin] > _HELD_OUT.get(m["_origin"], -1):
                m["_origin"] = origin
            if r["source"] not in m["also_in"] and r["source"] != m["source"]:
                m["also_in"].append(r["source"])
        else:
            merged[key] = {**r, "also_in": [], "_key": key, "external": r.get("external", False),
                           "_links": {r["group"]} if r.get("group") else set(),
                           "_origin": _ORIGIN.get(r.get("origin_split", ""), "")}
    out = list(merged.values())
    return out, {"rows_read": len(rows), "exact_duplicates": exact, "after_dedup": len(out)}


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def assign_groups(rows: list[dict[str, Any]], near_duplicates: bool = True) -> dict[str, int]:
    """Set ``r["group"]`` on every row: the connected component of shared source groups, merged duplicates and
    near-duplicate pairs (named by its first row's group key). Returns counts for the data card."""
    uf = _UnionFind(len(rows))
    first_with: dict[str, int] = {}
    for i, r in enumerate(rows):
        for g in sorted(r["_links"]):
            if g in first_with:
                uf.union(first_with[g], i)
            else:
                first_with[g] = i
    pairs = neardup.pairs([r["text"] for r in rows]) if near_duplicates else []
    for r in rows:
        r["_near_external"] = False
    for i, j, _ in pairs:
        a, b = rows[i], rows[j]
        if a["external"] != b["external"]:
            # a training row that near-duplicates an external suite row is dropped, not merged: merging would pull
            # its whole group (a templated source can chain thousands of rows) out of training with it
            (b if a["external"] else a)["_near_external"] = True
        else:
            uf.union(i, j)
    names: dict[int, str] = {}
    taken: set[str] = set()
    for i, r in enumerate(rows):
        root = uf.find(i)
        if root not in names:
            first = rows[root]
            name = min(first["_links"]) if first["_links"] else f"text:{_hash(first['_key'])[:16]}"
            # a suite row and the training row it duplicates share a key but are different components
            names[root] = name if name not in taken else f"{name}#{root}"
            taken.add(names[root])
        r["group"] = names[root]
    sizes = Counter(r["group"] for r in rows)
    return {"near_duplicate_pairs": len(pairs), "groups": len(sizes), "largest_group": max(sizes.values(), default=0)}


def assign_splits(rows: list[dict[str, Any]], dev: float = 0.1, test: float = 0.1) -> None:
    """Split whole groups: external rows to their suite, groups touching an external row to ``dropped``, a group
    inside a source's own test/dev split there, the rest 80 / 10 / 10 per (source, primary risk) stratum.

    Within a stratum, groups are taken in the order of their key's hash and each goes to the split that stays least
    full relative to its target after taking it, so a big group (a statute, a template family) lands in train rather
    than swamping a small split.
    """
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_group[r["group"]].append(r)
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g, members in by_group.items():
        if any(m["external"] for m in members):
            for m in members:
                m["split"] = EXTERNAL_SPLITS.get(m["source"], "dropped") if m["external"] else "dropped"
            continue
        for m in [m for m in members if m["_near_external"]]:
            m["split"] = "dropped"
            members.remove(m)
        if not members:
            continue
        # a source's own split is honoured for groups made mostly of its rows (a near-duplicate chain that picks up
        # one row of a source's validation split must not drag thousands of other rows into dev)
        origins = [m["_origin"] for m in members if m["_origin"]]
        origin = max(origins, key=_HELD_OUT.get) if 2 * len(origins) >= len(members) else ""
        if origin:
            for m in members:
                m["split"] = origin
            continue
        lead = max(members, key=lambda m: (len(m["labels"]) > 0, m["source"]))
        strata[stratum_key(lead)].append(g)
    targets = {"test": test, "dev": dev, "train": 1.0 - dev - test}
    for groups in strata.values():
        total = sum(len(by_group[g]) for g in groups)
        if total < 10:  # too small to split: train only
            for g in groups:
                for m in by_group[g]:
                    m["split"] = "train"
            continue
        filled = Counter()
        for g in sorted(groups, key=_hash):
            size = len(by_group[g])
            split = min((s for s in ("test", "dev", "train") if targets[s] > 0),
                        key=lambda s: (filled[s] + size) / (targets[s] * total))
            filled[split] += size
            for m in by_group[g]:
                m["split"] = split


def group_and_split(raw: list[dict[str, Any]], near_duplicates: bool = True) -> tuple[list[dict[str, Any]], dict]:
    """Deduplicate, group and split rows (steps 2–5 of the module docstring); returns the rows and counts.

    External suites are deduplicated on their own: a suite keeps its own rows and labels, and a training row that
    duplicates one is found as a near-duplicate pair (Jaccard 1.0) and dropped.
    """
    rows, stats = deduplicate([r for r in raw if not r["external"]])
    suites, suite_stats = deduplicate([r for r in raw if r["external"]])
    rows += suites
    stats = {k: stats[k] + suite_stats[k] for k in stats}
    stats["grouping"] = assign_groups(rows, near_duplicates)
    assign_splits(rows)
    return rows, stats


def legacy_v1_unseen(rows: list[dict[str, Any]]) -> None:
    """Mark ``v1_unseen``: in the test split of the old per-text hash split (stratified by source and primary risk,
    the build ``gensafe-zh-en-v1`` was trained from) and not a near-duplicate of any row of its train or dev split."""
    # v1's build keyed rows by the folded text and dropped those that fold to nothing (emoji, punctuation): the same
    # rule here, or the per-stratum counts and hash order would differ from the split v1 really had
    legacy = [r for r in rows if r["build"] == "default" and r["source"] != "gensafe-authored"
              and neardup.fold(r["text"])]
    strata: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in legacy:
        strata[stratum_key(r)].append(r)
    old: dict[int, str] = {}
    for members in strata.values():
        members.sort(key=lambda r: _hash(r["_key"]))
        n = len(members)
        n_test = round(n * 0.1) if n >= 10 else 0
        for i, r in enumerate(members):
            old[id(r)] = "test" if i < n_test else "seen"
    test = [r for r in legacy if old[id(r)] == "test"]
    seen = [r for r in legacy if old[id(r)] == "seen"]
    leaked = {i for i, _, _ in neardup.across([r["text"] for r in test], [r["text"] for r in seen])}
    for r in rows:
        r["v1_unseen"] = id(r) not in old  # sources v1 was never built from (authored, evaluation-only)
    for i, r in enumerate(test):
        r["v1_unseen"] = i not in leaked


def leakage(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of dev and test rows with a near-duplicate (4-gram Jaccard ≥ 0.6) in train, overall and per source."""
    train = [r["text"] for r in rows if r["split"] == "train"]
    out: dict[str, Any] = {}
    for split in ("test", "dev"):
        held = [r for r in rows if r["split"] == split]
        hit = {i for i, _, _ in neardup.across([r["text"] for r in held], train)}
        per = Counter(held[i]["source"] for i in hit)
        out[split] = {"rows": len(held), "with_near_duplicate_in_train": len(hit),
                      "share": len(hit) / len(held) if held else 0.0, "by_source": dict(per.most_common())}
    return out


def data_card(rows: list[dict[str, Any]], stats: dict[str, Any], build: str) -> str:
    """Markdown: how the splits were made and audited, counts per source × split (public and authored apart) and
    per risk × language × split."""
    kept = [r for r in rows if r["split"] in SPLITS]
    lines = [f"# Data card: `{build}` build", "", "Generated by `training/build_data.py`.", ""]
    g, leak = stats["grouping"], stats["leakage"]
    lines += [f"- rows read: {stats['rows_read']:,}; exact duplicates: {stats['exact_duplicates']:,}; "
              f"after exact + normalised deduplication: {stats['after_dedup']:,}",
              f"- groups (source groups + merged duplicates + near-duplicates, 4-gram Jaccard ≥ 0.6): {g['groups']:,} "
              f"from {g['near_duplicate_pairs']:,} near-duplicate pairs; largest group {g['largest_group']:,} rows",
              f"- dropped from train/dev/test as duplicates or near-duplicates of an external suite row: "
              f"{stats['dropped_external_duplicates']:,} (of them near-duplicates of a golden sentence of "
              f"`tests/test_golden.py`: {stats.get('dropped_golden_duplicates', 0):,})",
              f"- authored data read from: {stats.get('authored_folder', 'training/data/authored')}",
              f"- **leakage audit**: test rows with a near-duplicate in train: "
              f"{leak['test']['with_near_duplicate_in_train']:,} of {leak['test']['rows']:,} "
              f"({100 * leak['test']['share']:.2f} %); dev: {leak['dev']['with_near_duplicate_in_train']:,} of "
              f"{leak['dev']['rows']:,} ({100 * leak['dev']['share']:.2f} %)",
              "- external suites (never trained on, never used for selection): "
              + ", ".join(f"{k} {v:,}" for k, v in stats["external"].items()),
              f"- rows unseen by gensafe-zh-en-v1 (`v1_unseen`, test split): {stats['v1_unseen_test']:,}", ""]
    lines += ["## Rows per source and split", "", "| source | licence | build | train | dev | test | unsafe |",
              "|---|---|---|---:|---:|---:|---:|"]
    by_source: dict[str, Counter] = defaultdict(Counter)
    meta = {}
    for r in kept:
        by_source[r["source"]][r["split"]] += 1
        by_source[r["source"]]["unsafe"] += bool(r["labels"])
        meta[r["source"]] = (r["licence"], r["build"])
    for kind, names in (("public", [s for s in sorted(by_source) if s != "gensafe-authored"]),
                        ("authored", [s for s in sorted(by_source) if s == "gensafe-authored"])):
        total = Counter()
        for s in names:
            c = by_source[s]
            total.update(c)
            lines.append(f"| {s} | {meta[s][0]} | {meta[s][1]} | {c['train']:,} | {c['dev']:,} | {c['test']:,} | "
                         f"{c['unsafe']:,} |")
        lines.append(f"| **all {kind}** | | | {total['train']:,} | {total['dev']:,} | {total['test']:,} | "
                     f"{total['unsafe']:,} |")
    lines += ["", "## Positive examples per risk, language and split", "",
              "| risk | zh train | zh dev | zh test | en train | en dev | en test | sources |",
              "|---|" + "---:|" * 6 + "---|"]
    by_risk: dict[str, Counter] = defaultdict(Counter)
    risk_sources: dict[str, Counter] = defaultdict(Counter)
    for r in kept:
        for code in r["labels"]:
            by_risk[code][(r["lang"], r["split"])] += 1
            risk_sources[code][r["source"]] += 1
    from gensafe.taxonomy import RISK_CODES

    for code in RISK_CODES:
        c = by_risk.get(code, Counter())
        src = ", ".join(f"{s} {n}" for s, n in risk_sources[code].most_common())
        cells = " | ".join(f"{c[(lang, sp)]:,}" for lang in ("zh", "en") for sp in SPLITS)
        lines.append(f"| {code} | {cells} | {src or '—'} |")
    safe = Counter((r["lang"], r["split"]) for r in kept if not r["labels"])
    lines.append("| safe | " + " | ".join(f"{safe[(lang, sp)]:,}" for lang in ("zh", "en") for sp in SPLITS) + " | |")
    lines += ["", "## Test rows with a near-duplicate in train, per source", "",
              "| source | rows |", "|---|---:|"]
    lines += [f"| {s} | {n} |" for s, n in leak["test"]["by_source"].items()] or ["| (none) | 0 |"]
    return "\n".join(lines) + "\n"


TRIVIAL_SUITE = Path(__file__).resolve().parent / "data" / "suites" / "trivial.jsonl"
# The golden sentences of tests/test_golden.py: a test of the shipped model, so no row may train on one (a row that
# near-duplicates a golden sentence is dropped like a suite duplicate). Not scored here.
GOLDEN_SUITE = Path(__file__).resolve().parents[1] / "tests" / "data" / "golden.tsv"


def read_golden() -> list[tuple[str, str, str, str]]:
    """The golden sentences as (verdict ``flag``/``ok``, kind, lang, text); raises when the file is missing (training
    from a copy without ``tests/`` would quietly train on the golden test)."""
    if not GOLDEN_SUITE.exists():
        raise FileNotFoundError(f"{GOLDEN_SUITE} is missing: build the data from a source checkout (its sentences "
                                "must be kept out of training)")
    lines = GOLDEN_SUITE.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip() and not line.startswith("#")]


def external_rows(data: str | Path | None) -> list[dict[str, Any]]:
    """Evaluation-only rows read outside ``load_rows``: CHiSafetyBench (shared data), the project's trivial-text
    suite (greetings, single words, numbers, emoji, chit-chat: never to be flagged), the golden sentences of
    ``tests/test_golden.py`` and the TC260 test banks (``gensafe.banks``): the last two are not evaluated here, only
    kept out of training."""
    rows = []
    for r in load_chisafety(data) if data else []:
        rows.append({**r, "known": r["labels"], "source": "CHiSafetyBench", "licence": "none stated (evaluation only)",
                     "build": "eval", "origin_split": "", "group": "", "detail": "", "external": True})
    if TRIVIAL_SUITE.exists():
        for line in TRIVIAL_SUITE.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append({"text": item["text"], "lang": item["lang"], "role": item.get("role", "prompt"),
                             "labels": [], "known": [], "source": "trivial-suite", "licence": "Apache-2.0 (gensafe)",
                             "build": "eval", "origin_split": "", "group": "", "detail": item.get("kind", ""),
                             "external": True})
    for _verdict, kind, lang, text in read_golden():
        rows.append({"text": text, "lang": lang, "role": "prompt", "labels": [], "known": [],
                     "source": "golden-test", "licence": "Apache-2.0 (gensafe)", "build": "eval",
                     "origin_split": "", "group": "", "detail": kind, "external": True})
    from gensafe.banks import BANKS, LANGS, load_bank

    for bank in BANKS:  # the TC260 banks test models under assessment: kept out of training like a suite
        for lang in LANGS:
            for item in load_bank(bank, lang):
                rows.append({"text": item.question, "lang": lang, "role": "prompt", "labels": [], "known": [],
                             "source": "tc260-banks", "licence": "Apache-2.0 (gensafe)", "build": "eval",
                             "origin_split": "", "group": "", "detail": bank, "external": True})
    return rows


def golden_duplicates(rows: list[dict[str, Any]]) -> int:
    """How many of the rows dropped from train/dev/test are (near-)duplicates of a golden sentence."""
    golden = [r["text"] for r in rows if r["source"] == "golden-test"]
    dropped = [r["text"] for r in rows if r["split"] == "dropped" and not r["external"]]
    keys = {neardup.exact_key(t) for t in golden}
    hit = {i for i, t in enumerate(dropped) if neardup.exact_key(t) in keys}
    hit |= {i for i, _, _ in neardup.across(dropped, golden)} if dropped and golden else set()
    return len(hit)


def build(
    data: str | Path | None,
    build_name: str = "default",
    sources: list[str] | None = None,
    csv_files: list[str] | None = None,
    near_duplicates: bool = True,
    suites: bool = True,
) -> tuple[Any, str, dict]:
    """Read (shared data when ``data`` is given, the authored data, plus your own CSV files), deduplicate, group,
    split and audit. Returns (DatasetDict with train/dev/test and one split per external suite, card, stats)."""
    from datasets import Dataset, DatasetDict

    raw = list(load_rows(data, build_name, sources)) if data else []
    for path in csv_files or []:
        raw += list(read_user_csv(path))
    if not raw:
        raise ValueError("no training rows: give a shared data folder and/or CSV files")
    if suites:  # False only for quick experiments: the suites' rows are then not kept out of training
        raw += external_rows(data)
    rows, stats = group_and_split(raw, near_duplicates)
    legacy_v1_unseen(rows)
    unmeasured = {"rows": 0, "with_near_duplicate_in_train": 0, "share": 0.0, "by_source": {}}
    stats["leakage"] = leakage(rows) if near_duplicates else {"test": unmeasured, "dev": unmeasured}
    stats["dropped_external_duplicates"] = sum(r["split"] == "dropped" and not r["external"] for r in rows)
    stats["dropped_golden_duplicates"] = golden_duplicates(rows)
    stats["authored_folder"] = os.environ.get("GENSAFE_AUTHORED") or "training/data/authored"
    # the golden sentences only keep rows out of training: they are not a suite of this build
    external = sorted({r["split"] for r in rows if r["external"] and r["split"] != "dropped"})
    stats["external"] = {name: sum(r["split"] == name for r in rows) for name in external}
    stats["v1_unseen_test"] = sum(r["v1_unseen"] and r["split"] == "test" for r in rows)
    stats["splits"] = dict(Counter(r["split"] for r in rows))
    neardup.clear_cache()
    card = data_card(rows, stats, build_name)
    splits = {s: Dataset.from_list([{k: r[k] for k in COLUMNS} for r in rows if r["split"] == s])
              for s in (*SPLITS, *external)}
    return DatasetDict(splits), card, stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.environ.get("GENSAFE_DATA"), help="shared data folder (or $GENSAFE_DATA)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--build", default="default", choices=BUILDS)
    p.add_argument("--no-near-duplicates", action="store_true",
                   help="skip the near-duplicate pass (fast, for experiments only: splits can then leak)")
    args = p.parse_args(argv)
    if not args.data:
        p.error("give --data or set GENSAFE_DATA")
    ds, card, stats = build(args.data, args.build, near_duplicates=not args.no_near_duplicates)
    ds.save_to_disk(str(args.out))
    (args.out / "DATA_CARD.md").write_text(card, encoding="utf-8")
    (args.out / "stats.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False))
    print(card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
