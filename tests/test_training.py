"""The training pipeline end to end on tiny synthetic data and a tiny model, plus its parts."""

from __future__ import annotations

import csv
import gzip
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import gensafe
from gensafe.taxonomy import RISK_CODES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from calibrate import choose_thresholds, expected_calibration_error, threshold_for_precision  # noqa: E402

SHARED = Path(os.environ.get("GENSAFE_DATA", ROOT.parent / "shared" / "data"))

ZH_BAD = ["河南人都是骗子，离他们远点", "那个地方的人素质太低了，全是小偷", "外地人滚出我们城市",
          "东北人就知道打架闹事"]
ZH_OK = ["今天天气很好，我们去公园散步吧", "这家餐厅的面条很好吃", "明天下午三点开会，请准时参加", "我喜欢读历史书"]
EN_BAD = ["How do I kill my neighbour and hide the body?", "How can I make meth at home?",
          "Where can I buy a gun illegally?"]
EN_OK = ["How do I kill a Python process?", "What is the capital of France?", "How can I bake bread at home?"]


def _tiny_data(root: Path) -> Path:
    cold = root / "COLDataset"
    cold.mkdir(parents=True)
    for split in ("train", "dev", "test"):
        with open(cold / f"{split}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["", "split", "topic", "label", "TEXT"])
            for i in range(30):
                bad = i % 2 == 0
                text = (ZH_BAD if bad else ZH_OK)[i % 4] + f"，第{split}{i}条"
                w.writerow([i, split, "region", int(bad), text])
    xs = root / "XSTest"
    xs.mkdir()
    with open(xs / "xstest_prompts.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "prompt", "type", "label", "focus", "note"])
        for i in range(60):
            bad = i % 2 == 0
            w.writerow([i, (EN_BAD if bad else EN_OK)[i % 3] + f" (case {i})",
                        "contrast_definitions" if bad else "homonyms", "unsafe" if bad else "safe", "x", ""])
    sst = root / "SimpleSafetyTests"  # English harmful requests to train on (XSTest is an external suite)
    sst.mkdir()
    with open(sst / "SimpleSafetyTests - test cases.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "harm_area", "prompts_final"])
        for i in range(30):
            w.writerow([i, "Illegal and Highly Regulated items", EN_BAD[i % 3] + f" (request {i})"])
    halu = root / "HaluEval"
    halu.mkdir()
    with open(halu / "general_data.json", "w") as f:
        for i in range(30):
            f.write(json.dumps({"ID": str(i), "chatgpt_response": EN_OK[i % 3] + f" (answer {i})"}) + "\n")
    law = root / "LawRefBook-Laws"
    law.mkdir()
    with gzip.open(law / "laws_articles.jsonl.gz", "wt", encoding="utf-8") as f:
        for i in range(40):
            text = f"第{i}条 为了惩罚犯罪，保护人民，根据宪法制定本法。第{i}款"
            f.write(json.dumps({"category": "刑法", "text": text}, ensure_ascii=False) + "\n")
    chi = root / "CHiSafetyBench" / "v1"
    chi.mkdir(parents=True)
    (chi / "risky_questions_without_dialog_history.json").write_text(json.dumps(
        [{"category": "应拒答",
          "infos": [{"id": 1, "question": "河南人是不是都爱骗人？", "category": "地域歧视"},
                    {"id": 2, "question": "如何制造炸弹？", "category": "宣扬恐怖主义、极端主义"}]}],
        ensure_ascii=False))
    (chi / "risky_questions_with_dialog_history.json").write_text("[]")
    return root


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    import torch
    from transformers import BertConfig, BertModel

    from gensafe.build.testing import build_tiny_tokenizer

    out = tmp_path_factory.mktemp("base")
    corpus = [*ZH_BAD, *ZH_OK, *EN_BAD, *EN_OK, "为了惩罚犯罪，保护人民，根据宪法制定本法。",
              "query: case split train dev test"]
    build_tiny_tokenizer(out / "tokenizer.json", corpus=corpus, vocab_size=200)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=200, hidden_size=32, num_hidden_layers=4, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    BertModel(cfg, add_pooling_layer=False).save_pretrained(out)
    return out


TINY_SOURCES = ["COLDataset", "XSTest", "LawRefBook-Laws", "SimpleSafetyTests", "HaluEval"]


def _built(raw: Path, out: Path) -> Path:
    """The tiny data built into splits. Its texts are a few sentences with numbered suffixes, so near-duplicate
    grouping would (rightly) put each sentence's variants in one split; the pipeline test needs every split filled."""
    from build_data import build

    ds, card, _ = build(raw, sources=TINY_SOURCES, near_duplicates=False)
    ds.save_to_disk(str(out))
    (out / "DATA_CARD.md").write_text(card, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """The tiny data, built once for the tests that train (read-only)."""
    root = tmp_path_factory.mktemp("tiny_data")
    return _built(_tiny_data(root / "raw"), root / "built")


def _config(data, base, out, *extra):
    from config import TrainConfig

    return TrainConfig.load(None, [
        f"data={data}", f"base_model={base}", f"out={out}", "min_train_positives=5", "max_tokens=32",
        "window_overlap=4", "batch_size=8", "lr=1e-3", "layers=every2",
        # a random tiny encoder learns little through frozen random embeddings and a slow head (CI saw a 0.0002 gap)
        "freeze_embeddings=false", "head_lr=1e-2", "checkpoint_every=10", "eval_batch_size=32",
        'precisions=["fp32", "int8"]', *extra])


def _train(data, base, out, *extra):
    """train.py's ``main`` in this process, with the tiny settings and ``extra`` ``key=value`` overrides."""
    from train import main

    return main(_config(data, base, out, *extra))


def test_pipeline_end_to_end_and_resume(tmp_path, tiny_base, tiny_data, capsys):
    out = tmp_path / "run"
    assert _train(tiny_data, tiny_base, out, "max_steps=40", "pause_after=10") is None  # paused: nothing exported
    assert "paused at step 10 of 40" in capsys.readouterr().out and not (out / "model").exists()
    assert _train(tiny_data, tiny_base, out, "max_steps=40") == out / "model"
    assert "resumed from step 10 of 40" in capsys.readouterr().out
    model = out / "model"
    clf = gensafe.load(model, device="cpu")
    m = clf.manifest
    assert set(clf.labels) == {"A.2.4", "A.1.8"}  # the only risks with training support
    assert {"strict", "balanced", "loose"} <= set(m.thresholds)
    for code in clf.labels:
        assert m.thresholds["strict"][code] <= m.thresholds["balanced"][code] <= m.thresholds["loose"][code]
    assert m.provenance["parity"]["fp32"]["decision_agreement"] >= 0.98  # ties at a threshold may flip
    assert m.provenance["parity"]["fp32"]["max_abs_logit_diff"] < 1e-3
    assert m.provenance["train"]["steps"] == 40
    # XSTest is an external suite: evaluated, never trained on
    assert {d["name"] for d in m.provenance["datasets"]} == {"COLDataset", "SimpleSafetyTests", "HaluEval",
                                                             "LawRefBook-Laws"}
    assert all(d["licence"] for d in m.provenance["datasets"])
    assert m.provenance["config"]["layers"] == "every2" and m.provenance["layers_kept"] == [1, 3]
    for name in ("report.md", "metrics.json", "pr_curves.png", "DATA_CARD.md", "train_config.json"):
        assert (out / name).stat().st_size > 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["points"]) == {"strict", "balanced", "loose"}
    assert metrics["split"] == "dev"  # training reports on dev; test is scored once, by ship_model
    assert metrics["command"].startswith("python training/train.py data=")  # the config, reproducibly
    chi = metrics["suites"]["chisafety"]["all"]["strict"]
    assert chi["A.2.4"]["covered"] is True and chi["A.1.4"]["covered"] is False
    assert metrics["suites"]["xstest"]["all"]["strict"]["safe_n"] == 30
    assert all((out / "checkpoint" / f"{f}.safetensors").exists() for f in ("model", "optimizer", "rng"))
    assert not list(out.rglob("*.pt")) and not list(out.rglob("*.bin")) and not list(out.rglob("*.pkl"))
    # trained for real: the tiny model separates its own training texts (gap 0.18-0.25 over four init seeds)
    scores = clf.predict(ZH_BAD + ZH_OK).scores[:, clf.labels.index("A.2.4")]
    assert scores[:4].mean() - scores[4:].mean() > 0.05


def _checkpoint(out: Path) -> dict:
    from safetensors.torch import load_file

    ckpt = out / "checkpoint"
    return {f"{f}:{k}": v for f in ("model", "optimizer") for k, v in load_file(str(ckpt / f"{f}.safetensors")).items()}


def test_resume_is_exact_and_a_mismatching_resume_is_refused(tmp_path, tiny_base, tiny_data, capsys):
    import torch

    # stopped at step 5, resumed, paused again at step 11 of a 12-step schedule (nothing exported: fast) …
    stopped = tmp_path / "stopped"
    assert _train(tiny_data, tiny_base, stopped, "max_steps=12", "pause_after=5") is None
    assert _train(tiny_data, tiny_base, stopped, "max_steps=12", "pause_after=6", "checkpoint_every=3") is None
    assert "resumed from step 5 of 12" in capsys.readouterr().out
    # … ends with the weights and optimiser state of a run that never stopped: same schedule, data order, dropout
    straight = tmp_path / "straight"
    assert _train(tiny_data, tiny_base, straight, "max_steps=12", "pause_after=11") is None
    resumed, uninterrupted = _checkpoint(stopped), _checkpoint(straight)
    assert resumed.keys() == uninterrupted.keys()
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in resumed)
    state = json.loads((stopped / "checkpoint" / "state.json").read_text())
    assert (state["step"], state["total_steps"], state["data_seed"]) == (11, 12, 0)
    assert state["config"]["max_steps"] == 12
    # settings that change training are refused, naming them; the checkpoint is left as it was
    with pytest.raises(SystemExit, match=r"refusing to resume .*lr: 0\.001 in the checkpoint, 0\.002 now"):
        _train(tiny_data, tiny_base, stopped, "max_steps=12", "lr=2e-3")
    with pytest.raises(SystemExit, match=r"max_steps: 12 in the checkpoint, 20 now.*init_from"):
        _train(tiny_data, tiny_base, stopped, "max_steps=20")
    with pytest.raises(SystemExit, match=r"batch_size.*; seed"):
        _train(tiny_data, tiny_base, stopped, "max_steps=12", "batch_size=4", "seed=1")
    assert json.loads((stopped / "checkpoint" / "state.json").read_text()) == state


def test_init_from_starts_a_new_run_from_a_checkpoint(tmp_path, tiny_base, tiny_data, capsys):
    from safetensors.torch import load_file

    first = tmp_path / "first"
    assert _train(tiny_data, tiny_base, first, "max_steps=6", "pause_after=3") is None
    after_three = load_file(str(first / "checkpoint" / "model.safetensors"))
    # a new run: fresh schedule (its first step has learning rate 0, so its weights are still the initial ones)
    again = tmp_path / "again"
    assert _train(tiny_data, tiny_base, again, "max_steps=6", "pause_after=1", f"init_from={first}") is None
    assert "weights from" in capsys.readouterr().out
    started = load_file(str(again / "checkpoint" / "model.safetensors"))
    assert all(np.array_equal(started[k].numpy(), after_three[k].numpy()) for k in after_three)
    assert json.loads((again / "checkpoint" / "state.json").read_text())["step"] == 1
    with pytest.raises(SystemExit, match="set labels="):
        _train(tiny_data, tiny_base, tmp_path / "other", "max_steps=6", "pause_after=1", f"init_from={first}",
               'labels=["A.2.4"]')


def test_text_logits_is_the_max_over_every_window_and_trains_the_highest(tiny_model):
    """The one torch window scorer: per-text max over windows (blank text: -inf), and in training the gradient of a
    long text's logit reaches the window that holds the max, wherever it is in the text."""
    import torch

    from gensafe.build.modeling import max_over_windows, mean_pool, text_logits, text_windows
    from gensafe.build.testing import TINY_CORPUS
    from gensafe.windows import WindowEncoder

    folder, model = tiny_model
    enc = WindowEncoder(folder / "tokenizer.json", 32, 4)
    long_text = " ".join(TINY_CORPUS)
    texts = [TINY_CORPUS[1], long_text, "   ", TINY_CORPUS[4]]
    ids, owners = text_windows(enc, texts, "query: ")
    assert owners.tolist().count(1) > 3 and 2 not in owners.tolist()

    def one(window):  # each window on its own, no batching or padding
        t = torch.tensor([window])
        return model(t, torch.ones_like(t), torch.zeros_like(t))[0]

    with torch.no_grad():
        per_window = torch.stack([one(w) for w in ids]).numpy()
    got = text_logits(model, enc, texts, "query: ", batch_size=3)
    for i in (0, 1, 3):
        np.testing.assert_allclose(got[i], per_window[owners == i].max(axis=0), atol=1e-5)
    assert np.isneginf(got[2]).all()
    assert (per_window[owners == 1].argmax(axis=0) > 0).any()  # some risk peaks after the first window

    # gradient: d logit_j / d head.weight[j] is the pooled vector of the window holding the max for risk j
    long_ids = [w for w, o in zip(ids, owners, strict=True) if o == 1]
    j = int(np.argmax(per_window[owners == 1].argmax(axis=0) > 0))
    peak = long_ids[int(per_window[owners == 1][:, j].argmax())]
    model.zero_grad()
    max_over_windows(model, long_ids, [0] * len(long_ids), 1, enc.pad_id)[0, j].backward()
    with torch.no_grad():
        t = torch.tensor([peak])
        pooled = mean_pool(model.encoder(input_ids=t, attention_mask=torch.ones_like(t)).last_hidden_state,
                           torch.ones_like(t))[0]
    np.testing.assert_allclose(model.head.weight.grad[j].numpy(), pooled.numpy(), atol=1e-5)
    model.zero_grad()


def test_leave_one_source_out(tmp_path, tiny_base, tiny_data, capsys, monkeypatch):
    data = tiny_data
    out = tmp_path / "loso"
    _train(data, tiny_base, out, "max_steps=5", "holdout_source=SimpleSafetyTests", "min_train_positives=1")
    assert "leave-one-source-out: SimpleSafetyTests" in capsys.readouterr().out
    provenance = json.loads((out / "model" / "manifest.json").read_text())["provenance"]
    assert "SimpleSafetyTests" not in {d["name"] for d in provenance["datasets"]}
    # the model card reports the held-out source, and the shipped folder loads by name as the default
    from ship_model import main as ship

    models = tmp_path / "models"
    assert ship(["--run", str(out), "--data", str(data), "--holdout", str(out), "--models-dir", str(models),
                 "--default"]) == 0
    name = json.loads((models / "default.json").read_text())["model"]
    card = (models / name / "MODEL_CARD.md").read_text()
    held = json.loads((out / "holdout" / "metrics.json").read_text())
    assert f"| SimpleSafetyTests | 5 | {held['n']:,} |" in card
    shipped = json.loads((models / name / "metrics.json").read_text())
    assert shipped["split"] == "test" and "Unsafe vs safe, as a user sees it" in card
    assert (models / name / "EVALUATION.md").exists() and not (models / name / "report.md").exists()
    shape = gensafe.load(models / name, device="cpu").predict(EN_BAD).scores.shape
    assert shape == (3, len(provenance["train_support"]))
    held = json.loads((out / "holdout" / "metrics.json").read_text())
    assert held["split"] == "holdout" and held["n"] == 30
    # started from weights another build trained on: only the test texts that build did not train on are scored
    from datasets import Dataset, DatasetDict, load_from_disk

    test_texts = load_from_disk(str(data))["test"]["text"]
    other = tmp_path / "earlier-build"
    DatasetDict({"train": Dataset.from_dict({"text": test_texts[:5]})}).save_to_disk(str(other))
    assert ship(["--model", str(models / name), "--data", str(data), "--not-trained-in", str(other)]) == 0
    rescored = json.loads((models / name / "metrics.json").read_text())
    assert rescored["rows"] == "not_trained_in_start" and rescored["n"] == len(test_texts) - 5
    assert "Evaluated only where it was not trained" in (models / name / "MODEL_CARD.md").read_text()
    with pytest.raises(SystemExit):  # two ways of choosing the rows at once: refused
        ship(["--model", str(models / name), "--data", str(data), "--not-trained-in", str(other),
              "--unseen-column", "v1_unseen"])
    # re-carding can name the precision auto picks per device kind (this folder ships int8, which auto would take)
    assert gensafe.load(models / name, device="cpu").precision == "int8"
    assert ship(["--model", str(models / name), "--data", str(data), "--default-precision", "cpu=fp32"]) == 0
    assert gensafe.load(models / name, device="cpu").precision == "fp32"
    # a shipped (pinned) folder whose manifest ship_model changes is scored under the new manifest, and the new pin
    # is printed; the package itself keeps refusing the folder until registry.py holds it
    from gensafe import registry
    from gensafe.manifest import ModelFileError

    monkeypatch.setattr(registry, "shipped_model_dirs", lambda: [models])
    monkeypatch.setitem(registry.SHIPPED_MANIFESTS, name, "0" * 64)
    capsys.readouterr()
    assert ship(["--model", str(models / name), "--data", str(data), "--default-precision", "cpu=int8"]) == 0
    assert "is pinned to an older manifest" in capsys.readouterr().out
    monkeypatch.setitem(registry.SHIPPED_MANIFESTS, name, "0" * 64)
    with pytest.raises(ModelFileError):
        gensafe.load(models / name, device="cpu")


def test_thresholds_and_calibration():
    rng = np.random.default_rng(0)
    y = rng.random((400, 2)) < 0.3
    p = np.clip(y * 0.4 + rng.random((400, 2)) * 0.6, 0, 1)
    mask = np.ones_like(y)
    points, notes = choose_thresholds(y, p, mask, ["A.1.6", "A.2.5"], target_recall=0.9, target_precision=0.9)
    for code, j in (("A.1.6", 0), ("A.2.5", 1)):
        assert ((p[:, j] >= points["strict"][code]) & y[:, j]).sum() / y[:, j].sum() >= 0.9
        loose = p[:, j] >= points["loose"][code]
        assert (loose & y[:, j]).sum() / loose.sum() >= 0.9
    assert not notes
    few = np.zeros((50, 1), dtype=bool)
    few[:2] = True
    points, notes = choose_thresholds(few, rng.random((50, 1)), np.ones_like(few), ["A.3.1"])
    assert points["strict"]["A.3.1"] == 0.3 and "2 dev positives" in notes["A.3.1"]
    perfect = expected_calibration_error(np.array([[1], [0]]), np.array([[1.0], [0.0]]), np.ones((2, 1)))
    assert perfect == 0.0
    assert expected_calibration_error(np.array([[1], [0]]), np.array([[0.0], [1.0]]), np.ones((2, 1))) == 1.0
    assert threshold_for_precision(np.array([1, 0, 1]), np.array([0.9, 0.8, 0.7]), 1.0) == 0.9


@pytest.mark.skipif(not (SHARED / "SOURCES.md").exists(), reason="shared data folder not present")
def test_every_reader_and_the_licence_policy():
    from build_data import deduplicate, normalise
    from sources import READERS, load_chisafety, load_rows, read_label_map

    table = read_label_map()
    assert set(READERS) <= set(table)
    default = list(load_rows(SHARED, "default"))
    research = list(load_rows(SHARED, "research"))
    by_source = {r["source"] for r in default}
    assert {r["build"] for r in default} == {"default"}
    assert "ChineseHarm-bench" not in by_source and "S-Eval" not in by_source and "Weibo21" not in by_source
    trained = {n for n in READERS if table[n]["build"] in ("default", "research")}
    assert {r["source"] for r in research} == trained  # every trained reader produced rows
    for name in set(READERS) - trained:  # unlabelled sources are read, never trained on
        assert next(iter(READERS[name](SHARED))).text
    for r in research[:: max(1, len(research) // 5000)]:
        assert r["text"].strip() and r["lang"] in ("zh", "en") and r["role"] in ("prompt", "response", "content")
        assert all(c in r["known"] for c in r["labels"])
        assert all(c.count(".") == 2 for c in r["labels"])
    rows, stats = deduplicate(default)
    keys = [normalise(r["text"]) for r in rows]
    assert len(keys) == len(set(keys)) and stats["after_dedup"] < stats["rows_read"]
    chi = load_chisafety(SHARED)
    assert len(chi) > 500 and all(r["labels"][0].startswith(("A.1", "A.2")) for r in chi)


def _row(text, source="S", labels=(), group="", origin="", external=False):
    return {"text": text, "lang": "en", "role": "content", "labels": list(labels), "known": [], "source": source,
            "licence": "x", "build": "default", "origin_split": origin, "group": group, "detail": "",
            "external": external}


def test_groups_never_cross_splits():
    from build_data import group_and_split

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(400)]
    rows = []
    for g in range(60):  # 60 source groups of 5 rows (a question with its answers)
        for _ in range(5):
            rows.append(_row(" ".join(rng.choice(words, 12)), labels=["A.1.8"] if g % 2 else [], group=f"q{g}"))
    for _ in range(40):  # 40 near-duplicate pairs with no group key: one word changed
        base = list(rng.choice(words, 15))
        rows.append(_row(" ".join(base)))
        rows.append(_row(" ".join([*base[:-1], "changed"])))
    rows.append(_row("the suite sentence about a grey cat sitting on the old mat", source="XSTest", external=True))
    rows.append(_row("the suite sentence about a grey cat sitting on the old mat!!"))  # its duplicate: dropped
    rows.append(_row("a row from the source's own test split", origin="test", group="own"))
    rows.append(_row("another row of the source's own test split", origin="test", group="own"))
    rows.append(_row("a row of that group without an origin", group="own"))  # goes with its group's majority
    rows.append(_row("a single validation row in a group of five", origin="dev", group="q1"))  # does not drag q1
    kept, _ = group_and_split(rows)
    split_of: dict[str, set[str]] = {}
    for r in kept:
        split_of.setdefault(r["group"], set()).add(r["split"])
    assert all(len(s) == 1 for s in split_of.values())  # no group in two splits
    by_text = {r["text"]: r for r in kept}
    for i in range(40):
        a, b = kept[300 + 2 * i], kept[301 + 2 * i]
        assert a["group"] == b["group"] and a["split"] == b["split"]  # near-duplicates merged into one group
    assert by_text["the suite sentence about a grey cat sitting on the old mat"]["split"] == "xstest"
    assert by_text["the suite sentence about a grey cat sitting on the old mat!!"]["split"] == "dropped"
    assert {r["split"] for r in kept if r["group"] == by_text["a row from the source's own test split"]["group"]} \
        == {"test"}
    q1 = by_text["a single validation row in a group of five"]["group"]
    assert len({r["split"] for r in kept if r["group"] == q1}) == 1  # the group stays whole wherever it goes
    splits = [r["split"] for r in kept if r["split"] in ("train", "dev", "test")]
    assert 0.05 < splits.count("test") / len(splits) < 0.2 and 0.05 < splits.count("dev") / len(splits) < 0.2


def test_symbol_only_texts_are_kept_by_deduplication():
    from build_data import deduplicate

    rows, stats = deduplicate([_row("😊"), _row(" 😊 "), _row("🎉🎉"), _row("!!!")])
    assert sorted(r["text"].strip() for r in rows) == ["!!!", "🎉🎉", "😊"] and stats["after_dedup"] == 3


def test_near_duplicate_search_is_exact():
    import neardup

    rng = np.random.default_rng(1)
    texts = ["".join(rng.choice(list("abcdefgh"), 12)) for _ in range(300)]
    brute = sorted((i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
                   if (lambda a, b: len(a & b) / len(a | b))(neardup.shingles(texts[i]), neardup.shingles(texts[j]))
                   >= neardup.THRESHOLD)
    assert [(i, j) for i, j, _ in neardup.pairs(texts)] == brute
    queries = ["河南是中国人口最多的省份之一，位于黄河中下游。", "完全无关的一句话"]
    assert neardup.share_with_duplicate(queries, ["河南是中国人口最多的省份之一，位于黄河中下游地区。"]) == 0.5


@pytest.mark.skipif(not (SHARED / "SOURCES.md").exists(), reason="shared data folder not present")
def test_real_data_splits_do_not_leak():
    """Group-rich sources (one question answered by six models; a prompt and its translation): after the build, at
    most 1 % of test rows have a near-duplicate in train, measured by an exact search independent of the grouping."""
    import neardup
    from build_data import build

    ds, _, stats = build(SHARED, sources=["Do-Not-Answer", "MultiJail"], suites=False)
    train, test = ds["train"]["text"], ds["test"]["text"]
    assert len(test) > 200
    assert stats["leakage"]["test"]["share"] <= 0.01
    assert neardup.share_with_duplicate(test[:100], train) <= 0.01  # the audit's figure, re-measured on a sample
    groups = {s: set(ds[s]["group"]) for s in ("train", "dev", "test")}
    assert not (groups["train"] & groups["test"]) and not (groups["train"] & groups["dev"])


def test_notebook_runs_on_tiny_data(tmp_path, monkeypatch):
    """Execute every code cell of notebooks/retrain_on_your_csv.ipynb in order, as a kernel would (tiny mode)."""
    nb = json.loads((ROOT / "notebooks" / "retrain_on_your_csv.ipynb").read_text())
    monkeypatch.setenv("GENSAFE_NOTEBOOK_TINY", "1")
    monkeypatch.setenv("GENSAFE_NOTEBOOK_OUT", str(tmp_path / "nb"))
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__main__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "notebook", "exec"), namespace)
    assert (tmp_path / "nb" / "model" / "manifest.json").exists()


def test_average_checkpoints(tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    from average_checkpoints import average

    for i, (run, step) in enumerate((("a", 10), ("b", 20))):
        ckpt = tmp_path / run / "checkpoint"
        ckpt.mkdir(parents=True)
        save_file({"w": torch.full((2, 2), float(i)), "ids": torch.arange(3)}, str(ckpt / "model.safetensors"))
        save_file({"0.exp_avg": torch.full((2,), float(step))}, str(ckpt / "optimizer.safetensors"))
        (ckpt / "state.json").write_text(json.dumps({"step": step, "labels": ["A.1.6"], "total_steps": step}))
    ckpt = average([tmp_path / "a", tmp_path / "b"], tmp_path / "soup")
    mean = load_file(str(ckpt / "model.safetensors"))
    assert torch.equal(mean["w"], torch.full((2, 2), 0.5)) and torch.equal(mean["ids"], torch.arange(3))
    state = json.loads((ckpt / "state.json").read_text())
    assert state["step"] == 20 and len(state["averaged_from"]) == 2  # resumes as the newest run: nothing left to train
    assert load_file(str(ckpt / "optimizer.safetensors"))["0.exp_avg"][0] == 20
    # the selected weights (best/) of each run: the soup carries no selection log, so the export keeps the average
    for i, run in enumerate("ab"):
        (tmp_path / run / "best").mkdir()
        save_file({"w": torch.full((2, 2), 2.0 + 2 * i), "ids": torch.arange(3)}, str(tmp_path / run / "best" /
                                                                                    "model.safetensors"))
        (tmp_path / run / "best" / "selection.json").write_text(json.dumps({"step": 5 + i}))
    (tmp_path / "b" / "checkpoint" / "state.json").write_text(json.dumps(
        {"step": 20, "labels": ["A.1.6"], "total_steps": 20, "selection_log": [{"step": 6, "selection": 0.9}]}))
    best = average([tmp_path / "a", tmp_path / "b"], tmp_path / "soup-best", "best")
    assert torch.equal(load_file(str(best / "model.safetensors"))["w"], torch.full((2, 2), 3.0))
    state = json.loads((best / "state.json").read_text())
    assert state["selection_log"] == [] and state["averaged_steps"] == [5, 6] and state["step"] == 20
    # --state-from: the soup exports under the chosen run's config and build, not the longest run's
    chosen = average([tmp_path / "a", tmp_path / "b"], tmp_path / "soup-a", "best", state_from=tmp_path / "a")
    assert json.loads((chosen / "state.json").read_text())["step"] == 10
    assert load_file(str(chosen / "optimizer.safetensors"))["0.exp_avg"][0] == 10
    with pytest.raises(SystemExit, match="not one of the averaged runs"):
        average([tmp_path / "a", tmp_path / "b"], tmp_path / "soup-x", "best", state_from=tmp_path / "x")
    # RUN:checkpoint beside the others' best/ (an earlier soup has no best/ of its own)
    mixed = average([f"{tmp_path / 'a'}:checkpoint", tmp_path / "b"], tmp_path / "soup-mixed", "best",
                    state_from=tmp_path / "b")
    assert torch.equal(load_file(str(mixed / "model.safetensors"))["w"], torch.full((2, 2), 2.0))  # (0 + 4) / 2
    state = json.loads((mixed / "state.json").read_text())
    assert state["averaged_steps"] == [10, 6] and state["averaged_from"][0].endswith("a/checkpoint")
    with pytest.raises(SystemExit, match="missing"):
        average([tmp_path / "a", f"{tmp_path / 'soup'}:best"], tmp_path / "soup-y")
    (tmp_path / "b" / "checkpoint" / "state.json").write_text(json.dumps({"step": 20, "labels": ["A.2.4"]}))
    with pytest.raises(SystemExit, match="different labels"):
        average([tmp_path / "a", tmp_path / "b"], tmp_path / "bad")


def test_measure_lengths(tmp_path, tiny_base):
    from datasets import Dataset, DatasetDict

    from measure_lengths import measure

    texts = ["今天天气很好", "How do I kill a Python process? " * 20]
    DatasetDict({"train": Dataset.from_dict({"text": texts, "lang": ["zh", "en"], "role": ["prompt", "response"]})}
                ).save_to_disk(str(tmp_path / "data"))
    groups = measure(tmp_path / "data", tiny_base)["groups"]
    assert groups["all"]["n"] == 2 and groups["zh/prompt"]["fits_64"] == 1.0
    assert groups["en/response"]["fits_64"] == 0.0 and groups["en/response"]["p50"] > 64  # not truncated


def test_compare_at_flag_rate_sets_the_threshold_on_the_safe_rows():
    from compare_at_flag_rate import at_flag_rate

    p = np.array([0.1, 0.2, 0.3, 0.4, 0.35, 0.9, 0.05])
    unsafe = np.array([0, 0, 0, 0, 1, 1, 1], dtype=bool)
    f1, recall = at_flag_rate(p, unsafe, 0.25)  # above the 2nd-highest safe score (0.3): 0.4 (safe), 0.35, 0.9
    assert recall == pytest.approx(2 / 3) and f1 == pytest.approx(2 / 3)
    assert at_flag_rate(p, unsafe, 0.0) == (pytest.approx(0.5), pytest.approx(1 / 3))  # above every safe score: 0.9
    assert at_flag_rate(p, unsafe, 1.0)[1] == 1.0  # everything flagged


def test_a_one_class_suite_is_compared_at_a_rate_set_on_benign_texts():
    from compare_at_flag_rate import suite_recall_at_rates

    benign = np.array([0.1, 0.2, 0.3, 0.4])
    suite = np.array([0.35, 0.25, 0.5, 0.45])
    got = suite_recall_at_rates(benign, suite, ["a", "b", "b", "a"], [0.0, 0.25, 0.5, 1.0])
    assert got[0.0] == {"all": 0.5, "a": 0.5, "b": 0.5}  # above every benign score (0.4): 0.5 and 0.45
    assert got[0.25] == {"all": 0.75, "a": 1.0, "b": 0.5}  # above 0.3, flagging one benign text of four
    assert got[0.5]["all"] == 1.0 and got[1.0]["all"] == 1.0
    # a model that scores everything high has no edge once the rate is matched: recall follows the rate
    flat = suite_recall_at_rates(np.full(4, 0.9), np.full(4, 0.9), ["a"] * 4, [0.25])
    assert flat[0.25]["all"] == 0.0


def test_a_model_folder_unpacks_into_a_run_that_starts_from_it(tmp_path, tiny_base, tiny_data):
    """unpack_model.py reads a folder's own graph back into a base encoder folder and a checkpoint; a run started
    from them that learns nothing (lr 0) exports a model scoring as the original does."""
    from unpack_model import main as unpack

    v2 = ("architecture=harm-risk", "freeze_layers=1", "length_buckets=true", "layers=all")
    first = _train(tiny_data, tiny_base, tmp_path / "first", "max_steps=6", *v2)
    unpacked = tmp_path / "unpacked"
    assert unpack(["--model", str(first), "--out", str(unpacked)]) == 0
    record = json.loads((unpacked / "gensafe_base.json").read_text())
    assert record["unpacked_from"]["model"] == gensafe.load(first).name
    again = _train(tiny_data, unpacked, tmp_path / "again", "max_steps=1", "lr=0", "head_lr=0",
                   f"init_from={unpacked}", *v2)
    texts = ZH_BAD + ZH_OK + EN_BAD + EN_OK
    before = gensafe.load(first, device="cpu", precision="fp32").predict(texts).scores
    after = gensafe.load(again, device="cpu", precision="fp32").predict(texts).scores
    assert np.abs(before - after).max() < 1e-3 and before.std() > 0
    from average_checkpoints import average  # an unpacked start averages with a run trained from it (WiSE-FT)

    soup = average([f"{unpacked}:checkpoint", tmp_path / "first"], tmp_path / "soup", state_from=tmp_path / "first")
    assert json.loads((soup / "state.json").read_text())["averaged_steps"] == [None, 6]


def test_harm_risk_with_frozen_cache_trains_selects_and_resumes_exactly(tmp_path, tiny_base, tiny_data, capsys):
    """The v2 recipe on tiny data: harm + risk heads, frozen cached lower layer, length buckets, held-out-source
    selection; every one of the 31 risks scored; the verdict is P(unsafe) at one shared threshold; exact resume."""
    import torch

    v2 = ("architecture=harm-risk", "freeze_layers=1", "length_buckets=true", 'select_sources=["COLDataset"]',
          "select_every=10", "select_rows=50", "layers=all")
    out = tmp_path / "v2"
    assert _train(tiny_data, tiny_base, out, "max_steps=30", "pause_after=10", *v2) is None
    assert _train(tiny_data, tiny_base, out, "max_steps=30", *v2) == out / "model"
    printed = capsys.readouterr().out
    assert "resumed from step 10 of 30" in printed and printed.count("selection: ") == 3
    clf = gensafe.load(out / "model", device="cpu")
    m = clf.manifest
    assert set(clf.labels) == set(RISK_CODES) and m.provenance["architecture"] == "harm-risk"
    assert "COLDataset" not in {d["name"] for d in m.provenance["datasets"]}  # the held-out selection source
    selection = m.provenance["selection"]
    assert [e["step"] for e in selection["log"]] == [10, 20, 30]
    assert selection["selected"]["selection"] == max(e["selection"] for e in selection["log"])
    for point in m.thresholds.values():  # one threshold on P(unsafe) shared by every risk
        assert len(set(point.values())) == 1
    r = clf.predict(ZH_BAD + ZH_OK)
    # the top risk's score is P(unsafe): flagged exactly when it reaches the shared threshold
    assert np.array_equal(r.flagged, r.scores.max(axis=1) >= clf.thresholds[0])

    # exact resume: the same weights whether or not the run stopped
    straight = tmp_path / "straight"
    stopped = tmp_path / "stopped"
    assert _train(tiny_data, tiny_base, straight, "max_steps=12", "pause_after=11", *v2) is None
    assert _train(tiny_data, tiny_base, stopped, "max_steps=12", "pause_after=4", *v2) is None
    assert _train(tiny_data, tiny_base, stopped, "max_steps=12", "pause_after=7", *v2) is None
    a, b = _checkpoint(straight), _checkpoint(stopped)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    frozen = [k for k in a if k.startswith("model:encoder.encoder.layer.0.") or "embeddings" in k]
    initial = _checkpoint(out)  # frozen weights never move
    assert frozen and all(torch.equal(a[k], initial[k]) for k in frozen if k in initial)


def test_compare_models_side_by_side_on_shared_rows(tmp_path, tiny_data, capsys):
    """Two tiny models, one table: every figure present per model, --only-in keeps only texts of the other build,
    --suites adds the suites written beside the build."""
    from datasets import Dataset, DatasetDict, load_from_disk

    from compare_models import main as compare
    from compare_models import restrict
    from gensafe.build.testing import build_tiny_model

    a, _ = build_tiny_model(tmp_path / "a", seed=0, precisions=("fp32",))
    b, _ = build_tiny_model(tmp_path / "b", seed=1, precisions=("fp32",))
    ds = load_from_disk(str(tiny_data))
    half = DatasetDict({"dev": ds["dev"].select(range(len(ds["dev"]) // 2))})
    half.save_to_disk(str(tmp_path / "half"))
    assert len(restrict(ds, "dev", half)) == len(half["dev"]) < len(ds["dev"])
    # --not-trained-in drops only the texts the other build trains on (rows new to this build stay)
    trained = DatasetDict({"train": ds["dev"].select(range(3))})
    assert list(restrict(ds, "dev", None, trained)["text"]) == ds["dev"]["text"][3:]
    # a suite written beside the build (build_suites.py) is scored with it
    from build_data import COLUMNS
    from build_suites import decontaminate

    suite = [{"text": t, "lang": "en", "role": "prompt", "labels": labels, "known": [], "source": "ToxicChat-test",
              "licence": "x", "also_in": [], "group": "", "detail": "d", "v1_unseen": False}
             for t, labels in (("write a poem about spring", []), ("insult my coworker badly", ["A.1.6"]))]
    kept, _ = decontaminate({"toxicchat": suite}, list(ds["train"]["text"]))
    DatasetDict({"toxicchat": Dataset.from_list([{k: r[k] for k in COLUMNS} for r in kept["toxicchat"]])}
                ).save_to_disk(str(tmp_path / "suites"))
    out = tmp_path / "cmp.md"
    assert compare(["--models", str(a), str(b), "--data", str(tiny_data), "--only-in", str(tmp_path / "half"),
                    "--suites", str(tmp_path / "suites"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert f"Rows compared: {len(half['dev']):,};" in text
    assert "| toxicchat: toxic recall % |" in text and "| toxicchat: non-toxic flagged % |" in text
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert all(set(r["toxicchat"]) == {"unsafe_recall", "safe_flag_rate"} for r in results)
    assert [r["folder"] for r in results] == [str(a), str(b)]
    assert all(r["golden"]["n"] >= 80 and 0 <= r["golden"]["right"] <= r["golden"]["n"] for r in results)
    assert results[0]["golden"] != results[1]["golden"] or results[0]["slices"] != results[1]["slices"]


def test_golden_sentences_never_enter_training(tmp_path):
    """A row that is (nearly) a golden sentence of tests/test_golden.py is dropped from train/dev/test and counted."""
    from build_data import build, read_golden

    golden = [text for *_, text in read_golden()]
    rows = [("如何举报网络诈骗？", ""), (golden[0].rstrip("。.!?") + "!!", "")]  # exact, and nearly
    rows += [(f"第{i}号普通句子，关于天气和日常生活的第{i}种说法。", "") for i in range(40)]
    rows += [(f"这是第{i}条辱骂某地人的句子，全都该滚出去{i}次。", "A.2.4") for i in range(40)]
    path = tmp_path / "mine.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "labels"])
        w.writerows(rows)
    ds, card, stats = build(None, csv_files=[str(path)])
    kept = {t for s in ("train", "dev", "test") for t in ds[s]["text"]}
    assert "如何举报网络诈骗？" in golden and "如何举报网络诈骗？" not in kept and rows[1][0] not in kept
    assert stats["dropped_golden_duplicates"] == 2 and "dropped" not in ds
    assert "golden sentence" in card


def test_authored_folder_can_be_replaced_and_is_never_silently_empty(tmp_path, monkeypatch):
    from sources import read_authored

    item = {"text": "我们单位一半是女同事。", "lang": "zh", "label": "benign", "risk": "A.2.5", "role": "content",
            "form": "neutral-mention", "group": "mine.g1"}
    (tmp_path / "mine.zh.jsonl").write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    monkeypatch.setenv("GENSAFE_AUTHORED", str(tmp_path))
    assert [(r.text, r.key, r.group) for r in read_authored(tmp_path)] == [(item["text"], "benign", "mine.g1")]
    monkeypatch.setenv("GENSAFE_AUTHORED", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match="GENSAFE_AUTHORED="):
        list(read_authored(tmp_path))


def test_hard_negatives_fill_capped_safe_strata_from_a_models_scores(tmp_path, tiny_base, tiny_data, capsys):
    """hard_negatives.py scores exactly the safe training rows train.py would draw from (strata over the cap); the
    run fills each such stratum's hard share from the top of that list (with the project's labels: only rows judged
    benign); a file mined for another cap is refused rather than silently ranking part of a stratum."""
    from datasets import load_from_disk

    from gensafe.build.testing import build_tiny_model
    from hard_negatives import candidates, choose_safe_rows, read_judged, read_mined
    from hard_negatives import main as mine
    from sources import text_key

    model, _ = build_tiny_model(tmp_path / "m", seed=0, precisions=("fp32",))
    mined = tmp_path / "mined.jsonl"
    mine(["--model", str(model), "--data", str(tiny_data), "--out", str(mined), "--cap", "20"])
    scores = read_mined(mined)
    train = list(load_from_disk(str(tiny_data))["train"])
    expected = {text_key(r["text"]) for r in candidates(train, 20, {"gensafe-authored"})}
    assert scores.keys() == expected and len(expected) > 20
    assert all(not r["labels"] for r in train if text_key(r["text"]) in expected)

    # the hard share comes from the top; the rest keeps the shuffled order (distinct made-up scores: a random tiny
    # model scores these near-identical texts alike)
    stratum = [r for r in train if text_key(r["text"]) in expected and r["source"] == "LawRefBook-Laws"]
    made_up = {text_key(r["text"]): (7 * i % len(stratum)) / len(stratum) for i, r in enumerate(stratum)}
    ranked = sorted(stratum, key=lambda r: -made_up[text_key(r["text"])])
    kept, hard, left_out = choose_safe_rows(stratum, 6, made_up, share=0.5)
    assert len(kept) == 6 and kept[:3] == ranked[:3] and (hard, left_out) == (3, 0)
    assert kept[3:] == [r for r in stratum if r not in ranked[:3]][:3]
    # with the project's labels: only rows judged benign are hard; rows judged harmful or disputed are never taken
    judged_file = tmp_path / "judged.jsonl"
    verdicts = {0: (1, 1, 1), 1: (0, 1, None), 2: (0, 0, 0), 3: (0, 0, 0), 4: (0, 0, 0)}  # rank -> a, b, agreed
    judged_file.write_text("".join(json.dumps({"key": text_key(ranked[i]["text"]), "harmful_alone": v[2],
                                               "pass_a": v[0], "pass_b": v[1]}) + "\n"
                                   for i, v in verdicts.items()), encoding="utf-8")
    kept, hard, left_out = choose_safe_rows(stratum, 6, made_up, share=0.5, judged=read_judged(judged_file))
    assert kept[:3] == ranked[2:5] and ranked[0] not in kept and ranked[1] not in kept and (hard, left_out) == (3, 2)
    assert kept[3:] == [r for r in stratum if r not in ranked[:5]][:3]
    # a stratum the labels do not cover (another source) takes its top rows as they are
    other = {"0123456789abcdef": "harmful"}
    assert choose_safe_rows(stratum, 6, made_up, share=0.5, judged=other) == choose_safe_rows(stratum, 6, made_up, 0.5)

    # the v7 recipe's shape: harm-risk with held-out-source selection beside the hard negatives
    assert _train(tiny_data, tiny_base, tmp_path / "run", "max_steps=2", "max_per_group=20",
                  f"hard_negatives={mined}", f"hard_negative_labels={judged_file}", "architecture=harm-risk",
                  'select_sources=["COLDataset"]', "select_every=2", "select_rows=50", "layers=all",
                  "checkpoint_every=2") == tmp_path / "run" / "model"
    # two over-cap safe strata at a cap of 20: LawRefBook's (32 rows, covered by the labels) takes its 3 rows judged
    # benign as hard negatives and leaves out the 2 judged harmful or disputed; HaluEval's (24 rows, not covered)
    # takes its top 10
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("hard negatives:")]
    assert printed and printed[0].startswith("hard negatives: 13 top-scored safe rows taken; 2 rows judged harmful"), \
        printed
    with pytest.raises(SystemExit, match="hard_negative_labels needs hard_negatives"):
        _train(tiny_data, tiny_base, tmp_path / "bad", "max_steps=2", f"hard_negative_labels={judged_file}")
    with pytest.raises(SystemExit, match="between 0 and 1"):
        _train(tiny_data, tiny_base, tmp_path / "bad", "max_steps=2", "hard_negative_share=1.5")
    with pytest.raises(ValueError, match="mined on another build or cap"):
        _train(tiny_data, tiny_base, tmp_path / "run10", "max_steps=2", "max_per_group=10", f"hard_negatives={mined}")


def test_threshold_sweep_reports_what_each_threshold_would_flag(tmp_path, tiny_data, capsys):
    """threshold_sweep.py: at a model's own default threshold its rows equal the model's verdicts; a model whose
    risks have different thresholds (no single score decides the verdict) is refused."""
    import numpy as np
    from datasets import load_from_disk

    import gensafe
    from gensafe.build.testing import build_tiny_model
    from gensafe.manifest import ModelManifest
    from threshold_sweep import f1_and_flagged, sweep, verdict_scores
    from threshold_sweep import main as sweep_main

    folder, _ = build_tiny_model(tmp_path / "m", seed=3, precisions=("fp32",))
    with pytest.raises(SystemExit):  # the tiny model's risks have thresholds of their own
        sweep_main(["--model", str(folder), "--data", str(tiny_data), "--thresholds", "0.5"])
    ds = load_from_disk(str(tiny_data))
    rows = ds["dev"]
    t = float(np.median(verdict_scores(gensafe.load(folder, device="cpu"), list(rows["text"]))))
    manifest = ModelManifest.read(folder)  # one threshold on every risk, as harm-risk models ship
    manifest.thresholds = {point: {c: t for c in th} for point, th in manifest.thresholds.items()}
    manifest.write(folder)
    clf = gensafe.load(folder, device="cpu")
    flagged = np.asarray(clf.predict(list(rows["text"])).model_flagged)
    unsafe = np.array([bool(x) for x in rows["labels"]])
    en = np.array(rows["lang"]) == "en"
    tp, fp = int((flagged & unsafe & en).sum()), int((flagged & ~unsafe & en).sum())
    fn = int((~flagged & unsafe & en).sum())
    safe_en = max(int((~unsafe & en).sum()), 1)
    expect = f"{round(100 * 2 * tp / max(2 * tp + fp + fn, 1), 1)} / {round(100 * fp / safe_en, 1)}"
    assert 0 < flagged.sum() < len(flagged)
    lines = sweep(clf, ds, rows, [t, 0.999999])
    assert lines[2].split(" | ")[2] == expect
    assert f1_and_flagged(np.array([True, False]), np.array([0.9, 0.95]), 0.999) == (0.0, 0.0)
    assert sweep_main(["--model", str(folder), "--data", str(tiny_data), "--thresholds", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "| 0.500 |" in out and f"| {t:.3f} ({', '.join(manifest.thresholds)}) |" in out


def test_selection_without_a_cache_scores_without_gradients(tmp_path, tiny_base, tiny_data, capsys, monkeypatch):
    """freeze_layers = 0 with held-out-source selection: the selection scoring runs under no_grad (it once kept the
    autograd graph of every scored window and was killed for memory at the first selection of a real run)."""
    import torch

    import train

    grad_during_scoring = []
    real = train.max_over_windows

    def spy(*args, **kwargs):
        if kwargs.get("batch_size"):  # the selection call (the training call passes no batch size)
            grad_during_scoring.append(torch.is_grad_enabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "max_over_windows", spy)
    args = ("architecture=harm-risk", "freeze_layers=0", 'select_sources=["COLDataset"]', "select_every=5",
            "select_rows=30", "layers=all", "max_steps=5")
    assert _train(tiny_data, tiny_base, tmp_path / "run", *args) == tmp_path / "run" / "model"
    assert grad_during_scoring and not any(grad_during_scoring)


def test_weight_average_follows_the_weights_and_swaps_back():
    """The moving average moves towards each step's weights by 1 - decay(step), covers only trainable parameters and
    leaves the raw weights in place after the block that uses it, also when the block raises."""
    import torch

    from ema import WeightAverage

    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 1))
    model[0].requires_grad_(False)  # frozen: never averaged
    average = WeightAverage(model, decay=0.99)
    assert set(average.shadow) == {"1.weight", "1.bias"}
    start = model[1].weight.detach().clone()
    with torch.no_grad():
        model[1].weight.add_(1.0)
    average.update(model, step=1)
    assert average.decay_at(1) == pytest.approx(2 / 11) and average.decay_at(10_000) == 0.99
    assert torch.allclose(average.shadow["1.weight"], start + (1 - 2 / 11))
    raw = model[1].weight.detach().clone()
    with pytest.raises(RuntimeError), average.swapped_in(model):
        assert torch.allclose(model[1].weight, average.shadow["1.weight"])
        raise RuntimeError("scoring failed")
    assert torch.equal(model[1].weight, raw)
    with pytest.raises(ValueError, match="does not match"):
        average.load_state_dict({"0.weight": torch.zeros(3, 3)})
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(model, decay=1.0)


def test_ema_run_selects_and_exports_the_average_and_resumes_exactly(tmp_path, tiny_base, tiny_data, capsys):
    """ema_decay: the kept (best/) weights are the moving average at the selected step, not the raw weights; the
    average travels with each checkpoint so a stopped and resumed run ends with the same average; a checkpoint
    without one is refused."""
    import torch
    from safetensors.torch import load_file

    ema = ("architecture=harm-risk", "freeze_layers=1", "length_buckets=true", 'select_sources=["COLDataset"]',
           "select_every=8", "select_rows=50", "layers=all", "ema_decay=0.9")
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert _train(tiny_data, tiny_base, straight, "max_steps=8", *ema) == straight / "model"
    assert _train(tiny_data, tiny_base, stopped, "max_steps=8", "pause_after=3", *ema) is None
    assert _train(tiny_data, tiny_base, stopped, "max_steps=8", *ema) == stopped / "model"
    assert "resumed from step 3 of 8" in capsys.readouterr().out
    for name in ("ema", "model", "optimizer"):
        a, b = (load_file(str(run / "checkpoint" / f"{name}.safetensors")) for run in (straight, stopped))
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), name
    average = load_file(str(straight / "checkpoint" / "ema.safetensors"))
    raw = load_file(str(straight / "checkpoint" / "model.safetensors"))
    best = load_file(str(straight / "best" / "model.safetensors"))  # kept at step 8, the one selection
    assert json.loads((straight / "best" / "selection.json").read_text())["step"] == 8
    moved = [k for k in average if not torch.equal(average[k], raw[k])]
    assert moved  # the average is not the last step's weights ...
    assert all(torch.equal(best[k], average[k]) for k in average)  # ... and it is what was kept and exported
    frozen = [k for k in raw if k not in average]
    assert frozen and all(torch.equal(best[k], raw[k]) for k in frozen)

    # a checkpoint written without the average cannot continue a run that keeps one
    plain = tmp_path / "plain"
    v2 = [a for a in ema if not a.startswith("ema_decay")]
    assert _train(tiny_data, tiny_base, plain, "max_steps=8", "pause_after=2", *v2) is None
    state_file = plain / "checkpoint" / "state.json"
    state = json.loads(state_file.read_text())
    state["config"]["ema_decay"] = 0.9
    state_file.write_text(json.dumps(state))
    with pytest.raises(SystemExit, match="no ema.safetensors"):
        _train(tiny_data, tiny_base, plain, "max_steps=8", *ema)
