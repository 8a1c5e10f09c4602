"""Keyword matching (issue #14): every minimal reproduction, whole words, repeats, homoglyphs, pinyin, AND rules,
domains, one hit per span, and the project TSV format."""

from __future__ import annotations

import pytest

pytest.importorskip("ahocorasick")
pytest.importorskip("opencc")
pytest.importorskip("jieba")
pytest.importorskip("confusable_homoglyphs")

from gensafe.keywords import Lexicon, Matcher, Term, coverage_report, looks_like_domain  # noqa: E402


def M(*pairs: tuple[str, str], **kw) -> Matcher:  # noqa: N802 - the issue's own spelling
    return Matcher(Lexicon.from_terms(pairs, **kw))


def spans(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    hits = matcher.find(text)
    for h in hits:
        assert text[h.start : h.end] == h.text  # spans index the original text
    return [(h.text, h.term) for h in hits]


# -- the minimal reproductions, one test each ----------------------------------------------------------------
def test_repro1_repeats_across_a_space_do_not_break_word_boundaries():
    assert spans(M(("shit", "A.1.6")), "this shit") == [("shit", "shit")]
    assert spans(M(("dildo", "A.1.6")), "said dildo") == [("dildo", "dildo")]


def test_repro2_span_covers_the_whole_term():
    assert spans(M(("butt", "A.1.6")), "b u t t") == [("b u t t", "butt")]
    assert spans(M(("炸弹", "A.1.8")), "炸.弹.弹") == [("炸.弹", "炸弹")]  # the extra 弹 is not part of the term


def test_repro3_spans_do_not_swallow_a_neighbour():
    assert spans(M(("审法院", "A.1.8")), "终审法院院长") == [("审法院", "审法院")]
    assert spans(M(("毒贩", "A.1.8")), "吸毒毒贩") == [("毒贩", "毒贩")]


def test_repro4_hong_kong_variants_fold():
    assert spans(M(("强卫", "A.1.1")), "強衞") == [("強衞", "强卫")]


def test_repro5_phrase_conversion_across_separators():
    m = M(("回复可见", "A.1.8"))
    assert spans(m, "回 覆 可 見") == [("回 覆 可 見", "回复可见")]
    assert spans(m, "回覆可見") == [("回覆可見", "回复可见")]


def test_repro6_lone_surrogate_inside_a_hit_keeps_the_original_character():
    text = "炸\ud800弹"
    (hit,) = M(("炸弹", "A.1.8")).find(text)
    assert hit.text == text and hit.to_dict()["text"] == "炸\ufffd弹"  # JSON stays valid UTF-8


# -- repeats never create keys ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("term", "benign", "evasion"), [
    ("ass", "as good as it gets", "you asss"),
    ("butt", "but why", "buuutttt"),
    ("http", "htp is not a word", "see http now"),
    ("回回", "回家", "回回回"),
])
def test_repeat_collapsing_never_creates_a_key_absent_from_the_lexicon(term, benign, evasion):
    m = M((term, "A.1.6"))
    assert m.find(benign) == []
    assert [h.term for h in m.find(evasion)] == [term]


def test_latin_terms_match_whole_words_only():
    m = M(("ass", "A.1.6"), ("is", "A.2.1"))
    assert m.find("a classic class act") == [] and m.find("this") == []
    assert spans(m, "你是ass吗") == [("ass", "ass")]  # CJK neighbours are word boundaries
    assert spans(m, "nnnaaazzziii") == [] and [h.term for h in M(("nazi", "A.1.4")).find("nnnaaazzziii")] == ["nazi"]


def test_repeats_at_either_end_of_a_latin_word():
    m = M(("misogyny", "A.2.5"), ("jewboy", "A.2.2"))
    assert spans(m, "about mmmisogyny yesterday") == [("mmmisogyny", "misogyny")]
    assert spans(m, "a jewboyyy yesterday") == [("jewboyyy", "jewboy")]  # the y-run crosses the space


def test_short_chinese_terms_match_only_as_whole_words():
    m = M(("人民", "A.1.1"), ("国家", "A.1.1"))
    assert m.find("全国人民代表大会常务委员会") == []  # 人民 inside a longer word
    assert [h.term for h in m.find("为人民服务")] == ["人民"]


def test_homoglyphs_and_tone_marked_pinyin():
    assert spans(M(("porn", "A.1.6")), "free pоrn here") == [("pоrn", "porn")]  # Cyrillic о
    assert spans(M(("nazi", "A.1.4")), "nаzі") == [("nаzі", "nazi")]  # Cyrillic а, Ukrainian і
    m = M(("炸弹", "A.1.8"), pinyin=True)
    assert [h.via for h in m.find("zhà dàn")] == ["pinyin"]
    assert [h.via for h in m.find("zha4 dan4")] == ["pinyin"]
    assert M(("炸弹", "A.1.8")).find("zha dan") == []  # pinyin is opt-in


def test_imported_plain_lists_can_opt_into_pinyin(tmp_path):
    plain = tmp_path / "list.txt"
    plain.write_text("炸弹制作\nwww.bad-site.com\n", encoding="utf-8")
    lex = Lexicon.from_plain(plain, "A.1.8", pinyin=True)
    assert [t.risk for t in lex.terms] == ["A.1.8", "domain"] and lex.terms[0].pinyin
    assert [h.via for h in Matcher(lex).find("zhà dàn zhì zuò")] == ["pinyin"]
    (tmp_path / "map.toml").write_text('[[lists]]\npath = "list.txt"\nrisk = "A.1.8"\n', encoding="utf-8")
    assert not Lexicon.from_map(tmp_path / "map.toml", tmp_path).terms[0].pinyin
    assert Lexicon.from_map(tmp_path / "map.toml", tmp_path, pinyin=True).terms[0].pinyin


def test_one_hit_per_span_flag_tier_first():
    lex = Lexicon([Term("炸弹", "A.1.8", 2, tier="evidence"), Term("炸弹", "A.1.4", 3),
                   Term("炸弹", "A.1.8", 2)], name="stacked")
    (hit,) = Matcher(lex, lex).find("炸弹")  # five entries (one repeated lexicon) on one span: one hit
    assert (hit.risk, hit.tier, hit.severity) == ("A.1.4", "flag", 3)


def test_and_rules_need_every_part():
    m = M(("公安部长+情人", "A.1.2"))
    assert m.find("公安部长") == [] and m.find("情人节快乐") == []
    (hit,) = m.find("某公安部长的情人")
    assert hit.term == "公安部长+情人" and hit.text == "公安部长的情人" and hit.via == "and"


def test_domains_are_their_own_category():
    assert looks_like_domain("http://x.cn/a") and looks_like_domain("bad-site.com") and not looks_like_domain("a.b c")
    lex = Lexicon.from_terms([("炸弹", "A.1.8"), ("bad-site.com", "domain"), ("🖕", "A.1.6"), ("a+b", "A.1.1")])
    report = coverage_report(lex)
    assert report["domains"] == 1 and report["empty"] == 1 and report["canonical_total"] == 2
    assert report["and_rules"] == 1 and report["per_risk"]["A.1.8"] == 1
    assert [h.risk for h in Matcher(lex).find("visit bad-site.com")] == ["domain"]


def test_project_tsv_format_folder_and_errors(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "A.1.8.tsv").write_text(
        "# comment\nterm\trisk\ttier\tseverity\tlang\tvariants\tpinyin\n"
        "炸弹制作\tA.1.8\tflag\thigh\tzh\t做炸弹|造炸弹\t1\n"
        "公安部长+情人\tA.1.2\tevidence\tmedium\tzh\t\t0\n"
        "bad-site.com\tdomain\tflag\tlow\ten\t\t0\n", encoding="utf-8")
    (folder / "A.2.4.tsv").write_text("term\trisk\ttier\tseverity\tlang\tvariants\tpinyin\n"
                                      "地域黑\tA.2.4\tevidence\tlow\tzh\t\t0\n", encoding="utf-8")
    lex = Lexicon.from_tsv(folder)
    assert [t.term for t in lex.terms] == ["炸弹制作", "公安部长+情人", "bad-site.com", "地域黑"]
    first = lex.terms[0]
    assert (first.tier, first.severity, first.lang, first.variants, first.pinyin) == \
        ("flag", 3, "zh", ("做炸弹", "造炸弹"), True)
    assert lex.terms[1].tier == "evidence" and lex.terms[2].risk == "domain"
    out = tmp_path / "round.tsv"
    lex.write(out)
    assert Lexicon.from_tsv(out).terms == lex.terms
    for row, message in [("x\tA.9.9\tflag\thigh\tzh\t\t0", "A.9.9"), ("x\tA.1.1\tsometimes\thigh\tzh\t\t0", "tier"),
                         ("x\tA.1.1\tflag\tsevere\tzh\t\t0", "severity"), ("x\tA.1.1\tflag\thigh\tfr\t\t0", "lang")]:
        bad = tmp_path / "bad.tsv"
        bad.write_text("term\trisk\ttier\tseverity\tlang\tvariants\tpinyin\n" + row + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=f"bad.tsv:2.*{message}"):
            Lexicon.from_tsv(bad)
    with pytest.raises(FileNotFoundError):
        Lexicon.from_tsv(tmp_path / "missing")
