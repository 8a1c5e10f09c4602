"""The lexical head (gensafe.lexical): features, file format, the blend, and a model folder that carries one."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gensafe
from gensafe.lexical import LexicalHead, blend, featurize_blocks
from gensafe.manifest import ModelFileError, ModelManifest
from gensafe.ngrams import read_safetensors, write_safetensors
from gensafe.text import cap_text, clean_text

ROOT = Path(__file__).resolve().parents[1]
DIM = 1 << 12


def _head(texts: list[str], seed: int = 0, dim: int = DIM) -> LexicalHead:
    """A head over every n-gram of ``texts`` with random weights."""
    chars = np.unique(np.concatenate([featurize_blocks(t, dim)[0] for t in texts]))
    words = np.unique(np.concatenate([featurize_blocks(t, dim)[1] for t in texts]))
    rng = np.random.default_rng(seed)
    return LexicalHead(char_vocab=chars, char_idf=rng.uniform(1, 3, len(chars)).astype(np.float32),
                       char_coef=rng.normal(0, 2, len(chars)).astype(np.float32), word_vocab=words,
                       word_idf=rng.uniform(1, 3, len(words)).astype(np.float32),
                       word_coef=rng.normal(0, 2, len(words)).astype(np.float32), bias=-0.5, dim=dim)


def test_features_are_stable_normalised_and_safe_on_odd_text():
    a = featurize_blocks("Ｆｕｌｌ  width ＴＥＸＴ 你好", DIM)
    b = featurize_blocks("full width text 你好", DIM)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))  # NFKC, case and spaces folded
    for odd in ("", "   ", "\ud800 lone surrogate", "😀" * 3, "a", "\x00\x01"):
        chars, words = featurize_blocks(odd, DIM)
        assert chars.dtype == words.dtype == np.int64 and ((chars >= 0) & (chars < DIM)).all()
    # in another process (str hashes are salted per process): the same buckets
    code = "from gensafe.lexical import featurize_blocks; print(featurize_blocks('稳定 hash test', 4096)[0].tolist())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == featurize_blocks("稳定 hash test", DIM)[0].tolist()


def test_logits_are_tfidf_dot_weights_per_block():
    head = _head(["abc abc de"])
    chars, words = featurize_blocks("abc abc de", DIM)
    expected = head.bias
    for buckets, vocab, idf, coef in ((chars, head.char_vocab, head.char_idf, head.char_coef),
                                      (words, head.word_vocab, head.word_idf, head.word_coef)):
        keys, counts = np.unique(buckets, return_counts=True)
        pos = np.searchsorted(vocab, keys)
        x = (1 + np.log(counts)) * idf[pos]
        expected += float(x @ coef[pos] / np.linalg.norm(x))
    assert head.logits(["abc abc de"])[0] == pytest.approx(expected, abs=1e-5)
    assert head.logits(["zzz", ""]).tolist() == pytest.approx([head.bias, head.bias])  # nothing known: the bias


def test_head_file_round_trip_and_bad_files(tmp_path):
    head = _head(["one text", "另一段文字"])
    path = write_safetensors(tmp_path / "lexical.safetensors", head.tensors())
    back = LexicalHead.read(path)
    assert back.dim == DIM and back.bias == pytest.approx(head.bias)
    assert np.array_equal(back.logits(["one text", "文字"]), head.logits(["one text", "文字"]))
    tensors = read_safetensors(path)
    del tensors["word_coef"]
    write_safetensors(tmp_path / "broken.safetensors", tensors)
    with pytest.raises(ValueError, match="missing tensors"):
        LexicalHead.read(tmp_path / "broken.safetensors")
    (tmp_path / "short.safetensors").write_bytes(b"\x01")
    with pytest.raises(ValueError, match="not a safetensors file"):
        LexicalHead.read(tmp_path / "short.safetensors")
    with pytest.raises(ValueError, match="strictly increasing"):
        LexicalHead(**{**head.__dict__, "char_vocab": head.char_vocab[::-1].copy()})
    with pytest.raises(ValueError, match="differ in length"):
        LexicalHead(**{**head.__dict__, "word_coef": head.word_coef[:-1]})


def test_blend_moves_p_unsafe_and_keeps_the_risk_ratios():
    rng = np.random.default_rng(0)
    scores = rng.uniform(0.01, 0.99, (50, 4)).astype(np.float32)
    scores[:, 0] = scores.max(axis=1) + 0.001  # the top risk holds P(unsafe), as a harm-risk graph gives it
    scores = np.minimum(scores, 0.999)
    scores[7] = 0.0  # a blank text: never scored
    lex = rng.normal(0, 3, 50).astype(np.float32)
    for w in (0.2, 0.5):
        out = blend(scores, lex, w)
        top = scores[:, 0].astype(np.float64)
        live = top > 0
        z = (1 - w) * np.log(top[live] / (1 - top[live])) + w * lex[live]
        assert out[live, 0] == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-5)
        ratio_in = scores[live] / scores[live, :1]
        assert out[live] / out[live, :1] == pytest.approx(ratio_in, abs=1e-4)  # which risks, and their order, kept
        assert (out[7] == 0).all()
    assert (np.diff(blend(scores[:1].repeat(3, 0), np.array([-5, 0, 5], np.float32), 0.3)[:, 0]) > 0).all()


def _with_head(folder: Path, head: LexicalHead, weight: float = 0.4) -> Path:
    """The tiny model folder with a lexical head added (its scores stand in for a harm-risk graph's)."""
    write_safetensors(folder / "lexical.safetensors", head.tensors())
    m = ModelManifest.read(folder)
    m.lexical = {"file": "lexical.safetensors", "weight": weight}
    m.format_version = 2
    m.provenance = {**m.provenance, "architecture": "harm-risk"}
    m.write(folder)
    return folder


def test_a_folder_with_a_lexical_head_scores_the_blend(model_copy):
    texts = ["hello there", "这个地方的人都是骗子", "", "a " * 400]
    plain = gensafe.load(model_copy, device="cpu", precision="fp32")
    head = _head(texts)
    clf = gensafe.load(_with_head(model_copy, head), device="cpu", precision="fp32")
    assert clf.info()["lexical_head"] == {"file": "lexical.safetensors", "weight": 0.4}
    got = clf.predict(texts).scores
    want = blend(plain.predict(texts).scores, head.logits([clean_text(t) for t in texts]), 0.4)
    assert got[[0, 1, 3]] == pytest.approx(want[[0, 1, 3]], abs=1e-5)  # row 3 spans several windows
    assert (got[2] == 0).all()  # blank: not scored by either part
    alone = [clf.predict([t]).scores[0] for t in texts]  # a text's score does not depend on its batch
    assert np.allclose(np.stack(alone), got, atol=1e-6)


def test_the_head_reads_the_part_the_encoder_read_and_never_the_context(model_copy):
    long = "第一句话。" * 40 + "the middle part " * 30 + "最后一句。" * 40
    head = _head([long, "ctx words here"])
    folder = _with_head(model_copy, head)
    m = ModelManifest.read(folder)
    m.context_template = "{context}\n{text}"
    m.write(folder)
    capped = gensafe.load(folder, device="cpu", precision="fp32", max_chars=50)
    plain = dataclasses.replace(capped, lexical=None, manifest=dataclasses.replace(capped.manifest, lexical={}))
    part = " ".join(cap_text(clean_text(long), 50))
    assert capped.predict([long]).scores == pytest.approx(
        blend(plain.predict([long]).scores, head.logits([part]), 0.4), abs=1e-5)
    with_context = capped.predict(["hello"], context="ctx words here").scores
    base = plain.predict(["hello"], context="ctx words here").scores  # the encoder reads the context ...
    assert with_context == pytest.approx(blend(base, head.logits(["hello"]), 0.4), abs=1e-5)  # ... the head does not


def test_a_folder_without_a_head_is_still_written_as_format_1(model_copy, tmp_path):
    m = ModelManifest.read(model_copy)
    m.write(model_copy)
    raw = json.loads((model_copy / "manifest.json").read_text())
    assert raw["format_version"] == 1 and "lexical" not in raw  # older gensafe reads it
    with pytest.raises(ValueError, match="come together"):
        dataclasses.replace(gensafe.load(model_copy, device="cpu", precision="fp32"), lexical=_head(["x"]))


def test_a_damaged_or_inconsistent_lexical_entry_fails_loudly(model_copy):
    folder = _with_head(model_copy, _head(["x y"]))
    data = (folder / "lexical.safetensors").read_bytes()
    middle = len(data) // 2
    (folder / "lexical.safetensors").write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    with pytest.raises(ModelFileError, match="lexical.safetensors"):
        gensafe.load(folder, device="cpu", precision="fp32")
    raw = json.loads((folder / "manifest.json").read_text())
    for change, message in (({"lexical": {"file": "lexical.safetensors", "weight": 1.5}}, "strictly between"),
                            ({"lexical": {"file": "lexical.safetensors"}}, "lexical must be"),
                            ({"format_version": 1}, "format 2"),
                            ({"provenance": {"architecture": "mean-pool"}}, "harm-risk"),
                            ({"lexical": 0.3}, "lexical must be")):
        (folder / "manifest.json").write_text(json.dumps({**raw, **change}))
        with pytest.raises(ModelFileError, match=message):
            ModelManifest.read(folder)


def test_train_lexical_fits_chooses_on_dev_and_writes_a_loadable_folder(tmp_path, model_copy):
    """End to end on a tiny build: the run-time head agrees with the fitted model (the script checks it), the folder
    loads, and its dev scores are the blend at the chosen weight."""
    datasets = pytest.importorskip("datasets")
    rng = np.random.default_rng(0)
    bad = ["you people are scum", "去死吧你们这些骗子", "kill them all now", "这个地方的人都是垃圾"]
    good = ["have a nice day", "今天天气很好", "the museum opens at nine", "我们去公园散步吧"]

    def rows(n: int, split: str) -> list[dict]:
        out = []
        for i in range(n):
            unsafe = bool(rng.integers(2))
            base = bad if unsafe else good
            text = f"{base[rng.integers(len(base))]} {rng.integers(1000)}"
            src = "gensafe-authored" if i % 4 == 0 else ("Flames" if i % 7 == 0 else "COLDataset")
            out.append({"text": text, "labels": ["A.1.6"] if unsafe else [], "source": src,
                        "lang": "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en", "split": split})
        return out

    ds = datasets.DatasetDict({s: datasets.Dataset.from_list(rows(n, s)) for s, n in (("train", 300), ("dev", 120))})
    ds.save_to_disk(str(tmp_path / "data"))
    m = ModelManifest.read(model_copy)
    m.provenance = {**m.provenance, "architecture": "harm-risk", "config": {"select_sources": ["Flames"]}}
    m.write(model_copy)
    out = tmp_path / "lexical-model"
    cmd = [sys.executable, str(ROOT / "training" / "train_lexical.py"), "--model", str(model_copy), "--data",
           str(tmp_path / "data"), "--out", str(out), "--name", "tiny-lexical", "--min-df", "1", "--report",
           str(tmp_path / "report.md"), "--loso", "COLDataset"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    clf = gensafe.load(out, device="cpu")
    rec = clf.manifest.provenance["lexical"]
    assert clf.manifest.lexical["weight"] == rec["weight"] and rec["rows"] == sum(
        r["source"] != "Flames" for r in ds["train"])  # the base run's held-out source stays out of the head
    dev = ds["dev"]["text"]
    base = gensafe.load(model_copy, device="cpu").predict(dev).scores
    head = LexicalHead.read(out / "lexical.safetensors")
    assert clf.predict(dev).scores == pytest.approx(blend(base, head.logits(dev), rec["weight"]), abs=1e-5)
    report = (tmp_path / "report.md").read_text()
    assert "blend, weight" in report and "Leave one source out" in report
    assert set(rec["leave_one_source_out_delta_auc"][str(rec["weight"])]) == {"COLDataset"}
    # refitted from the new folder itself (its head set aside, the encoder scored alone): the same head again
    refit = [*cmd[:3], str(out), *cmd[4:7], str(tmp_path / "refit"), *cmd[8:]]
    again = subprocess.run(refit, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    second = LexicalHead.read(tmp_path / "refit" / "lexical.safetensors").tensors()
    assert all(np.array_equal(v, second[k]) for k, v in head.tensors().items())
    assert ModelManifest.read(tmp_path / "refit").provenance["lexical"]["base_model"] == "tiny-random"
