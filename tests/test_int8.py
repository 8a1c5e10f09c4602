"""The derived int8 graph gives a text the same scores whatever it is batched with (static, calibrated scales)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import gensafe

pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

# fp32 kernels themselves round differently for a batch of one and for a padded batch (~1e-7 on a score); a scale
# computed over the batch (dynamic quantisation) moves scores by ~1e-2. The bound sits between the two.
FLOAT_NOISE = 1e-5


@pytest.fixture(scope="module")
def compact(tmp_path_factory):
    """A tiny model folder shipped like the real one (fp32 graph only, int8 derived on first use) and its cache."""
    from gensafe.build.testing import build_tiny_model

    root = tmp_path_factory.mktemp("int8")
    folder, _ = build_tiny_model(root / "compact", compact=True, seed=11, hidden=64, layers=2)
    return folder, root


@pytest.fixture()
def int8(compact, monkeypatch):
    folder, root = compact
    monkeypatch.setenv("GENSAFE_CACHE", str(root / "cache"))
    monkeypatch.setenv("GENSAFE_STATE", str(root / "state"))
    return gensafe.load(folder, device="cpu", precision="int8")


def _texts() -> list[str]:
    from gensafe.build.testing import TINY_CORPUS

    long = " ".join(TINY_CORPUS) * 2  # several windows
    return [*TINY_CORPUS, long, "hi", "怎么" * 40, "", "the sky " * 9]


def _batch_dependence(clf: gensafe.Classifier, texts: list[str]) -> tuple[float, bool]:
    """Largest |score alone − score in a batch| over several mixes of batch-mates, and whether every flag matched."""
    alone = np.vstack([clf.predict(t).scores for t in texts])
    flags = np.vstack([clf.predict(t).flags for t in texts])
    worst, same = 0.0, True
    rng = np.random.default_rng(0)
    for budget in (64, 1024):  # small budgets split texts across batches, large ones pack many together
        for _ in range(3):
            order = rng.permutation(len(texts))
            result = dataclasses.replace(clf, batch_tokens=budget).predict([texts[i] for i in order])
            back = np.empty_like(result.scores)
            back[order] = result.scores
            back_flags = np.empty_like(result.flags)
            back_flags[order] = result.flags
            worst = max(worst, float(np.abs(back - alone).max()))
            same &= bool((back_flags == flags).all())
    return worst, same


def test_derived_int8_has_no_batch_dependent_scales(int8):
    from gensafe.derive import cache_dir

    (path,) = cache_dir().rglob("model.int8.onnx")
    graph = onnx.load(str(path))
    ops = {n.op_type for n in graph.graph.node}
    assert "DynamicQuantizeLinear" not in ops and "MatMulInteger" not in ops
    assert "QuantizeLinear" in ops  # really quantised (the tiny model's matmuls are large enough)
    inits = {i.name for i in graph.graph.initializer}
    for node in graph.graph.node:
        if node.op_type == "QuantizeLinear":
            assert node.input[1] in inits and node.input[2] in inits  # scale and zero point are graph constants
    # the recipe's fp32 islands: the FFN output projections and the whole first layer read unquantised inputs
    produced_by = {o: n for n in graph.graph.node for o in n.output}
    weighted = [n for n in graph.graph.node if n.op_type == "MatMul"
                and (n.input[1] in inits or n.input[1].endswith("_wdq"))]
    kept = [n for n in weighted if "layer.0/" in n.name or ("/output/dense" in n.name and "attention" not in n.name)]
    quantised = [n for n in weighted if n not in kept]
    assert kept and all(n.input[1] in inits and produced_by[n.input[0]].op_type != "DequantizeLinear" for n in kept)
    assert quantised and all(n.input[1].endswith("_wdq") and produced_by[n.input[0]].op_type == "DequantizeLinear"
                             for n in quantised)


def test_int8_scores_do_not_depend_on_batch_mates(int8):
    worst, same_flags = _batch_dependence(int8, _texts())
    assert same_flags
    assert worst <= FLOAT_NOISE


def test_dynamic_int8_does_depend_on_batch_mates(compact, tmp_path):
    """The check above can fail: the old recipe (one activation scale per batch) moves scores with batch-mates."""
    from gensafe.engine import OnnxEngine
    from gensafe.graphs import quantize_int8, restore_weights_fp32

    folder, _ = compact
    fp32 = gensafe.load(folder, device="cpu", precision="fp32")
    restored = restore_weights_fp32(folder / fp32.manifest.onnx["fp32"], tmp_path / "fp32.onnx")
    dynamic = quantize_int8(restored, tmp_path / "dynamic.onnx", embeddings=False)
    engine = OnnxEngine.open(dynamic, "cpu", output_name=fp32.manifest.output_name, width=len(fp32.labels))
    worst, _ = _batch_dependence(dataclasses.replace(fp32, engine=engine), _texts())
    assert worst > 10 * FLOAT_NOISE


def test_int8_close_to_fp32_and_rebuilt_identically(compact, int8, monkeypatch, tmp_path):
    folder, _ = compact
    texts = _texts()
    fp32 = gensafe.load(folder, device="cpu", precision="fp32")
    a, b = fp32.predict(texts), int8.predict(texts)
    assert np.abs(a.scores - b.scores).max() < 0.05
    # calibration is deterministic: a fresh cache derives a graph with the same scores
    monkeypatch.setenv("GENSAFE_CACHE", str(tmp_path / "cache2"))
    monkeypatch.setenv("GENSAFE_STATE", str(tmp_path / "state2"))
    again = gensafe.load(folder, device="cpu", precision="int8")
    np.testing.assert_array_equal(again.predict(texts).scores, b.scores)


def test_calibration_needs_batches(tmp_path, compact):
    from gensafe.derive import quantize_calibrated

    folder, _ = compact
    with pytest.raises(ValueError, match="calibration"):
        quantize_calibrated(folder / "model.onnx", tmp_path / "x.onnx", [])
