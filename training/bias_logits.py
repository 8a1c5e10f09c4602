"""Out-of-fold logits of a bag-of-n-grams model for every training row: the "bias expert" of a debiased run.

Why: a TF-IDF n-gram logistic regression learns what a text is *about* (on an independent topic-matched contrast set
it ranks harmful against benign items at ROC-AUC 0.60, near chance, while scoring F1 0.85 in distribution:
``../shared/docs/data-notes.md``). Training the encoder's harm logit *added to* this model's logit (a product of
experts, Clark et al. 2019, "Don't Take the Easy Way Out"; ``train.py``'s ``bias_logits``) leaves the encoder the
part of the label the n-grams cannot explain: harm in a text whose words look safe, and benign text whose words look
harmful. At inference the encoder runs alone.

The logits are out-of-fold: rows are split into ``--folds`` folds by their ``group`` (near-duplicates, a question and
its answers, a template and its variants stay in one fold, as in the data splits), and each fold is scored by a model
fitted on the others. An in-sample fit would be confidently right on nearly every training row and leave the encoder
nothing to learn from the rows it gets right. Features and model are those of the lexical head
(``gensafe.lexical``, ``training/train_lexical.py``); C is fixed (``--C``, 4 was chosen on dev for the lexical head).

Output: JSONL, one line per distinct training text, ``{"sha": <sha256 of the text, 16 hex>, "logit": <float>}``,
plus a summary JSON beside it (rows, folds, the out-of-fold ROC-AUC per language).

Usage::

    python training/bias_logits.py --data runs/data/s9 --out runs/bias/s9-ngram.jsonl --exclude Flames Chinese-SafetyQA
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from datasets import load_from_disk
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import _auc  # noqa: E402
from sources import text_key  # noqa: E402  (how a training text is looked up in a bias-logit file)
from train_lexical import count_rows, features, fit_vocab  # noqa: E402


def fold_of(group: str, folds: int) -> int:
    """A group's fold, stable across runs and machines."""
    return int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % folds


def read_bias_logits(path: str | Path) -> dict[str, float]:
    """The file :func:`main` writes, as ``{text_key: logit}``; raises ``ValueError`` naming a bad line."""
    out: dict[str, float] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                item = json.loads(line)
                out[item["sha"]] = float(item["logit"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise ValueError(f"{path}:{n}: expected {{\"sha\": ..., \"logit\": ...}}") from None
    return out


def out_of_fold(texts: list[str], unsafe: np.ndarray, groups: list[str], folds: int, c: float,
                min_df: int) -> np.ndarray:
    """Each row's logit from a model fitted on the folds it is not in."""
    counted = count_rows(texts)
    fold = np.array([fold_of(g, folds) for g in groups])
    logits = np.zeros(len(texts), dtype=np.float32)
    for k in range(folds):
        fit_rows, score_rows = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        part = [counted[i] for i in fit_rows]
        vocab = [fit_vocab(part, b, min_df) for b in (0, 1)]
        model = LogisticRegression(C=c, solver="liblinear", max_iter=2000).fit(features(part, vocab), unsafe[fit_rows])
        logits[score_rows] = model.decision_function(features([counted[i] for i in score_rows], vocab))
        print(f"fold {k + 1}/{folds}: fitted on {len(fit_rows):,} rows, scored {len(score_rows):,}")
    return logits


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, type=Path, help="folder written by build_data.py")
    p.add_argument("--out", required=True, type=Path, help="the JSONL file to write")
    p.add_argument("--exclude", nargs="*", default=[], metavar="SOURCE",
                   help="sources neither fitted on nor scored (a run's select_sources / holdout_source)")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--C", type=float, default=4.0)
    p.add_argument("--min-df", type=int, default=3)
    args = p.parse_args(argv)
    if args.folds < 2:
        p.error("--folds must be at least 2: out-of-fold logits need a fold to leave out")
    t0 = time.time()
    train = load_from_disk(str(args.data))["train"]
    train = train.filter(lambda r: r["source"] not in set(args.exclude))
    texts, groups = train["text"], train["group"]
    unsafe = np.array([bool(x) for x in train["labels"]])
    logits = out_of_fold(texts, unsafe, groups, args.folds, args.C, args.min_df)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    with open(args.out, "w", encoding="utf-8") as f:
        for text, logit in zip(texts, logits.tolist(), strict=True):
            key = text_key(text)
            if key not in seen:  # a text listed twice gets its first row's logit
                seen.add(key)
                f.write(json.dumps({"sha": key, "logit": round(logit, 4)}) + "\n")
    lang = np.array(train["lang"])
    summary = {"data": str(args.data), "rows": len(texts), "texts": len(seen), "folds": args.folds, "C": args.C,
               "min_df": args.min_df, "exclude": args.exclude,
               "out_of_fold_auc": {lg: _auc(unsafe[lang == lg], logits[lang == lg]) for lg in ("zh", "en")},
               "seconds": round(time.time() - t0)}
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
