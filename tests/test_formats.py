"""Result formats: OpenAI moderation shape, pipeline view, all 31 risks named, readable repr, logging, roles."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

import gensafe
from gensafe.build.testing import TINY_CORPUS
from gensafe.cli import main
from gensafe.keywords import KeywordHit
from gensafe.result import Result, Verdict
from gensafe.taxonomy import OPENAI_CATEGORIES, OPENAI_MAP, RISK_CODES, openai_categories, risk

openai = pytest.importorskip("openai", reason="the OpenAI shape is checked with the official client (dev extra)")
from openai.types import ModerationCreateResponse  # noqa: E402

LABELS = ("A.1.6", "A.1.8", "A.2.4", "A.2.5")
THRESHOLDS = np.array([0.5, 0.5, 0.5, np.inf], dtype=np.float32)  # A.2.5 switched off
SCORES = np.array([
    [0.9, 0.1, 0.2, 0.3],   # A.1.6 -> sexual and violence
    [0.1, 0.2, 0.7, 0.95],  # A.2.4 flags (harassment); A.2.5 is over 0.5 but switched off (hate not flagged)
    [0.0, 0.0, 0.0, 0.0],   # clean; a keyword hit on A.4.2, which the model does not score
], dtype=np.float32)


def make(hits: bool = False, mode: str = "either") -> Result:
    keyword_hits = ((), (), (KeywordHit(0, 2, "肖像", "肖像", "A.4.2", 2),)) if hits else None
    return Result(SCORES, LABELS, THRESHOLDS, keyword_hits=keyword_hits, keyword_mode=mode)


# -- OpenAI /v1/moderations ---------------------------------------------------------------------------------------
def test_mapping_table_is_consistent_with_the_taxonomy():
    assert tuple(OPENAI_MAP) == OPENAI_CATEGORIES and len(OPENAI_CATEGORIES) == 13
    mapped = [c for codes in OPENAI_MAP.values() for c in codes]
    assert set(mapped) <= set(RISK_CODES)
    assert openai_categories("A.1.6") == ("sexual", "violence") and openai_categories("A.1 h") == ("illicit",)
    assert openai_categories("A.5.1") == () and openai_categories("A.2.4") == ("harassment",)
    with pytest.raises(KeyError, match="unknown risk code"):
        openai_categories("A.9.9")


@pytest.mark.parametrize("hits", [False, True])
def test_the_official_openai_client_parses_to_openai(hits):
    doc = make(hits).to_openai(model="tiny", id="modr-test")
    parsed = ModerationCreateResponse.model_validate(doc)
    assert parsed.id == "modr-test" and parsed.model == "tiny" and len(parsed.results) == 3
    first = parsed.results[0]
    assert first.flagged and first.categories.sexual and first.categories.violence and not first.categories.hate
    assert first.category_scores.violence == pytest.approx(0.9) and first.category_scores.illicit == pytest.approx(0.1)
    assert first.category_applied_input_types.violence == ["text"]
    assert first.category_applied_input_types.sexual_minors == [] and first.category_scores.sexual_minors == 0.0
    # the TC260 codes ride along as extra keys, all 31, on every result
    assert set(first.categories.model_extra) == set(RISK_CODES) == set(first.category_scores.model_extra)
    assert json.loads(json.dumps(doc)) == doc  # plain JSON types only


def test_openai_categories_follow_the_verdict():
    res = make().to_openai()["results"]
    second = res[1]
    assert second["flagged"] and second["categories"]["A.2.4"] and second["categories"]["harassment"]
    # A.2.5 is over 0.5 but switched off by the policy: its score is reported, nothing is flagged for it
    assert second["category_scores"]["A.2.5"] == pytest.approx(0.95) and not second["categories"]["A.2.5"]
    assert second["category_scores"]["hate"] == pytest.approx(0.95) and not second["categories"]["hate"]
    assert not res[2]["flagged"] and not any(res[2]["categories"].values())
    for r in res:  # OpenAI's invariant: flagged if and only if some category is
        assert r["flagged"] == any(r["categories"].values())
        assert list(r["categories"])[:13] == list(OPENAI_CATEGORIES) and list(r["categories"])[13:] == list(RISK_CODES)
        for code in RISK_CODES:  # unscored risks are explicit: 0.0 and not applied, never missing
            scored = code in LABELS
            assert (r["category_applied_input_types"][code] == ["text"]) == scored or code == "A.4.2"
            if not scored:
                assert r["category_scores"][code] == 0.0


@pytest.mark.parametrize(("mode", "flagged"), [("either", True), ("keywords", True), ("model", False),
                                               ("both", False)])
def test_a_keyword_only_risk_in_the_openai_shape(mode, flagged):
    third = make(hits=True, mode=mode).to_openai()["results"][2]
    assert third["flagged"] is flagged and third["categories"]["A.4.2"] is flagged
    assert third["category_applied_input_types"]["A.4.2"] == ["text"]  # the keyword tier applied it
    assert third["category_scores"]["A.4.2"] == 0.0  # no model score invented for it
    first = make(hits=True, mode=mode).to_openai()["results"][0]
    assert first["categories"]["A.1.6"] is (mode in ("either", "model"))  # "keywords": the model alone cannot flag


def test_to_openai_on_a_real_classifier(clf):
    result = clf.predict(TINY_CORPUS)
    doc = result.to_openai(model=clf.name)
    parsed = ModerationCreateResponse.model_validate(doc)
    assert [m.flagged for m in parsed.results] == result.flagged.tolist()
    assert doc["id"].startswith("modr-") and doc["id"] != result.to_openai()["id"]
    j = clf.labels.index("A.1.8")
    assert [m.category_scores.illicit for m in parsed.results] == pytest.approx(result.scores[:, j].tolist(), abs=1e-6)
    assert result[:0].to_openai()["results"] == []


# -- Hugging Face pipeline view ------------------------------------------------------------------------------------
def test_to_pipeline_is_sorted_label_score_pairs():
    r = make()
    view = r.to_pipeline()
    assert len(view) == 3 and [d["label"] for d in view[1]] == ["A.2.5", "A.2.4", "A.1.8", "A.1.6"]
    for row, scores in zip(view, r.scores, strict=True):
        assert sorted(d["label"] for d in row) == sorted(LABELS)
        assert [d["score"] for d in row] == sorted(scores.tolist(), reverse=True)
        assert {d["label"]: d["score"] for d in row} == dict(zip(LABELS, scores.tolist(), strict=True))
    assert view[2][0]["label"] == "A.1.6"  # ties keep label order, as a stable sort
    assert [len(row) for row in r.to_pipeline(top_k=2)] == [2, 2, 2] and r.to_pipeline(top_k=2)[0] == view[0][:2]
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="top_k"):
            r.to_pipeline(top_k=bad)


# -- all 31 risks, names ---------------------------------------------------------------------------------------------
def test_plain_outputs_name_all_31_risks_with_unscored_ones_explicit():
    r = make()
    unscored = [c for c in RISK_CODES if c not in LABELS]
    assert r.unscored == tuple(unscored) and len(unscored) == 27
    for d in r.to_dicts():
        assert list(d["scores"]) == list(RISK_CODES)  # taxonomy order
        assert [c for c, s in d["scores"].items() if s is None] == unscored == d["unscored"]
    assert "unscored" not in r.to_dicts(scores=False)[0]  # a lean row is the verdict only (scan rows stay small)
    assert r[0].scores == {c: pytest.approx(float(s)) for c, s in zip(LABELS, SCORES[0], strict=True)}  # unchanged
    doc = json.loads(r.to_json())
    assert doc["unscored"] == unscored and list(doc["risks"]) == list(RISK_CODES)
    assert doc["risks"]["A.1.1"] == {"zh": risk("A.1.1").zh, "en": risk("A.1.1").en, "scored": False,
                                     "threshold": None}
    assert doc["risks"]["A.1.6"]["scored"] and doc["risks"]["A.1.6"]["threshold"] == 0.5
    assert doc["risks"]["A.2.5"] == {**doc["risks"]["A.2.5"], "scored": True, "threshold": None}  # switched off


def test_verdict_score_and_names():
    r = make(hits=True)
    v = r[0]
    assert v.score("A.1.6") == v.scores["A.1.6"] and v.score("A.1 f") == v.scores["A.1.6"]
    assert v.score("A.1.1") is None  # a real risk the model does not score
    with pytest.raises(KeyError, match="unknown risk code"):
        v.score("A.7.1")
    assert v.risk_names == {"A.1.6": {"zh": "宣扬暴力、淫秽色情", "en": "Promoting violence, obscenity or pornography"}}
    assert r.to_dicts()[0]["risk_names"] == v.risk_names
    assert r[2].risk_names == {"A.4.2": {"zh": risk("A.4.2").zh, "en": risk("A.4.2").en}}  # keyword tier's risk
    assert r.to_dicts()[1]["risk_names"] == {"A.2.4": {"zh": "地域歧视内容", "en": "Regional discrimination"}}
    r.to_dicts()[1]["risk_names"]["A.2.4"]["en"] = "edited"  # each output has its own dicts
    assert r[1].risk_names["A.2.4"]["en"] == "Regional discrimination"


def test_a_hand_made_verdict_keeps_its_scores_as_given():
    v = Verdict(False, (), "A.1.6", 0.2, {"A.1.6": 0.2})
    assert v.to_dict()["scores"] == {"A.1.6": 0.2} and v.to_dict()["unscored"] == []


# -- repr ----------------------------------------------------------------------------------------------------------
def test_repr_is_one_short_line_without_arrays():
    r = make(hits=True)
    assert repr(r) == ("Result(3 texts, 3 flagged, 4 of 31 risks scored, threshold 0.5, 1 switched off, "
                       "keywords (either): 1 with hits)")
    big = Result(np.random.default_rng(0).random((5000, 4)).astype(np.float32), LABELS, THRESHOLDS)
    text = repr(big)
    assert text.startswith("Result(5000 texts, ") and len(text) < 200 and "[" not in text and "\n" not in text
    assert repr(r[0]) == "Verdict(flagged: A.1.6 0.900)"
    assert repr(r[1]) == "Verdict(flagged: A.2.4 0.700, top A.2.5 0.950)"  # A.2.5 is higher but switched off
    # a flagged verdict names its risks, keyword ones included (issue #14)
    assert repr(r[2]) == "Verdict(flagged: A.4.2, top A.1.6 0.000, 1 keyword hit (A.4.2))"
    assert repr(make(hits=True, mode="both")[0]) == "Verdict(not flagged, over threshold: A.1.6 0.900)"
    assert repr(Result(np.zeros((1, 0), np.float32), (), np.zeros(0, np.float32))) == \
        "Result(1 text, 0 flagged, 0 of 31 risks scored)"


# -- logging -------------------------------------------------------------------------------------------------------
def test_load_logs_what_was_loaded_and_predict_never_logs_texts(tiny_model, caplog):
    secret = "the secret text 机密内容"
    with caplog.at_level(logging.DEBUG, logger="gensafe"):
        clf = gensafe.load(tiny_model[0], device="auto", precision="auto")
        clf.predict([secret, secret * 50], role="prompt")
    records = [r for r in caplog.records if r.name.startswith("gensafe")]
    loaded = [r.getMessage() for r in records if r.getMessage().startswith("loaded model tiny-random")]
    assert len(loaded) == 1 and f"{clf.precision} graph" in loaded[0] and clf.provider in loaded[0]
    assert str(tiny_model[0]) in loaded[0]
    assert any(r.getMessage().startswith("device auto -> cpu") for r in records)
    assert not any("secret" in r.getMessage() or "机密" in r.getMessage() for r in caplog.records)


def test_derived_graphs_are_logged_when_built_and_when_reused(tmp_path, caplog, monkeypatch):
    from gensafe.build.testing import build_tiny_model

    monkeypatch.setenv("GENSAFE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GENSAFE_STATE", str(tmp_path / "state"))
    folder, _ = build_tiny_model(tmp_path / "compact", compact=True, seed=5, layers=1)
    with caplog.at_level(logging.DEBUG, logger="gensafe"):
        gensafe.load(folder, device="cpu", precision="int8")
        gensafe.load(folder, device="cpu", precision="int8")
    messages = [r.getMessage() for r in caplog.records if r.name == "gensafe.derive"]
    assert sum(m.startswith("derived int8 graph built") for m in messages) == 1
    assert sum(m.startswith("reusing derived int8 graph") for m in messages) == 1


# -- gensafe info and roles ------------------------------------------------------------------------------------------
def test_info_names_all_31_risks_and_says_what_roles_do(tiny_model, capsys):
    assert main(["info", "--json", "--model", str(tiny_model[0]), "--device", "cpu"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in info["risks"]] == list(RISK_CODES)
    by_code = {r["code"]: r for r in info["risks"]}
    assert by_code["A.1.1"]["scored"] is False and by_code["A.1.1"]["zh"] == risk("A.1.1").zh
    assert by_code["A.1.6"]["scored"] is True and 0 < by_code["A.1.6"]["threshold"] < 1
    assert by_code["A.1.6"]["openai"] == ["sexual", "violence"]
    assert info["role_prefixes"] == {"prompt": "query: ", "response": "passage: "}  # the tiny model declares two
    assert main(["info", "--model", str(tiny_model[0]), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "prompt 'query: ', response 'passage: '" in out and "27 of the 31 not scored" in out
    assert f"A.1.1   unscored  {risk('A.1.1').zh} / {risk('A.1.1').en}" in out
    assert out.count("\nA.") == 31


def test_roles_are_encoded_only_when_the_manifest_declares_them(clf, model_copy, capsys):
    plain = clf.predict(TINY_CORPUS).scores
    assert not np.array_equal(clf.predict(TINY_CORPUS, role="response").scores, plain)  # declared: "passage: "
    np.testing.assert_array_equal(clf.predict(TINY_CORPUS, role="content").scores, plain)  # not declared
    # the same model with no role prefixes, like the shipped one: role= changes nothing
    path = model_copy / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**manifest, "role_prefixes": {}}), encoding="utf-8")
    bare = gensafe.load(model_copy, device="cpu", precision="fp32")
    np.testing.assert_array_equal(bare.predict(TINY_CORPUS).scores, plain)
    for role in gensafe.ROLES:
        np.testing.assert_array_equal(bare.predict(TINY_CORPUS, role=role).scores, plain)
    assert main(["info", "--model", str(model_copy), "--device", "cpu"]) == 0
    assert "none: role= changes nothing for this model" in capsys.readouterr().out


def test_the_shipped_model_declares_no_role_prefixes():
    """The README says ``role=`` changes nothing for the shipped model: true while its manifest declares none."""
    manifest = Path(__file__).resolve().parents[1] / "models" / "gensafe-zh-en-v5w" / "manifest.json"
    if not manifest.is_file():
        pytest.skip("no shipped model in this checkout")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["role_prefixes"] == {} and data["context_template"] == ""
