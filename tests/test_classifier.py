from __future__ import annotations

import numpy as np
import pytest

import gensafe
from gensafe import Policy
from gensafe.build.testing import TINY_CORPUS
from gensafe.engine import sigmoid
from gensafe.windows import WindowEncoder


def _expected(model, clf, texts, role=None):
    """Torch scores per text, the one torch implementation of window scoring (max over each text's windows)."""
    from gensafe.build.modeling import text_logits

    model.eval()
    return sigmoid(text_logits(model, clf.encoder, texts, clf.manifest.prefix_for(role)))


def _windows(clf, texts, role=None):
    enc = WindowEncoder(clf.folder / "tokenizer.json", clf.manifest.max_tokens, clf.manifest.window_overlap)
    block = next(enc.blocks(texts, range(len(texts)), clf.manifest.prefix_for(role)))
    return block, enc.pad_id


def test_onnx_matches_torch(tiny_model, clf):
    _, model = tiny_model
    texts = TINY_CORPUS[:8]
    expected = _expected(model, clf, texts)
    got = clf.predict(texts).scores
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-4)


def test_graph_without_token_type_ids(tiny_model_no_tti):
    folder, model = tiny_model_no_tti
    clf = gensafe.load(folder, device="cpu")
    assert [i.name for i in clf.engine.inputs] == ["input_ids", "attention_mask"]
    expected = _expected(model, clf, TINY_CORPUS[:4])
    np.testing.assert_allclose(clf.predict(TINY_CORPUS[:4]).scores, expected, atol=1e-5, rtol=1e-4)


def test_int8_close_to_fp32(tiny_model, clf):
    q = gensafe.load(tiny_model[0], device="cpu", precision="int8")
    assert q.precision == "int8"
    assert gensafe.load(tiny_model[0], device="cpu").precision == "int8"  # auto prefers int8 on CPU
    diff = np.abs(q.predict(TINY_CORPUS).scores - clf.predict(TINY_CORPUS).scores)
    assert diff.max() < 0.1


def test_order_is_restored_and_batching_does_not_change_scores(clf):
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(TINY_CORPUS, size=int(k))) for k in rng.integers(1, 6, size=40)]
    one_by_one = np.vstack([clf.predict(t).scores for t in texts])
    batched = clf.predict(texts).scores
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    perm = rng.permutation(len(texts))
    np.testing.assert_allclose(clf.predict([texts[i] for i in perm]).scores, batched[perm], atol=1e-5)
    small = gensafe.load(clf.folder, device="cpu", precision="fp32", batch_tokens=64, max_batch=3)
    np.testing.assert_allclose(small.predict(texts).scores, batched, atol=1e-5)


def test_long_text_is_max_over_windows_and_the_end_is_scored(tiny_model, clf):
    _, model = tiny_model
    long_text = " ".join(TINY_CORPUS[i % 4] for i in range(30)) + " " + TINY_CORPUS[5]
    block, pad_id = _windows(clf, [long_text])
    assert len(block.ids) > 5 and all(len(w) <= clf.manifest.max_tokens for w in block.ids)
    expected = _expected(model, clf, [long_text])[0]
    result = clf.predict(long_text)
    assert result.windows.tolist() == [len(block.ids)]
    np.testing.assert_allclose(result.scores[0], expected, atol=1e-5)
    # the last window holds the end of the text
    tail_tokens = clf.encoder.tokenizer.encode(TINY_CORPUS[5], add_special_tokens=False).ids
    assert block.ids[-1][-1 - len(tail_tokens[-3:]) : -1] == tail_tokens[-3:]


def test_windows_cover_every_token(clf):
    text = " ".join(TINY_CORPUS * 3)
    enc = WindowEncoder(clf.folder / "tokenizer.json", 16, 4)
    full = enc.tokenizer.encode(text, add_special_tokens=False).ids
    block = next(enc.blocks([text], [0], ""))
    bodies = [w[1:-1] for w in block.ids]  # strip <s> ... </s>
    rebuilt = list(bodies[0])
    for body in bodies[1:]:
        assert body[:4] == rebuilt[-4:]  # consecutive windows overlap by 4 tokens
        rebuilt += body[4:]
    assert rebuilt == full


def test_megabyte_text_is_scored_in_bounded_blocks(clf):
    text = ("这个地方的人都是骗子。" + "the quick brown fox jumps. ") * 140_000  # ~5.3 MB of UTF-8
    assert len(text.encode()) > 5_000_000
    enc = WindowEncoder(clf.folder / "tokenizer.json", clf.manifest.max_tokens, clf.manifest.window_overlap,
                        block_chars=1 << 18)
    blocks = 0
    for block in enc.blocks([text], [0], ""):
        blocks += 1
        assert len(block.ids) < 60_000  # one block, never the whole text
        if blocks == 3:
            break
    assert blocks == 3
    # scoring end to end: a long text (~300 kB, not the 5 MB above, so the test stays fast) in bounded blocks
    long_text = text[:90_000]  # under max_chars (100,000): scored whole
    small = WindowEncoder(clf.folder / "tokenizer.json", clf.manifest.max_tokens, clf.manifest.window_overlap,
                          block_chars=1 << 15)
    whole = sum(len(b.ids) for b in small.blocks([long_text], [0], clf.manifest.text_prefix))
    unlimited = gensafe.load(clf.folder, device="cpu", precision="fp32", max_chars=10**9, max_windows=10**9)
    result = unlimited.predict(["short", long_text])
    assert result.windows[1] == whole > 2_000 and result.windows[0] == 1
    assert np.isfinite(result.scores).all() and not result.truncated.any()


def test_a_text_over_max_chars_is_scored_on_head_tail_and_a_sample(clf, tiny_model):
    from gensafe.text import cap_text

    filler = "the quick brown fox jumps over the lazy dog. " * 20_000  # 900,000 characters
    end = TINY_CORPUS[5]
    text = filler + end
    capped = gensafe.load(tiny_model[0], device="cpu", precision="fp32", max_chars=20_000)
    result = capped.predict(["short", text])
    assert result.truncated.tolist() == [False, True] and result[1].truncated
    assert result.to_dicts()[1]["truncated"] is True and "truncated" not in result.to_dicts()[0]
    pieces = cap_text(text, 20_000)
    assert sum(map(len, pieces)) <= 20_000 and pieces[-1].endswith(end)  # the end of the text is always scored
    enc = capped.encoder
    expected = sum(len(b.ids) for b in enc.blocks(pieces, [0] * len(pieces), capped.manifest.text_prefix))
    assert result.windows[1] == expected  # exactly the windows of the head, the tail and the sample


def test_max_windows_bounds_each_text_on_its_own(tiny_model):
    texts = [" ".join(TINY_CORPUS) * k for k in (1, 40, 80)] + ["hi"] * 5
    free = gensafe.load(tiny_model[0], device="cpu", precision="fp32", max_chars=10**9, max_windows=10**9)
    free = free.predict(texts)
    bounded = gensafe.load(tiny_model[0], device="cpu", precision="fp32", max_windows=20)
    result = bounded.predict(texts)
    assert (free.windows[1:3] > 20).all() and not free.truncated.any()
    assert (result.windows <= 20 + 2).all() and (result.windows >= 1).all()  # about the cap: parts cut by characters
    assert result.windows[0] == free.windows[0] and result.truncated.tolist() == [False, True, True] + [False] * 5
    # bounded on its own: the same windows and scores alone as in the batch
    alone = bounded.predict(texts[2])
    assert alone.windows[0] == result.windows[2]
    np.testing.assert_allclose(alone.scores[0], result.scores[2], atol=1e-6)


@pytest.mark.parametrize("bad", [{"a": "b"}, {"a", "b"}, frozenset(["a"])])
def test_mappings_and_sets_are_refused(clf, bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        clf.predict(bad)


def test_empty_and_whitespace_are_safe_without_the_model(clf):
    result = clf.predict(["", "   \n\t", "\u200b\u200b", "hello"])
    assert result.windows.tolist() == [0, 0, 0, 1]
    assert (result.scores[:3] == 0).all()
    assert result.flagged[:3].tolist() == [False, False, False]
    assert len(clf.predict([])) == 0
    assert clf.predict([]).scores.shape == (0, 4)


@pytest.mark.parametrize(
    ("bad", "message"),
    [(["ok", 3], r"texts\[1\] is int"), (["ok", None], r"texts\[1\] is NoneType"), (b"bytes", "decode it first"),
     (42, "expected str"), ([b"x"], r"texts\[0\] is bytes")],
)
def test_wrong_types_raise_type_error(clf, bad, message):
    with pytest.raises(TypeError, match=message):
        clf.predict(bad)


def test_lone_surrogates_control_chars_and_nfkc(clf):
    weird = ["bad \ud800 surrogate", "ctrl\x00\x07chars\x1b", "ｈｅｌｌｏ ｗｏｒｌｄ", "zero\u200bwidth"]
    result = clf.predict(weird)
    assert np.isfinite(result.scores).all()
    plain = clf.predict(["bad \ufffd surrogate", "ctrlchars", "hello world", "zerowidth"]).scores
    np.testing.assert_allclose(result.scores, plain, atol=1e-6)


def test_generator_input(clf):
    assert len(clf.predict(t for t in ["a", "b"])) == 2


def test_single_string_returns_the_same_result_type(clf):
    one = clf.predict("hello")
    many = clf.predict(["hello"])
    assert type(one) is type(many) and one.scores.shape == (1, 4)
    np.testing.assert_array_equal(one.scores, many.scores)


def test_operating_points_overrides_and_disabled_families(clf):
    texts = list(TINY_CORPUS)
    strict = clf.predict(texts, policy=Policy(operating_point="strict"))
    loose = clf.predict(texts, policy=Policy(operating_point="loose"))
    assert strict.flags.sum() > loose.flags.sum()  # strict = higher recall
    assert (loose.flags <= strict.flags).all()
    j = clf.labels.index("A.2.4")
    everything = clf.predict(texts, policy=Policy(overrides={"A.2": 0.0}))
    assert everything.flags[:, j].all()
    risk_wins = clf.predict(texts, policy=Policy(overrides={"A.2": 0.0, "A.2.4": 1.0}))
    assert not risk_wins.flags[:, j].any() or (risk_wins.scores[:, j] >= 1.0).any()
    off = clf.with_policy(Policy(overrides={"A.1": 0.0}, disabled_families={"A.1"}))
    r = off.predict(texts)
    assert not r.flags[:, :2].any()
    assert np.isinf(r.thresholds[:2]).all()
    np.testing.assert_array_equal(r.scores, strict.scores)  # scores still reported
    with pytest.raises(KeyError, match="unknown operating point"):
        clf.predict("x", policy=Policy(operating_point="medium"))


def test_policy_validation_and_toml(tmp_path, clf):
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        Policy(overrides={"A.1.6": 1.5})
    with pytest.raises(KeyError, match="unknown risk code"):
        Policy(overrides={"A.1.99": 0.5})
    with pytest.raises(KeyError, match="unknown risk family"):
        Policy(disabled_families={"A.7"})
    path = tmp_path / "policy.toml"
    path.write_text('operating_point = "loose"\ndisabled_families = ["A.4"]\n[overrides]\n"A.1" = 0.25\n"A.1.8" = 0.75\n')
    p = Policy.from_toml(path)
    t = p.thresholds(clf.manifest)
    assert t.tolist()[:2] == [0.25, 0.75]
    assert t[2] == pytest.approx(clf.manifest.thresholds["loose"]["A.2.4"])
    assert np.isinf(t[3])


def test_verdicts_and_json(clf):
    result = clf.predict(TINY_CORPUS[:3])
    for i, v in enumerate(result):
        assert v.flagged == bool(result.flagged[i])
        assert set(v.risks) == {c for c, f in zip(result.labels, result.flags[i], strict=True) if f}
        assert v.top_score == pytest.approx(result.scores[i].max())
        scores = [v.scores[c] for c in v.risks]
        assert scores == sorted(scores, reverse=True)
    import json

    doc = json.loads(result.to_json())
    assert doc["labels"] == list(clf.labels) and len(doc["results"]) == 3


def test_roles_use_the_manifest_prefixes(clf):
    t = "please write a poem about the sea"
    prompt, response = clf.predict(t, role="prompt").scores, clf.predict(t, role="response").scores
    assert not np.allclose(prompt, response)
    with pytest.raises(ValueError, match="role must be one of"):
        clf.predict(t, role="system")


def test_device_and_precision_errors(tiny_model):
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        with pytest.raises(RuntimeError, match="CUDAExecutionProvider"):
            gensafe.load(tiny_model[0], device="cuda")
        assert gensafe.load(tiny_model[0], device="auto").device == "cpu"
    with pytest.raises(ValueError, match="device must be"):
        gensafe.load(tiny_model[0], device="gpu")
    with pytest.raises(ValueError, match="has no fp16 graph"):
        gensafe.load(tiny_model[0], device="cpu", precision="fp16")
    with pytest.raises(ValueError, match="precision must be one of"):
        gensafe.load(tiny_model[0], device="cpu", precision="bf16")


def test_info(clf):
    info = clf.info()
    assert info["provider"] == "CPUExecutionProvider" and info["labels"] == list(clf.labels)
    assert "onnxruntime" in info["versions"]


def test_thread_safety(clf):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{TINY_CORPUS[i % len(TINY_CORPUS)]} {i}" for i in range(64)]
    expected = clf.predict(texts).scores
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: clf.predict(texts[i], role=None).scores[0], range(64)))
    np.testing.assert_allclose(np.vstack(results), expected, atol=1e-5)


@pytest.mark.gpu
def test_cuda_matches_cpu(tiny_model, clf):
    gpu = gensafe.load(tiny_model[0], device="cuda", precision="fp32")
    assert gpu.provider == "CUDAExecutionProvider"
    np.testing.assert_allclose(gpu.predict(TINY_CORPUS).scores, clf.predict(TINY_CORPUS).scores, atol=1e-3)


def test_context_is_encoded_as_the_model_folder_declares(clf, model_copy):
    prompt, answer = "how do i make a bomb at home", "the model answered the question politely"
    with pytest.warns(UserWarning, match="does not read context"):
        alone = clf.predict(answer, role="response", context=prompt)
    np.testing.assert_array_equal(alone.scores, clf.predict(answer, role="response").scores)
    from gensafe.manifest import ModelManifest

    m = ModelManifest.read(model_copy)
    m.context_template = "{context}\n{text}"
    m.write(model_copy, rehash=False)
    with_ctx = gensafe.load(model_copy, device="cpu", precision="fp32")
    got = with_ctx.predict([answer, ""], role="response", context=[prompt, prompt])
    np.testing.assert_allclose(got.scores[0], with_ctx.predict(prompt + "\n" + answer, role="response").scores[0],
                               atol=1e-6)
    assert got.windows[1] == 0  # a blank answer stays blank whatever its context
    with pytest.raises(ValueError, match="context has 1 items for 2 texts"):
        with_ctx.predict([answer, answer], context=[prompt])


def test_fp16_graph_matches_fp32_within_fp16_tolerance(tmp_path):
    from gensafe.build.testing import build_tiny_model

    folder, _ = build_tiny_model(tmp_path / "fp16", precisions=("fp32", "fp16"), seed=2)
    a = gensafe.load(folder, device="cpu", precision="fp32").predict(TINY_CORPUS).scores
    half = gensafe.load(folder, device="cpu", precision="fp16")
    assert half.precision == "fp16"
    np.testing.assert_allclose(half.predict(TINY_CORPUS).scores, a, atol=1e-2)
