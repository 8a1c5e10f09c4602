"""Side-by-side figures for several model folders on the same rows: the headline slices, the sources that matter,
the external suites and the golden sentences, each at the model's own default operating point, unmasked.

Two models trained on different data builds are compared fairly only on rows neither trained on: ``--only-in``
restricts the split to texts that are in the same split of another build too (e.g. the previous default's build);
``--not-trained-in`` only drops the texts the other build trains on, so rows new to this build stay in (when a build
adds authored items, its regrouping moves some older items from train to dev, and the new items are in neither).
Choices between candidates are made on ``--split dev``; ``--split test`` is for the report of models already shipped.

Example:
    python training/compare_models.py --models models/gensafe-zh-en-v5w runs/<new>/model \\
        --data runs/data/default --split dev --out runs/compare-dev.md      # the same build: every dev row
    python training/compare_models.py --models runs/v2-model models/gensafe-zh-en-v3 \\
        --data runs/data/default --only-in runs/data/default-v2 --split test  # two builds: rows of both
    python training/compare_models.py --models models/gensafe-zh-en-v5w runs/<new>/model \\
        --data runs/data/s7 --not-trained-in runs/data/default --split dev    # a build with new authored items
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np

import gensafe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_data import read_golden  # noqa: E402
from evaluate import SUITE_MEASURES, evaluate, evaluate_suites, load_data, pct  # noqa: E402

SLICES = ("public zh", "public en", "authored zh", "authored en", "authored short zh", "authored short en",
          "public prompts", "public contents")
SOURCES = ("COLDataset", "SWSR", "CHBias", "EDOS", "davidson-hate-offensive", "DiaSafety", "PANDA", "JADE-DB",
           "hh-rlhf-harmless")


def restrict(ds: Any, split: str, other: Any | None, trained: Any | None = None) -> Any:
    """The split's rows: only those whose text is in the same split of ``other`` when it is given, and none whose
    text is in the train split of ``trained`` when that is given."""
    rows = ds[split]
    if other is not None:
        keep = set(other[split]["text"])
        rows = rows.filter(lambda r: r["text"] in keep)
    if trained is not None:
        seen = set(trained["train"]["text"])
        rows = rows.filter(lambda r: r["text"] not in seen)
    return rows


def golden_score(clf: gensafe.Classifier) -> dict[str, Any]:
    """Golden sentences judged right at the default operating point, and the ones judged wrong."""
    cases = read_golden()
    result = clf.predict([c[3] for c in cases])
    wrong = [f"{c[0]} {c[3]}" for i, c in enumerate(cases) if bool(result[i].flagged) != (c[0] == "flag")]
    return {"n": len(cases), "right": len(cases) - len(wrong), "wrong": wrong}


def measure(model: str, ds: Any, split: str, rows: Any) -> dict[str, Any]:
    """Every figure of the comparison for one model folder: ``rows`` of the split (see ``restrict``), the suites of
    ``ds`` and the golden sentences."""
    clf = gensafe.load(model, device="cpu")
    point = clf.manifest.default_operating_point
    ev = evaluate(clf, {split: rows}, split)
    binary = ev["points"][point]["binary"]
    suites = evaluate_suites(clf, ds)
    out: dict[str, Any] = {"model": clf.name, "folder": model, "point": point, "rows": len(rows),
                           "slices": {s: binary.get(s) for s in SLICES},
                           "auc": {s: ev["binary_auc"].get(s) for s in SLICES},
                           "sources": {s: ev["points"][point]["by_source"].get(s) for s in SOURCES},
                           "golden": golden_score(clf)}
    for name in SUITE_MEASURES:
        if name in suites:
            v = suites[name]["all"][point]
            out[name] = {"unsafe_recall": v["unsafe_recall"], "safe_flag_rate": v["safe_flag_rate"]}
    if "chisafety" in suites:
        chi = suites["chisafety"]["all"][point]
        recalls = [c["recall_any"] for c in chi.values() if isinstance(c, dict) and "recall_any" in c]
        out["chisafety"] = {"min_recall": min(recalls), "mean_recall": float(np.mean(recalls))}
    return out


def _f1_fp(b: dict[str, Any] | None) -> str:
    """One cell: F1 / safe flagged %, or a dash where the model had no such rows."""
    return f"{pct(b['f1'])} / {pct(b['false_positive_rate'])}" if b else "—"


def markdown(results: list[dict[str, Any]], command: str) -> str:
    """One table per kind of figure, one column per model."""
    head = "| | " + " | ".join(r["model"] for r in results) + " |"
    rule = "|---|" + "---:|" * len(results)
    lines = [f"Reproduce: `{command}`", "", f"Rows compared: {results[0]['rows']:,}; each model at its own default "
             "operating point; F1 / safe flagged % (unmasked: a text is flagged when any risk is over its threshold).",
             "", head, rule]
    for s in SLICES:
        lines.append(f"| {s}: F1 / safe flagged % | " + " | ".join(_f1_fp(r["slices"][s]) for r in results) + " |")
    for s in SLICES:
        lines.append(f"| {s}: ROC-AUC | " + " | ".join(
            "—" if r["auc"][s] is None else f"{r['auc'][s]:.3f}" for r in results) + " |")
    for s in SOURCES:
        lines.append(f"| {s}: F1 / safe flagged % | " + " | ".join(_f1_fp(r["sources"][s]) for r in results) + " |")
    # a choice between candidates is made on the rows above; the suites below are reported, never chosen on
    lines.append("| *external suites and golden sentences: reported, not for choosing* |" + " |" * len(results))
    for name, (_, a, b) in SUITE_MEASURES.items():
        if name in results[0]:
            if a:
                lines.append(f"| {name}: {a} % | " + " | ".join(pct(r[name]["unsafe_recall"]) for r in results) + " |")
            lines.append(f"| {name}: {b} % | " + " | ".join(pct(r[name]["safe_flag_rate"]) for r in results) + " |")
    if "chisafety" in results[0]:
        lines.append("| CHiSafetyBench recall %: lowest risk / mean | " + " | ".join(
            f"{pct(r['chisafety']['min_recall'])} / {pct(r['chisafety']['mean_recall'])}" for r in results) + " |")
    lines.append("| golden sentences right | " + " | ".join(
        f"{r['golden']['right']} of {r['golden']['n']}" for r in results) + " |")
    for r in results:
        lines += ["", f"Golden sentences {r['model']} gets wrong: " + (" · ".join(r["golden"]["wrong"]) or "none")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from datasets import load_from_disk

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", nargs="+", required=True, help="model folders")
    p.add_argument("--data", required=True, help="folder written by build_data.py (its suites are scored too)")
    p.add_argument("--suites", default=None, help="folder written by build_suites.py beside --data (scored too)")
    p.add_argument("--split", default="dev", help="dev to choose; test only to report models already shipped")
    p.add_argument("--only-in", default=None, help="another build: keep only texts in its same split too")
    p.add_argument("--not-trained-in", default=None, help="another build: drop the texts in its train split")
    p.add_argument("--out", type=Path, default=None, help="write the markdown (and a .json beside it) here")
    args = p.parse_args(argv)
    ds = load_data(args.data, args.suites)
    other = load_from_disk(args.only_in) if args.only_in else None
    trained = load_from_disk(args.not_trained_in) if args.not_trained_in else None
    rows = restrict(ds, args.split, other, trained)  # the same rows for every model
    results = [measure(m, ds, args.split, rows) for m in args.models]
    command = "python training/compare_models.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    text = markdown(results, command)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
