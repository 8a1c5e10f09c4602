"""Streaming, resumable scoring of JSONL, CSV or plain-text files.

Every output line is one JSON object for one input row, with the row number::

    {"row": 7, "id": "c-7", "flagged": true, "risks": ["A.1.8"], "top_risk": "A.1.8", "top_score": 0.93}

``"scores"`` (every risk's score) is added with ``include_scores``, the keyword fields when a lexicon hits, and a row
that could not be read gets ``"error"`` instead of a verdict.

A scan that is interrupted and rerun with the same settings reads back the complete lines it already wrote, drops a
half-written last line, and carries on from the next row: no row lost, none written twice. Every setting that changes
what is written (see :func:`scan_settings`) is recorded beside the output in ``OUT.scan.json``; a rerun with other
settings is refused, naming what differs, rather than mixing two configurations in one file.

Example:
    >>> scan_file(clf, "in.jsonl", "out.jsonl", text_field="text")   # doctest: +SKIP
    ScanStats(rows=1000, scored=1000, flagged=12, errors=0, skipped=0)
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

__all__ = ["ScanStats", "scan_file", "scan_settings", "read_rows", "detect_format"]

_FORMATS = ("jsonl", "csv", "txt")


@dataclasses.dataclass
class ScanStats:
    """What one :func:`scan_file` call did.

    Attributes:
        rows: Rows written by this call (scored or reported as errors).
        scored: Rows scored by the model.
        flagged: Scored rows whose verdict is flagged.
        errors: Rows written with an ``"error"`` (missing text, invalid JSON, ...).
        skipped: Rows already in the output from an earlier, interrupted run.
    """

    rows: int = 0
    scored: int = 0
    flagged: int = 0
    errors: int = 0
    skipped: int = 0


def detect_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv"}.get(suffix, "txt")


def read_rows(path: str | Path, fmt: str, text_field: str, id_field: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``{"row", "id", "text"}`` or ``{"row", "id", "error"}`` per input row, streaming.

    A row whose text is missing or not a string is reported with an ``error``, never dropped.
    """
    _check_format(fmt)
    with _open_source(path, fmt) as f:
        yield from _parse(f, path, fmt, text_field, id_field)


def _check_format(fmt: str) -> None:
    if fmt not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {fmt!r}")


def _open_source(path: str | Path, fmt: str) -> TextIO:
    # surrogateescape keeps undecodable bytes as lone surrogates: clean_text turns them into U+FFFD, visibly.
    return open(path, encoding="utf-8", errors="surrogateescape", newline="" if fmt == "csv" else None)


def _parse(f: TextIO, path: str | Path, fmt: str, text_field: str, id_field: str | None) -> Iterator[dict[str, Any]]:
    if fmt == "txt":
        for i, line in enumerate(f):
            yield {"row": i, "id": None, "text": line.rstrip("\r\n")}
    elif fmt == "jsonl":
        for i, line in enumerate(f):
            if not line.strip():
                yield {"row": i, "id": None, "error": "blank line"}
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield {"row": i, "id": None, "error": f"invalid JSON: {e}"}
                continue
            yield _pick(i, obj, text_field, id_field)
    else:
        dialect = "excel-tab" if str(path).lower().endswith(".tsv") else "excel"
        reader = csv.DictReader(f, dialect=dialect)
        if reader.fieldnames is None or text_field not in reader.fieldnames:
            raise ValueError(f"{path} has no column {text_field!r} (columns: {reader.fieldnames}); use --text-field")
        for i, rec in enumerate(reader):
            yield _pick(i, rec, text_field, id_field)


def _pick(i: int, obj: Any, text_field: str, id_field: str | None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {"row": i, "id": None, "error": "row is not an object"}
    rid = obj.get(id_field) if id_field else None
    text = obj.get(text_field)
    if not isinstance(text, str):
        what = "missing" if text is None else f"a {type(text).__name__}, not a string"
        return {"row": i, "id": rid, "error": f"field {text_field!r} is {what}"}
    return {"row": i, "id": rid, "text": text}


# -- what a scan's output depends on --------------------------------------------------------------------------------
def scan_settings(
    clf: Any,
    src: str | Path,
    *,
    fmt: str,
    text_field: str = "text",
    id_field: str | None = None,
    role: str | None = None,
    include_scores: bool = False,
) -> dict[str, Any]:
    """Every setting that changes what a scan of ``src`` with ``clf`` writes, as JSON-ready values.

    Two scans with equal settings write the same lines, so one may resume the other. Settings that change speed but
    not verdicts (device, threads, batch sizes, ``chunk``) are left out, so a resume may change them. The model is
    identified by its manifest, whose file hashes cover the weights; a lexicon by a hash of the terms as matched
    (term, risk, severity, variants, pinyin, allow list), so editing a lexicon file in place is noticed.

    Example:
        >>> scan_settings(clf, "in.jsonl", fmt="jsonl")["precision"]   # doctest: +SKIP
        'int8'
    """
    # the resolved thresholds, not only the policy's description: they are what decide (describe() rounds)
    thresholds = {c: (None if math.isinf(t) else float(t)) for c, t in zip(clf.labels, clf.thresholds, strict=True)}
    return {
        "input": str(Path(src).resolve()),
        "format": fmt,
        "text_field": text_field,
        "id_field": id_field,
        "role": role,
        "scores": include_scores,
        "model": clf.name,
        "manifest": _digest(dataclasses.asdict(clf.manifest)),
        "precision": clf.precision,
        "policy": clf.policy.describe(),
        "thresholds": thresholds,
        # without a lexicon the keyword mode changes nothing, so it is not recorded
        "lexicon": None if clf.keywords is None else _lexicon_id(clf.keywords.lexicon),
        "keyword_mode": None if clf.keywords is None else clf.keyword_mode,
    }


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:16]


def _lexicon_id(lexicon: Any) -> str:
    # name, notes and dates are left out: they are not in the output, and renaming a list should not stop a resume
    terms = [[t.term, t.risk, t.severity, list(t.variants), t.pinyin] for t in lexicon.terms]
    return f"{len(terms)} terms, sha256 {_digest([terms, list(lexicon.allow)])}"


def _check_resumable(out: Path, state_path: Path, settings: dict[str, Any]) -> None:
    """Refuse to append to ``out`` when it was written with other settings (or by something other than a scan)."""
    if not out.exists() or not out.stat().st_size:
        return
    hint = "pass --overwrite (overwrite=True) to start over, or rerun with the same settings to resume"
    if not state_path.exists():
        raise FileExistsError(f"{out} exists but was not written by a scan ({state_path.name} is missing); {hint}")
    try:
        recorded = json.loads(state_path.read_text(encoding="utf-8")).get("settings")
    except (ValueError, AttributeError):  # not JSON, or not an object
        recorded = None
    if recorded == settings:
        return
    if not isinstance(recorded, dict):
        raise FileExistsError(f"{out} exists from a scan whose settings are unknown ({state_path.name} is unreadable "
                              f"or from an older gensafe); {hint}")
    changed = [k for k in dict.fromkeys([*settings, *recorded]) if recorded.get(k) != settings.get(k)]
    shown = "; ".join(
        f"{k}: {_short(recorded.get(k))} -> {_short(settings.get(k))}" if k != "thresholds" else f"{k} differ"
        for k in changed
    )
    raise FileExistsError(f"{out} exists from a scan with other settings ({shown}); {hint}")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _resume_point(out: Path) -> int:
    """Rows already written; truncates a half-written last line (the mark of an interrupted run)."""
    if not out.exists():
        return 0
    done = 0
    good_bytes = 0
    with open(out, "rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                break
            try:
                row = json.loads(line)["row"]
            except (ValueError, KeyError, TypeError):
                break
            if row != done:
                raise RuntimeError(f"{out} is not a scan output in row order (line {done + 1} has row {row})")
            done += 1
            good_bytes += len(line)
    if good_bytes != out.stat().st_size:
        with open(out, "r+b") as f:
            f.truncate(good_bytes)
    return done


# -- the scan -------------------------------------------------------------------------------------------------------
def scan_file(
    clf: Any,
    src: str | Path,
    out: str | Path,
    *,
    fmt: str | None = None,
    text_field: str = "text",
    id_field: str | None = None,
    role: str | None = None,
    chunk: int = 256,
    overwrite: bool = False,
    progress: bool = True,
    include_scores: bool = False,
) -> ScanStats:
    """Score every row of ``src`` and append one JSON line per row to ``out``; resumable (see module docstring).

    Args:
        clf: A :class:`~gensafe.classifier.Classifier`.
        src: The input: JSONL, CSV/TSV, or anything else as one text per line.
        out: The output JSONL; ``OUT.scan.json`` beside it records the settings for a resume.
        fmt: ``"jsonl"``, ``"csv"`` or ``"txt"`` (default: from the suffix of ``src``).
        text_field: Field or column holding the text.
        id_field: Field or column copied to the output as ``"id"``.
        role: Passed to :meth:`~gensafe.classifier.Classifier.predict`.
        chunk: Rows scored, written and synced per step: an interruption loses at most this many.
        overwrite: Start over instead of resuming.
        progress: A progress line on stderr (only when it is a terminal).
        include_scores: Write every risk's score, not only the verdict.

    Raises:
        FileExistsError: ``out`` holds rows written with other settings (or not by a scan) and not ``overwrite``.
    """
    src, out = Path(src), Path(out)
    fmt = fmt or detect_format(src)
    _check_format(fmt)
    state_path = out.with_name(out.name + ".scan.json")
    settings = scan_settings(clf, src, fmt=fmt, text_field=text_field, id_field=id_field, role=role,
                             include_scores=include_scores)
    if overwrite:
        out.unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
    _check_resumable(out, state_path, settings)
    state_path.write_text(json.dumps({"settings": settings}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    start = _resume_point(out)
    stats = ScanStats(skipped=start)
    pending: list[dict[str, Any]] = []
    with _open_source(src, fmt) as f_in, open(out, "a", encoding="utf-8", errors="surrogateescape") as f_out:
        # the text wrapper refuses tell() while iterating; its byte buffer's position is what has been read
        bar = _Progress(src.stat().st_size, f_in.buffer.tell, enabled=progress)
        for rec in _parse(f_in, src, fmt, text_field, id_field):
            if rec["row"] >= start:
                pending.append(rec)
                if len(pending) >= chunk:
                    _flush(clf, pending, f_out, stats, role, include_scores)
                    pending = []
            if (rec["row"] + 1) % chunk == 0:
                bar.show(rec["row"] + 1)
        if pending:
            _flush(clf, pending, f_out, stats, role, include_scores)
        bar.close(start + stats.rows)
    return stats


def _flush(clf: Any, rows: list[dict[str, Any]], f: TextIO, stats: ScanStats, role: str | None, scores: bool) -> None:
    texts = [r["text"] for r in rows if "text" in r]
    verdicts = iter(clf.predict(texts, role=role)) if texts else iter(())
    lines = []
    for r in rows:
        verdict = next(verdicts) if "text" in r else None
        stats.rows += 1
        if verdict is None:
            stats.errors += 1
        else:
            stats.scored += 1
            stats.flagged += verdict.flagged
        lines.append(json.dumps(_output_row(r, verdict, scores), ensure_ascii=False) + "\n")
    f.write("".join(lines))
    f.flush()
    os.fsync(f.fileno())


def _output_row(rec: dict[str, Any], verdict: Any, include_scores: bool) -> dict[str, Any]:
    """One output line, built once from the input row and its :class:`~gensafe.result.Verdict` (``None``: an error)."""
    row: dict[str, Any] = {"row": rec["row"]}
    if rec["id"] is not None:
        row["id"] = rec["id"]
    if verdict is None:
        row["error"] = rec["error"]
        return row
    row.update(flagged=verdict.flagged, risks=list(verdict.risks), top_risk=verdict.top_risk,
               top_score=verdict.top_score)
    if include_scores:
        row["scores"] = verdict.scores
    if verdict.keyword_hits or verdict.keyword_risks:
        row.update(keyword_risks=list(verdict.keyword_risks), keyword_only_risks=list(verdict.keyword_only_risks),
                   keyword_hits=[h.to_dict() for h in verdict.keyword_hits])
    return row


class _Progress:
    """A dependency-free progress line on stderr, by bytes of input read (only when stderr is a terminal).

    ``position`` returns the byte offset read so far; it is called only when a line is drawn, at most five times a
    second, so a progress line costs nothing per row, and a disabled one nothing at all.
    """

    def __init__(self, total: int, position: Callable[[], int], enabled: bool) -> None:
        self.total = total
        self.position = position
        self.enabled = enabled and sys.stderr.isatty()
        self.t0 = time.monotonic()
        self.last = 0.0

    def show(self, rows: int, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last <= 0.2:
            return
        self.last = now
        pct = 100.0 if not self.total else min(100.0, 100.0 * self.position() / self.total)
        rate = rows / max(now - self.t0, 1e-9)
        sys.stderr.write(f"\rscan {pct:5.1f}%  {rows:,} rows  {rate:,.0f} rows/s")
        sys.stderr.flush()

    def close(self, rows: int) -> None:
        """Draw the final state (whatever the last line showed) and end the line."""
        if self.enabled:
            self.show(rows, force=True)
            sys.stderr.write("\n")
