"""How long the texts of a built dataset are in tokens: the evidence behind the window length (``max_tokens``).

A text longer than the window is scored as the max over overlapping windows, so a short window costs nothing in
coverage but splits long answers into pieces the model judges one at a time; a long window costs attention time on
every batch that holds a long text. The table gives, per language and role, the token-length percentiles and the
share of texts that fit in one window of each candidate size.

Example:
    python training/measure_lengths.py --data runs/data/default --tokenizer base/e5-small-zh-en \
        --out training/results/lengths.json
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

WINDOWS = (64, 128, 256, 512)


def measure(data: Path, tokenizer: Path, split: str = "train", prefix: str = "query: ") -> dict:
    from datasets import load_from_disk

    rows = load_from_disk(str(data))[split]
    tok = Tokenizer.from_file(str(tokenizer / "tokenizer.json") if tokenizer.is_dir() else str(tokenizer))
    tok.no_truncation()
    lengths = [len(e.ids) for e in tok.encode_batch([prefix + t for t in rows["text"]])]
    groups: dict[str, list[int]] = defaultdict(list)
    for n, lang, role in zip(lengths, rows["lang"], rows["role"], strict=True):
        for key in ("all", lang, f"{lang}/{role}"):
            groups[key].append(n)
    out = {}
    for key, values in sorted(groups.items()):
        v = np.asarray(values)
        out[key] = {"n": int(v.size), **{f"p{q}": int(np.percentile(v, q)) for q in (50, 90, 95, 99)},
                    **{f"fits_{w}": round(float((v <= w).mean()), 4) for w in WINDOWS}}
    return {"split": split, "tokenizer": str(tokenizer), "groups": out}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="dataset folder written by build_data.py")
    p.add_argument("--tokenizer", type=Path, required=True, help="base model folder or tokenizer.json")
    p.add_argument("--split", default="train")
    p.add_argument("--out", type=Path, default=None, help="write the table as JSON here too")
    args = p.parse_args()
    result = measure(args.data, args.tokenizer, args.split)
    header = "| group | texts | p50 | p90 | p95 | p99 | " + " | ".join(f"≤ {w}" for w in WINDOWS) + " |"
    print(header + "\n|---|" + "---:|" * (5 + len(WINDOWS)))
    for key, g in result["groups"].items():
        print(f"| {key} | {g['n']:,} | {g['p50']} | {g['p90']} | {g['p95']} | {g['p99']} | "
              + " | ".join(f"{100 * g[f'fits_{w}']:.1f} %" for w in WINDOWS) + " |")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
