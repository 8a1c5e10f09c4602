"""The TC260 corpus rules checked against audit figures: one report, as JSON and as Markdown.

Rules (TC260-003; GB/T 45654-2025 keeps the figures as reference points, see ``docs/regulation`` of the project):

* **§5.1 a** — a source with more than 5 % illegal or harmful content is not collected / not trained on;
* **§5.2** — all training data is filtered with keywords *and* a classification model (and manual spot checks);
* **§9.2 b** — a technical sample of at least 10 % of the corpus, checked with keywords and the classifier, passes at
  98 % or more;
* **§9.2 a** — a manual sample of at least 4,000 items passes at 96 % or more.

Each rule states the measured value, its Wilson 95 % interval and PASS / FAIL (PENDING while the manual labels are
not in). ``decide="point"`` (default) compares the measured value with the threshold; ``decide="interval"`` passes
only when the whole interval is on the right side. Either way ``margin`` says whether the interval clears the
threshold (``clear``) or straddles it (``within interval``: more data, or a manual check, would settle it).

Example:
    >>> report = build_report(measure(["verdicts/"]))   # doctest: +SKIP
    >>> write_report(report, "audit/")   # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from .corpus import Figures, sample_digest
from .stats import wilson

__all__ = ["build_report", "apply_labels", "to_markdown", "write_report", "SOURCE_MAX", "TECHNICAL_MIN", "MANUAL_MIN"]

SOURCE_MAX = 0.05  # §5.1 a: more than 5 % unsafe → drop the source
TECHNICAL_SHARE = 0.10  # §9.2 b: sample at least 10 %
TECHNICAL_MIN = 0.98  # §9.2 b: pass rate
MANUAL_SIZE = 4000  # §9.2 a: at least 4,000 items
MANUAL_MIN = 0.96  # §9.2 a: pass rate


def _judge(value: float, lo: float, hi: float, threshold: float, *, at_most: bool, decide: str) -> tuple[str, str]:
    """(status, margin) of ``value`` (interval ``lo``–``hi``) against ``threshold``, an upper or a lower bound."""
    ok_point = value <= threshold if at_most else value >= threshold
    ok_all = hi <= threshold if at_most else lo >= threshold
    bad_all = lo > threshold if at_most else hi < threshold
    status = ("PASS" if ok_point else "FAIL") if decide == "point" else ("PASS" if ok_all else "FAIL")
    return status, "clear" if (ok_all or bad_all) else "within interval"


def _share(k: int, n: int) -> dict[str, Any]:
    lo, hi = wilson(k, n)
    return {"value": k / n if n else None, "interval": [lo, hi], "n": n, "k": k}


def build_report(figures: Figures, *, manual: dict[str, Any] | None = None, decide: str = "point",
                 manual_file: str | None = None) -> dict[str, Any]:
    """The audit report (a JSON-ready dict) from :func:`~gensafe.audit.corpus.measure` figures and, once the
    annotators are done, :func:`~gensafe.audit.corpus.import_labels` counts (``manual``).

    Raises:
        ValueError: ``decide`` is not ``point`` or ``interval``; the labels are of another sample (digest differs).
    """
    if decide not in ("point", "interval"):
        raise ValueError(f"decide must be 'point' or 'interval', got {decide!r}")
    digest = sample_digest(figures.manual)
    rules = []

    sources = []
    for name, c in sorted(figures.sources.items()):
        s = _share(c.flagged, c.scored)
        status, margin = ("FAIL", "clear") if not c.scored else _judge(s["value"], *s["interval"], SOURCE_MAX,
                                                                       at_most=True, decide=decide)
        sources.append({"source": name, "rows": c.rows, "scored": c.scored, "flagged": c.flagged,
                        "errors": c.errors, "flagged_share": s["value"], "interval": s["interval"],
                        "status": status, "margin": margin})
    failing = [s["source"] for s in sources if s["status"] == "FAIL"]
    worst = max(sources, key=lambda s: s["flagged_share"] or 0.0, default=None)
    rules.append({"clause": "5.1 a", "rule": f"every source has at most {SOURCE_MAX:.0%} unsafe content",
                  "value": worst["flagged_share"] if worst else None, "interval": worst["interval"] if worst else None,
                  "n": worst["scored"] if worst else 0, "status": "FAIL" if failing or not sources else "PASS",
                  "margin": worst["margin"] if worst else None,
                  "detail": (f"worst source {worst['source']}; " if worst else "no source; ")
                  + (f"{len(failing)} of {len(sources)} sources to drop" if failing else
                     f"all {len(sources)} sources within the limit")})

    rows = sum(c.rows for c in figures.sources.values())
    scored = sum(c.scored for c in figures.sources.values())
    known = [s for s in figures.settings if s]
    keywords = [s.get("lexicon") for s in known]
    if len(known) < len(figures.settings):
        status, detail = "UNKNOWN", "the settings of a scan output are missing: cannot tell which tiers were used"
    elif all(keywords):
        status, detail = "PASS", f"classifier {known[0].get('model')} and keyword lexicon {keywords[0]}"
    else:
        status, detail = "FAIL", "scanned without a keyword lexicon (--lexicon): §5.2 asks for keywords and a model"
    rules.append({"clause": "5.2", "rule": "all training data filtered with keywords and a classification model",
                  "value": scored / rows if rows else None, "interval": None, "n": rows, "status": status,
                  "margin": None, "detail": detail + f"; {rows - scored} unreadable rows not scored"})

    drawn, passed = figures.technical
    t = _share(passed, drawn)
    status, margin = ("FAIL", "clear") if not drawn else _judge(t["value"], *t["interval"], TECHNICAL_MIN,
                                                                 at_most=False, decide=decide)
    if figures.technical_share < TECHNICAL_SHARE:
        status = "FAIL"
    rules.append({"clause": "9.2 b", "rule": f"technical sample of at least {TECHNICAL_SHARE:.0%} passes at "
                  f"{TECHNICAL_MIN:.0%} or more", "value": t["value"], "interval": t["interval"], "n": drawn,
                  "status": status, "margin": margin,
                  "detail": f"share asked {figures.technical_share:.1%}, drawn {drawn:,} of {scored:,} scored rows "
                  f"({drawn / scored if scored else 0:.2%}), seed {figures.seed}"})

    rules.append(_manual_rule(len(figures.manual), digest, manual, decide))

    return {
        "standard": "TC260-003 (2024) / GB/T 45654-2025, corpus safety",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "decide": decide,
        "seed": figures.seed,
        "corpus": {"sources": len(sources), "rows": rows, "scored": scored, "errors": rows - scored,
                   "flagged": sum(c.flagged for c in figures.sources.values())},
        "rules": rules,
        "sources": sources,
        "manual_sample": {"n": len(figures.manual), "digest": digest, "file": manual_file},
        "scans": [{k: s.get(k) for k in ("model", "precision", "policy", "lexicon", "keyword_mode", "engine")}
                  if s else None for s in figures.settings],
    }


def _manual_rule(size: int, digest: str, manual: dict[str, Any] | None, decide: str) -> dict[str, Any]:
    rule = {"clause": "9.2 a", "rule": f"manual sample of at least {MANUAL_SIZE:,} items passes at {MANUAL_MIN:.0%} "
            "or more", "value": None, "interval": None, "n": size, "status": "PENDING", "margin": None,
            "detail": f"{size:,} items exported for review; import their labels"}
    if manual is None:
        return rule
    if manual["digest"] != digest:
        raise ValueError("these labels are for another manual sample (other seed, size or corpus): sample "
                         f"digest {manual['digest']}, this audit's {digest}")
    labelled = manual["n"] - manual["unlabelled"]
    m = _share(manual["passed"], labelled)
    rule.update(value=m["value"], interval=m["interval"], n=labelled)
    if manual["unlabelled"]:
        rule["detail"] = f"{manual['unlabelled']:,} of {manual['n']:,} items not labelled yet"
        return rule
    rule["status"], rule["margin"] = _judge(m["value"], *m["interval"], MANUAL_MIN, at_most=False, decide=decide)
    if labelled < MANUAL_SIZE:
        rule["status"] = "FAIL"
    rule["detail"] = f"{manual['passed']:,} of {labelled:,} reviewed items pass"
    return rule


def apply_labels(report: dict[str, Any], manual: dict[str, Any]) -> dict[str, Any]:
    """``report`` with its §9.2 a rule recomputed from imported labels (:func:`~gensafe.audit.corpus.import_labels`).

    Raises ``ValueError`` when the labels belong to another sample.
    """
    sample = report["manual_sample"]
    rule = _manual_rule(sample["n"], sample["digest"], manual, report["decide"])
    return {**report, "rules": [rule if r["clause"] == "9.2 a" else r for r in report["rules"]]}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def to_markdown(report: dict[str, Any]) -> str:
    """The report as a Markdown page: the rules table first, then every source."""
    c = report["corpus"]
    lines = [f"# Corpus audit — {report['standard']}", "",
             f"{c['rows']:,} rows from {c['sources']} sources; {c['scored']:,} scored, {c['flagged']:,} flagged, "
             f"{c['errors']:,} unreadable. Created {report['created']}; decision on the "
             f"{'measured value' if report['decide'] == 'point' else 'whole 95 % interval'}; seed {report['seed']}.",
             "", "| clause | rule | value | 95 % interval (Wilson) | n | status | margin |",
             "|---|---|---|---|---|---|---|"]
    for r in report["rules"]:
        interval = "–" if r["interval"] is None else f"{_pct(r['interval'][0])} – {_pct(r['interval'][1])}"
        lines.append(f"| §{r['clause']} | {r['rule']} | {_pct(r['value'])} | {interval} | {r['n']:,} | "
                     f"**{r['status']}** | {r['margin'] or '–'} |")
    lines += ["", *(f"* §{r['clause']}: {r['detail']}" for r in report["rules"]), "",
              "## Sources (§5.1 a: drop a source above 5 % unsafe)", "",
              "| source | rows | scored | flagged | share | 95 % interval | status | margin |",
              "|---|---|---|---|---|---|---|---|"]
    for s in report["sources"]:
        lines.append(f"| `{s['source']}` | {s['rows']:,} | {s['scored']:,} | {s['flagged']:,} | "
                     f"{_pct(s['flagged_share'])} | {_pct(s['interval'][0])} – {_pct(s['interval'][1])} | "
                     f"**{s['status']}** | {s['margin']} |")
    m = report["manual_sample"]
    lines += ["", f"Manual sample: {m['n']:,} items (digest `{m['digest']}`)"
              + (f", exported to `{m['file']}`: fill its `label` column with `pass` or `fail`, then run "
                 "`gensafe audit import`." if m["file"] else "."), ""]
    return "\n".join(lines)


def write_report(report: dict[str, Any], folder: str | Path) -> tuple[Path, Path]:
    """Write ``audit.json`` and ``audit.md`` into ``folder`` (created); return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    js, md = folder / "audit.json", folder / "audit.md"
    js.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md.write_text(to_markdown(report), encoding="utf-8")
    return js, md
