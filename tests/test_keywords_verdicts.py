"""Keyword tiers in verdicts (issue #14): ``both`` needs the same family, evidence hits need the model, a flagged
verdict always names its risks, StreamGuard flags on keyword hits and keeps them."""

from __future__ import annotations

import numpy as np
import pytest

from gensafe.keywords import KeywordHit
from gensafe.result import Result
from gensafe.streaming import StreamGuard

LABELS = ("A.1.6", "A.2.4")
THRESHOLDS = np.array([0.5, 0.5], dtype=np.float32)


def hit(risk: str, tier: str = "flag") -> KeywordHit:
    return KeywordHit(0, 2, "词语", "词语", risk, 2, "term", tier)


def verdict(model: tuple[float, float], hits: tuple, mode: str):
    r = Result(np.array([model], dtype=np.float32), LABELS, THRESHOLDS, keyword_hits=(hits,), keyword_mode=mode)
    v = r[0]
    assert r.flagged[0] == v.flagged  # the batch view and the verdict agree
    if v.flagged:
        assert v.risks  # a flagged verdict always names its risks
    return v


MODEL_A16 = (0.9, 0.1)  # the model flags A.1.6 (family A.1)
MODEL_NONE = (0.1, 0.1)


@pytest.mark.parametrize(("model", "hits", "mode", "flagged", "risks"), [
    # both: a hit in the same family as a model flag; a hit in another family is not enough
    (MODEL_A16, (hit("A.1.8"),), "both", True, ("A.1.6", "A.1.8")),
    (MODEL_A16, (hit("A.2.1"),), "both", False, ("A.1.6",)),
    (MODEL_A16, (hit("A.1.8", "evidence"),), "both", True, ("A.1.6", "A.1.8")),
    (MODEL_NONE, (hit("A.1.8"),), "both", False, ()),
    # either: flag-tier hits flag alone; evidence hits only with the model in their family
    (MODEL_NONE, (hit("A.1.8"),), "either", True, ("A.1.8",)),
    (MODEL_NONE, (hit("A.1.8", "evidence"),), "either", False, ()),
    (MODEL_A16, (hit("A.2.1", "evidence"),), "either", True, ("A.1.6",)),
    (MODEL_A16, (hit("A.1.8", "evidence"),), "either", True, ("A.1.6", "A.1.8")),
    # keywords: only flag-tier hits; a keyword-only risk is named
    (MODEL_NONE, (hit("A.4.2"),), "keywords", True, ("A.4.2",)),
    (MODEL_A16, (hit("A.1.8", "evidence"),), "keywords", False, ("A.1.6",)),
    # domains name no TC260 risk: reported, never flag
    (MODEL_NONE, (hit("domain"),), "either", False, ()),
    (MODEL_NONE, (hit("domain"),), "keywords", False, ()),
    # model: keywords reported only
    (MODEL_NONE, (hit("A.1.8"),), "model", False, ()),
])
def test_keyword_modes_and_tiers(model, hits, mode, flagged, risks):
    v = verdict(model, hits, mode)
    assert (v.flagged, v.risks) == (flagged, risks)
    assert v.keyword_hits == hits  # every hit is reported, whatever it decided


def test_keyword_flagged_counts_flag_tier_only():
    r = Result(np.zeros((3, 2), np.float32), LABELS, THRESHOLDS,
               keyword_hits=((hit("A.1.8"),), (hit("A.1.8", "evidence"),), (hit("domain"),)), keyword_mode="keywords")
    assert r.keyword_flagged.tolist() == [True, False, False] and r.flagged.tolist() == [True, False, False]


class KeywordOnlyClassifier:
    """The model never flags; the keyword tier hits '炸弹' (tier flag)."""

    labels = ("A.1.6",)

    def predict(self, texts, role=None, context=None, policy=None):
        texts = [texts] if isinstance(texts, str) else list(texts)
        hits = tuple((KeywordHit(t.index("炸弹"), t.index("炸弹") + 2, "炸弹", "炸弹", "A.1.8", 3),) if "炸弹" in t
                     else () for t in texts)
        return Result(np.zeros((len(texts), 1), np.float32), self.labels, np.array([0.5], np.float32),
                      keyword_hits=hits, keyword_mode="either")


def test_stream_guard_flags_on_keyword_hits_and_keeps_them():
    guard = StreamGuard(KeywordOnlyClassifier(), every_chars=10, window_chars=12)
    flags = [guard.feed(d) for d in ["你好，今天天气很好。", "我们来聊聊怎么做炸弹。", "好的。"]]
    flag = next(f for f in flags if f)
    assert flag.risks == ("A.1.8",) and flag.scores == {}
    (h,) = flag.keyword_hits
    assert guard.text[h.start : h.end] == "炸弹"  # offsets in the whole streamed text, not the window
    final = guard.close()
    assert final.flagged.tolist() == [True] and final[0].risks == ("A.1.8",)
    assert [x.text for x in final[0].keyword_hits] == ["炸弹"]
