"""Scan output rows as Parquet columns, writing parts, and reading back any scan output (local JSONL or Ray folder).

A local ``gensafe scan`` row (see :mod:`gensafe.scan`) is a JSON object whose keys vary (``scores`` on request,
keyword fields only with hits, ``error`` instead of a verdict). In Parquet it becomes fixed columns, losslessly:

============== ======================== ==========================================================================
column         type                     holds
============== ======================== ==========================================================================
source         string                   the input file (absolute path)
row            int64                    row number in that file, from 0
id             string                   the ``--id-field`` value (a non-string id as JSON text; exact in ``extra``)
error          string                   why the row could not be read; null for a scored row
flagged        bool                     the verdict (null for an error row)
risks          list<string>             risks over threshold
top_risk       string                   highest-scoring risk
top_score      double                   its score
keyword_risks  list<string>             risks hit by the keyword tier (null without hits)
scores         map<string, double>      every risk's score with ``--scores`` (null value: a risk not scored)
extra          string                   JSON of every other key of the local row (``risk_names``, ``truncated``…)
============== ======================== ==========================================================================

Example:
    >>> for source, row in read_scan_output("verdicts/"):   # doctest: +SKIP
    ...     print(source, row["row"], row.get("flagged"))
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["PartWriter", "arrow_schema", "to_record", "from_record", "read_scan_output", "iter_verdicts",
           "scan_sources"]

_MAIN = ("row", "id", "error", "flagged", "risks", "top_risk", "top_score", "keyword_risks", "scores")
STATE_NAME = "_scan.json"  # the Ray engine's settings file (gensafe.ray_scan.STATE_NAME)


def arrow_schema() -> Any:
    import pyarrow as pa

    return pa.schema([("source", pa.string()), ("row", pa.int64()), ("id", pa.string()), ("error", pa.string()),
                      ("flagged", pa.bool_()), ("risks", pa.list_(pa.string())), ("top_risk", pa.string()),
                      ("top_score", pa.float64()), ("keyword_risks", pa.list_(pa.string())),
                      ("scores", pa.map_(pa.string(), pa.float64())), ("extra", pa.string())])


def to_record(source: str, row: dict[str, Any]) -> dict[str, Any]:
    """One local scan row → one Parquet record (see the module docstring)."""
    rid = row.get("id")
    extra = {k: v for k, v in row.items() if k not in _MAIN}
    if rid is not None and not isinstance(rid, str):
        extra["id"] = rid  # the exact JSON value; the column holds its text
        rid = json.dumps(rid, ensure_ascii=False)
    scores = row.get("scores")
    return {"source": source, "row": row["row"], "id": rid, "error": row.get("error"), "flagged": row.get("flagged"),
            "risks": row.get("risks"), "top_risk": row.get("top_risk"), "top_score": row.get("top_score"),
            "keyword_risks": row.get("keyword_risks"), "scores": None if scores is None else list(scores.items()),
            "extra": json.dumps(extra, ensure_ascii=False) if extra else None}


def from_record(rec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One Parquet record → (source, the local scan row), the inverse of :func:`to_record`."""
    row: dict[str, Any] = {"row": rec["row"]}
    if rec["id"] is not None:
        row["id"] = rec["id"]
    if rec["error"] is not None:
        row["error"] = rec["error"]
    else:
        row.update(flagged=rec["flagged"], risks=rec["risks"], top_risk=rec["top_risk"], top_score=rec["top_score"])
        if rec["keyword_risks"] is not None:
            row["keyword_risks"] = rec["keyword_risks"]
        if rec["scores"] is not None:
            row["scores"] = dict(rec["scores"])
    if rec["extra"]:
        row.update(json.loads(rec["extra"]))
    return rec["source"], row


class PartWriter:
    """Rows → one output part: JSONL (the local engine's exact lines) or Parquet (the columns above), written to
    ``path`` (the caller renames it when complete)."""

    def __init__(self, path: Path, ext: str, source: str) -> None:
        self.path, self.ext, self.source = path, ext, source
        self._f: Any = None
        self._pq: Any = None
        self.closed = False

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        if self.ext == "jsonl":
            if self._f is None:
                self._f = open(self.path, "wb")  # noqa: SIM115 (closed in close())
            self._f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self._pq is None:
                self._pq = pq.ParquetWriter(self.path, arrow_schema())
            self._pq.write_table(pa.Table.from_pylist([to_record(self.source, r) for r in rows], schema=arrow_schema()))
        scored = [r for r in rows if "error" not in r]
        return len(scored), sum(bool(r["flagged"]) for r in scored)

    def close(self, *, complete: bool = True) -> None:
        """Flush and fsync; a complete shard without rows still gets its (empty) part: a part proves a shard done."""
        if self.closed:
            return
        if complete and self._f is None and self._pq is None:
            self.write([])
        self.closed = True
        if self._f is not None:
            self._f.flush()
            os.fsync(self._f.fileno())
            self._f.close()
        if self._pq is not None:
            self._pq.close()
            with open(self.path, "rb") as f:
                os.fsync(f.fileno())


def _ray_parts(folder: Path) -> list[tuple[str, Path]]:
    """(source, part) of a Ray engine folder in input order, checking that every planned part is there."""
    state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    ext = "jsonl" if state["settings"].get("output") == "jsonl" else "parquet"
    sources = {_key_of(p): p for p, *_ in state["settings"]["inputs"]}
    parts, missing = [], []
    for name in state["parts"]:
        path = folder / f"part-{name}.{ext}"
        if not path.exists():
            missing.append(name)
        parts.append((sources[name.rsplit("-", 1)[0]], path))
    if missing:
        raise RuntimeError(f"{folder} is an unfinished scan: {len(missing)} of {len(parts)} parts missing "
                           f"(first: {missing[0]}); rerun the scan to finish it")
    return parts


def _key_of(path: str) -> str:
    from .ray_scan import _file_key

    return _file_key(Path(path))


def scan_sources(path: str | Path) -> list[tuple[str, Path]]:
    """(source, file) pairs of a scan output: a Ray engine folder's parts, or a local ``OUT.jsonl`` (its source is
    the input recorded in ``OUT.jsonl.scan.json``, else the output's own name)."""
    path = Path(path)
    if path.is_dir():
        if not (path / STATE_NAME).exists():
            raise FileNotFoundError(f"{path} is a folder without {STATE_NAME}: not a `gensafe scan --engine ray` "
                                    "output")
        return _ray_parts(path)
    state = path.with_name(path.name + ".scan.json")
    source = str(path)
    if state.exists():
        source = json.loads(state.read_text(encoding="utf-8")).get("settings", {}).get("input", source)
    return [(source, path)]


def read_scan_output(path: str | Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (source, row) of a scan output, in input order; rows exactly as the local engine writes them."""
    for source, part in scan_sources(path):
        if part.suffix == ".parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(part).iter_batches(batch_size=8192):
                for rec in batch.to_pylist():
                    yield from_record(rec)
        else:
            with open(part, encoding="utf-8") as f:
                for line in f:
                    yield source, json.loads(line)


def iter_verdicts(path: str | Path) -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(source, rows, flagged, error) arrays per part of a scan output: what an audit needs, read column-wise."""
    for source, part in scan_sources(path):
        if part.suffix == ".parquet":
            import pyarrow.parquet as pq

            t = pq.read_table(part, columns=["row", "flagged", "error"])
            error = t.column("error").is_valid().to_numpy(zero_copy_only=False)
            flagged = t.column("flagged").fill_null(False).to_numpy(zero_copy_only=False)
            yield source, t.column("row").to_numpy(), flagged.astype(bool), error.astype(bool)
            continue
        rows, flagged, error = [], [], []
        with open(part, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                rows.append(r["row"])
                error.append("error" in r)
                flagged.append(bool(r.get("flagged")))
        yield source, np.asarray(rows, dtype=np.int64), np.asarray(flagged, bool), np.asarray(error, bool)
