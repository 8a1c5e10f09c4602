"""Issue #20, deliverable 5: a model folder (or the cache of derived graphs) cannot be swapped quietly."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import gensafe
from gensafe import registry
from gensafe.build.testing import TINY_CORPUS, build_tiny_model
from gensafe.derive import CacheError
from gensafe.manifest import MANIFEST_NAME, ModelFileError, ModelManifest

SHIPPED = "gensafe-zh-en-v5w"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _edit(folder: Path, **changes) -> None:
    path = folder / MANIFEST_NAME
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


# -- pinned shipped models ----------------------------------------------------------------------------------------
def test_shipped_manifests_match_their_pins():
    """Fails when a shipped manifest.json is edited (or a model shipped) without updating registry.SHIPPED_MANIFESTS."""
    dirs = [d for d in registry.shipped_model_dirs() if d.is_dir()]
    shipped = [c for d in dirs for c in d.iterdir() if (c / MANIFEST_NAME).is_file()]
    if not shipped:
        pytest.skip("no shipped model folders in this install")
    for folder in shipped:
        assert folder.name in registry.SHIPPED_MANIFESTS, f"{folder} is shipped but not pinned in gensafe.registry"
        assert _sha(folder / MANIFEST_NAME) == registry.SHIPPED_MANIFESTS[folder.name], (
            f"{folder / MANIFEST_NAME} changed: update its pin in gensafe.registry.SHIPPED_MANIFESTS"
        )


def _shipped_manifest_copy(tmp_path: Path, monkeypatch) -> Path:
    """The real shipped manifest (alone: refusal must come before any model file is touched) on GENSAFE_MODELS."""
    src = next((d / SHIPPED for d in registry.shipped_model_dirs() if (d / SHIPPED / MANIFEST_NAME).is_file()), None)
    if src is None:
        pytest.skip("the shipped model is not in this install")
    dst = tmp_path / "models" / SHIPPED
    dst.mkdir(parents=True)
    shutil.copy(src / MANIFEST_NAME, dst / MANIFEST_NAME)
    monkeypatch.setenv("GENSAFE_MODELS", str(tmp_path / "models"))
    return dst


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: {"thresholds": {p: {k: 0.999 for k in t} for p, t in d["thresholds"].items()}},  # thresholds raised
        lambda d: {"labels": [d["labels"][1], d["labels"][0], *d["labels"][2:]]},  # two labels swapped
    ],
    ids=["thresholds", "labels"],
)
def test_edited_shipped_manifest_is_refused_by_name(tmp_path, monkeypatch, edit):
    folder = _shipped_manifest_copy(tmp_path, monkeypatch)
    # untouched, the pin passes and loading goes on to the (absent) graph
    with pytest.raises(ModelFileError, match=r"model\.onnx is missing"):
        gensafe.load(SHIPPED, device="cpu", precision="fp32")
    _edit(folder, **edit(json.loads((folder / MANIFEST_NAME).read_text())))
    with pytest.raises(ModelFileError, match=f"pinned by gensafe for its shipped model '{SHIPPED}'"):
        gensafe.load(SHIPPED, device="cpu", precision="fp32")


@pytest.fixture()
def pinned_tiny(model_copy, monkeypatch):
    """The tiny model as if shipped: in a shipped-models folder, its manifest pinned in the registry."""
    shipped_dir = model_copy.parent / "shipped"
    shipped_dir.mkdir()
    folder = shipped_dir / "tiny-v1"
    model_copy.rename(folder)
    monkeypatch.setattr(registry, "SHIPPED_MANIFESTS", {"tiny-v1": _sha(folder / MANIFEST_NAME)})
    monkeypatch.setattr(registry, "shipped_model_dirs", lambda: [shipped_dir])
    return folder


def test_pinned_model_loads_by_name_and_by_path(pinned_tiny):
    assert gensafe.load("tiny-v1", device="cpu").folder == pinned_tiny
    assert gensafe.load(pinned_tiny, device="cpu").folder == pinned_tiny


def test_edited_pinned_model_is_refused_by_name_and_by_path(pinned_tiny):
    m = ModelManifest.read(pinned_tiny)
    m.thresholds["balanced"] = {k: 0.99 for k in m.labels}
    m.write(pinned_tiny, rehash=False)
    for how in ("tiny-v1", pinned_tiny):
        with pytest.raises(ModelFileError, match="edited or replaced"):
            gensafe.load(how, device="cpu")


def test_shipped_name_on_search_path_is_pinned_too(pinned_tiny, tmp_path, monkeypatch):
    """A folder on $GENSAFE_MODELS cannot pass itself off as a shipped model by taking its name."""
    other = tmp_path / "elsewhere"
    shutil.copytree(pinned_tiny, other / "tiny-v1")
    _edit(other / "tiny-v1", default_operating_point="loose")
    monkeypatch.setenv("GENSAFE_MODELS", str(other))
    with pytest.raises(ModelFileError, match="pinned by gensafe"):
        gensafe.load("tiny-v1", device="cpu")
    # by its own path it is simply the user's folder, not the shipped model
    assert gensafe.load(other / "tiny-v1", device="cpu").manifest.default_operating_point == "loose"


# -- gensafe.load(path, sha256=...) ------------------------------------------------------------------------------
def test_user_pin(model_copy):
    digest = _sha(model_copy / MANIFEST_NAME)
    assert gensafe.load(model_copy, device="cpu", sha256=digest).folder == model_copy
    assert gensafe.load(model_copy, device="cpu", sha256=digest.upper()).folder == model_copy
    _edit(model_copy, labels=["A.1.8", "A.1.6", "A.2.4", "A.4.1"])
    with pytest.raises(ModelFileError, match=r"pinned by the sha256= argument"):
        gensafe.load(model_copy, device="cpu", sha256=digest)
    with pytest.raises(ValueError, match="64 hex digits"):
        gensafe.load(model_copy, device="cpu", sha256="abc")


# -- files must resolve inside the folder --------------------------------------------------------------------------
@pytest.fixture()
def outside(model_copy) -> Path:
    """A valid copy of the model's files outside the model folder."""
    out = model_copy.parent / "outside"
    shutil.copytree(model_copy, out)
    return out


@pytest.mark.parametrize("kind", ["dotdot", "absolute"])
@pytest.mark.parametrize("field", ["onnx", "tokenizer"])
def test_manifest_names_outside_the_folder_are_refused(model_copy, outside, kind, field):
    name = "model.onnx" if field == "onnx" else "tokenizer.json"
    ref = f"../outside/{name}" if kind == "dotdot" else str(outside / name)
    m = json.loads((model_copy / MANIFEST_NAME).read_text())
    if field == "onnx":
        m["onnx"] = {"fp32": ref}
    else:
        m["tokenizer"] = ref
    m["files"][ref] = _sha(outside / name)  # with its matching hash: it used to load
    (model_copy / MANIFEST_NAME).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match="relative path inside the model folder"):
        ModelManifest.read(model_copy)  # refused when read: before any hash or parse
    with pytest.raises(ModelFileError, match="relative path inside the model folder"):
        gensafe.load(model_copy, device="cpu", precision="fp32", verify=False)


def test_dotdot_tokenizer_naming_a_non_json_file_is_a_clear_error(model_copy, outside):
    """Was a bare ``Exception: expected value at line 1 column 1`` from the tokenizers library."""
    ref = "../outside/model.onnx"
    _edit(model_copy, tokenizer=ref, files={**ModelManifest.read(model_copy).files, ref: _sha(outside / "model.onnx")})
    with pytest.raises(ModelFileError, match="inside the model folder"):
        gensafe.load(model_copy, device="cpu", precision="fp32")


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json"])
def test_symlink_out_of_the_folder_is_refused(model_copy, outside, name):
    (model_copy / name).unlink()
    (model_copy / name).symlink_to(outside / name)  # same bytes, so the manifest's hash matches
    with pytest.raises(ModelFileError, match="outside the model folder"):
        gensafe.load(model_copy, device="cpu", precision="fp32")


def test_symlink_inside_the_folder_and_subfolders_are_fine(model_copy):
    (model_copy / "graphs").mkdir()
    (model_copy / "model.onnx").rename(model_copy / "graphs" / "fp32.onnx")
    (model_copy / "model.onnx").symlink_to(Path("graphs") / "fp32.onnx")
    assert gensafe.load(model_copy, device="cpu", precision="fp32").precision == "fp32"


# -- derived graphs ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compact(tmp_path_factory):
    """A shipped-style folder: fp32 only, int8 derived on first use."""
    folder, _ = build_tiny_model(tmp_path_factory.mktemp("compact") / "model", compact=True, seed=3)
    return folder


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GENSAFE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GENSAFE_STATE", str(tmp_path / "state"))
    return tmp_path / "cache"


def _cached(cache: Path) -> Path:
    (path,) = cache.rglob("model.int8.onnx")
    return path


def test_derived_graph_record_is_kept_apart_from_the_cache(compact, cache, tmp_path):
    gensafe.load(compact, device="cpu", precision="int8")
    assert not list(cache.rglob("*.sha256")) and not list(cache.rglob("*.json"))
    index = json.loads((tmp_path / "state" / "derived.json").read_text())
    assert list(index.values()) == [_sha(_cached(cache))]


def test_fp32_graph_swapped_into_the_int8_cache_is_rebuilt(compact, cache):
    """Used to load the fp32 graph while reporting precision="int8" (the record beside it was updated too)."""
    int8 = gensafe.load(compact, device="cpu", precision="int8").predict(TINY_CORPUS).scores
    fp32 = gensafe.load(compact, device="cpu", precision="fp32").predict(TINY_CORPUS).scores
    cached = _cached(cache)
    shutil.copy(compact / "model.onnx", cached)
    (cached.parent / "model.int8.onnx.sha256").write_text(_sha(cached) + "\n")  # the old record, forged
    with pytest.warns(RuntimeWarning, match="does not match the sha256 recorded in"):
        again = gensafe.load(compact, device="cpu", precision="int8")
    scores = again.predict(TINY_CORPUS).scores
    np.testing.assert_allclose(scores, int8, atol=1e-6)
    assert not np.allclose(scores, fp32, atol=1e-6)


def test_cached_graph_unknown_to_the_index_is_rebuilt(compact, cache, tmp_path):
    gensafe.load(compact, device="cpu", precision="int8")
    good = _sha(_cached(cache))
    (tmp_path / "state" / "derived.json").unlink()
    shutil.copy(compact / "model.onnx", _cached(cache))
    gensafe.load(compact, device="cpu", precision="int8")
    assert _sha(_cached(cache)) == good


@pytest.mark.parametrize("which", ["cache", "state"])
def test_cache_writable_by_others_is_refused(compact, cache, tmp_path, which):
    gensafe.load(compact, device="cpu", precision="int8")
    (tmp_path / which).chmod(0o777)
    with pytest.raises(CacheError, match="writable by other users"):
        gensafe.load(compact, device="cpu", precision="int8")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a folder away needs root")
def test_cache_owned_by_someone_else_is_refused(compact, cache):
    cache.mkdir(mode=0o700)
    os.chown(cache, 12345, 12345)
    with pytest.raises(CacheError, match="owned by uid 12345"):
        gensafe.load(compact, device="cpu", precision="int8")


def test_unwritable_cache_is_a_clear_error(compact, cache, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("GENSAFE_CACHE", str(blocker / "cache"))  # mkdir fails even for root
    with pytest.raises(CacheError, match="cannot write the derived int8 graph .*set GENSAFE_CACHE"):
        gensafe.load(compact, device="cpu", precision="int8")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes read-only folders")
def test_read_only_cache_is_a_clear_error(compact, cache):
    cache.mkdir(mode=0o500)
    try:
        with pytest.raises(CacheError, match="cannot write the derived int8 graph"):
            gensafe.load(compact, device="cpu", precision="int8")
    finally:
        cache.chmod(0o700)


def test_read_only_cache_that_is_complete_still_loads(compact, cache):
    gensafe.load(compact, device="cpu", precision="int8")
    for d in (_cached(cache).parent, cache):
        d.chmod(0o500)
    try:
        assert gensafe.load(compact, device="cpu", precision="int8").precision == "int8"
    finally:
        for d in (cache, _cached(cache).parent):
            d.chmod(0o700)
