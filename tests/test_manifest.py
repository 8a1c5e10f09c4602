from __future__ import annotations

import json

import pytest

import gensafe
from gensafe.manifest import MANIFEST_NAME, ModelFileError, ModelManifest


def _edit_manifest(folder, **changes):
    path = folder / MANIFEST_NAME
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_manifest_describes_the_folder(tiny_model):
    m = ModelManifest.read(tiny_model[0])
    assert m.labels == ["A.1.6", "A.1.8", "A.2.4", "A.4.1"]
    assert {"strict", "loose"} <= set(m.thresholds)
    assert set(m.onnx) == {"fp32", "int8"}
    assert set(m.files) == {"model.onnx", "model.int8.onnx", "tokenizer.json"}
    assert all(len(h) == 64 for h in m.files.values())
    assert m.max_tokens == 32 and m.text_prefix == "query: "
    assert "datasets" in m.provenance


def test_corrupted_onnx_is_refused_naming_the_file(model_copy):
    onnx = model_copy / "model.onnx"
    data = bytearray(onnx.read_bytes())
    data[len(data) // 2] ^= 0xFF
    onnx.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"model\.onnx is corrupted"):
        gensafe.load(model_copy, device="cpu", precision="fp32")


def test_swapped_tokenizer_is_refused(model_copy):
    (model_copy / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelFileError, match="tokenizer.json"):
        gensafe.load(model_copy, device="cpu")


def test_missing_file_is_named(model_copy):
    (model_copy / "model.int8.onnx").unlink()
    with pytest.raises(ModelFileError, match=r"model\.int8\.onnx is missing"):
        gensafe.load(model_copy, device="cpu", precision="int8")
    # the fp32 graph is intact and still loads
    assert gensafe.load(model_copy, device="cpu", precision="fp32").precision == "fp32"


def test_broken_graph_with_matching_hash_fails_cleanly(model_copy):
    (model_copy / "model.onnx").write_bytes(b"not an onnx graph")
    m = ModelManifest.read(model_copy)
    m.write(model_copy)  # re-hash, so only the graph itself is wrong
    with pytest.raises(ModelFileError, match="cannot load ONNX graph"):
        gensafe.load(model_copy, device="cpu", precision="fp32")


def test_unlisted_file_is_refused(model_copy):
    m = ModelManifest.read(model_copy)
    del m.files["tokenizer.json"]
    m.write(model_copy, rehash=False)
    with pytest.raises(ModelFileError, match="has no sha256"):
        gensafe.load(model_copy, device="cpu")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"labels": ["A.1.6", "A.9.9"]}, "unknown risk code"),
        ({"default_operating_point": "medium"}, "default operating point"),
        ({"thresholds": {"strict": {"A.1.6": 0.5}, "balanced": {"A.1.6": 0.5}, "loose": {}}}, "has no threshold"),
        ({"surprise": 1}, "unknown fields"),
        ({"format_version": 99}, "newer than this gensafe"),
        # a newer format's new field: the version is the cause, so the error says upgrade, not "unknown fields"
        ({"format_version": 99, "new_field": {"x": 1}}, "newer than this gensafe.*upgrade gensafe"),
    ],
)
def test_invalid_manifests(model_copy, change, message):
    _edit_manifest(model_copy, **change)
    with pytest.raises(ModelFileError, match=message):
        gensafe.load(model_copy, device="cpu")


def test_not_json(model_copy):
    (model_copy / MANIFEST_NAME).write_text("{oops")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        gensafe.load(model_copy)


def test_missing_folder_and_unknown_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="no gensafe model"):
        gensafe.load(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="has no manifest.json"):
        gensafe.load(tmp_path)


def test_named_model_on_search_path(tiny_model, tmp_path, monkeypatch):
    import shutil

    shutil.copytree(tiny_model[0], tmp_path / "tiny-v1")
    (tmp_path / "default.json").write_text(json.dumps({"model": "tiny-v1"}))
    monkeypatch.setenv("GENSAFE_MODELS", str(tmp_path))
    assert gensafe.load("tiny-v1", device="cpu").name == "tiny-random"
    assert gensafe.load(device="cpu").folder == tmp_path / "tiny-v1"
    assert "tiny-v1" in gensafe.available_models()


def test_compact_folder_derives_int8_on_first_use(tmp_path, monkeypatch):
    """Shipped-model layout: one fp32 graph stored with fp16 weights and int8 embedding rows; int8 derived, cached."""
    import numpy as np

    from gensafe.build.testing import TINY_CORPUS, build_tiny_model

    folder, model = build_tiny_model(tmp_path / "compact", compact=True, seed=3)
    m = ModelManifest.read(folder)
    assert set(m.onnx) == {"fp32"} and m.derive == {"int8": "fp32"}
    import onnx

    graph = onnx.load(str(folder / "model.onnx"))
    dtypes = {i.data_type for i in graph.graph.initializer}
    assert onnx.TensorProto.FLOAT16 in dtypes and onnx.TensorProto.INT8 in dtypes  # really stored compactly
    monkeypatch.setenv("GENSAFE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GENSAFE_STATE", str(tmp_path / "state"))
    fp32 = gensafe.load(folder, device="cpu")
    assert fp32.precision == "fp32"  # auto derives only what the folder names as its default for the device
    int8 = gensafe.load(folder, device="cpu", precision="int8")
    cached = list((tmp_path / "cache").rglob("model.int8.onnx"))
    assert len(cached) == 1 and (tmp_path / "state" / "derived.json").exists()  # its record is kept elsewhere
    a, b = fp32.predict(TINY_CORPUS).scores, int8.predict(TINY_CORPUS).scores
    assert np.abs(a - b).max() < 0.1
    mtime = cached[0].stat().st_mtime_ns
    gensafe.load(folder, device="cpu", precision="int8")
    assert cached[0].stat().st_mtime_ns == mtime  # reused, not rebuilt
    cached[0].write_bytes(b"tampered")
    with pytest.warns(RuntimeWarning, match="does not match the sha256 recorded"):
        again = gensafe.load(folder, device="cpu", precision="int8")
    np.testing.assert_allclose(again.predict(TINY_CORPUS).scores, b, atol=1e-6)


def test_default_precision_names_what_auto_picks(tmp_path, monkeypatch):
    """A folder may name its precision per device kind (a derived int8 measured to keep fp32's decisions); auto then
    picks it, an explicit precision still wins, and a precision the folder cannot provide is refused when read."""
    from gensafe.build.testing import build_tiny_model

    folder, _ = build_tiny_model(tmp_path / "compact", compact=True, seed=3)
    monkeypatch.setenv("GENSAFE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GENSAFE_STATE", str(tmp_path / "state"))
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "default_precision": {"cpu": "int8"}}))
    assert gensafe.load(folder, device="cpu").precision == "int8"
    assert gensafe.load(folder, device="cpu", precision="fp32").precision == "fp32"
    for bad in ({"cpu": "fp16"}, {"tpu": "int8"}):
        path.write_text(json.dumps({**data, "default_precision": bad}))
        with pytest.raises(ModelFileError, match="default_precision"):
            ModelManifest.read(folder)
