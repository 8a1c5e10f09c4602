"""Debiased training (a product of experts with a bag-of-n-grams model): training/bias_logits.py writes the expert's
out-of-fold logits, train.py adds them to the harm logit in the loss and exports the encoder alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from test_training import _checkpoint, _train, tiny_base, tiny_data  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

HARM_RISK = ("architecture=harm-risk", "freeze_layers=1", "length_buckets=true", "layers=all")


@pytest.fixture(scope="module")
def expert(tiny_data, tmp_path_factory):  # noqa: F811
    """The n-gram expert's out-of-fold logits for the tiny build (written once)."""
    from bias_logits import main

    out = tmp_path_factory.mktemp("bias") / "tiny.jsonl"
    assert main(["--data", str(tiny_data), "--out", str(out), "--folds", "2", "--min-df", "1"]) == 0
    return out


def test_every_training_text_gets_an_out_of_fold_logit(tiny_data, expert):  # noqa: F811
    from datasets import load_from_disk

    from bias_logits import fold_of, out_of_fold, read_bias_logits
    from sources import text_key

    train = load_from_disk(str(tiny_data))["train"]
    logits = read_bias_logits(expert)
    assert set(logits) == {text_key(t) for t in train["text"]}
    summary = json.loads(expert.with_suffix(".json").read_text())
    assert summary["rows"] == len(train) and summary["texts"] == len(logits) and summary["folds"] == 2
    # out of fold: a row's logit comes from the model fitted on the other fold, so changing the labels of its own
    # fold leaves it unchanged while changing the labels of the other fold moves it
    texts, groups = train["text"], train["group"]
    unsafe = np.array([bool(x) for x in train["labels"]])
    fold = np.array([fold_of(g, 2) for g in groups])
    assert set(fold.tolist()) == {0, 1}
    base = out_of_fold(texts, unsafe, groups, 2, 4.0, 1)
    flipped_own = unsafe.copy()
    flipped_own[fold == 0] = ~flipped_own[fold == 0]
    moved = out_of_fold(texts, flipped_own, groups, 2, 4.0, 1)
    assert not np.allclose(moved[fold == 1], base[fold == 1])  # fold 1 was scored by a fit on fold 0's labels
    assert np.allclose(moved[fold == 0], base[fold == 0], atol=1e-6)  # fold 0's own labels never reach its logits
    with pytest.raises(SystemExit):
        from bias_logits import main

        main(["--data", str(tiny_data), "--out", str(expert.with_name("x.jsonl")), "--folds", "1"])


def test_read_bias_logits_names_a_bad_line(tmp_path):
    from bias_logits import read_bias_logits

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"sha": "a", "logit": 1.0}\n{"sha": "b"}\n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        read_bias_logits(bad)


def test_a_perfect_expert_leaves_the_harm_head_nothing_to_learn(tmp_path, tiny_data, tiny_base):  # noqa: F811
    """With the expert confidently right on every row and no risk loss, the harm loss has (almost) no gradient:
    the harm head stays where it started, while the same run without the expert moves it."""
    import torch
    from datasets import load_from_disk

    from sources import text_key

    train = load_from_disk(str(tiny_data))["train"]
    perfect = tmp_path / "perfect.jsonl"
    perfect.write_text("".join(json.dumps({"sha": text_key(r["text"]), "logit": 30.0 if r["labels"] else -30.0})
                               + "\n" for r in train))
    common = ("max_steps=6", "pause_after=5", "risk_loss_weight=0", "weight_decay=0", *HARM_RISK)
    _train(tiny_data, tiny_base, tmp_path / "start", "max_steps=6", "pause_after=1", "risk_loss_weight=0",
           "weight_decay=0", "lr=0", "head_lr=0", *HARM_RISK)
    _train(tiny_data, tiny_base, tmp_path / "plain", *common)
    _train(tiny_data, tiny_base, tmp_path / "poe", *common, f"bias_logits={perfect}")
    start, plain, poe = (_checkpoint(tmp_path / n) for n in ("start", "plain", "poe"))
    harm = [k for k in start if k.startswith("model:harm.")]
    assert harm
    assert all(torch.allclose(poe[k], start[k], atol=1e-5) for k in harm)
    assert any(not torch.allclose(plain[k], start[k], atol=1e-3) for k in harm)


def test_bias_logits_are_checked_and_pinned_by_a_resume(tmp_path, tiny_data, tiny_base, expert):  # noqa: F811
    run = tmp_path / "run"
    args = ("max_steps=6", *HARM_RISK, f"bias_logits={expert}", "bias_weight=0.5")
    assert _train(tiny_data, tiny_base, run, *args, "pause_after=3") is None
    # the file is part of the data fingerprint: an edited file is not resumed
    edited = tmp_path / "edited.jsonl"
    lines = [json.loads(x) for x in expert.read_text().splitlines()]
    lines[0]["logit"] += 1.0
    edited.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with pytest.raises(SystemExit, match="bias_logits"):  # another path: a setting that changes training
        _train(tiny_data, tiny_base, run, "max_steps=6", *HARM_RISK, f"bias_logits={edited}", "bias_weight=0.5")
    original = expert.read_text()
    try:
        expert.write_text(edited.read_text())
        with pytest.raises(SystemExit, match="training rows or labels do not"):
            _train(tiny_data, tiny_base, run, *args)
    finally:
        expert.write_text(original)
    # resumed with the same file, it finishes and exports the encoder alone (no expert at inference)
    assert _train(tiny_data, tiny_base, run, *args) == run / "model"
    # a file written for other rows is refused, naming how many rows lack a logit
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(expert.read_text().splitlines(keepends=True)[1:]))
    with pytest.raises(SystemExit, match=r"has no logit for \d+ of the"):
        _train(tiny_data, tiny_base, tmp_path / "other", "max_steps=2", *HARM_RISK, f"bias_logits={partial}")
    with pytest.raises(SystemExit, match=r"bias_logits=.*nothing\.jsonl.*training/bias_logits\.py"):
        _train(tiny_data, tiny_base, tmp_path / "none", "max_steps=2", *HARM_RISK,
               f"bias_logits={tmp_path / 'nothing.jsonl'}")
    with pytest.raises(SystemExit, match="bias_logits needs architecture=harm-risk"):
        _train(tiny_data, tiny_base, tmp_path / "mp", "max_steps=2", f"bias_logits={expert}")
