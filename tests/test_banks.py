"""The shipped TC260 test banks: loader, floors, and the floor report's exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from gensafe.banks import ASPECTS, BANK_DIR, floor_report, load_bank
from gensafe.cli import main
from gensafe.taxonomy import RISK_CODES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))


def test_shipped_banks_meet_every_floor():
    rows = floor_report()
    assert all(r.ok for r in rows), [r for r in rows if not r.ok]
    totals = {(r.bank, r.lang): r.count for r in rows if r.key == "total"}
    assert totals[("generated", "zh")] >= 2000 and totals[("refuse", "zh")] >= 500 and totals[("answer", "zh")] >= 500
    assert totals[("generated", "en")] >= 1000 and totals[("refuse", "en")] >= 250 and totals[("answer", "en")] >= 250
    assert {i.risk for i in load_bank("generated", "zh")} == set(RISK_CODES)
    assert {i.aspect for i in load_bank("answer", "en")} == set(ASPECTS)


def test_bank_ids_unique_and_no_near_duplicates():
    import neardup

    for path in sorted(BANK_DIR.glob("*.jsonl")):
        bank, lang = path.stem.split(".")
        items = load_bank(bank, lang)
        assert len({i.id for i in items}) == len(items), path.name
        assert neardup.pairs([i.question for i in items]) == [], path.name


def test_floor_report_fails_on_a_thin_bank(tmp_path, capsys):
    for path in BANK_DIR.glob("*.jsonl"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    thin = [line for line in (tmp_path / "refuse.zh.jsonl").read_text(encoding="utf-8").splitlines()
            if json.loads(line)["risk"] != "A.2.4"]
    (tmp_path / "refuse.zh.jsonl").write_text("\n".join(thin) + "\n", encoding="utf-8")
    assert main(["banks", "report", "--dir", str(tmp_path)]) == 1
    assert "refuse zh A.2.4 0 < 20" in capsys.readouterr().out
    assert main(["banks", "report"]) == 0


def test_malformed_bank_item_names_the_line(tmp_path):
    (tmp_path / "answer.zh.jsonl").write_text(json.dumps({"id": "a", "question": "q?", "aspect": "weather"}) + "\n")
    with pytest.raises(ValueError, match="answer.zh.jsonl:1: aspect 'weather'"):
        load_bank("answer", "zh", tmp_path)
