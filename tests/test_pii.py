"""Personal information: checksums, each type in zh and en, distractors, masking, A.4.6 evidence, CLI, benchmark."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from gensafe import Result, pii
from gensafe.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import pii_eval  # noqa: E402

ID18 = "11010519491231002X"  # the GB 11643 example: checksum X


def _found(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(s.type, s.text) for s in pii.detect(text, **kwargs)[0]]


def test_checksums():
    assert pii.id_checksum(ID18[:17]) == "X"
    # ISO 7064 MOD 11-2 as the standard states it: sum(a_i * 2^(i-1)) over all 18 positions (X = 10) is 1 mod 11
    for first17 in ("44030519900101123", "31010119851231001", "51010420000229888"):
        full = first17 + pii.id_checksum(first17)
        assert sum((10 if c == "X" else int(c)) * 2 ** (17 - i) for i, c in enumerate(full)) % 11 == 1
    assert pii.luhn_ok("4111111111111111") and pii.luhn_ok("6222020000000000000")
    assert not pii.luhn_ok("4111111111111112")


@pytest.mark.parametrize("kind, value", [
    ("ID_CN", ID18),
    ("ID_CN", "110105491231002"),                 # old 15-digit form: a birth date, no checksum
    ("MOBILE_CN", "13800138000"),
    ("MOBILE_CN", "+86 138-0013-8000"),
    ("MOBILE_CN", "0086 13800138000"),
    ("MOBILE_CN", "138 0013 8000"),
    ("PHONE_CN", "010-62345678"),
    ("PHONE_CN", "(0755)2345678"),
    ("PHONE_CN", "（021）62345678"),
    ("PHONE_CN", "+86 10 62345678"),
    ("PHONE_CN", "0571-8765432-123"),
    ("BANK_CARD", "6222020000000000000"),
    ("BANK_CARD", "4111 1111 1111 1111"),
    ("BANK_CARD", "4111-1111-1111-1111"),
    ("BANK_CARD", "3782 822463 10005"),            # Amex 4-6-5
    ("EMAIL", "zhang.san_01@mail.tsinghua.edu.cn"),
    ("IPV4", "203.0.113.7"),
    ("IPV6", "2001:db8::8a2e:370:7334"),
    ("IPV6", "fe80:0:0:0:202:b3ff:fe1e:8329"),
    ("PASSPORT_CN", "E12345678"),
    ("PASSPORT_CN", "EA1234567"),
    ("PASSPORT_CN", "G12345678"),
    ("PLATE_CN", "粤B12345"),
    ("PLATE_CN", "京A·F0236"),
    ("PLATE_CN", "沪AD12345"),                     # new energy, small car
    ("PLATE_CN", "苏E12345F"),                     # new energy, large vehicle
])
@pytest.mark.parametrize("template", ["我的信息是{}，请保密。", "My details: {}. Keep them private.", "{}"])
def test_each_type_in_zh_and_en(kind, value, template):
    text = template.format(value)
    spans = pii.detect([text])[0]
    assert [(s.type, s.text) for s in spans] == [(kind, value)]
    assert all(text[s.start:s.end] == s.text and 0 < s.confidence <= 1 for s in spans)


@pytest.mark.parametrize("text", [
    "订单号 20240501123456789012 已发货",          # 20 digits
    "会议定于2024-05-01 14:30:00召开，票价¥1,299.00",
    "It costs $12,345.67 and ships on 5/1/2024.",
    "Upgrade to version v1.2.3.4 now; std::vector and Foo::Bar compile.",
    "Meet at 12:30:45 in room 101.",
    "订单 620123456789012345 已完成",              # 18 digits, no card network issues them outside 62… and Luhn fails
    "邮编 100080，门牌 12 号",
    "Call 911 or 110.",
    "ISBN 978-7-111-54742-6",
    "沪A股指数上涨",
])
def test_distractors_are_not_found(text):
    assert _found(text) == []


def test_invalid_checksums_dropped_by_default_kept_on_request():
    bad_id = ID18[:17] + "1"
    bad_card = "4111111111111112"
    text = f"身份证{bad_id}，卡号{bad_card}"
    assert _found(text) == []
    kept = pii.detect(text, require_valid=False)[0]
    assert [(s.type, s.valid) for s in kept] == [("ID_CN", False), ("BANK_CARD", False)]
    assert all(s.confidence < 0.5 for s in kept)


def test_id_number_is_not_a_card_and_context_lifts_confidence():
    # an 18-digit identity number can pass Luhn by chance: it stays an identity number
    assert _found(f"{ID18}") == [("ID_CN", ID18)]
    bare, ctx = pii.detect(["编号 E12345678", "护照号 E12345678"])
    assert bare[0].confidence < 0.6 <= ctx[0].confidence
    assert _found("编号 E12345678", min_confidence=0.6) == []


def test_batch_types_and_bad_input():
    out = pii.detect(("a@b.cn", "无", "13800138000"), types=["EMAIL"])
    assert [[s.type for s in spans] for spans in out] == [["EMAIL"], [], []]
    assert pii.detect([]) == []
    with pytest.raises(ValueError, match="unknown PII type"):
        pii.detect("x", types=["SSN"])
    with pytest.raises(TypeError):
        pii.detect(b"13800138000")
    with pytest.raises(ValueError, match="unknown mask style"):
        pii.mask("x", style="blur")


def test_mask_styles():
    text = "手机 138-0013-8000，邮箱 bob@example.com"
    assert pii.mask(text) == ["手机 ***-****-****，邮箱 ***@*******.***"]
    assert pii.mask([text], style="tag") == ["手机 [MOBILE_CN]，邮箱 [EMAIL]"]
    a, b = pii.mask(["13800138000", "138 0013 8000"], style="hash", salt="s1")
    assert a == b and a.startswith("[MOBILE_CN:") and len(a) == len("[MOBILE_CN:]") + 12  # normalised value
    assert pii.mask("13800138000", style="hash", salt="s2")[0] != a  # the salt changes the token
    assert pii.mask("nothing here") == ["nothing here"]


def _result(flags: list[bool]) -> Result:
    scores = np.array([[0.9 if f else 0.1] for f in flags], dtype=np.float32)
    return Result(scores=scores, labels=("A.1.8",), thresholds=np.array([0.5], dtype=np.float32))


def test_annotate_adds_a46_evidence_without_changing_the_result():
    texts = ["你好", "我的手机是13800138000", "bad text 13800138000"]
    result = _result([False, False, True])
    notes = pii.annotate(result, texts)
    assert [n.risks for n in notes] == [(), ("A.4.6",), ("A.1.8", "A.4.6")]
    assert [n.flagged for n in notes] == [False, True, True]
    d = notes[1].to_dict()
    assert d["flagged"] is True and d["risks"] == ["A.4.6"] and d["pii"]["types"] == ["MOBILE_CN"]
    assert not result.flagged[1]  # the classifier's own verdict is untouched
    with pytest.raises(ValueError, match="rows"):
        pii.annotate(result, texts[:2])


def test_cli_detect_and_mask(capsys):
    assert main(["pii", "detect", "--json", f"身份证{ID18}", "无"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [[s["type"] for s in r["pii"]] for r in rows] == [["ID_CN"], []]
    assert main(["pii", "detect", "--fail-on-find", "13800138000"]) == 1
    capsys.readouterr()
    assert main(["pii", "mask", "--style", "tag", "--types", "email", "a@b.com 13800138000"]) == 0
    assert capsys.readouterr().out == "[EMAIL] 13800138000\n"


def test_benchmark_generator_is_seeded_and_scores():
    rows = pii_eval.generate(per_type=40, negatives=200, seed=3)
    assert rows == pii_eval.generate(per_type=40, negatives=200, seed=3)
    assert all(text[s:e] for text, gold in rows for s, e, _ in gold)
    table = pii_eval.score(rows)
    assert table["ALL"]["gold"] == 40 * len(pii.TYPES)
    # figures for the README come from the full run; this guards against a recogniser breaking
    assert table["ALL"]["recall"] > 0.9 and table["ALL"]["precision"] > 0.9
    loose = pii_eval.score(rows, require_valid=False)
    assert loose["ID_CN"]["fp"] >= table["ID_CN"]["fp"]  # invalid checksums are negatives
