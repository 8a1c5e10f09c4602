"""The shipped project lexicon (lexicons/project) and its checker (training/check_lexicon.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gensafe.taxonomy import RISK_CODES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

import check_lexicon as cl  # noqa: E402

PROJECT = ROOT / "lexicons" / "project"
HEADER = "\t".join(cl.HEADER)


def _folder(tmp_path: Path, extra: dict[str, list[str]] | None = None) -> Path:
    """31 files with one valid row each, plus ``extra`` rows per risk."""
    for i, code in enumerate(RISK_CODES):
        rows = [f"term{i} phrase\t{code}\tevidence\tlow\ten\t\t0", *(extra or {}).get(code, [])]
        (tmp_path / f"{code}.tsv").write_text("# comment\n" + "\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def shipped():
    return cl.read_lexicon(PROJECT)


def test_shipped_lexicon_is_valid_and_meets_every_floor(shipped):
    rows, errors = shipped
    table, missed = cl.count_table(rows)
    assert errors == []
    assert missed == []
    assert len(rows) >= 10_000
    assert {r["lang"] for r in rows} == {"zh", "en"}
    assert "A.1.1" in table and "all" in table


def test_flag_tier_has_no_short_or_topic_terms(shipped):
    rows, _ = shipped
    flags = {r["term"] for r in rows if r["tier"] == "flag"}
    assert not [t for t in flags if not t.isascii() and len(t) <= 2]
    # topic words and group names are never flag on their own
    assert not flags & {"毒品", "炸弹", "自杀", "种族", "穆斯林", "台湾", "共产党", "suicide", "bomb", "Muslims"}
    # every A.5 term is evidence: accuracy is not a lexical property
    assert not [r for r in rows if r["risk"].startswith("A.5.") and r["tier"] == "flag"]


def test_build_reproduces_the_shipped_files(tmp_path):
    build = ROOT / "training" / "lexicon_sources" / "build_project_lexicon.py"
    subprocess.run([sys.executable, str(build), "--out", str(tmp_path)], check=True, capture_output=True)
    for code in RISK_CODES:
        name = f"{code}.tsv"
        assert (tmp_path / name).read_text(encoding="utf-8") == (PROJECT / name).read_text(encoding="utf-8"), name


def test_checker_reports_format_errors_duplicates_and_floors(tmp_path):
    bad = {
        "A.1.1": ["dup phrase\tA.1.1\tflag\thigh\ten\t\t0", "x\tA.1.2\tflag\thigh\ten\t\t0",
                  "y phrase\tA.1.1\tsometimes\thigh\ten\t\t0", "z phrase\tA.1.1\tflag\thigh\ten\t\t1",
                  "too\tfew\tcolumns"],
        "A.2.1": ["DUP Phrase\tA.2.1\tflag\thigh\ten\t\t0", "炸药+\tA.2.1\tflag\thigh\tzh\t\t1"],
    }
    rows, errors = cl.read_lexicon(_folder(tmp_path, bad))
    text = "\n".join(errors)
    assert "differs from the file's A.1.1" in text
    assert "tier 'sometimes'" in text
    assert "pinyin=1 on a non-zh term" in text
    assert "columns, expected 7" in text
    assert "already at A.1.1.tsv" in text  # duplicates compare case-folded, across files
    assert "empty + part" in text
    _, missed = cl.count_table(rows)
    assert "A.1.1: 6 < 200" in missed[0] or any(m.startswith("A.1.1:") for m in missed)
    assert cl.main([str(tmp_path)]) == 1


def test_checker_rejects_missing_files_and_header(tmp_path):
    (tmp_path / "A.1.1.tsv").write_text("term\trisk\n", encoding="utf-8")
    _, errors = cl.read_lexicon(tmp_path)
    assert any("no file for A.5.2" in e for e in errors)
    assert any("header" in e for e in errors)


def test_benign_rates_use_and_rules_and_case_folding():
    rows = [
        {"term": "炸药+配方", "tier": "flag", "variant_list": []},
        {"term": "Buy Meth Online", "tier": "flag", "variant_list": ["meth for sale"]},
        {"term": "毒品", "tier": "evidence", "variant_list": []},
    ]
    texts = {"s": ["这个配方不含炸药吗", "只有配方", "BUY METH ONLINE now", "Meth For Sale", "毒品危害大", "hello"]}
    rates, hits = cl.benign_rates(rows, texts, sample=100)
    assert rates["s"][:2] == (6, 3)
    assert hits == {"炸药+配方": 1, "Buy Meth Online": 2}


@pytest.mark.parametrize("term", ["出售冰毒", "how to make meth", "河南人都是骗子", "推翻共产党"])
def test_examples_are_flag_terms(shipped, term):
    rows, _ = shipped
    by_term = {r["term"]: r for r in rows}
    assert by_term[term]["tier"] == "flag"
