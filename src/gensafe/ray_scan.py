"""``gensafe scan --engine ray``: the file scan of :mod:`gensafe.scan` on Ray Data, across a cluster (``ray`` extra).

The inputs (files, globs, folders of JSONL / CSV / text / Parquet) are cut into *shards* on the driver: byte ranges
of about ``block_bytes`` that start at a line start (JSONL, text), groups of row groups (Parquet), or a whole file
(CSV, whose quoted fields may span lines). Ray Data runs one ``map_batches`` stage over the shard list with a callable
class: each actor loads the classifier (and keyword tier) once, reads its shard with the local engine's readers, scores
it with the same ``predict`` and writes **one output part per shard**, under a deterministic name, atomically (a
temporary file, fsync, rename). So:

* rows and verdicts are the local engine's: a JSONL part is byte for byte the local ``gensafe scan`` lines of its
  rows, a Parquet part holds the same rows in fixed columns (:mod:`gensafe.scan_rows`);
* a killed actor is restarted by Ray and its shard redone: the part is replaced whole, never appended, so no row is
  lost or written twice;
* a rerun after the driver died skips every shard whose part exists, removes half-written temporary files and
  refuses to mix settings (``_scan.json`` records them, as ``OUT.scan.json`` does for the local engine).

Ray Data's own readers are not used on purpose: they fail a whole file on one bad JSON line (the local engine reports
it as an ``error`` row), number no rows, and cut blocks differently on every run, which idempotent output cannot use.
Inputs must be readable at the same path on every node (a shared file system).

Example:
    >>> scan_ray(["corpus/"], "verdicts/", model_argv=["--model", "default"], concurrency=4)   # doctest: +SKIP
    RayScanStats(rows=120000, scored=119990, flagged=310, errors=10, shards=12, skipped_shards=0)
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .readers import FORMATS, _line_rows, _Lines, _parse, detect_format, parquet_rows
from .scan import _check_resumable, _output_row, _safe, scan_settings
from .scan_rows import STATE_NAME, PartWriter

__all__ = ["RayScanStats", "scan_ray", "expand_inputs", "plan_shards", "STATE_NAME", "DEFAULT_BLOCK_BYTES"]

DEFAULT_BLOCK_BYTES = 64 << 20  # ~64 MiB of input per shard: minutes of GPU work, seconds to redo after a crash
_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".parquet", ".pq"}


@dataclasses.dataclass
class RayScanStats:
    """What one :func:`scan_ray` call did (``rows`` … ``errors`` count only the shards scored by this call)."""

    rows: int = 0
    scored: int = 0
    flagged: int = 0
    errors: int = 0
    shards: int = 0
    skipped_shards: int = 0


# -- inputs and shards ----------------------------------------------------------------------------------------------
def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Files, globs (``**`` recursive) and folders (their input files, recursively) → resolved files, sorted per item.

    Hidden files and names starting with ``_`` are skipped in folders. Raises ``FileNotFoundError`` for an item that
    names nothing.

    Example:
        >>> expand_inputs(["data/*.parquet"])   # doctest: +SKIP
        [PosixPath('/abs/data/a.parquet'), PosixPath('/abs/data/b.parquet')]
    """
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES
                           and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts))
        elif any(c in str(item) for c in "*?["):
            found = sorted(Path(m) for m in glob.glob(str(item), recursive=True) if Path(m).is_file())
        elif path.is_file():
            found = [path]
        else:
            raise FileNotFoundError(f"input {item} does not exist")
        if not found:
            raise FileNotFoundError(f"input {item} matches no input file ({', '.join(sorted(_SUFFIXES))})")
        files.extend(p.resolve() for p in found)
    return list(dict.fromkeys(files))  # one file named twice is scanned once


def _file_key(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem)[:48]
    return f"{stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:10]}"


def plan_shards(files: Sequence[Path], fmt: str | None = None, block_bytes: int = DEFAULT_BLOCK_BYTES
                ) -> list[dict[str, Any]]:
    """The shards of ``files``: plain dicts (JSON-ready) with ``part`` (output name), ``path``, ``fmt``, the byte
    range or row groups, ``first_row`` and ``rows`` (``None`` for CSV, whose rows are known only once read).

    Example:
        >>> [s["part"] for s in plan_shards([Path("/d/a.jsonl")], block_bytes=1 << 20)]   # doctest: +SKIP
        ['a-3f0c1d2e4b-00000']
    """
    if block_bytes < 1:
        raise ValueError(f"block_bytes must be at least 1, got {block_bytes}")
    shards = []
    for path in files:
        kind = fmt or detect_format(path)
        if kind not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {kind!r}")
        if kind == "parquet":
            pieces = _parquet_pieces(path, block_bytes)
        elif kind == "csv":  # a quoted field may span lines: only the whole file is a safe unit
            pieces = [{"start": 0, "stop": path.stat().st_size, "first_row": 0, "rows": None}]
        else:
            pieces = _line_pieces(path, block_bytes)
        key = _file_key(path)
        shards += [{"part": f"{key}-{k:05d}", "path": str(path), "fmt": kind, **p} for k, p in enumerate(pieces)]
    return shards


def _line_pieces(path: Path, block: int) -> list[dict[str, Any]]:
    """Byte ranges of about ``block`` bytes, each starting at a line start, with their first row and row count."""
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as f:
        while bounds[-1] + block < size:
            f.seek(bounds[-1] + block - 1)
            f.readline()  # to the end of the line holding the byte before the cut: the next range starts a line
            if f.tell() >= size:
                break
            bounds.append(f.tell())
        bounds.append(size)
        pieces, first = [], 0
        for a, b in zip(bounds, bounds[1:], strict=False):
            f.seek(a)
            newlines, left, last = 0, b - a, b""
            while left:  # counting newlines reads the file once, far faster than the model scores it
                data = f.read(min(left, 16 << 20))
                newlines += data.count(b"\n")
                left -= len(data)
                last = data[-1:] or last
            rows = newlines + (1 if b > a and last != b"\n" else 0)  # a last line without "\n" is a row too
            pieces.append({"start": a, "stop": b, "first_row": first, "rows": rows})
            first += rows
    return pieces


def _parquet_pieces(path: Path, block: int) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    pieces: list[dict[str, Any]] = []
    groups: list[int] = []
    first = rows = size = 0
    for g in range(meta.num_row_groups):
        groups.append(g)
        rows += meta.row_group(g).num_rows
        size += meta.row_group(g).total_byte_size
        if size >= block or g == meta.num_row_groups - 1:
            pieces.append({"groups": groups, "first_row": first, "rows": rows})
            first, groups, rows, size = first + rows, [], 0, 0
    return pieces or [{"groups": [], "first_row": 0, "rows": 0}]


class _Bounded:
    """A binary file seen up to byte ``stop`` (``stop`` is a line start, so a line is never cut)."""

    def __init__(self, f: Any, stop: int) -> None:
        self.f, self.stop = f, stop

    def readline(self) -> bytes:
        return b"" if self.f.tell() >= self.stop else self.f.readline()


def shard_rows(shard: dict[str, Any], text_field: str, id_field: str | None) -> Iterator[dict[str, Any]]:
    """The input rows of one shard, as :func:`gensafe.readers.read_rows` gives them (row numbers within the file)."""
    path, fmt = shard["path"], shard["fmt"]
    with open(path, "rb") as f:
        if fmt == "parquet":
            yield from parquet_rows(f, path, text_field, id_field, row_groups=shard["groups"],
                                    first_row=shard["first_row"])
        elif fmt == "csv":
            yield from _parse(f, path, fmt, text_field, id_field)
        else:
            f.seek(shard["start"])
            lines = _Lines(_Bounded(f, shard["stop"]))  # type: ignore[arg-type]
            lines.number = 1 if shard["start"] else 0  # a byte order mark is dropped only at the start of the file
            yield from _line_rows(lines, fmt, text_field, id_field, shard["first_row"])


# -- the actor ------------------------------------------------------------------------------------------------------
class ShardScorer:
    """Ray Data callable class: loads the classifier once per actor; each call scores shards into their parts.

    Args:
        config: Plain data: ``model`` (``gensafe check`` model options as a dict), ``out``, ``out_format``,
            ``text_field``, ``id_field``, ``role``, ``scores``, ``batch_size``.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        from .cli import _load

        self.config = config
        self.clf = _load(argparse.Namespace(**config["model"]))

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        stats: dict[str, list[Any]] = {k: [] for k in ("part", "rows", "scored", "flagged", "errors")}
        for text in batch["shard"]:
            shard = json.loads(str(text))
            counts = self.score_shard(shard)
            stats["part"].append(shard["part"])
            for k, v in zip(("rows", "scored", "flagged", "errors"), counts, strict=True):
                stats[k].append(v)
        return stats

    def score_shard(self, shard: dict[str, Any]) -> tuple[int, int, int, int]:
        """Score one shard into ``OUT/part.ext`` (atomically); return (rows, scored, flagged, errors)."""
        cfg = self.config
        ext = "jsonl" if cfg["out_format"] == "jsonl" else "parquet"
        final = Path(cfg["out"]) / f"part-{shard['part']}.{ext}"
        tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")  # one per attempt: a retry never shares
        rows = scored = flagged = errors = 0
        writer = PartWriter(tmp, ext, shard["path"])
        try:
            pending: list[dict[str, Any]] = []
            for rec in shard_rows(shard, cfg["text_field"], cfg["id_field"]):
                pending.append(rec)
                if len(pending) >= cfg["batch_size"]:
                    s, f = writer.write(self._score(pending))
                    rows, scored, flagged, errors = rows + len(pending), scored + s, flagged + f, errors + len(
                        pending) - s
                    pending = []
                    self._maybe_fail(shard)
            if pending:
                s, f = writer.write(self._score(pending))
                rows, scored, flagged, errors = rows + len(pending), scored + s, flagged + f, errors + len(pending) - s
            writer.close()
            if shard["rows"] is not None and rows != shard["rows"]:
                raise RuntimeError(f"{shard['path']} changed during the scan: shard {shard['part']} has {rows} rows, "
                                   f"{shard['rows']} when planned")
            os.replace(tmp, final)  # the part appears whole or not at all
        finally:
            writer.close(complete=False)
            tmp.unlink(missing_ok=True)
        return rows, scored, flagged, errors

    def _score(self, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        texts = [r["text"] for r in recs if "text" in r]
        verdicts = iter(self.clf.predict(texts, role=self.config["role"])) if texts else iter(())
        return [_safe(_output_row(r, next(verdicts) if "text" in r else None, self.config["scores"])) for r in recs]

    def _maybe_fail(self, shard: dict[str, Any]) -> None:
        # fault injection for the tests: this actor's process dies (SIGKILL, as an OOM killer would) the first time
        # it is half way through the named shard; the marker file makes it once per test, not once per attempt
        fail = self.config.get("fail_once")
        if fail and shard["part"] == fail["part"] and not os.path.exists(fail["marker"]):
            Path(fail["marker"]).touch()
            os.kill(os.getpid(), 9)


# -- the driver -----------------------------------------------------------------------------------------------------
def model_options(model_argv: Sequence[str] | argparse.Namespace = ()) -> dict[str, Any]:
    """``gensafe`` model options (``--model``, ``--device``, ``--precision``, ``--lexicon``, ``--role``…) as a dict."""
    if isinstance(model_argv, argparse.Namespace):
        ns = model_argv
    else:
        from .cli import build_parser

        ns = build_parser().parse_args(["check", *model_argv])
    keep = ("model", "device", "precision", "threads", "operating_point", "policy", "role", "lexicon", "lexicon_map",
            "data_root", "keyword_mode")
    return {k: getattr(ns, k, None) for k in keep}


def scan_ray(inputs: Sequence[str | Path], out: str | Path, *, model_argv: Sequence[str] | argparse.Namespace = (),
             fmt: str | None = None, text_field: str = "text", id_field: str | None = None,
             include_scores: bool = False, out_format: str = "parquet", batch_size: int = 256, concurrency: int = 1,
             num_cpus: float = 1.0, num_gpus: float | None = None, block_bytes: int = DEFAULT_BLOCK_BYTES,
             address: str | None = None, overwrite: bool = False, progress: bool = True,
             _fail_once: dict[str, str] | None = None) -> RayScanStats:
    """Scan ``inputs`` on Ray into parts under the folder ``out``; rerun to resume (see the module docstring).

    Args:
        inputs: Files, globs or folders (JSONL, CSV/TSV, text, Parquet).
        out: Output folder: ``part-*.parquet`` (or ``.jsonl``) and ``_scan.json``.
        model_argv: ``gensafe`` model options, e.g. ``["--model", "default", "--lexicon", "kw.tsv"]``.
        fmt: Input format for every file (default: from each suffix).
        out_format: ``"parquet"`` or ``"jsonl"``.
        batch_size: Rows per ``predict`` call inside an actor.
        concurrency: Actors (each with its own model copy).
        num_cpus: CPUs per actor; also ONNX Runtime's threads when ``--threads`` is not given.
        num_gpus: GPUs per actor (fractions share one); default 1 when ``--device`` is CUDA, else 0. With GPUs the
            actors load on ``cuda`` (Ray's ``CUDA_VISIBLE_DEVICES``: the first is ``cuda:0``).
        block_bytes: Input bytes per shard (also the work redone after a crash).
        address: Ray cluster to join (``"auto"``, ``"ray://host:10001"``); default: the running Ray, else a local one.
        overwrite: Delete the parts of an earlier scan in ``out`` and start over.

    Raises:
        FileExistsError: ``out`` holds a scan with other settings (and not ``overwrite``).
        FileNotFoundError: An input names nothing.
    """
    import ray

    if out_format not in ("parquet", "jsonl"):
        raise ValueError(f"out_format must be 'parquet' or 'jsonl', got {out_format!r}")
    if batch_size < 1 or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    files = expand_inputs(inputs)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} is a file; the Ray engine writes a folder of parts")
    if any(out.resolve() == f.parent or out.resolve() in f.parents for f in files):
        raise ValueError(f"--out {out} holds inputs: its parts would be read as inputs by a rerun")
    model = model_options(model_argv)
    cuda = str(model["device"]).startswith("cuda") or bool(num_gpus)
    num_gpus = (1.0 if cuda else 0.0) if num_gpus is None else num_gpus
    model["device"] = "cuda" if cuda else "cpu"  # "auto" would grab a GPU Ray did not reserve
    model["threads"] = model["threads"] or max(1, int(num_cpus))
    # actors do not run in the driver's folder: relative paths (a model folder, lexicons, a policy) are made absolute
    for key in ("model", "policy", "lexicon_map", "data_root"):
        if model[key] and Path(model[key]).exists():
            model[key] = str(Path(model[key]).resolve())
    model["lexicon"] = [str(Path(p).resolve()) for p in model["lexicon"] or []] or None
    settings = _settings(model, files, fmt=fmt, text_field=text_field, id_field=id_field, scores=include_scores,
                         out_format=out_format, block_bytes=block_bytes)
    model["precision"] = settings["precision"]  # every actor loads what the driver resolved

    shards = plan_shards(files, fmt, block_bytes)
    state_path = out / STATE_NAME
    out.mkdir(parents=True, exist_ok=True)
    if overwrite:
        for p in [*out.glob("part-*"), state_path]:
            p.unlink(missing_ok=True)
    if state_path.exists() or any(out.glob("part-*")):
        _check_resumable(out, state_path, settings)
    for stale in out.glob(".part-*.tmp"):  # left by a killed run: never a finished part
        stale.unlink(missing_ok=True)
    state_path.write_text(json.dumps({"settings": _safe(settings), "parts": [s["part"] for s in shards]},
                                     ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    ext = "jsonl" if out_format == "jsonl" else "parquet"
    todo = [s for s in shards if not (out / f"part-{s['part']}.{ext}").exists()]
    stats = RayScanStats(shards=len(shards), skipped_shards=len(shards) - len(todo))
    if not todo:
        return stats

    config = {"model": model, "out": str(out.resolve()), "out_format": out_format, "text_field": text_field,
              "id_field": id_field, "role": model["role"], "scores": include_scores, "batch_size": batch_size,
              "fail_once": _fail_once}
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = progress
        ds = ray.data.from_items([{"shard": json.dumps(s)} for s in todo], override_num_blocks=len(todo))
        # one shard per call: a shard is the unit of output, of retry and of load balancing across actors
        ds = ds.map_batches(ShardScorer, fn_constructor_kwargs={"config": config}, batch_size=1,
                            compute=ray.data.ActorPoolStrategy(size=min(concurrency, len(todo))),
                            num_cpus=num_cpus, num_gpus=num_gpus or None)
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            for k in ("rows", "scored", "flagged", "errors"):
                setattr(stats, k, getattr(stats, k) + int(sum(batch[k])))
        missing = [s["part"] for s in todo if not (out / f"part-{s['part']}.{ext}").exists()]
        if missing:  # Ray reported success for shards without a part: never silently incomplete
            raise RuntimeError(f"{len(missing)} shards have no output part (first: {missing[0]}); rerun to finish")
        for stale in out.glob(".part-*.tmp"):  # the leftovers of attempts whose actor died (their shard was redone)
            stale.unlink(missing_ok=True)
    finally:
        if started:
            ray.shutdown()
    return stats


def _settings(model: dict[str, Any], files: Sequence[Path], **extra: Any) -> dict[str, Any]:
    """The local engine's :func:`~gensafe.scan.scan_settings` for this model, plus the inputs and shard size.

    The driver loads the model on its CPU only to read them; the precision recorded (and then loaded by every actor)
    is the one the actors' device resolves to.
    """
    from .classifier import _pick_precision
    from .cli import _load

    clf = _load(argparse.Namespace(**{**model, "device": "cpu", "threads": 1,
                                      "precision": "fp32" if model["precision"] in ("auto", "fp16") else
                                      model["precision"]}))
    settings = scan_settings(clf, files[0], fmt="-", text_field=extra["text_field"], id_field=extra["id_field"],
                             role=model["role"], include_scores=extra["scores"])
    settings["precision"] = _pick_precision(clf.manifest, model["precision"], model["device"])
    del settings["input"], settings["format"]
    settings.update(engine="ray", output=extra["out_format"], block_bytes=extra["block_bytes"],
                    inputs=[[str(f), extra["fmt"] or detect_format(f), f.stat().st_size, f.stat().st_mtime_ns]
                            for f in files])
    return settings
