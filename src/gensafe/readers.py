"""Input rows of ``gensafe scan``: JSONL, CSV/TSV or plain-text files, read as bytes, one row per line; Parquet.

What a row is: JSONL and text files are read as bytes and split on ``\\n`` only (a ``\\r`` before it is part of the
line end; a bare ``\\r`` is part of the row), so row numbers never drift. A CSV/TSV row is a record as the ``csv``
module's excel dialects read it, except that records also end only at ``\\n``; a row with more or fewer fields than
the header, or whose quoted field is never closed, is an ``error`` (after an unclosed quote, reading goes on at the
line after the one that opened it, each line then one row). Fields have no size limit. Undecodable bytes are kept
(``surrogateescape``), so nothing is lost before the scan decides how to write it. A Parquet row is a table row (the
``text_field`` column must exist; a null or non-string text is an ``error`` row); reading it needs ``pyarrow``.

Example:
    >>> next(read_rows("in.jsonl", "jsonl", "text"))   # doctest: +SKIP
    {'row': 0, 'id': None, 'text': 'hello'}
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["read_rows", "detect_format", "FORMATS", "READER_VERSION"]

FORMATS = ("jsonl", "csv", "txt", "parquet")
# How input bytes become rows. Part of a scan's resume signature: an output written under other row rules (an older
# gensafe split on bare "\r" too) would number rows differently, so it is not resumed.
READER_VERSION = 2


def detect_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv",
            ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "txt")


def read_rows(path: str | Path, fmt: str, text_field: str, id_field: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``{"row", "id", "text"}`` or ``{"row", "id", "error"}`` per input row, streaming.

    A row that cannot be read (invalid JSON, a missing or non-string text, a ragged CSV record) is reported with an
    ``error``, never dropped. Raises ``ValueError`` for a CSV without the ``text_field`` column.

    Example:
        >>> next(read_rows("in.jsonl", "jsonl", "text"))   # doctest: +SKIP
        {'row': 0, 'id': None, 'text': 'hello'}
    """
    _check_format(fmt)
    with open(path, "rb") as f:
        yield from _parse(f, path, fmt, text_field, id_field)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")


# -- input: bytes -> lines -> rows ----------------------------------------------------------------------------------
class _Lines:
    """The physical lines of a binary file, split on ``\\n`` only, decoded with ``surrogateescape``, line end kept.

    Reads with ``readline`` so that ``tell`` (progress) and ``seek`` (CSV recovery) stay usable. A UTF-8 byte order
    mark at the start of the file is dropped.
    """

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.number = 0  # lines read so far: the 1-based number of the last line returned

    def next(self) -> str | None:
        raw = self.f.readline()
        if not raw:
            return None
        if self.number == 0 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        self.number += 1
        return raw.decode("utf-8", "surrogateescape")

    def seek(self, offset: int, number: int) -> None:
        self.f.seek(offset)
        self.number = number


def _body(line: str) -> str:
    """A line without its end (``\\n`` or ``\\r\\n``); a bare ``\\r`` elsewhere stays."""
    return line[:_body_end(line)]


def _body_end(line: str) -> int:
    end = len(line)
    if line.endswith("\n"):
        end -= 2 if line.endswith("\r\n") else 1
    return end


def _parse(f: BinaryIO, path: str | Path, fmt: str, text_field: str, id_field: str | None) -> Iterator[dict[str, Any]]:
    """The rows of ``f``; a CSV header (or Parquet schema) is read and checked at once, before the first row."""
    if fmt == "parquet":
        return parquet_rows(f, path, text_field, id_field)
    lines = _Lines(f)
    if fmt == "csv":
        return _csv_rows(lines, path, text_field, id_field)
    return _line_rows(lines, fmt, text_field, id_field)


def parquet_rows(f: Any, path: str | Path, text_field: str, id_field: str | None, *,
                 row_groups: list[int] | None = None, first_row: int = 0) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet file (``row_groups``: only those, numbered from ``first_row``); schema checked at once.

    Example:
        >>> next(parquet_rows("in.parquet", "in.parquet", "text", None))   # doctest: +SKIP
        {'row': 0, 'id': None, 'text': 'hello'}
    """
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise ImportError("reading Parquet needs pyarrow: pip install pyarrow (or 'gensafe[ray]')") from e
    pf = pq.ParquetFile(f)
    names = pf.schema_arrow.names
    if text_field not in names:
        columns = repr(names) if len(repr(names)) <= 60 else repr(names)[:57] + "..."
        raise ValueError(f"{path} has no column {text_field!r} (columns: {columns}); use --text-field")
    if id_field is not None and id_field not in names:
        raise ValueError(f"{path} has no column {id_field!r} for --id-field")
    columns = [text_field] if id_field in (None, text_field) else [text_field, id_field]
    return _parquet_body(pf, columns, text_field, id_field, row_groups, first_row)


def _parquet_body(pf: Any, columns: list[str], text_field: str, id_field: str | None, row_groups: list[int] | None,
                  first_row: int) -> Iterator[dict[str, Any]]:
    i = first_row
    for batch in pf.iter_batches(batch_size=4096, columns=columns, row_groups=row_groups):
        table = batch.to_pydict()
        for j, text in enumerate(table[text_field]):
            yield _pick(i, {text_field: text, **({id_field: table[id_field][j]} if id_field else {})},
                        text_field, id_field)
            i += 1


def _line_rows(lines: _Lines, fmt: str, text_field: str, id_field: str | None, first_row: int = 0
               ) -> Iterator[dict[str, Any]]:
    i = first_row
    while (line := lines.next()) is not None:
        body = _body(line)
        if fmt == "txt":
            yield {"row": i, "id": None, "text": body}
        elif not body.strip():
            yield {"row": i, "id": None, "error": "blank line"}
        else:
            try:
                obj = json.loads(body)
            except (ValueError, RecursionError) as e:  # RecursionError: nesting deeper than the parser goes
                yield {"row": i, "id": None, "error": f"invalid JSON: {e}"}
            else:
                yield _pick(i, obj, text_field, id_field)
        i += 1


def _csv_rows(lines: _Lines, path: str | Path, text_field: str, id_field: str | None) -> Iterator[dict[str, Any]]:
    delimiter = "\t" if str(path).lower().endswith(".tsv") else ","
    reader = _CsvRecords(lines, delimiter)
    header = None
    while (rec := reader.next()) is not None:
        if rec[0] is None:
            raise ValueError(f"{path}: the header's {rec[1]}")
        if rec[0]:  # blank lines before the header are skipped, as csv.DictReader does
            header = rec[0]
            break
    if header is None or text_field not in header:
        columns = repr(header)  # repr escapes lone surrogates and undecodable bytes: the message stays printable
        columns = columns if len(columns) <= 60 else columns[:57] + "..."
        shown = "the file is empty" if header is None else f"columns: {columns}"
        raise ValueError(f"{path} has no column {text_field!r} ({shown}); use --text-field")
    return _csv_body(reader, header, text_field, id_field)


def _csv_body(reader: _CsvRecords, header: list[str], text_field: str, id_field: str | None
              ) -> Iterator[dict[str, Any]]:
    i = 0
    while (rec := reader.next()) is not None:
        fields, problem = rec
        if fields is None:
            yield {"row": i, "id": None, "error": problem}
        elif not fields:
            yield {"row": i, "id": None, "error": "blank line"}
        else:
            values = dict(zip(header, fields, strict=False))  # ragged rows are reported below
            if len(fields) != len(header):
                rid = values.get(id_field) if id_field else None
                yield {"row": i, "id": rid, "error": f"row has {len(fields)} fields, the header has {len(header)}"}
            else:
                yield _pick(i, values, text_field, id_field)
        i += 1


class _CsvRecords:
    """CSV records read as the ``csv`` module's excel dialects do (``"`` quotes, ``""`` inside quotes, text after a
    closing quote kept), except that records end only at ``\\n`` and fields have no size limit.

    ``next()`` gives ``(fields, None)``, ``(None, problem)`` for a quoted field never closed, or ``None`` at the end.
    After an unclosed quote, reading goes back to the line after the one that opened it, and from then on a quoted
    field may no longer span lines: each later line is one record, so a broken file costs one pass, not one per quote.
    """

    def __init__(self, lines: _Lines, delimiter: str) -> None:
        self.lines = lines
        self.delimiter = delimiter
        self.multiline = True

    def next(self) -> tuple[list[str] | None, str | None] | None:
        line = self.lines.next()
        if line is None:
            return None
        pos, end = 0, _body_end(line)
        if not end:  # a blank line: no fields at all, as the csv module reads it ('""' is one empty field)
            return [], None
        if '"' not in line:  # the common case: no quoting at all
            return line[:end].split(self.delimiter), None
        fields: list[str] = []
        while True:  # one field per turn
            if pos < end and line[pos] == '"':
                opened = (self.lines.number, self.lines.f.tell())
                parts: list[str] = []
                pos += 1
                while True:
                    q = line.find('"', pos)
                    if q == -1:  # the line end is part of the quoted field
                        parts.append(line[pos:])
                        more = self.lines.next() if self.multiline else None
                        if more is None:
                            return self._unclosed(*opened)
                        line, pos = more, 0
                    elif line.startswith('"', q + 1):  # "" inside quotes: one "
                        parts.append(line[pos:q + 1])
                        pos = q + 2
                    else:
                        parts.append(line[pos:q])
                        pos = q + 1
                        break
                end = _body_end(line)
                cut = line.find(self.delimiter, pos, end)
                stop = end if cut == -1 else cut
                parts.append(line[pos:stop])
                fields.append("".join(parts))
            else:
                cut = line.find(self.delimiter, pos, end)
                stop = end if cut == -1 else cut
                fields.append(line[pos:stop])
            if cut == -1:
                return fields, None
            pos = cut + 1

    def _unclosed(self, number: int, offset: int) -> tuple[None, str]:
        self.lines.seek(offset, number)
        if not self.multiline:
            return None, f"quoted field opened on line {number} is not closed on that line (after an unclosed quote, " \
                         "quoted fields may not span lines)"
        self.multiline = False
        return None, f"quoted field opened on line {number} is never closed"


def _pick(i: int, obj: Any, text_field: str, id_field: str | None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {"row": i, "id": None, "error": "row is not an object"}
    rid = obj.get(id_field) if id_field else None
    text = obj.get(text_field)
    if not isinstance(text, str):
        what = "missing" if text is None else f"a {type(text).__name__}, not a string"
        return {"row": i, "id": rid, "error": f"field {text_field!r} is {what}"}
    return {"row": i, "id": rid, "text": text}
