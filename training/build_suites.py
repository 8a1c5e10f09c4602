"""Evaluation suites read beside a data build, never inside it: OKTest, WildGuardTest and ToxicChat-test.

These sets are scored, never trained or chosen on. Their licences are research-only or unverified (``SOURCES.md``),
so they stay out of every build; and adding external rows to ``build_data.py`` would regroup the build and move rows
between train and test, so the models trained on an existing build could no longer be scored honestly on its test
split. Instead this writes one split per suite next to the build, checked against it: a suite row whose text (or a
near-duplicate of it) is in the build's **train or dev** split is dropped, because a model trained on that build may
have seen it; duplicates inside a suite keep their first row. ``stats.json`` counts what was read, dropped and kept.

Usage::

    python training/build_suites.py --data ../shared/data --against runs/data/default --out runs/data/default-suites
    python training/ship_model.py ... --data runs/data/default --suites runs/data/default-suites
    python training/compare_models.py ... --data runs/data/default --suites runs/data/default-suites
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import neardup  # noqa: E402
from build_data import COLUMNS  # noqa: E402
from sources import mapped_rows, read_label_map  # noqa: E402
from sources_more import SUITE_READERS  # noqa: E402

SUITE_SPLITS = {"OKTest": "oktest", "WildGuardTest": "wildguard", "ToxicChat-test": "toxicchat"}


def suite_rows(data: str | Path, names: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Each suite's rows in the build schema (labels through ``label_map.toml``), keyed by split name."""
    table = read_label_map()
    out: dict[str, list[dict[str, Any]]] = {}
    for name, reader in SUITE_READERS.items():
        if names is not None and name not in names:
            continue
        raws = list(reader(Path(data)))
        unmapped = Counter(r.key for r in raws if r.key not in table[name]["labels"])
        if unmapped:  # a suite must be scored whole: an unknown label would silently shrink it
            raise ValueError(f"{name}: label keys missing from label_map.toml: {dict(unmapped)}")
        rows = list(mapped_rows(name, table[name], raws))
        for r in rows:
            r.update(also_in=[], v1_unseen=False)
        out[SUITE_SPLITS[name]] = rows
    return out


def decontaminate(suites: dict[str, list[dict[str, Any]]], seen: list[str]) -> tuple[dict[str, list[dict]], dict]:
    """Drop suite rows that repeat one another or (near-)duplicate a text in ``seen``; counts per suite."""
    seen_keys = {neardup.exact_key(t) for t in seen}
    kept: dict[str, list[dict[str, Any]]] = {}
    stats: dict[str, Any] = {}
    for split, rows in suites.items():
        by_key: dict[str, dict[str, Any]] = {}
        for r in rows:  # the first row of each text
            by_key.setdefault(neardup.exact_key(r["text"]), r)
        unique = list(by_key.values())
        exact = [r for key, r in by_key.items() if key in seen_keys]
        rest = [r for key, r in by_key.items() if key not in seen_keys]
        near = {i for i, _, _ in neardup.across([r["text"] for r in rest], seen)} if rest and seen else set()
        kept[split] = [r for i, r in enumerate(rest) if i not in near]
        stats[split] = {"read": len(rows), "repeats_in_suite": len(rows) - len(unique), "in_build_exact": len(exact),
                        "in_build_near": len(near), "kept": len(kept[split]),
                        "unsafe": sum(bool(r["labels"]) for r in kept[split]),
                        "safe": sum(not r["labels"] for r in kept[split])}
    return kept, stats


def main(argv: list[str] | None = None) -> int:
    from datasets import Dataset, DatasetDict, load_from_disk

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.environ.get("GENSAFE_DATA"), help="shared data folder (or $GENSAFE_DATA)")
    p.add_argument("--against", required=True, type=Path, help="the build (build_data.py) the suites are scored beside")
    p.add_argument("--out", required=True, type=Path)
    args = p.parse_args(argv)
    if not args.data:
        p.error("give --data or set GENSAFE_DATA")
    build = load_from_disk(str(args.against))
    seen = [t for split in ("train", "dev") for t in build[split]["text"]]
    kept, stats = decontaminate(suite_rows(args.data), seen)
    empty = [name for name, rows in kept.items() if not rows]
    if empty:
        sys.exit(f"no rows left in {empty} after removing what {args.against} holds: nothing to score")
    DatasetDict({s: Dataset.from_list([{k: r[k] for k in COLUMNS} for r in rows]) for s, rows in kept.items()}
                ).save_to_disk(str(args.out))
    stats = {"against": str(args.against), "checked_against_rows": len(seen), "suites": stats,
             "licences": dict(Counter(r["licence"] for rows in kept.values() for r in rows))}
    (args.out / "stats.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(stats, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
