"""The project's authored data: every shipped item is valid, and the quality-control round trip works."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import authored  # noqa: E402


def test_every_authored_item_is_valid():
    items = authored.load()
    assert items, "no authored data"
    bad = [(i["file"], i["line"], p) for i in items for p in authored.problems(i)]
    assert not bad, bad[:10]
    for i in items:  # a file holds one risk (or trivial items, or one contrast theme's risks) in one language
        stem = i["file"].removesuffix(".jsonl")
        risk, lang = stem.rsplit(".", 1)
        assert i["lang"] == lang, i
        if risk.startswith("contrast-"):
            assert i["risk"] != "none" or i["label"] == "benign", i
        else:
            assert i["risk"] == risk or (risk == "trivial" and i["risk"] == "none"), i


def test_authored_rows_enter_the_build_with_their_groups():
    from sources import read_authored

    raws = list(read_authored(Path(".")))
    assert len(raws) == len(authored.load())
    assert all(r.group and (r.key == "benign" or r.key.startswith("harmful:A.")) for r in raws)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(authored, "AUTHORED_DIR", tmp_path)
    monkeypatch.setattr(authored, "QC_DIR", tmp_path / "qc")
    rows = [("你们这群人都该滚出这个城市", "harmful"), ("这座城市欢迎来自各地的建设者", "benign"),
            ("Go back to where you came from, all of you", "harmful"), ("Our town welcomes newcomers", "benign")]
    with open(tmp_path / "A.2.4.zh.jsonl", "w", encoding="utf-8") as f:
        for k, (text, label) in enumerate(rows):
            f.write(json.dumps({"text": text, "lang": "zh", "label": label, "risk": "A.2.4", "role": "content",
                                "form": "statement", "group": f"g{k // 2}"}, ensure_ascii=False) + "\n")
    return tmp_path


def test_blind_agree_apply_round_trip(folder, tmp_path):
    assert authored.blind(authored.load(), tmp_path / "blind", batch_size=3) == 2
    blind_rows = [json.loads(line) for p in sorted((tmp_path / "blind").glob("*.jsonl"))
                  for line in p.read_text(encoding="utf-8").splitlines()]
    assert all(set(r) == {"id", "lang", "role", "text"} for r in blind_rows)  # no label reaches the labeller
    (tmp_path / "pass2").mkdir()
    second = tmp_path / "pass2" / "second.jsonl"
    by_text = {i["text"]: i for i in authored.load()}
    with open(second, "w", encoding="utf-8") as f:
        for r in blind_rows:  # the second pass disagrees on one item
            label = "benign" if r["text"].startswith("Go back") else by_text[r["text"]]["label"]
            f.write(json.dumps({"id": r["id"], "label": label, "risk": "A.2.4" if label == "harmful" else "none"}))
            f.write("\n")
    assert authored._agree([second]) == 0
    stats = authored.agreement(authored.load(), authored.second_pass())
    assert stats["labelled"] == 4 and stats["label_agreement"] == 0.75
    disagreements = (folder / "qc" / "disagreements.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(disagreements) == 1 and "Go back" in disagreements[0]
    review = tmp_path / "pass2" / "review.jsonl"
    review.write_text(json.dumps({"id": json.loads(disagreements[0])["id"], "decision": "drop"}) + "\n")
    assert authored._apply(review) == 0
    assert len(authored.load()) == 3 and (folder / "qc" / "review.jsonl").exists()
    card = authored.card(authored.load())
    assert "label agreement" in card and "drop 1" in card


def test_problems_and_near_duplicates():
    good = {"text": "x", "lang": "zh", "label": "benign", "risk": "none", "role": "prompt", "form": "greeting",
            "group": "g"}
    assert authored.problems(good) == []
    assert authored.problems({**good, "label": "harmful"}) == ["risk 'none'"]
    assert authored.problems({**good, "lang": "fr"}) == ["lang 'fr'"]
    assert authored.neardup.pairs(["How do I report a phone scam?", "how do i report a phone scam", "hi"]) == \
        [(0, 1, 1.0)]
