"""Evaluate a gensafe model folder on a built dataset: the numbers in the model card come from here.

Scores come from ``gensafe.load(model)`` — the exported ONNX graph users get, not the torch model — so the report
measures what ships. Writes ``report.md``, ``metrics.json`` and ``pr_curves.png`` beside the model (or to ``--out``).

Usage::

    python training/evaluate.py --model runs/default/model --data runs/data/default [--precision int8]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

import gensafe
from gensafe.policy import Policy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibrate import expected_calibration_error  # noqa: E402

# Sources whose safe rows are benign text about sensitive matters: the false-positive check.
BENIGN_SOURCES = ("LawRefBook-Laws", "Chinese-medical-dialogue", "XSTest", "HalluQA", "HaluEval", "deccp",
                  "HateCheck", "THUCNews-titles")


def _prf(y: np.ndarray, yhat: np.ndarray) -> dict[str, float]:
    tp = int((y & yhat).sum())
    fp = int((~y & yhat).sum())
    fn = int((y & ~yhat).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": int(y.sum()),
            "n": int(len(y))}


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else None


def label_matrix(rows: Any, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Multi-hot targets and the known-risk mask for ``labels``."""
    index = {c: j for j, c in enumerate(labels)}
    y = np.zeros((len(rows), len(labels)), dtype=bool)
    mask = np.zeros_like(y)
    for i, r in enumerate(rows):
        for c in r["labels"]:
            if c in index:
                y[i, index[c]] = True
        for c in r["known"]:
            if c in index:
                mask[i, index[c]] = True
    return y, mask


def evaluate(clf: gensafe.Classifier, ds: Any, split: str = "test") -> dict[str, Any]:
    """All metrics for one split, at every operating point of the model."""
    rows = ds[split]
    labels = list(clf.labels)
    texts = rows["text"]
    t0 = time.perf_counter()
    result = clf.predict(texts)
    seconds = time.perf_counter() - t0
    scores = result.scores
    y, mask = label_matrix(rows, labels)
    unsafe = np.array([bool(r) for r in rows["labels"]])
    lang = np.array(rows["lang"])
    source = np.array(rows["source"])
    points = sorted(clf.manifest.thresholds)
    thresholds = {point: Policy(operating_point=point).thresholds(clf.manifest) for point in points}
    out: dict[str, Any] = {"split": split, "n": len(texts), "seconds": seconds, "texts_per_s": len(texts) / seconds,
                           "labels": labels, "ece": expected_calibration_error(y, scores, mask), "points": {}}
    for point in points:
        th = thresholds[point]
        flags = scores >= th
        # A row counts as flagged on the risks its source judged: a source that labelled only sexism (EDOS) or only
        # regional/gender/race offence (COLD) says nothing about the other risks, so flags there are not errors.
        flagged = (flags & mask).any(axis=1)
        per_risk = {}
        for j, code in enumerate(labels):
            m = mask[:, j]
            per_risk[code] = {**_prf(y[m, j], flags[m, j]), "auc": _auc(y[m, j], scores[m, j]),
                              "threshold": float(th[j])}
        binary = {"all": _prf(unsafe, flagged)}
        for lg in ("zh", "en"):
            sel = lang == lg
            binary[lg] = _prf(unsafe[sel], flagged[sel])
        by_source = {}
        for s in sorted(set(source)):
            sel = source == s
            stats = _prf(unsafe[sel], flagged[sel])
            safe = sel & ~unsafe
            stats["false_positive_rate"] = float(flagged[safe].mean()) if safe.any() else None
            stats["safe_n"] = int(safe.sum())
            by_source[s] = stats
        benign = np.isin(source, BENIGN_SOURCES) & ~unsafe
        out["points"][point] = {
            "per_risk": per_risk,
            "binary": binary,
            "by_source": by_source,
            "benign_false_positive_rate": float(flagged[benign].mean()) if benign.any() else None,
            "benign_n": int(benign.sum()),
        }
    known_max = np.where(mask, scores, 0.0).max(axis=1) if len(labels) else np.zeros(len(texts))
    out["binary_auc"] = {lg: _auc(unsafe[lang == lg], known_max[lang == lg]) for lg in ("zh", "en")}
    out["any_flag_rate_on_safe"] = {point: float((scores[~unsafe] >= th).any(axis=1).mean())
                                    for point, th in thresholds.items()}
    out["_scores"] = scores
    out["_y"] = y
    out["_mask"] = mask
    out["_unsafe"] = unsafe
    out["_lang"] = lang
    return out


def evaluate_chisafety(clf: gensafe.Classifier, ds: Any) -> dict[str, Any]:
    """Per-risk recall on CHiSafetyBench's should-refuse questions: caught at all, and caught as the right risk."""
    if "chisafety" not in ds:
        return {}
    rows = ds["chisafety"]
    result = clf.predict(rows["text"], role="prompt")
    out: dict[str, Any] = {}
    for point in sorted(clf.manifest.thresholds):
        th = Policy(operating_point=point).thresholds(clf.manifest)
        flags = result.scores >= th
        per: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "flagged": 0, "right_risk": 0})
        for i, r in enumerate(rows):
            code = r["labels"][0]
            per[code]["n"] += 1
            per[code]["flagged"] += bool(flags[i].any())
            if code in clf.labels:
                per[code]["right_risk"] += bool(flags[i, clf.labels.index(code)])
        out[point] = {c: {**v, "recall_any": v["flagged"] / v["n"], "covered": c in clf.labels,
                          "recall_right_risk": v["right_risk"] / v["n"] if c in clf.labels else None}
                      for c, v in sorted(per.items())}
    return out


def pr_plot(ev: dict[str, Any], path: Path) -> None:
    """Precision-recall curves: one panel per risk, plus binary unsafe-vs-safe per language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    labels = ev["labels"]
    n = len(labels) + 1
    cols = 5
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.8 * rows), squeeze=False)
    scores, y, mask = ev["_scores"], ev["_y"], ev["_mask"]
    ax = axes[0][0]
    for lg in ("zh", "en"):
        sel = ev["_lang"] == lg
        if ev["_unsafe"][sel].any():
            p, r, _ = precision_recall_curve(ev["_unsafe"][sel], np.where(mask[sel], scores[sel], 0).max(axis=1))
            ax.plot(r, p, label=lg)
    ax.set_title("unsafe vs safe")
    ax.legend()
    for k, code in enumerate(labels, start=1):
        ax = axes[k // cols][k % cols]
        m = mask[:, k - 1]
        if y[m, k - 1].any():
            p, r, _ = precision_recall_curve(y[m, k - 1], scores[m, k - 1])
            ax.plot(r, p)
        ax.set_title(f"{code} (n+={int(y[m, k - 1].sum())})")
    for ax in axes.flat:
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("recall", fontsize=8)
        ax.set_ylabel("precision", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal, or a dash for none."""
    return "—" if x is None else f"{100 * x:.1f}"


def markdown(ev: dict[str, Any], chi: dict[str, Any], clf: gensafe.Classifier, command: str) -> str:
    """The evaluation report as markdown (tables quoted in the model card)."""
    from gensafe.taxonomy import RISK_CODES, risk

    lines = [f"# Evaluation: {clf.name}", "", f"Reproduce: `{command}`", "",
             f"Split `{ev['split']}`: {ev['n']:,} texts, scored with `gensafe.load(..., precision={clf.precision!r})` "
             f"on {clf.provider} in {ev['seconds']:.1f} s ({ev['texts_per_s']:.0f} texts/s, tokenisation included). "
             f"Expected calibration error (known risk × text pairs, 15 bins): {ev['ece']:.4f}.", ""]
    lines += ["## Unsafe vs safe (any risk flagged)", "",
              "A text is flagged when any risk its source judged is over threshold (sources that labelled only some "
              "risks, e.g. EDOS sexism, say nothing about the others). Share of safe test texts with any flag at all: "
              + ", ".join(f"{p} {pct(v)} %" for p, v in ev["any_flag_rate_on_safe"].items()) + ".", "",
              "| operating point | lang | precision | recall | F1 | n unsafe | n |", "|---|---|---:|---:|---:|---:|---:|"]
    for point, data in ev["points"].items():
        for lg in ("zh", "en", "all"):
            b = data["binary"][lg]
            lines.append(f"| {point} | {lg} | {pct(b['precision'])} | {pct(b['recall'])} | {pct(b['f1'])} | "
                         f"{b['support']:,} | {b['n']:,} |")
    aucs = ", ".join(f"{lg} {'—' if v is None else f'{v:.3f}'}" for lg, v in ev["binary_auc"].items())
    lines += ["", f"ROC-AUC of the max risk score: {aucs}.", ""]
    default = clf.manifest.default_operating_point
    lines += [f"## Per risk (operating point `{default}`; P/R/F1 in %)", "",
              "| risk | name | precision | recall | F1 | ROC-AUC | support | threshold |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for code, m in ev["points"][default]["per_risk"].items():
        auc = "—" if m["auc"] is None else f"{m['auc']:.3f}"
        lines.append(f"| {code} | {risk(code).en} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | "
                     f"{auc} | {m['support']} | {m['threshold']:.3f} |")
    uncovered = [c for c in RISK_CODES if c not in clf.labels]
    lines += ["", f"Not covered by the classifier (no score emitted): {', '.join(uncovered)}.", ""]
    lines += ["## Benign text about sensitive matters (false-positive rate, %)", "",
              "| operating point | all benign | " + " | ".join(BENIGN_SOURCES) + " |", "|---|---:|" + "---:|" * len(BENIGN_SOURCES)]
    for point, data in ev["points"].items():
        cells = []
        for s in BENIGN_SOURCES:
            st = data["by_source"].get(s)
            cells.append("—" if not st or st["false_positive_rate"] is None else f"{pct(st['false_positive_rate'])} ({st['safe_n']})")
        lines.append(f"| {point} | {pct(data['benign_false_positive_rate'])} ({data['benign_n']}) | " + " | ".join(cells) + " |")
    lines += ["", "## Per source (operating point `" + default + "`)", "",
              "| source | precision | recall | F1 | unsafe | n | FP rate on safe |", "|---|---:|---:|---:|---:|---:|---:|"]
    for s, st in ev["points"][default]["by_source"].items():
        lines.append(f"| {s} | {pct(st['precision'])} | {pct(st['recall'])} | {pct(st['f1'])} | {st['support']} | "
                     f"{st['n']} | {pct(st['false_positive_rate'])} |")
    if chi:
        lines += ["", "## CHiSafetyBench should-refuse questions (zh; never trained on): recall, %", "",
                  "| risk | n | " + " | ".join(f"{p}: any risk | {p}: right risk" for p in chi) + " |",
                  "|---|---:|" + "---:|---:|" * len(chi)]
        codes = sorted(next(iter(chi.values())))
        for code in codes:
            cells = []
            for p in chi:
                v = chi[p][code]
                cells += [pct(v["recall_any"]), pct(v["recall_right_risk"]) if v["covered"] else "not covered"]
            lines.append(f"| {code} | {chi[next(iter(chi))][code]['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_report(clf: gensafe.Classifier, ds: Any, out: Path, command: str, split: str = "test") -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    ev = evaluate(clf, ds, split)
    chi = evaluate_chisafety(clf, ds)
    pr_plot(ev, out / "pr_curves.png")
    (out / "report.md").write_text(markdown(ev, chi, clf, command), encoding="utf-8")
    public = {k: v for k, v in ev.items() if not k.startswith("_")}
    public["chisafety"] = chi
    public["model"] = clf.name
    public["precision"] = clf.precision
    (out / "metrics.json").write_text(json.dumps(public, indent=1, ensure_ascii=False), encoding="utf-8")
    return public


def main(argv: list[str] | None = None) -> int:
    from datasets import load_from_disk

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True, help="folder written by build_data.py")
    p.add_argument("--precision", default="auto")
    p.add_argument("--split", default="test")
    p.add_argument("--out", type=Path, default=None, help="report folder (default: the model folder)")
    args = p.parse_args(argv)
    clf = gensafe.load(args.model, device="cpu", precision=args.precision)
    command = "python training/evaluate.py " + " ".join(argv if argv is not None else sys.argv[1:])
    metrics = write_report(clf, load_from_disk(args.data), args.out or Path(args.model), command, args.split)
    print(json.dumps({p: v["binary"] for p, v in metrics["points"].items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
