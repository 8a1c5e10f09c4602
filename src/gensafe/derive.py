"""Graphs derived on first use from a shipped one, cached locally and verified by hash.

A model folder may ship one compact graph and declare in its manifest that others can be derived from it
(``"derive": {"int8": "fp32"}``): the shipped size stays small and each user builds the variant their hardware wants
once. The derived file lives in ``$GENSAFE_CACHE`` (default ``~/.cache/gensafe``) under the source graph's sha256,
with its own sha256 recorded beside it; a cached file that no longer matches its record is rebuilt.

Example:
    >>> clf = gensafe.load(precision="int8")   # first call derives and caches, later calls reuse   # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

from .manifest import ModelManifest, sha256_file

__all__ = ["cache_dir", "derived_graph"]


def cache_dir() -> Path:
    return Path(os.environ.get("GENSAFE_CACHE") or Path.home() / ".cache" / "gensafe")


def derived_graph(folder: Path, manifest: ModelManifest, precision: str) -> Path:
    """Path of the ``precision`` graph derived from the folder's source graph, building it if needed."""
    source = manifest.derive[precision]
    src_name = manifest.onnx[source]
    src_hash = manifest.files[src_name]
    out_dir = cache_dir() / f"{manifest.name}-{src_hash[:16]}"
    out = out_dir / f"model.{precision}.onnx"
    record = out_dir / f"model.{precision}.onnx.sha256"
    if out.is_file() and record.is_file():
        if sha256_file(out) == record.read_text().strip():
            return out
        warnings.warn(f"cached {out} does not match its recorded sha256; rebuilding it", RuntimeWarning, stacklevel=3)
    if precision != "int8":
        raise ValueError(f"gensafe cannot derive {precision} graphs (only int8)")
    try:
        import onnx  # noqa: F401

        from .graphs import quantize_int8, restore_weights_fp32
    except ImportError as e:
        raise ImportError("deriving the int8 graph needs onnx: pip install 'gensafe[cpu]' (or [gpu])") from e
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        fp32 = restore_weights_fp32(folder / src_name, Path(tmp) / "fp32.onnx")
        built = quantize_int8(fp32, Path(tmp) / out.name, embeddings=False)
        digest = sha256_file(built)
        os.replace(built, out)  # atomic: a concurrent loader never sees half a file
    record.write_text(digest + "\n")
    return out
