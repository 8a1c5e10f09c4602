"""Graphs derived on first use from a shipped one, cached locally and verified against a separate index.

A model folder may ship one compact graph and declare in its manifest that others can be derived from it
(``"derive": {"int8": "fp32"}``): the shipped size stays small and each user builds the variant their hardware wants
once (several seconds for the shipped model on 2 cores, so it is cached rather than rebuilt on every load).

The derived int8 graph is deterministic per text: its activation scales are constants calibrated once (on the TC260
bank texts shipped in the package), not computed per batch as ``quantize_dynamic`` does, so a text gets the same
scores alone or in any batch (:func:`quantize_calibrated`).

Trust: the derived file lives in the cache (``$GENSAFE_CACHE``, default ``~/.cache/gensafe``) under the source
graph's sha256, but its own sha256 is recorded elsewhere, in an index keyed by the source graph's sha256
(``$GENSAFE_STATE``, default ``$XDG_STATE_HOME/gensafe`` or ``~/.local/state/gensafe``, file ``derived.json``). So
whoever can write the cache cannot replace both the graph and its record: a cached graph that does not match the
index, or that the index does not know, is rebuilt. Both folders must be owned by the current user and writable by
no one else; otherwise :class:`CacheError`, as for a cache that cannot be written.

Example:
    >>> clf = gensafe.load(precision="int8")   # first call derives and caches, later calls reuse   # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import time
import warnings
from pathlib import Path

from .manifest import ModelFileError, ModelManifest, sha256_file
from .quantize import calibration_feeds, quantize_calibrated

__all__ = ["CacheError", "cache_dir", "derived_graph", "index_path"]

INDEX_NAME = "derived.json"

# The int8 recipe (see benchmarks/int8_options.py for the options measured): static activation scales calibrated on
# the package's bank texts, SmoothQuant 0.5, the whole first layer left in fp32 (its error is carried through all
# eleven above it), and in the FFN output projections (inputs with GELU outliers) the 64 widest of 1,536 input
# channels multiplied in fp32 beside the int8 product of the rest. Chosen on 2,000 dev texts of v5w against the
# previous recipe (FFN outputs wholly fp32, SmoothQuant 0.7): 2.16x fp32's texts/s against 1.69x, decisions equal to
# fp32 on 99.40 % against 99.75 % (K = 128: 99.35 %; SmoothQuant 0.7: 99.15 %; none: 98.40 %; the first layer in
# int8 too: 99.20 %, 2.37x). benchmarks/results/int8_options_split.json; on test texts 99.1 % (cpu_suite.py).
INT8_RECIPE = "static-sq05-l0-split64-v3"
INT8_SMOOTH = 0.5
INT8_KEEP_FP32 = (r"layer\.0/",)
INT8_SPLIT = {r"layer\.\d+/output/dense": 64}

_log = logging.getLogger(__name__)  # a child of "gensafe": derived graphs built, reused, rebuilt


class CacheError(ModelFileError):
    """The cache of derived graphs (or its index) cannot be trusted or cannot be written."""


def cache_dir() -> Path:
    """Folder of derived graphs: ``$GENSAFE_CACHE``, default ``~/.cache/gensafe``."""
    return Path(os.environ.get("GENSAFE_CACHE") or Path.home() / ".cache" / "gensafe")


def index_path() -> Path:
    """The index of derived-graph digests, kept apart from the cache (see the module docstring).

    Example:
        >>> index_path().name
        'derived.json'
    """
    state = os.environ.get("GENSAFE_STATE")
    if not state:
        xdg = os.environ.get("XDG_STATE_HOME")
        state = str(Path(xdg) / "gensafe") if xdg else str(Path.home() / ".local" / "state" / "gensafe")
    return Path(state) / INDEX_NAME


def derived_graph(folder: Path, manifest: ModelManifest, precision: str) -> Path:
    """Path of the ``precision`` graph derived from the folder's source graph, building it if needed.

    The caller has verified the source graph against ``manifest.files``; its sha256 keys both the cache folder and
    the index entry.

    Raises:
        CacheError: the cache or index folder is writable by others or owned by someone else, or the cache cannot
            be written when a graph must be built.
    """
    source = manifest.derive[precision]
    src_name = manifest.onnx[source]
    src_hash = manifest.files[src_name]
    key = f"{src_hash}:{precision}:{INT8_RECIPE}"  # a new recipe never reuses a graph built by an older one
    out_dir = cache_dir() / f"{manifest.name}-{src_hash[:16]}"
    out = out_dir / f"model.{precision}.onnx"  # a graph of an older recipe there is not in the index: rebuilt
    index = index_path()
    _require_private(cache_dir(), out_dir, out, index.parent, index)
    expected = _read_index(index).get(key)
    if out.is_file() and expected is not None:
        if sha256_file(out) == expected:
            _log.debug("reusing derived %s graph %s (sha256 matches %s)", precision, out, index)
            return out
        warnings.warn(
            f"cached {out} does not match the sha256 recorded in {index}; rebuilding it", RuntimeWarning, stacklevel=3
        )
    if precision != "int8":
        raise ValueError(f"gensafe cannot derive {precision} graphs (only int8)")
    try:
        import onnx  # noqa: F401

        from .graphs import restore_weights_fp32
    except ImportError as e:
        raise ImportError("deriving the int8 graph needs onnx: pip install 'gensafe[cpu]' (or [gpu])") from e
    _log.info("deriving the %s graph of %s from its %s graph into %s (once; cached)", precision, manifest.name,
              source, out_dir)
    started = time.perf_counter()
    try:
        _make_private(cache_dir())  # created 0700 here, not with the umask's mode by mkdir(parents=True)
        _make_private(out_dir)
        with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
            fp32 = restore_weights_fp32(folder / src_name, Path(tmp) / "fp32.onnx")
            feeds = calibration_feeds(folder, manifest)
            built = quantize_calibrated(fp32, Path(tmp) / out.name, feeds, smooth=INT8_SMOOTH,
                                       keep_fp32=INT8_KEEP_FP32, split=INT8_SPLIT)
            digest = sha256_file(built)
            os.replace(built, out)  # atomic: a concurrent loader never sees half a file
    except OSError as e:
        raise CacheError(
            f"cannot write the derived {precision} graph to {out_dir} ({e.strerror or e}):"
            " set GENSAFE_CACHE to a folder you own and can write"
        ) from e
    _record(index, key, digest)
    _log.info("derived %s graph built in %.1f s: %s", precision, time.perf_counter() - started, out)
    return out


def _require_private(*paths: Path) -> None:
    """Refuse any existing path owned by another user or writable by group or others."""
    uid = os.getuid() if hasattr(os, "getuid") else None  # no owners to compare on Windows
    for path in paths:
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue  # nothing there yet: created private later, or writing it fails with its own clear error
        except OSError as e:
            raise CacheError(f"cannot inspect {path}: {e}") from e
        if uid is not None and st.st_uid != uid:
            raise CacheError(
                f"{path} is owned by uid {st.st_uid}, not by you (uid {uid}): refusing to trust derived graphs there;"
                " set GENSAFE_CACHE / GENSAFE_STATE to folders you own"
            )
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise CacheError(
                f"{path} is writable by other users (mode {stat.filemode(st.st_mode)}): refusing to trust derived"
                f" graphs there; chmod go-w {path}, or set GENSAFE_CACHE / GENSAFE_STATE to private folders"
            )


def _make_private(path: Path) -> None:
    """Create ``path`` (mode 0700 for new folders) and check it is private."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _require_private(path)


def _read_index(index: Path) -> dict[str, str]:
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        # an unreadable index only costs a rebuild: it can never make an unverified graph load
        warnings.warn(f"ignoring unreadable index {index}: {e}", RuntimeWarning, stacklevel=4)
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _record(index: Path, key: str, digest: str) -> None:
    """Add ``key -> digest`` to the index, atomically; if the index cannot be written the graph is still used."""
    try:
        _make_private(index.parent)
        table = _read_index(index)
        table[key] = digest
        fd, tmp = tempfile.mkstemp(dir=index.parent, prefix=".derived-", suffix=".json")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(table, f, indent=1, sort_keys=True)
            os.replace(tmp, index)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as e:
        # the graph was just built here, so it is trusted now; without a record it is rebuilt next time
        warnings.warn(
            f"cannot record the derived graph in {index} ({e}); it will be rebuilt on every load", RuntimeWarning,
            stacklevel=4,
        )
