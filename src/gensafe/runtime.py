"""ONNX Runtime plumbing: the one place where a device string becomes execution providers.

Example:
    >>> providers_for("cpu")
    ['CPUExecutionProvider']
    >>> providers_for("cuda:1")
    [('CUDAExecutionProvider', {'device_id': 1}), 'CPUExecutionProvider']
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["import_onnxruntime", "providers_for", "resolve_device", "open_session", "GraphInput"]

_log = logging.getLogger(__name__)  # a child of "gensafe": the device and providers chosen
_DEVICE_RE = re.compile(r"^(auto|cpu|cuda)(?::(\d+))?$")
_ORT_DTYPES = {"tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(float)": np.float32}


def import_onnxruntime() -> Any:
    """Import onnxruntime, or explain which extra installs it."""
    try:
        import onnxruntime
    except ImportError as e:
        raise ImportError(
            "gensafe needs an ONNX Runtime: pip install 'gensafe[cpu]' (CPU) or pip install 'gensafe[gpu]' (CUDA)"
        ) from e
    return onnxruntime


def resolve_device(device: str) -> str:
    """Turn ``auto`` into ``cuda`` or ``cpu`` and check the spelling of the rest."""
    if not isinstance(device, str) or not _DEVICE_RE.match(device):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    if device == "auto":
        ort = import_onnxruntime()
        available = ort.get_available_providers()
        chosen = "cuda" if "CUDAExecutionProvider" in available else "cpu"
        # the one silent fallback gensafe allows: "auto" on a machine (or onnxruntime wheel) without CUDA
        _log.info("device auto -> %s (onnxruntime %s providers: %s)", chosen, ort.__version__, ", ".join(available))
        return chosen
    return device


def providers_for(device: str) -> list[Any]:
    """Execution providers for a resolved device string (CPU always last, as ORT's fallback for unsupported ops)."""
    m = _DEVICE_RE.match(device)
    if not m or m.group(1) == "auto":
        raise ValueError(f"resolve the device first, got {device!r}")
    if m.group(1) == "cpu":
        return ["CPUExecutionProvider"]
    return [("CUDAExecutionProvider", {"device_id": int(m.group(2) or 0)}), "CPUExecutionProvider"]


@dataclass(frozen=True)
class GraphInput:
    """One input of the ONNX graph, as read from the session: its name and the numpy dtype to feed it."""

    name: str
    dtype: type


def open_session(path: str | Path, device: str, *, threads: int | None = None) -> tuple[Any, list[GraphInput]]:
    """Open an inference session on ``device`` (already resolved) and read the graph's inputs from it.

    Raises:
        RuntimeError: when CUDA was asked for and is not the active provider (e.g. the CPU-only ``onnxruntime``
            wheel is installed, or no GPU is visible): a safety service should never fall back silently.
        ModelFileError: when the file is not a loadable ONNX graph.
    """
    from .manifest import ModelFileError

    ort = import_onnxruntime()
    providers = providers_for(device)
    if device.startswith("cuda") and "CUDAExecutionProvider" not in ort.get_available_providers():
        raise RuntimeError(
            "device='cuda' was requested but this onnxruntime has no CUDAExecutionProvider "
            f"(available: {ort.get_available_providers()}). Install the GPU runtime alone: "
            "pip uninstall -y onnxruntime && pip install 'gensafe[gpu]'"
        )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = int(threads)
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as e:  # onnxruntime raises its own Fail / InvalidProtobuf types
        raise ModelFileError(f"cannot load ONNX graph {path}: {e}") from e
    if device.startswith("cuda") and session.get_providers()[0] != "CUDAExecutionProvider":
        raise RuntimeError(f"CUDA was requested but the session runs on {session.get_providers()}")
    _log.debug("session for %s on %s: providers %s, intra-op threads %s", Path(path).name, device,
               session.get_providers(), threads or "onnxruntime's default")
    inputs = []
    for node in session.get_inputs():
        if node.type not in _ORT_DTYPES:
            raise ModelFileError(f"graph input {node.name!r} has unsupported type {node.type}")
        inputs.append(GraphInput(node.name, _ORT_DTYPES[node.type]))
    names = {i.name for i in inputs}
    if not {"input_ids", "attention_mask"} <= names:
        raise ModelFileError(f"graph inputs must include input_ids and attention_mask, got {sorted(names)}")
    unknown = names - {"input_ids", "attention_mask", "token_type_ids"}
    if unknown:
        raise ModelFileError(f"graph has inputs gensafe cannot fill: {sorted(unknown)}")
    return session, inputs
