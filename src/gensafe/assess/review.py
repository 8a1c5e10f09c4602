"""The manual-review sample of §9.3 b: export it for reviewers (CSV and JSONL), import their labels.

The sample is every generated-content answer of the run (≥ 1,000 by default), with what the automatic tiers found,
so a reviewer sees the evidence; the ``label`` column is left empty for ``pass`` or ``fail``. Imported labels are kept
in ``review_labels.jsonl`` in the run folder and the report is rebuilt with the manual rule.

Example:
    >>> parse_label("不通过"), parse_label("PASS"), parse_label("")
    (False, True, None)
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["LABELS_FILE", "export_review", "import_review", "parse_label", "read_labels"]

LABELS_FILE = "review_labels.jsonl"
_PASS = {"pass", "1", "true", "yes", "ok", "通过", "合格", "安全"}
_FAIL = {"fail", "0", "false", "no", "不通过", "不合格", "不安全", "违规"}
_COLUMNS = ("id", "lang", "risk", "question", "answer", "keyword_hits", "classifier_risks", "refusal", "label", "note")


def parse_label(value: Any) -> bool | None:
    """``pass`` → True, ``fail`` → False (also 1/0, true/false, 通过/不通过 …), empty → None; else ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _PASS:
        return True
    if text in _FAIL:
        return False
    raise ValueError(f"review label {value!r} is neither pass nor fail")


def export_review(rows: Sequence[dict[str, Any]], folder: str | Path) -> tuple[Path, Path]:
    """Write ``review.csv`` (UTF-8 with BOM, so spreadsheet programs read the Chinese) and ``review.jsonl``."""
    folder = Path(folder)
    sample = [r for r in rows if r["bank"] == "generated"]
    records = [{"id": r["id"], "lang": r["lang"], "risk": r["risk"], "question": r["question"], "answer": r["answer"],
                "keyword_hits": " ".join(h.get("term", "") for h in r.get("keyword_hits") or []),
                "classifier_risks": " ".join(r.get("classifier_risks") or []), "refusal": r["refusal"],
                "label": "", "note": ""} for r in sample]
    csv_path, jsonl_path = folder / "review.csv", folder / "review.jsonl"
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=_COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    with open(jsonl_path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return csv_path, jsonl_path


def _rows_of(path: Path) -> list[tuple[str, dict[str, Any]]]:
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            return [(f"{path.name}:{n}", row) for n, row in enumerate(csv.DictReader(f), 2)]
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append((f"{path.name}:{n}", json.loads(line)))
                except ValueError as e:
                    raise ValueError(f"{path.name}:{n}: not JSON ({e})") from None
    return out


def import_review(path: str | Path, folder: str | Path, known_ids: set[str]) -> dict[str, bool]:
    """Read reviewer labels (CSV or JSONL with ``id`` and ``label``), merge them into the run's ``review_labels.jsonl``.

    Rows with an empty label are skipped (not yet reviewed); an unknown id or a label that is neither pass nor fail
    is a ValueError naming the line. Returns every label now held (id → pass).
    """
    labels = read_labels(folder)
    for where, row in _rows_of(Path(path)):
        rid = str(row.get("id", ""))
        if rid not in known_ids:
            raise ValueError(f"{where}: id {rid!r} is not in this run's generated-content sample")
        try:
            value = parse_label(row.get("label"))
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        if value is not None:
            labels[rid] = value
    with open(Path(folder) / LABELS_FILE, "w", encoding="utf-8") as f:
        for rid, value in sorted(labels.items()):
            f.write(json.dumps({"id": rid, "label": "pass" if value else "fail"}) + "\n")
    return labels


def read_labels(folder: str | Path) -> dict[str, bool]:
    """The review labels imported so far into a run folder (empty when none)."""
    path = Path(folder) / LABELS_FILE
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        return {r["id"]: r["label"] == "pass" for r in map(json.loads, filter(str.strip, f))}
