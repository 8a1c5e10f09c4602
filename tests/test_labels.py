"""AIGC labels (GB 45438-2025): round trips, idempotence, validation of broken labels, the ``gensafe label`` CLI."""

from __future__ import annotations

import json

import pytest

from gensafe import labels
from gensafe.cli import main
from gensafe.labels import FIELDS, AIGCLabel

META = {"producer": "91110000MA01ABCD2X", "produce_id": "c-42", "propagator": "PLATFORM-7", "propagate_id": "p-9",
        "reserved_code1": "c2lnbmF0dXJl"}
EXPECTED = AIGCLabel("1", "91110000MA01ABCD2X", "c-42", "c2lnbmF0dXJl", "PLATFORM-7", "p-9", "")
BODIES = {
    "text": "今天天气很好。\nThe weather is fine.\n",
    "md": "# 标题\n\n正文第一段。\n\n- item\n",
    "json": '{"id": "chatcmpl-1", "content": "你好"}',
}


def _codes(report: labels.LabelReport) -> set[str]:
    return {p.code for p in report.problems}


def test_fields_are_the_standards_seven_in_order():
    assert FIELDS == ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID",
                      "ReservedCode2")
    assert list(EXPECTED.to_dict()) == list(FIELDS)
    assert AIGCLabel.from_dict(EXPECTED.to_dict()) == EXPECTED


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
@pytest.mark.parametrize("position", ["start", "end"])
def test_round_trip_and_idempotent(fmt, position):
    field = "content" if fmt == "json" else None
    once = labels.add(BODIES[fmt], fmt, position=position, text_field=field, **META)
    found = labels.read(once, fmt, text_field=field)
    assert found.metadata == EXPECTED
    assert list(found.raw) == list(FIELDS)  # written in the standard's order
    assert found.explicit == (labels.DEFAULT_EXPLICIT,) and found.positions == (position,)
    assert labels.validate(once, fmt, text_field=field).ok
    assert labels.detect_format(once) == fmt  # the output is recognised as what it is
    twice = labels.add(once, fmt, position=position, text_field=field, **META)
    assert twice == once  # adding again never duplicates a label
    assert labels.validate(twice, fmt, text_field=field).problems == ()


def test_body_survives_and_new_values_replace_old():
    out = labels.add(BODIES["md"], "md", **META)
    assert labels.read(out, "md").body == BODIES["md"].strip()
    again = labels.add(out, "md", **{**META, "produce_id": "c-43"})
    assert labels.read(again, "md").metadata.produce_id == "c-43"
    assert again.count("AIGC:") == 1 and again.count(labels.DEFAULT_EXPLICIT) == 1


def test_markdown_keeps_other_front_matter_and_text_puts_metadata_last():
    md = "---\ntitle: 报告\ntags: [a, b]\n---\n正文\n"
    out = labels.add(md, producer="P", produce_id="1")  # format detected from the front matter
    assert out.startswith("---\ntitle: 报告\ntags: [a, b]\nAIGC: {")
    assert json.loads(out.split("AIGC: ", 1)[1].split("\n", 1)[0]) == AIGCLabel("1", "P", "1").to_dict()
    text = labels.add("answer", "text", producer="P", produce_id="1", explicit="AI-generated", position="end")
    assert text.splitlines()[-2:] == ["AI-generated", "AIGC: " + json.dumps(AIGCLabel("1", "P", "1").to_dict())]


def test_json_dict_in_dict_out_and_nested_text_field():
    obj = {"choices": [{"message": {"content": "hello"}}]}
    out = labels.add(obj, producer="P", produce_id="1", text_field="choices.0.message.content")
    assert obj == {"choices": [{"message": {"content": "hello"}}]}  # the caller's object is not changed
    assert out["choices"][0]["message"]["content"] == labels.DEFAULT_EXPLICIT + "\nhello"
    assert list(out) == ["choices", "AIGC"]
    assert labels.validate(out, text_field="choices.0.message.content").ok
    assert labels.validate(out).ok  # without text_field there is nowhere to require an explicit label
    with pytest.raises(ValueError, match="not in the JSON"):
        labels.add(obj, producer="P", produce_id="1", text_field="choices.1.message.content")


def test_reads_vendor_flow_and_block_yaml():
    flow = ('---\nAIGC: {Label: "1", ContentProducer: 001191440300, ProduceID: 7a1b, ReservedCode1: ZmFrZQ==, '
            'ContentPropagator: , PropagateID: , ReservedCode2: }\n---\n由AI生成\n正文\n')
    report = labels.validate(flow)
    assert report.ok, report.problems
    assert report.label.content_producer == "001191440300" and report.label.reserved_code1 == "ZmFrZQ=="
    block = "---\nAIGC:\n  Label: '1'\n  ContentProducer: P\n  ProduceID: x\n---\nbody\n"
    assert labels.read(block).metadata == AIGCLabel("1", "P", "x")
    assert _codes(labels.validate(block)) == {"missing_field", "no_explicit"}


@pytest.mark.parametrize("raw, code", [
    ({k: "v" for k in FIELDS if k != "ProduceID"} | {"Label": "1"}, "missing_field"),
    (dict(reversed(list(EXPECTED.to_dict().items()))), "field_order"),
    (EXPECTED.to_dict() | {"ContentProducer": ""}, "empty_field"),
    (EXPECTED.to_dict() | {"ProduceID": "  "}, "empty_field"),
    (EXPECTED.to_dict() | {"Label": "yes"}, "bad_label"),
])
def test_validation_catches_broken_metadata(raw, code):
    for text in (f"{labels.DEFAULT_EXPLICIT}\nbody\nAIGC: {json.dumps(raw)}",
                 f"---\nAIGC: {json.dumps(raw)}\n---\n{labels.DEFAULT_EXPLICIT}\nbody"):
        report = labels.validate(text)
        assert not report.ok and code in _codes(report), (text, report.problems)


def test_validation_warnings_and_structure_errors():
    good = labels.add("body", "text", producer="P", produce_id="1")
    extra = good.replace('"ReservedCode2": ""', '"ReservedCode2": "", "Extra": "x"')
    assert labels.validate(extra).ok and "unknown_field" in _codes(labels.validate(extra))
    dup = good + "\nAIGC: " + json.dumps(AIGCLabel("1", "P", "1").to_dict())
    assert "duplicate_metadata" in _codes(labels.validate(dup))
    assert "no_explicit" in _codes(labels.validate(labels.add("body", "text", producer="P", produce_id="1",
                                                              position="none")))
    half = labels.add("x", "text", producer="P", produce_id="1", propagator="only-one")
    assert "propagator_pair" in _codes(labels.validate(half))
    numbers = '{"AIGC": {"Label": 1, "ContentProducer": "P", "ProduceID": 5, "ReservedCode1": "", ' \
              '"ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}}'
    assert "not_string" in _codes(labels.validate(numbers))
    unlabelled = labels.validate("今天天气很好。")
    assert _codes(unlabelled) == {"no_metadata", "no_explicit"}
    assert labels.report([("a", unlabelled)])["unlabelled"] == 1
    assert _codes(labels.validate("[1, 2]", "json")) == {"unreadable"}


def test_a_sentence_about_ai_is_not_an_explicit_label():
    text = "Many people now ask whether AI generated art will replace human illustrators in the coming decade."
    assert labels.read(text).explicit == ()
    assert labels.read("【AI生成】\n正文").explicit == ("AI生成",)


@pytest.mark.parametrize("kwargs, match", [
    ({"producer": "", "produce_id": "1"}, "required"),
    ({"producer": "P", "produce_id": "1", "label": "4"}, "label must be"),
    ({"producer": "P", "produce_id": "1", "position": "middle"}, "position"),
    ({"producer": "P", "produce_id": "1", "explicit": "Generated content"}, "must name AI"),
    ({"producer": "P", "produce_id": "1", "fmt": "html"}, "unknown label format"),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        labels.add("text", **kwargs)


def test_cli_add_read_validate_report(tmp_path, capsys):
    (tmp_path / "a.md").write_text("# T\n\n正文\n", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"content": "hi"}\n', encoding="utf-8")
    (tmp_path / "c.txt").write_text("answer\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text("unlabelled\n", encoding="utf-8")
    assert main(["label", "add", str(tmp_path / "a.md"), "--producer", "P", "--produce-id", "1", "--in-place"]) == 0
    assert main(["label", "add", str(tmp_path / "b.json"), "--producer", "P", "--produce-id", "2",
                 "--text-field", "content", "--in-place"]) == 0
    assert main(["label", "add", str(tmp_path / "c.txt"), "--producer", "P", "--produce-id", "3", "--sidecar",
                 "--in-place"]) == 0
    assert "AIGC" not in (tmp_path / "c.txt").read_text(encoding="utf-8")  # the sidecar holds it
    assert json.loads((tmp_path / "c.txt.aigc.json").read_text())["AIGC"]["ProduceID"] == "3"
    capsys.readouterr()
    assert main(["label", "read", str(tmp_path / "c.txt")]) == 0
    assert json.loads(capsys.readouterr().out)["AIGC"]["ProduceID"] == "3"
    assert main(["label", "validate", str(tmp_path / "a.md"), str(tmp_path / "c.txt")]) == 0
    capsys.readouterr()
    assert main(["label", "validate", str(tmp_path), "--text-field", "content", "--json"]) == 1
    results = json.loads(capsys.readouterr().out)
    assert sorted(results) == sorted(str(tmp_path / n) for n in ("a.md", "b.json", "c.txt", "d.txt"))  # no sidecar
    assert [name for name, r in results.items() if not r["ok"]] == [str(tmp_path / "d.txt")]
    assert main(["label", "report", str(tmp_path), "--text-field", "content", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["files"], summary["ok"], summary["unlabelled"]) == (4, 3, 1)
    assert summary["failing"] == [str(tmp_path / "d.txt")]
    assert main(["label", "add", str(tmp_path / "a.md"), "--producer", "P", "--produce-id", "1",
                 "--sidecar", "--in-place"]) == 2  # --sidecar is for plain text: a clear error, exit 2
    assert main(["label", "read", str(tmp_path / "missing.txt")]) == 2
