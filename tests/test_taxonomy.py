from __future__ import annotations

from collections import Counter

import pytest

from gensafe.taxonomy import FAMILIES, RISK_CODES, RISKS, canonical_code, family, risk


def test_31_risks_in_5_families_with_the_standard_counts():
    assert len(RISKS) == 31
    assert Counter(r.family for r in RISKS) == {"A.1": 8, "A.2": 9, "A.3": 5, "A.4": 7, "A.5": 2}
    assert [f.code for f in FAMILIES] == ["A.1", "A.2", "A.3", "A.4", "A.5"]
    assert len(set(RISK_CODES)) == 31


def test_every_risk_has_names_and_article():
    for r in RISKS:
        assert r.zh and r.en
        assert r.article == family(r.family).article
        assert r.article.startswith("Art. 4(")


@pytest.mark.parametrize(("given", "expected"), [("A.1.3", "A.1.3"), ("A.1 c", "A.1.3"), ("a.2.e", "A.2.5"),
                                                  ("A4g", "A.4.7"), (" A.5.2 ", "A.5.2")])
def test_code_spellings(given, expected):
    assert canonical_code(given) == expected
    assert risk(given).code == expected


@pytest.mark.parametrize("bad", ["A.1.9", "A.3.6", "A.6.1", "B.1.1", "", "A.1", "A.2.j"])
def test_unknown_codes_raise_clearly(bad):
    with pytest.raises(KeyError, match="unknown risk code"):
        risk(bad)


def test_non_string_code():
    with pytest.raises(TypeError):
        canonical_code(3)


def test_family_lookup():
    assert family("a.2").zh == "包含歧视性内容"
    with pytest.raises(KeyError, match="unknown risk family"):
        family("A.6")


def test_known_names():
    assert risk("A.1.4").zh == "宣扬恐怖主义、极端主义"
    assert risk("A.4.6").zh == "侵害他人个人信息权益"
