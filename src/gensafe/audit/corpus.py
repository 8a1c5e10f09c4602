"""Reading scan outputs into the figures of a TC260 corpus audit, and the manual-review sample (export, import).

What is counted: every row of a scan output (local ``gensafe scan`` JSONL or a ``--engine ray`` folder). A row that
could not be read (an ``error`` row) is no text at all: it is counted apart and left out of every share. A *source*
is an input file (``source_by="file"``) or the folder holding it (``"folder"``).

Samples are drawn per row with :func:`gensafe.audit.stats.uniform`, so they do not depend on partitioning: the
technical sample takes every scored row whose draw is below ``share``; the manual sample takes the ``n`` scored rows
with the smallest draws of another stream (exactly ``n``, in random order).

Example:
    >>> figures = measure(["verdicts/"], technical_share=0.1, manual_size=4000, seed=7)   # doctest: +SKIP
    >>> export_manual(figures, "review.csv")   # doctest: +SKIP
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..readers import detect_format, read_rows
from ..scan_rows import STATE_NAME, iter_verdicts
from .stats import uniform

__all__ = ["SourceCount", "Figures", "measure", "export_manual", "import_labels", "sample_digest", "LABELS"]

# what annotators may write in the label column (case-insensitive)
LABELS = {"pass": True, "safe": True, "ok": True, "fail": False, "unsafe": False}


@dataclasses.dataclass
class SourceCount:
    """Rows of one source: all of them, scored (readable), flagged (unsafe verdicts) and unreadable."""

    rows: int = 0
    scored: int = 0
    flagged: int = 0
    errors: int = 0


@dataclasses.dataclass
class Figures:
    """Everything an audit measured from scan outputs (see :func:`measure`).

    Attributes:
        sources: Counts per source.
        technical: (scored rows drawn, of them not flagged) for the technical sample.
        technical_share: The share asked for.
        manual: The manual-review sample: ``(source, row)`` pairs in random order.
        seed: The seed of both samples.
        settings: The recorded settings of each scan output (``None`` when unknown).
        inputs: Where each source's rows are read from: ``{input file: (format, text_field, id_field)}``.
    """

    sources: dict[str, SourceCount]
    technical: tuple[int, int]
    technical_share: float
    manual: list[tuple[str, int]]
    seed: int
    settings: list[dict[str, Any] | None]
    inputs: dict[str, tuple[str, str, str | None]]


def _settings_of(output: Path) -> dict[str, Any] | None:
    state = output / STATE_NAME if output.is_dir() else output.with_name(output.name + ".scan.json")
    try:
        return json.loads(state.read_text(encoding="utf-8"))["settings"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _inputs_of(settings: dict[str, Any] | None) -> dict[str, tuple[str, str, str | None]]:
    if not settings:
        return {}
    fields = (settings.get("text_field", "text"), settings.get("id_field"))
    if "inputs" in settings:  # a Ray engine folder
        return {path: (fmt, *fields) for path, fmt, *_ in settings["inputs"]}
    return {settings["input"]: (settings["format"], *fields)}


def measure(outputs: Sequence[str | Path], *, technical_share: float = 0.10, manual_size: int = 4000, seed: int = 0,
            source_by: str = "file") -> Figures:
    """Count, per source, the rows of scan ``outputs`` and draw the technical and manual samples (one pass).

    Raises:
        ValueError: ``technical_share`` outside (0, 1], ``manual_size`` < 1, an unknown ``source_by``.
        RuntimeError: An output is an unfinished Ray scan (a part is missing).
    """
    if not 0 < technical_share <= 1:
        raise ValueError(f"technical_share must be in (0, 1], got {technical_share}")
    if manual_size < 1:
        raise ValueError(f"manual_size must be at least 1, got {manual_size}")
    if source_by not in ("file", "folder"):
        raise ValueError(f"source_by must be 'file' or 'folder', got {source_by!r}")
    sources: dict[str, SourceCount] = {}
    drawn = passed = 0
    best_u = np.empty(0)
    best: list[tuple[str, int]] = []
    settings, inputs = [], {}
    for output in map(Path, outputs):
        recorded = _settings_of(output)
        settings.append(recorded)
        inputs.update(_inputs_of(recorded))
        for file, rows, flagged, error in iter_verdicts(output):
            key = str(Path(file).parent) if source_by == "folder" else file
            count = sources.setdefault(key, SourceCount())
            ok = ~error
            count.rows += len(rows)
            count.errors += int(error.sum())
            count.scored += int(ok.sum())
            count.flagged += int((flagged & ok).sum())
            tech = (uniform(seed, "technical", file, rows) < technical_share) & ok
            drawn += int(tech.sum())
            passed += int((tech & ~flagged).sum())
            # manual sample: keep the manual_size smallest draws seen so far (memory: one part + the sample)
            u = uniform(seed, "manual", file, rows)
            cut = best_u.max() if len(best_u) >= manual_size else np.inf
            take = ok & (u < cut)  # once the sample is full, only rows that beat its worst draw matter
            best_u = np.concatenate([best_u, u[take]])
            best = best + [(file, int(r)) for r in rows[take]]
            if len(best_u) > manual_size:
                keep = np.argpartition(best_u, manual_size - 1)[:manual_size]
                best_u, best = best_u[keep], [best[i] for i in keep]
    order = np.argsort(best_u, kind="stable")
    return Figures(sources=sources, technical=(drawn, passed), technical_share=technical_share,
                   manual=[best[i] for i in order], seed=seed, settings=settings, inputs=inputs)


def sample_digest(pairs: Sequence[tuple[str, int]]) -> str:
    """A short fingerprint of a manual sample (the set of ``(source, row)``), to match labels to their sample."""
    text = "\n".join(f"{s}\t{r}" for s, r in sorted(pairs))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def export_manual(figures: Figures, path: str | Path) -> Path:
    """Write the manual-review sample with its texts (CSV, or JSONL for a ``.jsonl`` path) for annotators.

    Columns: ``sample_id``, ``source``, ``row``, ``id``, ``text``, ``label`` (empty: write ``pass`` or ``fail``),
    ``note``. The model's verdict is left out on purpose, so that it does not lead the reviewers.

    Raises:
        FileNotFoundError: A source's input file is gone (texts are read back from it).
        ValueError: A source's input settings are unknown (a scan output without its settings file).
    """
    path = Path(path)
    wanted: dict[str, set[int]] = {}
    for source, row in figures.manual:
        wanted.setdefault(source, set()).add(row)
    texts: dict[tuple[str, int], tuple[Any, str]] = {}
    for source, rows in wanted.items():
        fmt, text_field, id_field = figures.inputs.get(source, (None, "text", None))
        if fmt is None:
            raise ValueError(f"cannot read texts of {source}: its scan settings are unknown (is OUT.scan.json there?)")
        last = max(rows)
        for rec in read_rows(source, fmt or detect_format(source), text_field, id_field):
            if rec["row"] in rows:
                texts[source, rec["row"]] = (rec["id"], rec.get("text", ""))
            if rec["row"] >= last:
                break
    records = [{"sample_id": i + 1, "source": s, "row": r, "id": texts[s, r][0], "text": texts[s, r][1],
                "label": "", "note": ""} for i, (s, r) in enumerate(figures.manual)]
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    else:
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]) if records else ["sample_id"])
            writer.writeheader()
            writer.writerows(records)
    return path


def import_labels(path: str | Path) -> dict[str, Any]:
    """Read annotators' labels (the exported CSV/JSONL with ``label`` filled in): counts and the sample digest.

    Returns ``{"n", "passed", "unlabelled", "digest"}``. Raises ``ValueError`` naming the first row whose label is
    not one of :data:`LABELS` (``pass``/``safe``/``ok`` or ``fail``/``unsafe``; empty: not yet labelled).
    """
    path = Path(path)
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            records = [json.loads(line) for line in f if line.strip()]
        else:
            records = list(csv.DictReader(f))
    if records and not {"source", "row", "label"} <= set(records[0]):
        raise ValueError(f"{path} lacks the columns source, row and label (is it the exported review sample?)")
    passed = unlabelled = 0
    for i, rec in enumerate(records, 1):
        label = str(rec.get("label") or "").strip().lower()
        if not label:
            unlabelled += 1
        elif label not in LABELS:
            raise ValueError(f"{path}: item {i} has label {rec['label']!r}; use one of {sorted(LABELS)}")
        else:
            passed += LABELS[label]
    return {"n": len(records), "passed": passed, "unlabelled": unlabelled,
            "digest": sample_digest([(str(r["source"]), int(r["row"])) for r in records])}
