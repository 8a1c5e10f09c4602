"""The exported graph: eager attention (no per-layer mask rebuild / NaN guard), the same function as the model."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")


def test_export_uses_eager_attention_and_matches_the_sdpa_model(tmp_path):
    import onnxruntime as ort

    from gensafe.build.export import export_onnx
    from gensafe.build.testing import build_tiny_model

    _, model = build_tiny_model(tmp_path / "m", precisions=("fp32",))
    model.encoder.set_attn_implementation("sdpa")
    path = export_onnx(model, tmp_path / "g.onnx")
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    assert "IsNaN" not in ops, "SDPA's NaN guard was exported"
    assert model.encoder.config._attn_implementation == "sdpa"  # the caller's model is left as it was
    ids = torch.randint(5, model.encoder.config.vocab_size, (3, 12), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    mask[1, 7:] = 0  # padding: the eager mask must give the same scores as SDPA's
    feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    if "token_type_ids" in names:
        feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
    got = session.run(["logits"], feeds)[0]
    with torch.no_grad():
        want = model(ids, mask, *([torch.zeros_like(ids)] if "token_type_ids" in names else [])).numpy()
    assert np.abs(got - want).max() < 1e-4
