"""Pieces shared by gensafe's numpy-only linear models over hashed n-grams (the refusal detector and the lexical
head of a harm-risk model): text normalisation, a stable bucket hash, and safetensors read and written with numpy,
so the runtime needs neither the ``safetensors`` package nor torch.

Example:
    >>> normalise("  Ｉ can’t  HELP ")
    "i can't help"
    >>> bucket("w:help", 1024) == bucket("w:help", 1024)    # stable across processes, unlike hash()
    True
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
import zlib
from pathlib import Path

import numpy as np

from .text import clean_text

__all__ = ["bucket", "normalise", "read_safetensors", "write_safetensors"]

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width forms folded), lower case, curly apostrophes straightened, runs of white space collapsed."""
    # apostrophes are unified so "can’t" and "can't" are one feature
    text = unicodedata.normalize("NFKC", clean_text(text)).lower().replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip()


def bucket(key: str, dim: int) -> int:
    """The feature bucket of ``key`` among ``dim``."""
    # crc32, not hash(): Python's str hash is salted per process, the features must be stable across runs
    return zlib.crc32(key.encode("utf-8")) % dim


# safetensors: an 8-byte little-endian header length, a JSON header, then the raw little-endian tensor data
_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Tensors of a ``.safetensors`` file as numpy arrays (each owns its data)."""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: not a safetensors file (header length {n} beyond the file)")
    header = json.loads(data[8:8 + n])
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if spec["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {spec['dtype']}")
        start, end = spec["data_offsets"]
        if not 0 <= start <= end <= len(data) - 8 - n:
            raise ValueError(f"{path}: tensor {name} lies beyond the end of the file")
        buf = data[8 + n + start:8 + n + end]
        out[name] = np.frombuffer(buf, dtype=_DTYPES[spec["dtype"]]).reshape(spec["shape"]).copy()
    return out


def write_safetensors(path: str | Path, tensors: dict[str, np.ndarray]) -> Path:
    """Write numpy arrays as a ``.safetensors`` file that :func:`read_safetensors` (and the safetensors package) read.

    >>> import tempfile, os
    >>> p = write_safetensors(os.path.join(tempfile.mkdtemp(), "t.safetensors"), {"w": np.arange(3, dtype=np.float32)})
    >>> read_safetensors(p)["w"].tolist()
    [0.0, 1.0, 2.0]
    """
    header: dict[str, dict] = {}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])  # 0-d stays 0-d (ascontiguousarray would make it [1])
        native = arr.dtype.newbyteorder("=")
        if native not in _NAMES:
            raise ValueError(f"tensor {name}: dtype {arr.dtype} cannot be stored (use {sorted(map(str, _NAMES))})")
        raw = arr.astype(native.newbyteorder("<"), copy=False).tobytes(order="C")
        header[name] = {"dtype": _NAMES[native], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # the format pads the header to a multiple of 8 bytes
    path = Path(path)
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    return path
