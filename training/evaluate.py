"""Evaluate a gensafe model folder on a built dataset: the numbers in the model card come from here.

Scores come from ``gensafe.load(model)`` — the exported ONNX graph users get, not the torch model — so the report
measures what ships. Writes ``report.md`` (``EVALUATION.md`` once shipped), ``metrics.json`` and ``pr_curves.png``
beside the model (or to ``--out``).

What is measured, and how (the evaluation rules of this project):

* **Headline = what a user sees.** A text is flagged when *any* risk fires at the operating point, and that verdict is
  scored against safe / unsafe on every row, per language and per source. Nothing is masked.
* **Per-risk figures are masked** — a risk is scored only on rows whose source judged that risk (a sexism set says
  nothing about violence) — and labelled so.
* **Public vs authored**: the headline is also given on public-source rows and on the project's authored rows apart,
  so a gain that exists only on the project's own writing is visible.
* **External suites** (HateCheck per functionality, XSTest, CHiSafetyBench per risk, the trivial-text suite) are
  splits the data build never puts in train/dev/test; they are reported for every model and never used for choices.
* ``--split dev`` is for choices during development; ``--split test`` is run once per shipped model.
* ``--unseen-column v1_unseen`` restricts every split to rows the model never trained on (for a model trained from an
  older, leaky build: see build_data.py); external suites are then reported on all rows *and* on the unseen rows.

Usage::

    python training/evaluate.py --model models/gensafe-zh-en-v1 --data runs/data/default --split test \
        [--unseen-column v1_unseen] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import shlex
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

AUTHORED = "gensafe-authored"
# the last three come from build_suites.py (beside a build, not in it)
SUITES = ("hatecheck", "xstest", "chisafety", "trivial", "oktest", "wildguard", "toxicchat")
# suites scored as flag rates: name -> (title, what recall on unsafe rows means, what flags on safe rows mean); the
# model card and compare_models.py both read it (CHiSafetyBench is per risk and reported on its own)
SUITE_MEASURES = {
    "hatecheck": ("HateCheck (en; functional tests of hate speech)", "hateful recall", "non-hateful flagged"),
    "xstest": ("XSTest (en; safe prompts that sound dangerous, and unsafe contrasts)", "unsafe recall",
               "safe prompts flagged"),
    "trivial": ("Trivial texts (zh + en greetings, single words, numbers, emoji, chit-chat: must never be flagged)",
                "", "flagged"),
    "oktest": ("OKTest (en; benign questions with harmful-sounding words)", "", "flagged"),
    "wildguard": ("WildGuardTest (en; harmful prompts and benign ones, many adversarial role-play)", "harmful recall",
                  "benign flagged"),
    "toxicchat": ("ToxicChat test (en; real user prompts to a chatbot demo, human toxicity label)", "toxic recall",
                  "non-toxic flagged"),
}


def _prf(y: np.ndarray, yhat: np.ndarray) -> dict[str, Any]:
    tp = int((y & yhat).sum())
    fp = int((~y & yhat).sum())
    fn = int((y & ~yhat).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    safe = int((~y).sum())
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": int(y.sum()),
            "n": int(len(y)), "safe_n": safe, "false_positive_rate": fp / safe if safe else None}


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


def _select(ds: Any, split: str, column: str | None) -> Any:
    rows = ds[split]
    if column:
        if column not in rows.column_names:  # a typo must not quietly report "unseen" figures on every row
            raise ValueError(f"split {split!r} has no column {column!r} (columns: {rows.column_names})")
        rows = rows.filter(lambda r: bool(r[column]))
    return rows


def _thresholds(clf: gensafe.Classifier) -> dict[str, np.ndarray]:
    return {point: Policy(operating_point=point).thresholds(clf.manifest) for point in sorted(clf.manifest.thresholds)}


def evaluate(clf: gensafe.Classifier, ds: Any, split: str = "test", unseen_column: str | None = None) -> dict[str, Any]:
    """Every metric for one split at every operating point of the model (headline unmasked)."""
    rows = _select(ds, split, unseen_column)
    labels = list(clf.labels)
    texts = rows["text"]
    t0 = time.perf_counter()
    result = clf.predict(texts)
    seconds = time.perf_counter() - t0
    scores = result.scores
    y, mask = label_matrix(rows, labels)
    unsafe = np.array([bool(r) for r in rows["labels"]], dtype=bool)
    lang = np.array(rows["lang"])
    source = np.array(rows["source"])
    thresholds = _thresholds(clf)
    out: dict[str, Any] = {"split": split, "rows": unseen_column or "all", "n": len(texts), "seconds": seconds,
                           "texts_per_s": len(texts) / max(seconds, 1e-9), "labels": labels,
                           "ece_masked": expected_calibration_error(y, scores, mask), "points": {}}
    slices = {"all": np.ones(len(texts), dtype=bool), "zh": lang == "zh", "en": lang == "en",
              "public": source != AUTHORED, "public zh": (source != AUTHORED) & (lang == "zh"),
              "public en": (source != AUTHORED) & (lang == "en"), "authored": source == AUTHORED,
              "authored zh": (source == AUTHORED) & (lang == "zh"),
              "authored en": (source == AUTHORED) & (lang == "en")}
    # the form of a text must not decide its label: benign questions (prompts) must not be flagged for being
    # questions about a topic, harmful statements (content) must not be missed for not being requests
    role = np.array(rows["role"])
    slices.update({f"public {r}s": (source != AUTHORED) & (role == r) for r in ("prompt", "response", "content")})
    # the short minimal pairs (authored contrast-short-*): short protective questions, refusals, counter-speech
    in_short = np.array([g.split(":", 1)[-1].startswith("short.") for g in rows["group"]], dtype=bool)
    short = (source == AUTHORED) & in_short
    slices.update({f"authored short {x}": short & (lang == x) for x in ("zh", "en")})
    for point, th in thresholds.items():
        flags = scores >= th
        flagged = flags.any(axis=1)  # what the user sees: any risk over its threshold
        binary = {name: _prf(unsafe[sel], flagged[sel]) for name, sel in slices.items() if sel.any()}
        by_source = {s: _prf(unsafe[source == s], flagged[source == s]) for s in sorted(set(source))}
        per_risk = {}
        for j, code in enumerate(labels):
            m = mask[:, j]
            per_risk[code] = {**_prf(y[m, j], flags[m, j]), "auc": _auc(y[m, j], scores[m, j]),
                              "threshold": float(th[j])}
        out["points"][point] = {"binary": binary, "by_source": by_source, "per_risk_masked": per_risk}
    top = scores.max(axis=1) if len(labels) else np.zeros(len(texts))
    out["binary_auc"] = {name: _auc(unsafe[sel], top[sel]) for name, sel in slices.items() if sel.any()}
    out["_scores"], out["_y"], out["_mask"], out["_unsafe"], out["_lang"] = scores, y, mask, unsafe, lang
    return out


def _suite(clf: gensafe.Classifier, rows: Any) -> dict[str, Any]:
    """One suite at every operating point: unsafe recall, safe flag rate, and flag rates per ``detail`` category."""
    scores = clf.predict(rows["text"]).scores
    unsafe = np.array([bool(r) for r in rows["labels"]], dtype=bool)
    details = rows["detail"]
    out: dict[str, Any] = {}
    for point, th in _thresholds(clf).items():
        flagged = (scores >= th).any(axis=1)
        per: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "flagged": 0, "unsafe": 0})
        for f, u, d in zip(flagged, unsafe, details, strict=True):
            per[d]["n"] += 1
            per[d]["flagged"] += bool(f)
            per[d]["unsafe"] += bool(u)
        out[point] = {
            "unsafe_recall": float(flagged[unsafe].mean()) if unsafe.any() else None, "unsafe_n": int(unsafe.sum()),
            "safe_flag_rate": float(flagged[~unsafe].mean()) if (~unsafe).any() else None,
            "safe_n": int((~unsafe).sum()),
            "per": {k: {**v, "flag_rate": v["flagged"] / v["n"]} for k, v in sorted(per.items())},
            "flagged_safe_examples": [t for t, f, u in zip(rows["text"], flagged, unsafe, strict=True)
                                      if f and not u][:20]}
    return out


def evaluate_suites(clf: gensafe.Classifier, ds: Any, unseen_column: str | None = None) -> dict[str, Any]:
    """External suites. Each is scored on all of its rows and, with ``unseen_column``, on the unseen rows too."""
    out: dict[str, Any] = {}
    variants = [("all", None)] + ([("unseen", unseen_column)] if unseen_column else [])
    for name in SUITES:
        if name not in ds:
            continue
        out[name] = {}
        for variant, column in variants:
            rows = _select(ds, name, column)
            if variant != "all" and len(rows) == len(ds[name]):
                continue  # every row unseen: the "all" figures already are the unseen ones
            if len(rows):
                out[name][variant] = _chisafety(clf, rows) if name == "chisafety" else _suite(clf, rows)
    return out


def _chisafety(clf: gensafe.Classifier, rows: Any) -> dict[str, Any]:
    """Per-risk recall on CHiSafetyBench's should-refuse questions: caught at all, and caught as the right risk."""
    result = clf.predict(rows["text"], role="prompt")
    out: dict[str, Any] = {}
    for point, th in _thresholds(clf).items():
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
    """Precision-recall curves: unsafe vs safe per language (unmasked max score), then one panel per risk (masked)."""
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
        if ev["_unsafe"][sel].any() and len(labels):
            p, r, _ = precision_recall_curve(ev["_unsafe"][sel], scores[sel].max(axis=1))
            ax.plot(r, p, label=lg)
    ax.set_title("unsafe vs safe (unmasked)")
    ax.legend()
    for k, code in enumerate(labels, start=1):
        ax = axes[k // cols][k % cols]
        m = mask[:, k - 1]
        if y[m, k - 1].any():
            p, r, _ = precision_recall_curve(y[m, k - 1], scores[m, k - 1])
            ax.plot(r, p)
        ax.set_title(f"{code} masked (n+={int(y[m, k - 1].sum())})")
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


def headline_table(ev: dict[str, Any], slices: tuple[str, ...] = ("zh", "en", "all")) -> list[str]:
    """Markdown rows: unmasked unsafe-vs-safe figures per operating point and slice."""
    lines = ["| operating point | rows | precision | recall | F1 | safe flagged % | n unsafe | n |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for point, data in ev["points"].items():
        for name in slices:
            b = data["binary"].get(name)
            if b:
                lines.append(f"| {point} | {name} | {pct(b['precision'])} | {pct(b['recall'])} | {pct(b['f1'])} | "
                             f"{pct(b['false_positive_rate'])} | {b['support']:,} | {b['n']:,} |")
    return lines


def suites_markdown(suites: dict[str, Any], point: str, labels: list[str]) -> list[str]:
    """The external-suite tables at one operating point."""
    from gensafe.taxonomy import RISK_CODES

    lines: list[str] = []
    variants = sorted({v for s in suites.values() for v in s}, key=lambda v: v != "all")
    for name, (title, unsafe_word, safe_word) in SUITE_MEASURES.items():
        if name not in suites:
            continue
        lines += [f"### {title}", ""]
        for variant in variants:
            v = suites[name].get(variant, {}).get(point)
            if not v:
                continue
            head = f"{unsafe_word} **{pct(v['unsafe_recall'])} %** (n={v['unsafe_n']}), " if v["unsafe_n"] else ""
            lines.append(f"* {variant} rows: {head}{safe_word} **{pct(v['safe_flag_rate'])} %** (n={v['safe_n']})")
        v = suites[name]["all"][point]
        lines += ["", "| category | n | unsafe | flagged % |", "|---|---:|---:|---:|"]
        lines += [f"| {k or '—'} | {c['n']} | {c['unsafe']} | {pct(c['flag_rate'])} |" for k, c in v["per"].items()]
        if v["flagged_safe_examples"]:
            lines += ["", "Flagged although safe (up to 20): " + " · ".join(
                f"`{t[:60]}`" for t in v["flagged_safe_examples"])]
        lines.append("")
    if "chisafety" in suites:
        lines += ["### CHiSafetyBench should-refuse questions (zh; A.1 / A.2): recall per risk", ""]
        for variant in variants:
            chi = suites["chisafety"].get(variant, {}).get(point)
            if not chi:
                continue
            lines += [f"{variant} rows:", "", "| risk | n | flagged (any risk) % | flagged as this risk % |",
                      "|---|---:|---:|---:|"]
            for code in RISK_CODES:
                if code in chi:
                    c = chi[code]
                    right = pct(c["recall_right_risk"]) if c["covered"] else "not scored"
                    lines.append(f"| {code} | {c['n']} | {pct(c['recall_any'])} | {right} |")
            lines.append("")
    return lines


def markdown(ev: dict[str, Any], suites: dict[str, Any], clf: gensafe.Classifier, command: str) -> str:
    """The evaluation report as markdown (tables quoted in the model card)."""
    from gensafe.taxonomy import RISK_CODES, risk

    default = clf.manifest.default_operating_point
    rows_note = ("every row" if ev["rows"] == "all" else
                 f"the rows where `{ev['rows']}` is true (rows the model never trained on)")
    lines = [f"# Evaluation: {clf.name}", "", f"Reproduce: `{command}`", "",
             f"Split `{ev['split']}`, {rows_note}: {ev['n']:,} texts, scored with "
             f"`gensafe.load(..., precision={clf.precision!r})` on {clf.provider} in {ev['seconds']:.1f} s "
             f"({ev['texts_per_s']:.0f} texts/s, tokenisation included). Default operating point: `{default}`.", ""]
    lines += ["## Unsafe vs safe, as a user sees it (unmasked)", "",
              "A text is flagged when any risk is over its threshold; scored against safe/unsafe on every row.", ""]
    lines += headline_table(ev, ("zh", "en", "all"))
    aucs = ", ".join(f"{k} {'—' if v is None else f'{v:.3f}'}" for k, v in ev["binary_auc"].items()
                     if k in ("zh", "en", "public", "authored"))
    lines += ["", f"ROC-AUC of the max risk score: {aucs}.", "",
              "### Public-source rows vs the project's authored rows", ""]
    lines += headline_table(ev, ("public zh", "public en", "authored zh", "authored en"))
    lines += ["", f"## Per source (operating point `{default}`, unmasked)", "",
              "| source | precision | recall | F1 | safe flagged % | unsafe | n |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for s, st in ev["points"][default]["by_source"].items():
        lines.append(f"| {s} | {pct(st['precision'])} | {pct(st['recall'])} | {pct(st['f1'])} | "
                     f"{pct(st['false_positive_rate'])} | {st['support']} | {st['n']} |")
    lines += ["", "## External suites (never trained on by models built from this data; never used for choices)", ""]
    lines += suites_markdown(suites, default, list(clf.labels))
    lines += [f"## Per risk — masked (operating point `{default}`; P/R/F1 in %)", "",
              "Masked: each risk is scored only on rows whose source judged that risk. These figures are for "
              "diagnosis; the headline above is what users see. "
              f"Expected calibration error on the same known (text, risk) pairs: {ev['ece_masked']:.4f}.", "",
              "| risk | name | precision | recall | F1 | ROC-AUC | support | threshold |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for code, m in ev["points"][default]["per_risk_masked"].items():
        auc = "—" if m["auc"] is None else f"{m['auc']:.3f}"
        lines.append(f"| {code} | {risk(code).en} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | "
                     f"{auc} | {m['support']} | {m['threshold']:.3f} |")
    notes = clf.manifest.provenance.get("threshold_notes", {})
    if notes:
        lines += ["", "Operating-point notes from calibration on dev (targets not met, clipping; in the manifest): "
                  + "; ".join(f"{c}: {n}" for c, n in sorted(notes.items())) + "."]
    uncovered = [c for c in RISK_CODES if c not in clf.labels]
    if uncovered:
        lines += ["", f"Not scored by the classifier: {', '.join(uncovered)}."]
    return "\n".join(lines) + "\n"


def load_data(data: str | Path, suites: str | Path | None = None) -> Any:
    """A build (``build_data.py``) with, optionally, the suites written beside it by ``build_suites.py``."""
    from datasets import load_from_disk

    ds = load_from_disk(str(data))
    if suites:
        for name, rows in load_from_disk(str(suites)).items():
            if name in ds:
                raise ValueError(f"{suites} has a split {name!r} that {data} already has")
            ds[name] = rows
    return ds


def write_report(clf: gensafe.Classifier, ds: Any, out: Path, command: str, split: str = "test",
                 unseen_column: str | None = None) -> dict[str, Any]:
    """Evaluate one split and the external suites; write report.md, metrics.json and pr_curves.png to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    ev = evaluate(clf, ds, split, unseen_column)
    suites = evaluate_suites(clf, ds, unseen_column)
    pr_plot(ev, out / "pr_curves.png")
    (out / "report.md").write_text(markdown(ev, suites, clf, command), encoding="utf-8")
    public = {k: v for k, v in ev.items() if not k.startswith("_")}
    public.update(suites=suites, model=clf.name, precision=clf.precision, command=command,
                  default_operating_point=clf.manifest.default_operating_point)
    (out / "metrics.json").write_text(json.dumps(public, indent=1, ensure_ascii=False), encoding="utf-8")
    return public


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True, help="folder written by build_data.py")
    p.add_argument("--suites", default=None, help="folder written by build_suites.py beside --data")
    p.add_argument("--precision", default="auto")
    p.add_argument("--split", default="dev", help="dev while developing; test once per shipped model")
    p.add_argument("--unseen-column", default=None,
                   help="only rows where this boolean column is true (e.g. v1_unseen for gensafe-zh-en-v1)")
    p.add_argument("--out", type=Path, default=None, help="report folder (default: the model folder)")
    args = p.parse_args(argv)
    clf = gensafe.load(args.model, device="cpu", precision=args.precision)
    command = "python training/evaluate.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    metrics = write_report(clf, load_data(args.data, args.suites), args.out or Path(args.model), command, args.split,
                           args.unseen_column)
    point = metrics["default_operating_point"]
    print(json.dumps({k: {m: round(v[m], 4) for m in ("precision", "recall", "f1")}
                      for k, v in metrics["points"][point]["binary"].items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
