"""Streaming, resumable scoring of JSONL, CSV or plain-text files.

Every output line is one JSON object for one input row, with the row number: ``{"row": 7, "id": ..., "flagged":
...}``. A scan that is interrupted and rerun with the same arguments reads back the complete lines it already
wrote, drops a half-written last line, and carries on from the next row: no row lost, none written twice.

Example:
    >>> scan_file(clf, "in.jsonl", "out.jsonl", text_field="text")   # doctest: +SKIP
    ScanStats(rows=1000, scored=1000, flagged=12, errors=0, skipped=0)
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["ScanStats", "scan_file", "read_rows", "detect_format"]

_FORMATS = ("jsonl", "csv", "txt")


@dataclass
class ScanStats:
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
    if fmt not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {fmt!r}")
    # surrogateescape keeps undecodable bytes as lone surrogates: clean_text turns them into U+FFFD, visibly.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="" if fmt == "csv" else None) as f:
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


def _signature(args: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(args, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


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
    """Score every row of ``src`` and append one JSON line per row to ``out``; resumable (see module docstring)."""
    src, out = Path(src), Path(out)
    fmt = fmt or detect_format(src)
    state_path = out.with_name(out.name + ".scan.json")
    signature = _signature(
        {"src": str(src.resolve()), "fmt": fmt, "text_field": text_field, "id_field": id_field, "role": role,
         "model": clf.name, "policy": clf.policy.describe(), "scores": include_scores}
    )
    if overwrite:
        out.unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
    if (out.exists() and out.stat().st_size
            and (not state_path.exists() or json.loads(state_path.read_text())["signature"] != signature)):
        raise FileExistsError(f"{out} exists from a scan with other arguments; pass --overwrite to replace it")
    state_path.write_text(json.dumps({"signature": signature, "src": str(src)}) + "\n")
    start = _resume_point(out)
    stats = ScanStats(skipped=start)
    total = src.stat().st_size
    bar = _Progress(total, enabled=progress)
    pending: list[dict[str, Any]] = []
    with open(out, "a", encoding="utf-8", errors="surrogateescape") as f:
        for rec in read_rows(src, fmt, text_field, id_field):
            bar.update(rec)
            if rec["row"] < start:
                continue
            pending.append(rec)
            if len(pending) >= chunk:
                _flush(clf, pending, f, stats, role, include_scores)
                pending = []
        if pending:
            _flush(clf, pending, f, stats, role, include_scores)
    bar.close(stats)
    return stats


def _flush(clf: Any, rows: list[dict[str, Any]], f: TextIO, stats: ScanStats, role: str | None, scores: bool) -> None:
    ok = [r for r in rows if "text" in r]
    result = clf.predict([r["text"] for r in ok], role=role) if ok else None
    verdicts = iter(result) if result is not None else iter(())
    lines = []
    for r in rows:
        stats.rows += 1
        rec: dict[str, Any] = {"row": r["row"]}
        if r["id"] is not None:
            rec["id"] = r["id"]
        if "error" in r:
            stats.errors += 1
            rec["error"] = r["error"]
        else:
            v = next(verdicts).to_dict()
            stats.scored += 1
            stats.flagged += v["flagged"]
            if not scores:
                v.pop("scores")
            rec.update(v)
        lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
    f.write("".join(lines))
    f.flush()
    os.fsync(f.fileno())


class _Progress:
    """A dependency-free progress line on stderr, by bytes of input read (only when stderr is a terminal)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = max(total, 1)
        self.enabled = enabled and sys.stderr.isatty()
        self.done = 0
        self.rows = 0
        self.t0 = time.monotonic()
        self.last = 0.0

    def update(self, rec: dict[str, Any]) -> None:
        self.rows += 1
        self.done += len(rec.get("text", "").encode("utf-8", "surrogateescape")) + 1
        now = time.monotonic()
        if self.enabled and now - self.last > 0.2:
            self.last = now
            pct = min(100.0, 100.0 * self.done / self.total)
            rate = self.rows / max(now - self.t0, 1e-9)
            sys.stderr.write(f"\rscan {pct:5.1f}%  {self.rows} rows  {rate:,.0f} rows/s")
            sys.stderr.flush()

    def close(self, stats: ScanStats) -> None:
        if self.enabled:
            sys.stderr.write("\n")
