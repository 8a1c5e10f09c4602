"""TC260 corpus audit (``gensafe audit``): per-source unsafe share, technical and manual samples, one report.

Reads scan outputs (``gensafe scan``, local or ``--engine ray``), or scores a corpus itself first, and checks the
corpus rules of TC260-003 §5 and §9.2 with Wilson 95 % intervals (:mod:`gensafe.audit.report`). The manual-review
sample is exported for annotators; :func:`import_review` folds their labels back into the report.

Example:
    >>> report = run_audit(["verdicts/"], "audit/", seed=7)   # doctest: +SKIP
    >>> [r["status"] for r in report["rules"]]   # doctest: +SKIP
    ['PASS', 'PASS', 'PASS', 'PENDING']
    >>> import_review("audit/manual_sample.csv", "audit/")   # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpus import Figures, SourceCount, export_manual, import_labels, measure
from .report import apply_labels, build_report, to_markdown, write_report
from .stats import uniform, wilson

__all__ = ["run_audit", "import_review", "measure", "export_manual", "import_labels", "build_report", "apply_labels",
           "to_markdown", "write_report", "wilson", "uniform", "Figures", "SourceCount"]


def run_audit(outputs: Sequence[str | Path], folder: str | Path, *, technical_share: float = 0.10,
              manual_size: int = 4000, seed: int = 0, source_by: str = "file", decide: str = "point",
              manual_format: str = "csv", labels: str | Path | None = None) -> dict[str, Any]:
    """Audit scan ``outputs``: write ``audit.json``, ``audit.md`` and ``manual_sample.csv`` (or ``.jsonl``) into
    ``folder``; with ``labels`` (a labelled sample of an earlier run, same seed) the manual rule is computed too."""
    if manual_format not in ("csv", "jsonl"):
        raise ValueError(f"manual_format must be 'csv' or 'jsonl', got {manual_format!r}")
    figures = measure(outputs, technical_share=technical_share, manual_size=manual_size, seed=seed,
                      source_by=source_by)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sample = folder / f"manual_sample.{manual_format}"
    if labels is None or Path(labels).resolve() != sample.resolve():  # never overwrite the annotators' work
        export_manual(figures, sample)
    manual = import_labels(labels) if labels else None
    report = build_report(figures, manual=manual, decide=decide, manual_file=str(sample))
    write_report(report, folder)
    return report


def import_review(labels: str | Path, folder: str | Path) -> dict[str, Any]:
    """Fold annotators' labels into the report in ``folder`` (from :func:`run_audit`); rewrite it and return it."""
    path = Path(folder) / "audit.json"
    if not path.exists():
        raise FileNotFoundError(f"no audit report in {folder} (run `gensafe audit report` first)")
    report = apply_labels(json.loads(path.read_text(encoding="utf-8")), import_labels(labels))
    write_report(report, folder)
    return report
