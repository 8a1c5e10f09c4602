"""Hard negatives: score a build's safe training rows with a model (this script), and let train.py fill part of
each capped safe stratum with the highest-scored ones (``hard_negatives=``, ``choose_safe_rows``).

train.py keeps at most ``max_per_group`` rows of each (source, primary risk) stratum; for a large safe stratum
(COLDataset's 12,919 safe comments, EDOS's 10,590 posts) the kept rows are a random draw, mostly easy text the model
already passes. The issue's "hard negatives" are benign rows close to harm: the safe rows a trained model scores
highest are those — or rows the source mislabelled, which is why the top rows of the comment sources carry the
project's own two-pass labels (``training/data/labels/hard-negatives.jsonl``). This script writes one line per safe
training row of every stratum larger than the cap — its text key (``sources.text_key``, never the text), source and
P(unsafe) — and train.py fills a share of each capped safe stratum from the top of that list
(``training/config.py``: ``hard_negative_share``, ``hard_negative_labels``).

Mining only reads the train split: dev and test rows are never ranked, so selection and reporting stay honest.

Example:
    python training/hard_negatives.py --model models/gensafe-zh-en-v5w --data runs/data/s9 \\
        --out runs/mined/v5w-s9.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import gensafe
from gensafe.manifest import sha256_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_data import stratum_key  # noqa: E402
from sources import _jsonl, text_key  # noqa: E402


def candidates(train: list[dict], cap: int, uncapped: set[str]) -> list[dict]:
    """The safe rows train.py would have to draw from: safe strata holding more rows than ``cap`` (others are kept
    whole, so ranking them changes nothing), outside the ``uncapped`` sources."""
    sizes = Counter(stratum_key(r) for r in train)
    return [r for r in train if not r["labels"] and r["source"] not in uncapped and sizes[stratum_key(r)] > cap]


def read_mined(path: str | Path) -> dict[str, float]:
    """Text key -> P(unsafe) from a file this script wrote (its first line is a header)."""
    rows = _jsonl(Path(path))
    next(rows, None)
    return {r["key"]: r["score"] for r in rows}


def read_judged(path: str | Path) -> dict[str, str]:
    """Text key -> ``"benign"``, ``"harmful"`` or ``"disputed"`` from a project label file of mined rows
    (``training/data/labels/hard-negatives.jsonl``: two blind passes, ``harmful_alone`` null where they disagree)."""
    verdict = {0: "benign", 1: "harmful", None: "disputed"}
    return {r["key"]: verdict[r["harmful_alone"]] for r in _jsonl(Path(path))}


def choose_safe_rows(members: list[dict], cap: int, mined: dict[str, float], share: float,
                     judged: dict[str, str] | None = None) -> tuple[list[dict], int, int]:
    """``cap`` rows of a safe stratum: the ``share`` of them that score highest, the rest in ``members``' (shuffled)
    order. Returns the rows, how many of them are hard negatives and how many rows were left out as judged harmful
    or disputed.

    Where ``judged`` (the project's blind labels of mined rows) covers the stratum, only rows judged benign are taken
    as hard negatives and rows judged harmful or disputed are not trained on at all: among the safe rows a model
    scores highest, a comment source's own label is wrong far more often than in a random draw
    (training/results/hard_negatives_audit.md). A stratum it does not cover takes its top rows as they are.

    Example:
        >>> rows = [{"text": t} for t in ("a", "b", "c", "d")]
        >>> mined = {text_key(t): p for t, p in zip("abcd", (0.1, 0.9, 0.99, 0.3))}
        >>> kept, hard, left_out = choose_safe_rows(rows, 2, mined, share=0.5)
        >>> [r["text"] for r in kept], hard, left_out
        (['c', 'a'], 1, 0)
        >>> judged = {text_key("c"): "harmful", text_key("b"): "benign"}
        >>> kept, hard, left_out = choose_safe_rows(rows, 2, mined, share=0.5, judged=judged)
        >>> [r["text"] for r in kept], hard, left_out
        (['b', 'a'], 1, 1)
    """
    keys = [text_key(r["text"]) for r in members]
    missing = [k for k in keys if k not in mined]
    if missing:
        raise ValueError(f"{len(missing)} of {len(members)} rows of a capped safe stratum have no mined score "
                         f"(e.g. text key {missing[0]}): the hard_negatives file was mined on another build or cap")
    judged = judged if judged and any(k in judged for k in keys) else None  # labels cover this stratum, or not
    usable = [i for i, k in enumerate(keys) if judged is None or judged.get(k) not in ("harmful", "disputed")]
    eligible = usable if judged is None else [i for i in usable if judged.get(keys[i]) == "benign"]
    hard = sorted(eligible, key=lambda i: -mined[keys[i]])[: round(share * cap)]
    taken = set(hard)
    rest = [i for i in usable if i not in taken][: cap - len(hard)]
    return [members[i] for i in hard + rest], len(hard), len(members) - len(usable)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="model folder that ranks the rows (e.g. the shipped default)")
    parser.add_argument("--data", required=True, help="folder written by build_data.py")
    parser.add_argument("--out", required=True, help="JSON-lines file to write (keep it under runs/)")
    parser.add_argument("--cap", type=int, default=1200, help="the run's max_per_group (strata at most this big are "
                                                              "kept whole and not scored)")
    parser.add_argument("--uncapped", nargs="*", default=["gensafe-authored"], help="the run's uncapped_sources")
    args = parser.parse_args(argv)

    from datasets import load_from_disk

    train = list(load_from_disk(args.data)["train"])
    rows = candidates(train, args.cap, set(args.uncapped))
    print(f"{len(rows):,} safe training rows in strata over {args.cap} rows, from "
          f"{len({r['source'] for r in rows})} sources", flush=True)
    clf = gensafe.load(args.model, device="cpu")
    start = time.perf_counter()
    result = clf.predict([r["text"] for r in rows])
    p_unsafe = result.scores.max(axis=1)  # harm-risk models: the top risk's score is P(unsafe) (model card)
    print(f"scored in {time.perf_counter() - start:.0f} s with {clf!r}", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        header = {"model": clf.name, "manifest_sha256": sha256_file(Path(args.model) / "manifest.json"),
                  "data": args.data, "cap": args.cap}
        f.write(json.dumps(header) + "\n")
        for r, p in zip(rows, p_unsafe, strict=True):
            f.write(json.dumps({"key": text_key(r["text"]), "source": r["source"], "score": round(float(p), 5)}) + "\n")
    flagged = Counter(r["source"] for r, p in zip(rows, p_unsafe, strict=True) if p >= 0.5)
    total = Counter(r["source"] for r in rows)
    for source in sorted(total):
        print(f"  {source:28s} {total[source]:6,d} rows, {flagged[source] / total[source]:6.1%} at P(unsafe) >= 0.5")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
