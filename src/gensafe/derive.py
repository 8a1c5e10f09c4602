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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .manifest import ModelFileError, ModelManifest, sha256_file

__all__ = ["CacheError", "cache_dir", "calibration_feeds", "derived_graph", "index_path", "quantize_calibrated"]

INDEX_NAME = "derived.json"

# The int8 recipe (see benchmarks/int8_options.py for the options measured): static activation scales calibrated on
# the package's bank texts, SmoothQuant 0.7, the FFN output projections (inputs with GELU outliers) and the whole
# first layer (its error is carried through all eleven above it) left in fp32. Chosen on 3,000 dev texts of v3:
# decisions equal to fp32 on 99.17 % (FFN outputs only: 98.87 %; also the last layer: 99.10 %; first two: 99.07 %).
INT8_RECIPE = "static-sq07-ffn32-l0-v2"
INT8_SMOOTH = 0.7
INT8_KEEP_FP32 = (r"layer\.\d+/output/dense", r"layer\.0/")

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
            built = quantize_calibrated(fp32, Path(tmp) / out.name, feeds, smooth=INT8_SMOOTH, keep_fp32=INT8_KEEP_FP32)
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



def quantize_calibrated(
    src: str | Path,
    dst: str | Path,
    batches: Sequence[dict[str, np.ndarray]],
    *,
    smooth: float | None = 0.5,
    keep_fp32: Sequence[str] = (),
    min_size: int = 256,
) -> Path:
    """Static int8 in QDQ form: fixed activation ranges calibrated once, weights int8 per output channel.

    Each MatMul by a constant weight gets ``QuantizeLinear → DequantizeLinear`` on its input, with a scale and zero
    point computed here from ``batches`` (lowest and highest value over the real tokens of each window, padding
    excluded), and its weight stored as int8 behind a per-channel ``DequantizeLinear``. onnxruntime fuses each
    such group into one integer matmul.
    Because every scale is a constant of the graph, a text's scores never depend on the texts batched with it —
    unlike ``quantize_dynamic``, whose activation scale is computed over the whole batch.

    ``smooth``: SmoothQuant strength (Xiao et al., 2023): each input channel's activation is divided by
    ``act_max**smooth / w_max**(1 - smooth)`` (one ``Mul``) and the weight row multiplied by it, so the few outlier
    channels of a transformer no longer stretch the one activation scale; ``None`` turns it off.
    ``keep_fp32``: regular expressions of MatMul node names left in fp32 (layers whose inputs have outliers).
    ``batches``: graph feeds (``input_ids``, ``attention_mask``, any other input), e.g. from :func:`calibration_feeds`.

    Example:
        >>> quantize_calibrated("fp32.onnx", "model.int8.onnx", calibration_feeds(folder, manifest))  # doctest: +SKIP
    """
    import re

    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from .runtime import import_onnxruntime

    if not batches:
        raise ValueError("static int8 quantisation needs calibration batches (graph feeds); got none")
    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    targets = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits
               and len(inits[n.input[1]].dims) == 2 and inits[n.input[1]].data_type == TensorProto.FLOAT
               and int(np.prod(inits[n.input[1]].dims)) >= min_size
               and not any(re.search(p, n.name or n.output[0]) for p in keep_fp32)]
    acts = sorted({n.input[0] for n in targets})
    if not acts:
        onnx.save(model, str(dst))
        return Path(dst)
    ranges = _calibrate(model, acts, batches, import_onnxruntime())
    weights = {n.input[1]: numpy_helper.to_array(inits[n.input[1]]).astype(np.float32) for n in targets}
    smoothed: dict[str, str] = {}
    new_nodes = []
    if smooth is not None:  # SmoothQuant: move outlier channels' range from the activation into the weights
        for name in acts:
            users = [n for n in targets if n.input[0] == name]
            act_max = np.maximum(np.abs(ranges[name][0]), np.abs(ranges[name][1]))
            w_max = np.max([np.abs(weights[n.input[1]]).max(axis=1) for n in users], axis=0)
            factor = np.clip(act_max**smooth / np.maximum(w_max, 1e-8) ** (1 - smooth), 1e-2, 1e2).astype(np.float32)
            for n in users:
                weights[n.input[1]] = weights[n.input[1]] * factor[:, None]
            ranges[name] = (ranges[name][0] / factor, ranges[name][1] / factor)
            graph.initializer.append(numpy_helper.from_array((1.0 / factor).astype(np.float32), name + "_smooth"))
            new_nodes.append(helper.make_node("Mul", [name, name + "_smooth"], [name + "_s"], name=name + "_smoothing"))
            smoothed[name] = name + "_s"
    params = []
    for name in acts:  # asymmetric uint8 activations: the fast u8 x s8 path of onnxruntime's CPU kernels
        lo, hi = min(float(ranges[name][0].min()), 0.0), max(float(ranges[name][1].max()), 0.0)
        scale = max(hi - lo, 1e-8) / 255.0
        zp = int(np.clip(np.round(-lo / scale), 0, 255))
        params += [numpy_helper.from_array(np.array(scale, dtype=np.float32), name + "_qscale"),
                   numpy_helper.from_array(np.array(zp, dtype=np.uint8), name + "_qzp")]
    graph.initializer.extend(params)
    dq_of = {}
    for name in acts:
        new_nodes += [
            helper.make_node("QuantizeLinear", [smoothed.get(name, name), name + "_qscale", name + "_qzp"],
                             [name + "_q"], name=name + "_quant"),
            helper.make_node("DequantizeLinear", [name + "_q", name + "_qscale", name + "_qzp"], [name + "_dq"],
                             name=name + "_dequant"),
        ]
        dq_of[name] = name + "_dq"
    for node in targets:
        wname = node.input[1]
        if wname + "_wq" not in {i.name for i in graph.initializer}:
            w = weights[wname]  # [K, N]: one scale per output column
            ws = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
            wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
            graph.initializer.extend([numpy_helper.from_array(wq, wname + "_wq"),
                                      numpy_helper.from_array(ws.astype(np.float32), wname + "_wscale"),
                                      numpy_helper.from_array(np.zeros(ws.shape, np.int8), wname + "_wzp")])
            new_nodes.append(helper.make_node("DequantizeLinear", [wname + "_wq", wname + "_wscale", wname + "_wzp"],
                                              [wname + "_wdq"], axis=1, name=wname + "_wdequant"))
        node.input[0], node.input[1] = dq_of[node.input[0]], wname + "_wdq"
    still_used = {i for n in graph.node for i in n.input}
    for wname in {n.input[1][: -len("_wdq")] for n in targets}:
        if wname not in still_used and wname in inits:
            graph.initializer.remove(inits[wname])
    nodes = list(graph.node)
    graph.ClearField("node")
    graph.node.extend(new_nodes + nodes)
    _toposort(graph)  # the new nodes read activations produced further down the list
    onnx.save(model, str(dst))
    return Path(dst)


def _calibrate(model: Any, acts: list[str], batches: Sequence[dict[str, np.ndarray]],
               ort: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per activation tensor and channel (last axis): the lowest and highest value over the real (unpadded)
    tokens of every batch."""
    import copy

    from onnx import TensorProto, helper

    probe = copy.deepcopy(model)
    known = {o.name for o in probe.graph.output}
    probe.graph.output.extend(helper.make_tensor_value_info(a, TensorProto.FLOAT, None) for a in acts if a not in known)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # keep every probed tensor
    session = ort.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    ranges: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for feeds in batches:
        outs = session.run(acts, {k: v for k, v in feeds.items() if k in names})
        real = feeds["attention_mask"].astype(bool)
        for name, x in zip(acts, outs, strict=True):
            rows = x[real] if x.shape[:2] == real.shape else x.reshape(-1, x.shape[-1])
            lo, hi = rows.min(axis=0), rows.max(axis=0)
            if name in ranges:
                lo, hi = np.minimum(lo, ranges[name][0]), np.maximum(hi, ranges[name][1])
            ranges[name] = (lo, hi)
    return ranges


def _toposort(graph: Any) -> None:
    """Order ``graph.node`` so that every node follows the producers of its inputs (ONNX requires it)."""
    produced = {i.name for i in graph.initializer} | {i.name for i in graph.input} | {""}
    pending = list(graph.node)
    ordered = []
    while pending:
        rest = []
        for node in pending:
            if all(i in produced for i in node.input):
                ordered.append(node)
                produced.update(node.output)
            else:
                rest.append(node)
        if len(rest) == len(pending):
            raise ValueError(f"graph has a cycle or a missing input near node {rest[0].name!r}")
        pending = rest
    graph.ClearField("node")
    graph.node.extend(ordered)


def calibration_feeds(folder: Path, manifest: ModelManifest, *, n_texts: int = 256, batch_tokens: int = 2048,
                      max_batch: int = 64) -> list[dict[str, np.ndarray]]:
    """Graph feeds for calibration: a fixed sample of the TC260 test-bank texts shipped in the package (zh and en),
    as windows of this model (its tokenizer, window length and text prefix), in padded token-budget batches."""
    from .banks import BANK_DIR
    from .windows import WindowEncoder, pad_batch, plan_batches

    texts = []
    for path in sorted(Path(BANK_DIR).glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts += [str(r.get("question") or r.get("text") or r.get("prompt") or "") for r in rows]
    texts = [t for t in texts if t.strip()]
    step = max(1, len(texts) // n_texts)
    texts = texts[::step][:n_texts]
    encoder = WindowEncoder(folder / manifest.tokenizer, manifest.max_tokens, manifest.window_overlap)
    windows = [w for block in encoder.blocks(texts, range(len(texts)), manifest.text_prefix) for w in block.ids]
    feeds = []
    for batch in plan_batches([len(w) for w in windows], batch_tokens, max_batch):
        ids, mask = pad_batch([windows[i] for i in batch], encoder.pad_id)
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    return feeds
