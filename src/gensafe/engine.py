"""The ONNX engine: one inference session, the inputs read from it, IO binding on CUDA, batched window scoring.

:class:`OnnxEngine` knows nothing about risks, policies or keywords: token windows in, probabilities out. The
:class:`~gensafe.classifier.Classifier` composes it with tokenisation, a policy and a keyword tier.

Example:
    >>> engine = OnnxEngine.open("models/demo/model.onnx", "cpu", output_name="logits", width=18)  # doctest: +SKIP
    >>> engine.score([[0, 5, 9, 2], [0, 7, 2]], pad_id=1, batch_tokens=1024, max_batch=256).shape  # doctest: +SKIP
    (2, 18)
    >>> sigmoid(np.array([0.0], dtype=np.float32)).tolist()
    [0.5]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .manifest import ModelFileError
from .runtime import GraphInput, import_onnxruntime, open_session
from .windows import pad_batch, plan_batches

__all__ = ["OnnxEngine", "sigmoid"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function as float32, clipped so that large logits never overflow ``exp``."""
    return (1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0)))).astype(np.float32)


@dataclass(frozen=True)
class OnnxEngine:
    """An open ONNX Runtime session and what gensafe needs to feed it. Thread-safe (ORT sessions are).

    Attributes:
        session: The ``onnxruntime.InferenceSession``.
        inputs: The graph's inputs, names and dtypes read from the session (``token_type_ids`` only when present).
        output_name: Name of the logits output.
        device: Resolved device string (``cpu``, ``cuda``, ``cuda:N``); CUDA runs with IO binding.
        graph: The ONNX file the session was opened from (shipped, or derived and cached).
    """

    session: Any
    inputs: tuple[GraphInput, ...]
    output_name: str
    device: str
    graph: Path

    @classmethod
    def open(cls, graph: str | Path, device: str, *, output_name: str, width: int,
             threads: int | None = None) -> OnnxEngine:
        """Open ``graph`` on ``device`` (already resolved) and check it outputs ``width`` scores as ``output_name``."""
        session, inputs = open_session(graph, device, threads=threads)
        outputs = [o.name for o in session.get_outputs()]
        if output_name not in outputs:
            raise ModelFileError(f"{graph} has no output {output_name!r} (outputs: {outputs})")
        got = session.get_outputs()[outputs.index(output_name)].shape[-1]
        if isinstance(got, int) and got != width:
            raise ModelFileError(f"{Path(graph).name} outputs {got} scores but the manifest lists {width} labels")
        return cls(session, tuple(inputs), output_name, device, Path(graph))

    @property
    def provider(self) -> str:
        """The execution provider actually running the graph (read from the live session)."""
        return self.session.get_providers()[0]

    def score(self, windows: Sequence[Sequence[int]], *, pad_id: int, batch_tokens: int, max_batch: int,
              width: int) -> np.ndarray:
        """Sigmoid scores ``[len(windows), width]`` in the order given, run in length-sorted token-budget batches,
        each padded to its own longest window."""
        out = np.empty((len(windows), width), dtype=np.float32)
        for batch in plan_batches([len(w) for w in windows], batch_tokens, max_batch):
            ids, mask = pad_batch([windows[i] for i in batch], pad_id)
            out[batch] = sigmoid(self.run(ids, mask))
        return out

    def feeds(self, ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        """The session's inputs for one padded batch, in the graph's own names and dtypes."""
        feeds = {}
        for node in self.inputs:
            if node.name == "input_ids":
                feeds[node.name] = ids.astype(node.dtype, copy=False)
            elif node.name == "attention_mask":
                feeds[node.name] = mask.astype(node.dtype, copy=False)
            else:  # token_type_ids, only when the graph has it
                feeds[node.name] = np.zeros_like(ids, dtype=node.dtype)
        return feeds

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Logits for one padded batch."""
        feeds = self.feeds(ids, mask)
        if self.device.startswith("cuda"):
            return self._run_bound(feeds)
        (logits,) = self.session.run([self.output_name], feeds)
        return np.asarray(logits, dtype=np.float32)

    def _run_bound(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """CUDA path: inputs copied to the device once, output allocated there by ORT, then copied back."""
        ort = import_onnxruntime()
        device_id = int(self.device.split(":")[1]) if ":" in self.device else 0
        binding = self.session.io_binding()
        for name, array in feeds.items():
            binding.bind_ortvalue_input(name, ort.OrtValue.ortvalue_from_numpy(array, "cuda", device_id))
        binding.bind_output(self.output_name, "cuda", device_id)
        self.session.run_with_iobinding(binding)
        return np.asarray(binding.copy_outputs_to_cpu()[0], dtype=np.float32)
