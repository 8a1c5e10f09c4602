"""Several models at the same safe-flag rate: F1 and unsafe recall per public language on dev, or a one-class suite's
recall per risk with the rate set on a benign source (``--suite``).

``compare_models.py`` compares models each at its own operating point, so a model that ranks better but whose point
sits lower shows more safe texts flagged and looks worse. Here each model's threshold is set, per slice, to flag at
most a given share of that slice's safe rows, so what differs is the ranking alone. The
thresholds are read off the rows they are scored on: a diagnostic for choosing between candidates on dev, never an
operating point to ship (``calibrate.py`` chooses those).

A suite of harmful items only (CHiSafetyBench's should-refuse questions) has no safe rows to set a rate on, and a
model that flags everything tops its recall. ``--suite chisafety --benign-source Chinese-SafetyQA`` sets each model's
threshold to flag a share of another set's texts (benign Chinese questions on the same safety topics, which neither
the first default v1 nor the current one trained on) and reports the suite's recall per risk there. A model's score
is its margin over its own thresholds at its default point, ``max_r(score_r - threshold_r)``, so a model with
per-risk thresholds (v1) is ranked as it decides. A suite with safe items of its own (HateCheck, XSTest, WildGuardTest,
ToxicChat) sets the rate on them when ``--benign-source`` is not given: its unsafe recall at a given share of its
safe items flagged, per category.

Example:
    python training/compare_at_flag_rate.py --models models/gensafe-zh-en-v5w runs/v14-wise/model \\
        --data runs/data/s9 --not-trained-in runs/data/default --rates 0.05 0.069 0.112
    python training/compare_at_flag_rate.py --models runs/v1-model models/gensafe-zh-en-v5w --data runs/data/s9 \\
        --suite chisafety --benign-source Chinese-SafetyQA --rates 0.02 0.05 0.1
    python training/compare_at_flag_rate.py --models models/gensafe-zh-en-v5w runs/v15/model --data runs/data/s9 \\
        --suites runs/data/s9-suites --suite wildguard --rates 0.05 0.1
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import gensafe
from gensafe.manifest import ModelManifest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_models import restrict  # noqa: E402
from evaluate import AUTHORED, _prf  # noqa: E402


def flagged_at_rate(safe: np.ndarray, scores: np.ndarray, rate: float) -> np.ndarray:
    """Which of ``scores`` a threshold flags when it flags at most ``rate`` of the ``safe`` scores: above the
    ``k``-th highest safe score, ``k = floor(rate * len(safe))`` (ties stay unflagged; everything when k reaches the
    end).

    >>> flagged_at_rate(np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.35, 0.25, 0.5]), 0.25).tolist()
    [True, False, True]
    """
    ranked = np.sort(safe)[::-1]
    k = int(np.floor(rate * len(ranked)))
    return scores > ranked[k] if k < len(ranked) else np.ones(len(scores), dtype=bool)


def at_flag_rate(p_unsafe: np.ndarray, unsafe: np.ndarray, rate: float) -> tuple[float, float]:
    """(F1, unsafe recall) when the threshold flags at most ``rate`` of the safe rows: a text is flagged when its
    score is above the ``k``-th highest safe score, ``k = floor(rate * safe rows)`` (ties stay unflagged).

    >>> at_flag_rate(np.array([0.1, 0.2, 0.3, 0.4, 0.35, 0.9, 0.05]), np.array([0, 0, 0, 0, 1, 1, 1], bool), 0.25)
    (0.6666666666666666, 0.6666666666666666)
    """
    scored = _prf(unsafe, flagged_at_rate(p_unsafe[~unsafe], p_unsafe, rate))
    return scored["f1"], scored["recall"]


def margins(clf: gensafe.Classifier, texts: list[str]) -> np.ndarray:
    """Per text, the model's margin over its own thresholds at its default operating point (flagged when ≥ 0)."""
    return (clf.predict(texts).scores - np.asarray(clf.thresholds)[None, :]).max(axis=1)


def suite_recall_at_rates(benign: np.ndarray, suite: np.ndarray, risks: list[str],
                          rates: list[float]) -> dict[float, dict[str, float]]:
    """Recall of the suite's items, overall and per risk, when the threshold flags at most ``rate`` of ``benign``
    (:func:`flagged_at_rate`, the rule of :func:`at_flag_rate`).

    >>> suite_recall_at_rates(np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.35, 0.25, 0.5]), ["a", "b", "b"], [0.25])
    {0.25: {'all': 0.6666666666666666, 'a': 1.0, 'b': 0.5}}
    """
    out = {}
    for rate in rates:
        caught = flagged_at_rate(benign, suite, rate)
        out[rate] = {"all": float(caught.mean()),
                     **{r: float(caught[[x == r for x in risks]].mean()) for r in sorted(set(risks))}}
    return out


def suite_main(args: argparse.Namespace, suite, ds) -> int:
    """``--suite``: the suite's recall per risk with each model's threshold set on the benign source's texts, or on
    the suite's own safe items when no benign source is given."""
    if args.benign_source:
        benign = [t for s in ("train", "dev", "test") for t, src, lab in zip(ds[s]["text"], ds[s]["source"],
                                                                            ds[s]["labels"], strict=True)
                  if src == args.benign_source and not lab]
        where = f"safe {args.benign_source} texts"
    else:
        benign = [t for t, lab in zip(suite["text"], suite["labels"], strict=True) if not lab]
        where = "the suite's own safe items"
    if not benign:
        sys.exit(f"no {where} to set a rate on")
    suite = suite.filter(lambda r: bool(r["labels"]))
    risks = [labels[0] for labels in suite["labels"]]
    table = {}
    for m in args.models:
        name = f"{ModelManifest.read(m).name} ({m})"
        clf = gensafe.load(m, device="cpu")  # loaded once: hash checks and the session are not cheap
        b, s = margins(clf, benign), margins(clf, suite["text"])
        table[name] = {"own point": {"benign flagged": float((b >= 0).mean()), "recall": float((s >= 0).mean())},
                       **suite_recall_at_rates(b, s, risks, args.rates)}
    print(f"{args.suite}: {len(suite):,} unsafe items; thresholds set on {len(benign):,} of {where}\n")
    print("| model | own point: benign flagged / recall | " + " | ".join(
        f"recall at {r * 100:g} % benign flagged: all / lowest risk" for r in args.rates) + " |")
    print("|---|---:|" + "---:|" * len(args.rates))
    for name, row in table.items():
        own = row["own point"]
        cells = [f"{row[r]['all'] * 100:.1f} / {min(v for k, v in row[r].items() if k != 'all') * 100:.1f}"
                 for r in args.rates]
        print(f"| {name} | {own['benign flagged'] * 100:.1f} / {own['recall'] * 100:.1f} | " + " | ".join(cells) + " |")
    for rate in args.rates:
        print(f"\nPer risk at {rate * 100:g} % of {where} flagged:\n")
        print("| risk | n | " + " | ".join(table) + " |")
        print("|---|---:|" + "---:|" * len(table))
        for r in sorted(set(risks)):
            print(f"| {r} | {risks.count(r)} | " + " | ".join(f"{row[rate][r] * 100:.1f}" for row in table.values())
                  + " |")
    return 0


def main(argv: list[str] | None = None) -> int:
    from datasets import load_from_disk

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", nargs="+", required=True, help="harm-risk model folders (top risk score = P(unsafe))")
    p.add_argument("--data", required=True, help="folder written by build_data.py")
    p.add_argument("--split", default="dev")
    p.add_argument("--not-trained-in", default=None, help="another build: drop the texts in its train split")
    p.add_argument("--rates", nargs="+", type=float, default=[0.05], help="shares of safe rows flagged")
    p.add_argument("--suite", default=None, help="a suite of the build or of --suites: its recall per risk")
    p.add_argument("--benign-source", default=None,
                   help="with --suite: the source whose safe texts set the rate (default: the suite's own safe items)")
    p.add_argument("--suites", default=None, help="suites written by build_suites.py (oktest, wildguard, toxicchat)")
    args = p.parse_args(argv)
    ds = load_from_disk(args.data)
    if args.suite:
        extra = load_from_disk(args.suites) if args.suites else {}
        suites = {**{k: ds[k] for k in ds if k not in ("train", "dev", "test")}, **{k: extra[k] for k in extra}}
        if args.suite not in suites:
            p.error(f"no suite {args.suite!r}: the build and --suites have {sorted(suites)}")
        return suite_main(args, suites[args.suite], ds)
    rows = restrict(ds, args.split, None, load_from_disk(args.not_trained_in) if args.not_trained_in else None)
    unsafe = np.array([bool(x) for x in rows["labels"]])
    lang, public = np.array(rows["lang"]), np.array(rows["source"]) != AUTHORED
    scores = {m: gensafe.load(m, device="cpu").predict(rows["text"]).scores.max(axis=1) for m in args.models}
    names = {m: f"{ModelManifest.read(m).name} ({m})" for m in args.models}
    print(f"{len(rows):,} {args.split} rows; F1 / unsafe recall % at each share of safe rows flagged\n")
    print("| slice | safe flagged | " + " | ".join(names.values()) + " |")
    print("|---|---:|" + "---:|" * len(args.models))
    for code in ("zh", "en"):
        sel = public & (lang == code)
        for rate in args.rates:
            cells = [at_flag_rate(s[sel], unsafe[sel], rate) for s in scores.values()]
            print(f"| public {code} | {rate * 100:.1f} % | "
                  + " | ".join(f"{f * 100:.1f} / {r * 100:.1f}" for f, r in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
