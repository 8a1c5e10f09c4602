"""The refusal detector: the shipped folder loads hash-checked, the API's shapes, and behaviour on clear cases."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from gensafe import refusal
from gensafe.manifest import ModelFileError


@pytest.fixture(scope="module")
def det():
    return refusal.load()


REFUSALS = [
    "I'm sorry, but I can't help with that request.",
    "I cannot provide instructions for making weapons. It could seriously hurt people.",
    "抱歉，我无法提供这方面的内容。",
    "很抱歉，但我不能回答这个问题。这种行为违反法律法规，会对他人造成伤害。",
]
COMPLIANCE = [
    "Paris is the capital of France, and it has been since the 10th century.",
    "To reset your router, hold the reset button for ten seconds and wait for the lights to come back on.",
    "全国人民代表大会是最高国家权力机关，每届任期五年。",
    "高血压患者应减少盐的摄入，规律运动，并按医嘱服药。",
]


def test_clear_refusals_and_answers(det):
    out = det.predict(REFUSALS + COMPLIANCE)
    assert out.labels[:4] == ["refusal"] * 4
    assert out.labels[4:] == ["compliance"] * 4
    assert out.refused.tolist() == [True] * 4 + [False] * 4


def test_partial_refusal_is_refused(det):
    out = det.predict(["I can't give you step-by-step instructions for that, but here is some general background: "
                       "nitroglycerin is unstable because its molecule holds both fuel and oxidiser.",
                       "我不能提供具体的制作方法，不过可以介绍一些一般性的知识：硝化甘油很不稳定，受撞击容易分解。"])
    assert out.refused.all()


def test_batch_shapes_and_probabilities(det):
    out = det.predict(["ok", "I can't help with that."], questions=["q1", "q2"])
    assert len(out) == 2 and out.probs.shape == (2, 3) and out.probs.dtype == np.float32
    np.testing.assert_allclose(out.probs.sum(axis=1), 1.0, rtol=1e-5)
    assert [d["label"] for d in out.to_dicts()] == out.labels
    assert det.predict("I can't help with that.").labels == ["refusal"]  # one str in, batch of one out


def test_blank_answer_is_a_refusal(det):
    out = det.predict(["", "   "])
    assert out.labels == ["refusal", "refusal"]


def test_bad_input(det):
    with pytest.raises(TypeError):
        det.predict([b"bytes"])
    with pytest.raises(ValueError, match="questions"):
        det.predict(["a", "b"], questions=["only one"])


def test_features_are_stable():
    cfg = {"dim": 4096}
    a = refusal.featurize("I can't help with that.", None, cfg)
    b = refusal.featurize("I can’t help with that.", None, cfg)  # curly apostrophe folded
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1])
    assert a[0].max() < 4096


def test_damaged_file_is_refused(tmp_path):
    folder = tmp_path / "det"
    shutil.copytree(refusal._resolve(refusal.DEFAULT_DETECTOR), folder)
    config = json.loads((folder / "config.json").read_text())
    config["head_chars"] = 10
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="config.json"):
        refusal.load(folder)
    (folder / refusal.MANIFEST).unlink()
    with pytest.raises(FileNotFoundError, match=refusal.MANIFEST):
        refusal.load(folder)


def test_safetensors_reader_matches_the_library(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    tensors = {"weight": np.arange(12, dtype=np.float16).reshape(4, 3), "bias": np.ones(3, dtype=np.float32)}
    st.save_file(tensors, str(tmp_path / "t.safetensors"))
    back = refusal.read_safetensors(tmp_path / "t.safetensors")
    for name, value in tensors.items():
        assert back[name].dtype == value.dtype and np.array_equal(back[name], value)


def test_card_and_manifest_shipped():
    folder = refusal._resolve(refusal.DEFAULT_DETECTOR)
    files = json.loads((folder / refusal.MANIFEST).read_text())["files"]
    assert {"weights.safetensors", "config.json", "CARD.md", "metrics.json"} <= set(files)
