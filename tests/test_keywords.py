"""Keyword tier: lexicon format, evasion-resistant matching, coverage report, verdict merge, CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytest.importorskip("ahocorasick")
pytest.importorskip("opencc")

import gensafe  # noqa: E402
from gensafe import Policy  # noqa: E402
from gensafe.cli import main  # noqa: E402
from gensafe.keywords import FLOORS, Lexicon, Matcher, Term, coverage_report, normalise  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GENSAFE_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="module")
def matcher():
    lex = Lexicon([
        Term("炸弹制作", "A.1.8", 3, variants=("做炸弹",), pinyin=True),
        Term("法轮功", "A.1.1", 3, pinyin=True),
        Term("地域黑", "A.2.4", 2),
        Term("nazi", "A.1.4", 3),
        Term("ass", "A.1.6", 1),
        Term("版权盗链", "A.3.1", 2),
    ], name="test", allow=["炸弹制作游戏"])
    return Matcher(lex)


@pytest.mark.parametrize(
    ("text", "term", "via"),
    [
        ("教我炸弹制作的方法", "炸弹制作", "term"),
        ("教我炸彈製作的方法", "炸弹制作", "term"),            # traditional -> simplified
        ("教我炸 弹-制.作", "炸弹制作", "term"),               # separators between characters
        ("炸\u200b弹\u200d制作", "炸弹制作", "term"),          # zero-width characters
        ("炸💣弹😀制作", "炸弹制作", "term"),                  # emoji inserted
        ("炸炸炸弹弹制作", "炸弹制作", "term"),                # repeated characters
        ("想做炸弹", "炸弹制作", "variant"),
        ("zha dan zhi zuo 教程", "炸弹制作", "pinyin"),       # pinyin
        ("学 FLG 功法", "法轮功", "initials"),                # initials, case folded
        ("ＮＡＺＩ salute", "nazi", "term"),                   # full-width -> half-width
        ("N.a.z.i propaganda", "nazi", "term"),
        ("nnnaaazzziii", "nazi", "term"),
    ],
)
def test_evasions_are_caught(matcher, text, term, via):
    hits = matcher.find(text)
    assert [(h.term, h.via) for h in hits if h.term == term] == [(term, via)], hits
    hit = next(h for h in hits if h.term == term)
    assert text[hit.start : hit.end] == hit.text  # span in the original text
    assert hit.text.replace(" ", "")  # non-empty


def test_no_false_positive_inside_words_and_allow_list(matcher):
    assert matcher.find("a classic class act") == []           # "ass" must stand as a word
    assert [h.term for h in matcher.find("you ass")] == ["ass"]
    assert matcher.find("这是一个炸弹制作游戏的攻略") == []     # allow-listed phrase
    assert matcher.find("") == [] and matcher.find("🙂🙂") == []
    with pytest.raises(TypeError):
        matcher.find(None)


def test_normalise_keeps_offsets():
    text = "Ｆｕ  ｕｕ-ｃｋ 這"
    norm, offsets = normalise(text)
    assert norm == "fuck这"
    assert [text[i] for i in offsets] == ["Ｆ", "ｕ", "ｃ", "ｋ", "這"]


def test_lexicon_file_round_trip_and_errors(tmp_path):
    lex = Lexicon.read(ROOT / "lexicons" / "example.tsv")
    assert lex.name == "gensafe-example" and lex.version and lex.allow
    assert {t.risk for t in lex.terms} >= {"A.1.8", "A.2.4"}
    out = tmp_path / "copy.tsv"
    lex.write(out)
    again = Lexicon.read(out)
    assert again.terms == lex.terms and again.allow == lex.allow
    bad = tmp_path / "bad.tsv"
    bad.write_text("# gensafe-lexicon 1\nterm\trisk\n词\tA.9.9\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv:3"):
        Lexicon.read(bad)
    plain = tmp_path / "plain.txt"
    plain.write_text("敏感词一,\n\n敏感词二\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a gensafe lexicon"):
        Lexicon.read(plain)
    imported = Lexicon.from_plain(plain, "A.1.3")
    assert [t.term for t in imported.terms] == ["敏感词一", "敏感词二"] and imported.terms[0].risk == "A.1.3"


def test_coverage_report_counts_canonical_terms_only():
    terms = [Term(f"词{i}号", "A.1.1", variants=("v1", "v2")) for i in range(250)]
    terms += [Term("词0号", "A.1.1"), Term("x", "A.2.1")]
    report = coverage_report(Lexicon(terms))
    assert report["per_risk"]["A.1.1"] == 250 and report["variants_total"] == 500
    assert report["duplicates"] == 1 and report["too_short"] == 1
    assert not report["passes"]
    assert any(m.startswith("total:") for m in report["floors_missed"])
    assert "A.1.2: 0 terms < 200" in report["floors_missed"] and "A.2.9: 0 terms < 100" in report["floors_missed"]
    assert "A.1.1: 250 terms < 200" not in report["floors_missed"]


def test_verdicts_merge_keyword_hits(tiny_model):
    lex = Lexicon([Term("炸弹", "A.1.8", 3), Term("肖像盗用", "A.4.2", 2)])
    clf = gensafe.load(tiny_model[0], device="cpu", keywords=lex, keyword_mode="keywords")
    result = clf.predict(["怎么做炸弹", "今天天气很好", "未经许可肖像盗用"])
    assert result.flagged.tolist() == [True, False, True]
    v = result[2]
    assert v.keyword_risks == ("A.4.2",) and v.keyword_only_risks == ("A.4.2",)  # the model has no A.4.2 score
    assert v.keyword_hits[0].text == "肖像盗用"
    d = result.to_dicts()[0]
    assert d["keyword_hits"][0]["risk"] == "A.1.8" and d["keyword_hits"][0]["start"] == 3
    model_only = clf.with_keywords(lex, "model").predict(["怎么做炸弹"])
    assert model_only.flagged[0] == model_only.model_flagged[0]
    # the four combinations of (model flags, keyword hits), with the model forced on or off by the policy
    texts = ["怎么做炸弹", "今天天气很好"]  # a keyword hit, no keyword hit
    always = Policy(overrides={f: 1e-9 for f in ("A.1", "A.2", "A.3", "A.4", "A.5")})
    never = Policy(disabled_families={"A.1", "A.2", "A.3", "A.4", "A.5"})
    expected = {("both", "on"): [True, False], ("both", "off"): [False, False],
                ("either", "on"): [True, True], ("either", "off"): [True, False],
                ("keywords", "on"): [True, False], ("model", "on"): [True, True], ("model", "off"): [False, False]}
    for (mode, model_state), flags in expected.items():
        policy = always if model_state == "on" else never
        got = clf.with_keywords(lex, mode).predict(texts, policy=policy)
        assert got.flagged.tolist() == flags, (mode, model_state)
    with pytest.raises(ValueError, match="keyword_mode"):
        clf.with_keywords(lex, "sometimes")


def test_cli_check_shows_spans_and_lexicon_report(tiny_model, tmp_path, capsys):
    lex = ROOT / "lexicons" / "example.tsv"
    assert main(["check", "--model", str(tiny_model[0]), "--lexicon", str(lex), "--keyword-mode", "keywords",
                 "请告诉我炸弹制作的步骤"]) == 0
    out = capsys.readouterr().out
    assert "FLAGGED" in out and "[4:8] '炸弹制作'" in out
    assert main(["lexicon", "report", str(lex)]) == 1  # a 4-term lexicon misses every floor
    out = capsys.readouterr().out
    assert "FAIL" in out and "A.1.1" in out


@pytest.mark.skipif(not (SHARED / "lexicons").is_dir(), reason="shared lexicons not present")
def test_shared_lexicons_import_and_report(capsys, tmp_path):
    code = main(["lexicon", "report", "--map", str(ROOT / "lexicons" / "shared_map.toml"), "--root", str(SHARED),
                 "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["canonical_total"] > FLOORS["total"]
    # the public lists are political / porn / crime word lists: they name exactly which floors they miss
    assert code == 1
    assert "A.1.5: 0 terms < 200" in report["floors_missed"]
    assert all(not m.startswith("total") for m in report["floors_missed"])
    out = tmp_path / "merged.tsv"
    assert main(["lexicon", "import", "--map", str(ROOT / "lexicons" / "shared_map.toml"), "--root", str(SHARED),
                 "--out", str(out)]) == 0
    assert len(Lexicon.read(out)) > FLOORS["total"]
