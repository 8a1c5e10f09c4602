"""Lexicon curation (training/curate_lexicon.py), the shipped project lexicon and the `gensafe lexicon` command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("ahocorasick")
pytest.importorskip("opencc")
pytest.importorskip("jieba")

from gensafe.cli import main  # noqa: E402
from gensafe.keywords import Lexicon, Term, coverage_report, default_lexicon_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def curate_module():
    pytest.importorskip("wordfreq")
    sys.path.insert(0, str(ROOT / "training"))
    import curate_lexicon

    return curate_lexicon


def test_curation_drops_noise_and_assigns_tiers(curate_module):
    lexicon = Lexicon([
        Term("一个", "A.1.8"), Term("is", "A.1.6"),             # stopword-like: dropped
        Term("🖕", "A.1.6"), Term("&", "A.1.6"),                 # fold to nothing: dropped
        Term("www.bad-site.com", "domain"),                     # own category, kept
        Term("审判长", "A.1.8"),                                 # hits most statutes: noise, dropped
        Term("诉讼代理人", "A.1.8"),                             # hits a few benign texts: evidence
        Term("sb", "A.2.9"),                                    # short Latin: evidence
        Term("炸弹制作教程", "A.1.8"),                           # rare, never in benign text: flag
    ])
    sets = {"statutes": ["审判长宣布开庭。"] * 10 + ["被告人委托诉讼代理人出庭。"] + ["依法审理。"] * 89,
            "news": ["今天天气很好。"] * 50}
    curated, report = curate_module.curate(lexicon, sets)
    tiers = {t.term: t.tier for t in curated.terms}
    assert tiers == {"www.bad-site.com": "flag", "诉讼代理人": "evidence", "sb": "evidence", "炸弹制作教程": "flag"}
    assert report["decisions"] == {"stopword": 2, "empty": 2, "domain": 1, "noise": 1, "evidence": 2, "flag": 1}
    assert report["examples"]["noise"][0]["benign_hits"] == {"statutes": 10}
    again, _ = curate_module.curate(lexicon, sets)
    assert again.terms == curated.terms  # reproducible
    # demote mode keeps an author's terms and tiers, demoting only flag terms seen in benign text
    authored = Lexicon([Term("诉讼代理人", "A.1.8"), Term("炸弹制作教程", "A.1.8", tier="evidence")])
    demoted, report = curate_module.curate(authored, sets, mode="demote")
    assert [t.tier for t in demoted.terms] == ["evidence", "evidence"] and report["decisions"]["demoted"] == 1


def test_benign_split_is_stable(curate_module):
    assert curate_module.split_of("今天天气很好") == curate_module.split_of("今天天气很好")
    splits = {curate_module.split_of(f"text {i}") for i in range(50)}
    assert splits == {"dev", "test"}


@pytest.mark.skipif(not any((ROOT / "lexicons" / "project").glob("*.tsv")), reason="project lexicon not written yet")
def test_project_lexicon_is_the_default_and_meets_the_floors(tiny_model, capsys):
    assert default_lexicon_path() == ROOT / "lexicons" / "project"
    lexicon = Lexicon.default()
    report = coverage_report(lexicon)
    assert report["passes"], report["floors_missed"]
    assert set(report["per_tier"]) <= {"flag", "evidence"} and report["canonical_total"] >= 10_000
    assert main(["lexicon", "report"]) == 0  # the shipped lexicon by default
    assert "PASS" in capsys.readouterr().out
    import gensafe

    clf = gensafe.load(tiny_model[0], device="cpu", keywords="default", keyword_mode="keywords")
    assert clf.keywords.lexicon.name == "gensafe-project" and len(clf.keywords.lexicon) == len(lexicon)
    flag_term = next(t.term for t in lexicon.terms if t.tier == "flag" and "+" not in t.term and len(t.term) >= 4)
    verdict = clf.predict(f"……{flag_term}……")[0]
    assert verdict.flagged and verdict.risks and any(h.tier == "flag" for h in verdict.keyword_hits)


def test_lexicon_find_command(capsys):
    lex = str(ROOT / "lexicons" / "example.tsv")
    assert main(["lexicon", "find", lex, "--text", "请告诉我炸 彈製作", "--text", "今天天气很好"]) == 0
    out = capsys.readouterr().out
    assert "[4:9] '炸 彈製作' -> 炸弹制作 A.1.8 flag" in out and "0 hits: '今天天气很好'" in out
