"""Streaming, resumable scoring of JSONL, CSV or plain-text files.

Every output line is one JSON object for one input row, with the row number::

    {"row": 7, "id": "c-7", "flagged": true, "risks": ["A.1.8"], "top_risk": "A.1.8", "top_score": 0.93}

``"scores"`` (every risk's score) is added with ``include_scores``, the keyword fields when a lexicon hits, and a row
that could not be read gets ``"error"`` instead of a verdict: every input row gives exactly one output row.

What a row is: see :mod:`gensafe.readers` (one row per ``\\n`` line; a CSV record per row; unreadable rows become
``error`` rows). Undecodable bytes are kept (``surrogateescape``): a text is scored with U+FFFD in their place, and
any string written back (an id, say) has each of them escaped as ``\\xNN`` and each lone surrogate as ``\\uXXXX``,
so the output is always valid UTF-8.

A scan that is interrupted and rerun with the same settings reads back the complete lines it already wrote, drops a
half-written last line, and carries on from the next row: no row lost, none written twice. Every setting that changes
what is written (see :func:`scan_settings`) is recorded beside the output in ``OUT.scan.json``; a rerun with other
settings is refused, naming what differs, rather than mixing two configurations in one file.

Example:
    >>> scan_file(clf, "in.jsonl", "out.jsonl", text_field="text")   # doctest: +SKIP
    ScanStats(rows=1000, scored=1000, flagged=12, errors=0, skipped=0)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["ScanStats", "scan_file", "scan_settings", "read_rows", "detect_format"]

from .readers import READER_VERSION as _READER
from .readers import _check_format, _parse, detect_format, read_rows
from .text import _SURROGATE  # the one pattern for a lone surrogate (text.replace_surrogates uses it too)


@dataclasses.dataclass
class ScanStats:
    """What one :func:`scan_file` call did.

    Attributes:
        rows: Rows written by this call (scored or reported as errors).
        scored: Rows scored by the model.
        flagged: Scored rows whose verdict is flagged.
        errors: Rows written with an ``"error"`` (missing text, invalid JSON, ragged CSV, ...).
        skipped: Rows already in the output from an earlier, interrupted run.
    """

    rows: int = 0
    scored: int = 0
    flagged: int = 0
    errors: int = 0
    skipped: int = 0


# -- output: always valid UTF-8 and strict JSON ---------------------------------------------------------------------


def _escape_surrogate(m: re.Match[str]) -> str:
    code = ord(m.group())
    # U+DC80..U+DCFF is how surrogateescape keeps an undecodable byte: show the byte
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _safe(value: Any) -> Any:
    """``value`` with every string valid Unicode and every number finite, so the line is valid UTF-8 strict JSON.

    A lone surrogate cannot be encoded: writing one raw (as ``surrogateescape`` would, for an undecodable byte) makes
    the output invalid UTF-8, and a resume would then misread finished rows. NaN and infinities (``json`` reads them)
    become strings.

    Example:
        >>> _safe({"id": "a\\udcff\\ud800", "n": float("nan")})
        {'id': 'a\\\\xff\\\\ud800', 'n': 'nan'}
    """
    if isinstance(value, str):
        return _SURROGATE.sub(_escape_surrogate, value)
    if isinstance(value, dict):
        return {_safe(k): _safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


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
        "reader": _READER,
        "text_field": text_field,
        "id_field": id_field,
        "role": role,
        "scores": include_scores,
        "model": clf.name,
        "manifest": _digest(dataclasses.asdict(clf.manifest)),
        "precision": clf.precision,
        "policy": clf.policy.describe(),
        "thresholds": thresholds,
        # the limits decide which part of a long text is scored (getattr: a stand-in classifier may lack them)
        "max_chars": getattr(clf, "max_chars", None),
        "max_windows": getattr(clf, "max_windows", None),
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
    except (ValueError, AttributeError):  # not JSON (or not UTF-8), or not an object
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
    text = json.dumps(_safe(value), ensure_ascii=False)
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


def _check_paths(src: Path, out: Path, state_path: Path) -> None:
    """Refuse, before anything is written, an output that is a folder, lies in no folder, or is the input."""
    if out.is_dir():
        raise IsADirectoryError(f"--out {out} is a folder; give the path of a .jsonl file")
    if not out.parent.is_dir():
        what = "is not a folder" if out.parent.exists() else "does not exist"
        raise FileNotFoundError(f"cannot write {out}: its folder {out.parent} {what}")
    if src.is_dir():
        raise IsADirectoryError(f"input {src} is a folder, not a file")
    for path in (out, state_path):
        if path.exists() and src.exists() and path.samefile(src):
            raise ValueError(f"--out {out} would overwrite the input {src}")


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
        IsADirectoryError: ``out`` (or ``src``) is a folder.
        OSError: ``src`` cannot be read or ``out`` cannot be written (the message names the path and why); nothing
            is deleted or written before the input is open, the CSV header checked and the output folder found.
        ValueError: A CSV without the ``text_field`` column, or ``out`` that is ``src``.
    """
    src, out = Path(src), Path(out)
    fmt = fmt or detect_format(src)
    _check_format(fmt)
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    state_path = out.with_name(out.name + ".scan.json")
    _check_paths(src, out, state_path)
    settings = scan_settings(clf, src, fmt=fmt, text_field=text_field, id_field=id_field, role=role,
                             include_scores=include_scores)
    stats = ScanStats()
    with open(src, "rb") as f_in:
        rows = _parse(f_in, src, fmt, text_field, id_field)  # a CSV's header is checked here, before any write
        try:
            if overwrite:
                out.unlink(missing_ok=True)
                state_path.unlink(missing_ok=True)
            _check_resumable(out, state_path, settings)
            state_path.write_text(json.dumps({"settings": _safe(settings)}, ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")
            start = _resume_point(out)
            f_out = open(out, "ab")  # noqa: SIM115 (closed below; opening is what may fail)
        except FileExistsError:  # _check_resumable's refusal, already a message
            raise
        except OSError as e:  # read-only or immutable folder, full disk, ...: name the output, not OUT.scan.json
            raise type(e)(f"cannot write the scan output {out}: {e.strerror or e}") from e
        stats.skipped = start
        with f_out:
            bar = _Progress(src.stat().st_size, f_in.tell, enabled=progress)
            pending: list[dict[str, Any]] = []
            for rec in rows:
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


def _flush(clf: Any, rows: list[dict[str, Any]], f: BinaryIO, stats: ScanStats, role: str | None,
           scores: bool) -> None:
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
        lines.append(json.dumps(_safe(_output_row(r, verdict, scores)), ensure_ascii=False) + "\n")
    f.write("".join(lines).encode("utf-8"))  # strict: _safe left nothing that cannot be encoded
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
    row.update(verdict.to_dict(scores=include_scores))
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
