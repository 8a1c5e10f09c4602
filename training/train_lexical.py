"""Add a lexical head to a harm-risk model folder: fit a TF-IDF n-gram logistic regression on a build's training rows,
choose its regularisation and its blend weight on dev, recalibrate the thresholds on dev, write a new model folder.

What it is and why: ``gensafe/lexical.py``. The encoder is not retrained: the new folder ships the base folder's graph
and tokenizer unchanged, plus ``lexical.safetensors``; its manifest names the blend weight. A base folder that has a
lexical head already is scored and copied without it, so a shipped model's head can be refitted from its own folder.
Everything chosen here (C, the weight, the thresholds) is chosen on the dev split, scored at the base model's default
precision on this machine, exactly as ``gensafe.load`` will score it; the test split is never read (``ship_model.py``
scores it once). With ``--loso`` a weight must also keep the ROC-AUC of sources the head never saw (each left out of
its fit in turn) on average: on sources it trained on, any n-gram model looks better than it transfers.

Rows: the build's train split without the sources the base model's run left out (its ``select_sources``,
``holdout_source`` and ``exclude_sources``, read from its manifest), so sources held out of the encoder stay held
out of the head, and their dev rows stay a measure of transfer. Unlike the encoder's run, every training row is used
(no cap per source): the head costs seconds per fit.

Usage::

    python training/train_lexical.py --model models/gensafe-zh-en-v5w --data runs/data/s9 \\
        --out runs/v13/model --name gensafe-zh-en-v13 --loso COLDataset SWSR EDOS davidson-hate-offensive
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from datasets import load_from_disk
from scipy import sparse
from sklearn.linear_model import LogisticRegression

import gensafe
from gensafe.lexical import DIM, LexicalHead, blend, featurize_blocks, tfidf
from gensafe.manifest import ModelManifest
from gensafe.ngrams import write_safetensors

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibrate import choose_unsafe_thresholds  # noqa: E402
from evaluate import AUTHORED, _auc  # noqa: E402

C_GRID = (1.0, 4.0, 16.0)
WEIGHT_GRID = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)


# ---------------------------------------------------------------------------------------------------- features
def count_rows(texts: list[str], dim: int = DIM) -> list[tuple[tuple[np.ndarray, np.ndarray], ...]]:
    """Per text and block (characters, words): the distinct buckets and their counts."""
    out = []
    for t in texts:
        blocks = []
        for b in featurize_blocks(t, dim):
            blocks.append(np.unique(b, return_counts=True))
        out.append(tuple(blocks))
    return out


def fit_vocab(counted: list, block: int, min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Kept buckets of one block (seen in ``min_df`` rows or more) and their smoothed IDF, as scikit-learn's
    ``TfidfVectorizer(smooth_idf=True)`` computes it: ``ln((1 + n) / (1 + df)) + 1``."""
    keys, df = np.unique(np.concatenate([c[block][0] for c in counted]), return_counts=True)
    keep = df >= min_df
    idf = np.log((1 + len(counted)) / (1 + df[keep])) + 1.0
    return keys[keep].astype(np.int64), idf.astype(np.float32)


def matrix(counted: list, block: int, vocab: np.ndarray, idf: np.ndarray) -> sparse.csr_matrix:
    """One block's :func:`gensafe.lexical.tfidf` features of every row: what ``LexicalHead`` computes at run time."""
    rows = [tfidf(*c[block], vocab, idf) for c in counted]
    indptr = np.cumsum([0] + [len(pos) for pos, _ in rows])
    indices = np.concatenate([pos for pos, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    data = np.concatenate([x for _, x in rows]) if rows else np.zeros(0)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(counted), len(vocab)))


def features(counted: list, vocab: list[tuple[np.ndarray, np.ndarray]]) -> sparse.csr_matrix:
    """Both blocks' features of every row side by side (characters, then words), ``vocab`` one
    :func:`fit_vocab` result per block: the matrix the head's coefficients are fitted on."""
    return sparse.hstack([matrix(counted, b, *vocab[b]) for b in (0, 1)]).tocsr()


# ---------------------------------------------------------------------------------------------------- measures
def slices(rows: Any, held: set[str]) -> dict[str, np.ndarray]:
    """The dev slices a choice is judged on: public text per language (the sources the head trains on) and the
    held-out sources (transfer)."""
    src, lang = np.array(rows["source"]), np.array(rows["lang"])
    public = (src != AUTHORED) & ~np.isin(src, sorted(held))
    return {"public zh": public & (lang == "zh"), "public en": public & (lang == "en"),
            "authored zh": (src == AUTHORED) & (lang == "zh"), "authored en": (src == AUTHORED) & (lang == "en"),
            "held-out sources": np.isin(src, sorted(held))}


def figures(y: np.ndarray, s: np.ndarray, sl: dict[str, np.ndarray]) -> dict[str, float | None]:
    """ROC-AUC of scores ``s`` on each slice."""
    return {k: _auc(y[m], s[m]) for k, m in sl.items()}


def objective(f: dict[str, float | None]) -> float:
    """What a choice maximises: the mean public ROC-AUC of the two languages (the issue's headline rows)."""
    if f["public zh"] is None or f["public en"] is None:
        sys.exit("dev has no public rows of both classes in zh and in en: nothing to choose C or the weight on")
    return (f["public zh"] + f["public en"]) / 2


def write_report(path: Path, record: dict[str, Any], base: ModelManifest, sl: dict[str, np.ndarray],
                 command: str) -> None:
    """The dev figures of every candidate (markdown, and the record as JSON beside it)."""
    dev = record["dev_auc"]
    lines = [f"Reproduce: `{command}`", "", "| dev ROC-AUC | " + " | ".join(sl) + " |", "|---|" + "---:|" * len(sl)]
    rows = [(base.name + (" (encoder alone)" if base.lexical else ""), dev["base"])]
    rows += [(f"head alone, C={c}", f) for c, f in dev["head_alone"].items()]
    rows += [(f"blend, weight {w}", f) for w, f in dev["blend"].items()]
    for label, f in rows:
        lines.append(f"| {label} | " + " | ".join("—" if f[k] is None else f"{f[k]:.4f}" for k in sl) + " |")
    transfer = record["leave_one_source_out_delta_auc"]
    if transfer:
        sources = list(next(iter(transfer.values())))
        lines += ["", "Leave one source out: the head refitted without the source (C as chosen), blended with the "
                  "encoder, on that source's dev rows: ROC-AUC of the blend minus the encoder's alone.", "",
                  "| weight | " + " | ".join(sources) + " | mean |", "|---|" + "---:|" * (len(sources) + 1)]
        for w, t in transfer.items():
            lines.append(f"| {w} | " + " | ".join(f"{t[s]:+.4f}" for s in sources)
                         + f" | {np.mean(list(t.values())):+.4f} |")
    lines += ["", f"Chosen: C={record['C']}, weight {record['weight']}" + (
        "" if record["weight"] is not None else " (no weight keeps the left-out sources: no folder written)")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps(record, indent=1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, type=Path, help="a harm-risk model folder (the encoder to keep)")
    p.add_argument("--data", required=True, type=Path, help="folder written by build_data.py")
    p.add_argument("--out", required=True, type=Path, help="the new model folder (must not exist)")
    p.add_argument("--name", required=True, help="the new model's name")
    p.add_argument("--min-df", type=int, default=3, help="keep n-grams seen in at least this many training rows")
    p.add_argument("--report", type=Path, default=None, help="dev report (markdown; .json beside it)")
    p.add_argument("--loso", nargs="*", default=[], metavar="SOURCE",
                   help="sources to leave out one at a time: a blend weight is allowed only if these sources, unseen "
                        "by the head, do not lose ROC-AUC on average")
    args = p.parse_args(argv)
    command = "python training/train_lexical.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.out.exists():
        p.error(f"{args.out} exists: give a new --out")
    base = ModelManifest.read(args.model)
    if base.provenance.get("architecture") != "harm-risk":
        p.error(f"{args.model} is not a harm-risk model: a lexical head blends into P(unsafe), which it lacks")
    cfg = base.provenance.get("config", {})
    held = {s for s in [*cfg.get("select_sources", []), cfg.get("holdout_source", ""),
                        *cfg.get("exclude_sources", [])] if s}

    # 1. data: every training row of the sources the encoder's run trained on; dev for every choice
    ds = load_from_disk(str(args.data))
    train = ds["train"].filter(lambda r: r["source"] not in held)
    dev = ds["dev"]
    y_train = np.array([bool(x) for x in train["labels"]])
    y_dev = np.array([bool(x) for x in dev["labels"]])
    print(f"{len(train):,} training rows ({int(y_train.sum()):,} unsafe), {len(dev):,} dev rows; held out: "
          f"{sorted(held) or 'none'}")

    # 2. features, fitted on the training rows only
    t0 = time.time()
    counted_train, counted_dev = count_rows(train["text"]), count_rows(dev["text"])
    vocab = [fit_vocab(counted_train, b, args.min_df) for b in (0, 1)]
    x_train, x_dev = features(counted_train, vocab), features(counted_dev, vocab)
    print(f"features: {len(vocab[0][0]):,} character + {len(vocab[1][0]):,} word n-gram buckets in "
          f"{time.time() - t0:.0f} s")

    # 3. the head alone: its regularisation chosen on dev
    sl = slices(dev, held)
    fits: dict[float, tuple[LogisticRegression, dict]] = {}
    for c in C_GRID:
        lr = LogisticRegression(C=c, solver="liblinear", max_iter=2000).fit(x_train, y_train)
        fits[c] = (lr, figures(y_dev, lr.decision_function(x_dev), sl))
        print(f"C={c:g}: head alone, dev ROC-AUC {fits[c][1]}")
    best_c = max(fits, key=lambda c: objective(fits[c][1]))
    lr = fits[best_c][0]
    n_char = len(vocab[0][0])
    head = LexicalHead(char_vocab=vocab[0][0], char_idf=vocab[0][1], char_coef=lr.coef_[0, :n_char].astype(np.float32),
                       word_vocab=vocab[1][0], word_idf=vocab[1][1], word_coef=lr.coef_[0, n_char:].astype(np.float32),
                       bias=float(lr.intercept_[0]))

    # 4. transfer: the head refitted without each --loso source, scored on that source's dev rows
    loso_logits: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    src_train, src_dev = np.array(train["source"]), np.array(dev["source"])
    for source in args.loso:
        keep, rows = np.flatnonzero(src_train != source), np.flatnonzero(src_dev == source)
        if len(set(y_dev[rows].tolist())) < 2:
            p.error(f"--loso {source}: its dev rows are not of both classes (or it has none): ROC-AUC undefined")
        counted = [counted_train[i] for i in keep]
        voc = [fit_vocab(counted, b, args.min_df) for b in (0, 1)]
        fit = LogisticRegression(C=best_c, solver="liblinear", max_iter=2000).fit(
            features(counted, voc), y_train[keep])
        x_rows = features([counted_dev[i] for i in rows], voc)
        loso_logits[source] = (rows, fit.decision_function(x_rows).astype(np.float32))
        print(f"leave {source} out: head alone on its dev rows, ROC-AUC "
              f"{_auc(y_dev[rows], loso_logits[source][1]):.4f}")

    # 5. the blend weight, chosen on dev with the base model scored as gensafe scores it (default precision)
    clf = gensafe.load(args.model, device="cpu")
    if clf.lexical is not None:  # the encoder alone: its own head set aside
        clf = dataclasses.replace(clf, lexical=None, manifest=dataclasses.replace(clf.manifest, lexical={}))
    base_scores = clf.predict(dev["text"]).scores
    head_logits = head.logits(dev["text"])  # the run-time path, not the training matrix: the two must agree
    check = lr.decision_function(x_dev)
    if not np.allclose(head_logits, check, atol=1e-3):
        worst = np.abs(head_logits - check).max()
        sys.exit(f"run-time lexical logits differ from the fitted model's (max {worst:.4g})")
    base_fig = figures(y_dev, base_scores.max(axis=1), sl)
    blends = {w: figures(y_dev, blend(base_scores, head_logits, w).max(axis=1), sl) for w in WEIGHT_GRID}
    # transfer per weight: the blend's ROC-AUC minus the encoder's alone on each left-out source's dev rows
    transfer = {w: {s: _auc(y_dev[r], blend(base_scores[r], lg, w).max(axis=1))
                    - _auc(y_dev[r], base_scores[r].max(axis=1))
                    for s, (r, lg) in loso_logits.items()} for w in WEIGHT_GRID}
    for w, f in blends.items():
        print(f"weight {w}: dev ROC-AUC {f}; left-out sources {transfer[w] or '-'}")
    # a weight qualifies when, on average, the sources the head never saw do not lose ROC-AUC by it
    allowed = [w for w in WEIGHT_GRID if not transfer[w] or np.mean(list(transfer[w].values())) >= 0]
    weight = max(allowed, key=lambda w: objective(blends[w])) if allowed else None
    record = {"base_model": base.provenance.get("lexical", {}).get("base_model", base.name), "rows": len(train),
              "min_df": args.min_df, "C": best_c, "weight": weight,
              "features": {"char_buckets": len(vocab[0][0]), "word_buckets": len(vocab[1][0]), "dim": DIM},
              "dev_auc": {"base": base_fig, "head_alone": {str(c): f for c, (_, f) in fits.items()},
                          "blend": {str(w): f for w, f in blends.items()}},
              "leave_one_source_out_delta_auc": {str(w): t for w, t in transfer.items()} if loso_logits else None,
              "dev_scored_at": clf.precision, "command": command}
    if args.report:
        write_report(args.report, record, base, sl, command)
    if weight is None:
        sys.exit(f"no blend weight keeps the left-out sources' ROC-AUC on average ({sorted(loso_logits)}): "
                 "the head does not transfer; no folder written")
    if objective(blends[weight]) <= objective(base_fig):
        sys.exit(f"no blend weight beats {base.name} alone on dev ({objective(base_fig):.4f}): no folder written")

    # 6. thresholds on the blended dev P(unsafe); write the folder
    final = blend(base_scores, head_logits, weight)
    # as train.py calibrates: dev without the held-out source (which ship_model.py reports on), the run's targets
    kept = np.array(dev["source"]) != cfg.get("holdout_source", "")
    thresholds, notes = choose_unsafe_thresholds(y_dev[kept], final.max(axis=1)[kept], base.labels,
                                                 cfg.get("target_recall", 0.9), cfg.get("target_precision", 0.9))
    args.out.mkdir(parents=True)
    for name in base.file_names():
        if name != base.lexical.get("file"):
            (args.out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(args.model / name, args.out / name)
    write_safetensors(args.out / "lexical.safetensors", head.tensors())
    files = {k: v for k, v in base.files.items() if k != base.lexical.get("file")}
    manifest = ModelManifest(**{**base.__dict__, "files": files, "name": args.name, "thresholds": thresholds,
                                "lexical": {"file": "lexical.safetensors", "weight": weight}, "format_version": 2,
                                "provenance": {**{k: v for k, v in base.provenance.items() if k != "dev_ece"},
                                               "lexical": record, "threshold_notes": notes,
                                               "thresholds_from": "dev, blended scores"}})
    manifest.write(args.out)
    print(f"wrote {args.out}: C={best_c:g}, weight {weight}; dev ROC-AUC {base.name} {base_fig} -> {blends[weight]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
