"""The label formats: the AIGC metadata dataclass, and add / read / validate on text, Markdown and JSON.

The public interface and its documentation are :mod:`gensafe.labels`.

Example:
    >>> AIGCLabel(content_producer="P", produce_id="1").to_dict()["Label"]
    '1'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = ["FIELDS", "LABEL_VALUES", "DEFAULT_EXPLICIT", "AIGCLabel", "Labelled", "Problem", "LabelReport", "add",
           "read", "validate", "report", "detect_format"]

#: The implicit label's fields, in the order GB 45438-2025 gives them.
FIELDS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID",
          "ReservedCode2")
#: "1" is AI-generated, "2" possibly, "3" suspected.
LABEL_VALUES = ("1", "2", "3")
DEFAULT_EXPLICIT = "本内容由人工智能生成"

Format = Literal["text", "md", "json"]
Position = Literal["start", "end", "none"]
FORMATS = ("text", "md", "json")
POSITIONS = ("start", "end", "none")

# What makes a line an explicit label: it names AI and generation (the standard's two required parts) and is short,
# so a content sentence that merely mentions AI is not mistaken for one. Markdown decoration is ignored.
# (ASCII boundaries: \b would see no boundary in 由AI生成, CJK characters being word characters)
_AI = re.compile(r"人工智能|(?<![A-Za-z])A\.?I\.?(?![A-Za-z])|artificial intelligence", re.I)
_GEN = re.compile(r"生成|合成|generated|synthesi[sz]ed", re.I)
_DECOR = " \t>*_#`[]【】()（）「」<>~-"
_MAX_EXPLICIT = 48
_META = re.compile(r"^AIGC\s*:\s*(.*)$")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class AIGCLabel:
    """The implicit label (the ``AIGC`` metadata object); attribute names are the fields in snake case.

    Example:
        >>> AIGCLabel(content_producer="P", produce_id="42").to_dict()["ContentProducer"]
        'P'
    """

    label: str = "1"
    content_producer: str = ""
    produce_id: str = ""
    reserved_code1: str = ""
    content_propagator: str = ""
    propagate_id: str = ""
    reserved_code2: str = ""

    def to_dict(self) -> dict[str, str]:
        """The seven fields under their standard names, in the standard's order."""
        return {name: getattr(self, f.name) for name, f in zip(FIELDS, fields(self), strict=True)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AIGCLabel:
        """Build from standard names; missing fields are empty, values are read as strings."""
        return cls(*("" if data.get(name) is None else str(data.get(name)) for name in FIELDS))


@dataclass(frozen=True)
class Labelled:
    """What :func:`read` found: the metadata (None if absent), the raw keys as written, the explicit label."""

    fmt: str
    metadata: AIGCLabel | None
    raw: dict[str, Any] | None = None  # the AIGC object as written: key order and value types kept, for validate
    explicit: tuple[str, ...] = ()  # explicit label lines found
    positions: tuple[str, ...] = ()  # "start" / "end" for each of them
    body: str = ""  # the content without the labels (for json: the text at text_field, if any)
    blocks: int = 0  # how many AIGC metadata blocks were seen (more than one is an error)


@dataclass(frozen=True)
class Problem:
    """One validation finding; ``severity`` is "error" (not compliant) or "warning" (probably a mistake)."""

    severity: str
    code: str
    message: str


@dataclass(frozen=True)
class LabelReport:
    """The result of :func:`validate`: ``ok`` is True when there is no error."""

    fmt: str
    problems: tuple[Problem, ...]
    label: AIGCLabel | None
    explicit: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "format": self.fmt, "label": self.label.to_dict() if self.label else None,
                "explicit": list(self.explicit), "problems": [vars(p) for p in self.problems]}


def detect_format(text: str | dict, path: str | None = None) -> str:
    """Guess the format: by the file suffix if a path is given, else a JSON object, front matter, or plain text."""
    if isinstance(text, dict):
        return "json"
    if path:
        suffix = path.lower().rsplit(".", 1)[-1] if "." in path else ""
        return {"md": "md", "markdown": "md", "json": "json"}.get(suffix, "text")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            if isinstance(json.loads(stripped), dict):
                return "json"
        except ValueError:
            pass
    return "md" if _FRONT.match(text) else "text"


def _is_explicit(line: str) -> bool:
    core = line.strip(_DECOR)
    return 0 < len(core) <= _MAX_EXPLICIT and bool(_AI.search(core)) and bool(_GEN.search(core))


def _meta_line(meta: AIGCLabel) -> str:
    return "AIGC: " + json.dumps(meta.to_dict(), ensure_ascii=False)


def _parse_meta(value: str, following: list[str]) -> dict[str, Any]:
    """The AIGC value: a JSON / YAML flow mapping on the line, or an indented YAML block in ``following``."""
    value = value.strip()
    if value.startswith("{"):
        try:
            parsed = json.loads(value)
            if isinstance(parsed, dict):
                return parsed
        except ValueError:
            pass
        # a YAML flow mapping with bare scalars, as some vendors write it: {Label: "1", ContentProducer: 0011...}
        inner = value.strip("{} ")
        pairs = [p.split(":", 1) for p in inner.split(",") if p.strip()]
        return {k.strip(): _scalar(v) for k, v in (p if len(p) == 2 else (p[0], "") for p in pairs)}
    out: dict[str, Any] = {}
    for line in following:
        if not line.strip():
            continue
        if not line[:1].isspace():
            break
        key, _, val = line.strip().partition(":")
        out[key.strip()] = _scalar(val)
    return out


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return "" if value in ("", "~", "null") else value


def _split_explicit(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Lines → (body lines, explicit labels, their positions): labels are looked for at both ends only."""
    found, where = [], []
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and _is_explicit(lines[0]):
        found.append(lines[0].strip(_DECOR))
        where.append("start")
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    tail: list[str] = []
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and _is_explicit(lines[-1]):
        tail.insert(0, lines[-1].strip(_DECOR))
        lines = lines[:-1]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
    return lines, found + tail, where + ["end"] * len(tail)


def _get_path(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def _set_path(obj: Any, path: str, value: Any) -> None:
    *head, last = path.split(".")
    for part in head:
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        obj[last] = value


def read(text: str | dict, fmt: str | None = None, *, text_field: str | None = None) -> Labelled:
    """Find the implicit and explicit labels in one output.

    Args:
        text: the labelled output (for json: its text, or an already parsed dict).
        fmt: "text", "md" or "json"; None guesses with :func:`detect_format`.
        text_field: json only: dotted path of the string that carries the explicit label.
    """
    fmt = _check_fmt(fmt or detect_format(text))
    if fmt == "json":
        obj = _as_obj(text)
        raw = obj.get("AIGC")
        body = _text_at(obj, text_field) if text_field else ""
        lines, explicit, where = _split_explicit(body.splitlines()) if text_field else ([], [], [])
        meta = AIGCLabel.from_dict(raw) if isinstance(raw, dict) else None
        return Labelled(fmt, meta, raw if isinstance(raw, dict) else None, tuple(explicit), tuple(where),
                        "\n".join(lines), int("AIGC" in obj))
    if not isinstance(text, str):
        raise TypeError(f"{fmt} labels are read from a str, got {type(text).__name__}")
    raws: list[dict[str, Any]] = []
    rest = text
    if fmt == "md" and (m := _FRONT.match(text)):
        front = m.group(1).splitlines()
        for i, line in enumerate(front):
            if mm := _META.match(line):
                raws.append(_parse_meta(mm.group(1), front[i + 1:]))
        rest = text[m.end():]
    lines = rest.splitlines()
    # a metadata line anywhere outside front matter counts (a second block is an error), but only the last one is
    # taken off the body: that is where add() puts it
    kept = []
    for line in lines:
        if mm := _META.match(line):
            raws.append(_parse_meta(mm.group(1), []))
        else:
            kept.append(line)
    body, explicit, where = _split_explicit(kept)
    raw = raws[0] if raws else None
    return Labelled(fmt, AIGCLabel.from_dict(raw) if raw is not None else None, raw, tuple(explicit), tuple(where),
                    "\n".join(body), len(raws))


def _check_fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown label format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


def _as_obj(text: str | dict) -> dict:
    obj = json.loads(text) if isinstance(text, str) else text
    if not isinstance(obj, dict):
        raise ValueError(f"a json output must be a JSON object to carry an AIGC key, got {type(obj).__name__}")
    return obj


def _text_at(obj: dict, path: str) -> str:
    try:
        value = _get_path(obj, path)
    except (KeyError, IndexError, ValueError, TypeError):
        raise ValueError(f"text_field {path!r} is not in the JSON object") from None
    if not isinstance(value, str):
        raise ValueError(f"text_field {path!r} holds {type(value).__name__}, not a string")
    return value


def add(
    text: str | dict,
    fmt: str | None = None,
    *,
    producer: str,
    produce_id: str,
    label: str = "1",
    propagator: str = "",
    propagate_id: str = "",
    reserved_code1: str = "",
    reserved_code2: str = "",
    explicit: str = DEFAULT_EXPLICIT,
    position: str = "start",
    text_field: str | None = None,
    implicit: bool = True,
) -> str | dict:
    """Label one output; labels already there are replaced, so adding twice never duplicates them.

    Args:
        text: the generated output (json: a JSON object as text, or a dict, which is returned as a new dict).
        fmt: "text", "md" or "json"; None guesses with :func:`detect_format`.
        producer, produce_id: ContentProducer and ProduceID (required, non-empty).
        label: "1" generated, "2" possibly, "3" suspected.
        propagator, propagate_id, reserved_code1, reserved_code2: the other four fields (may be empty).
        explicit: the visible label line; must name AI (人工智能/AI) and generation (生成/合成/generated).
        position: "start", "end" or "none" (no explicit label; the standard allows this only in the cases it lists).
        text_field: json only: dotted path of the string that gets the explicit label.
        implicit: False leaves the metadata out (text only: for a sidecar file).
    """
    fmt = _check_fmt(fmt or detect_format(text))
    if position not in POSITIONS:
        raise ValueError(f"unknown position {position!r}: expected one of {', '.join(POSITIONS)}")
    if label not in LABEL_VALUES:
        raise ValueError(f"label must be one of {', '.join(LABEL_VALUES)} (1 generated, 2 possibly, 3 suspected)")
    if not producer or not produce_id:
        raise ValueError("producer and produce_id are required (ContentProducer, ProduceID)")
    if position != "none" and not _is_explicit(explicit):
        raise ValueError(f"explicit label {explicit!r} must name AI (人工智能 / AI) and generation (生成 / 合成 / "
                         f"generated) in at most {_MAX_EXPLICIT} characters")
    meta = AIGCLabel(label, producer, produce_id, reserved_code1, propagator, propagate_id, reserved_code2)

    gap = "\n\n" if fmt == "md" else "\n"  # a paragraph of its own in Markdown, not glued to the body's first one

    def with_explicit(body: str) -> str:
        if position == "none":
            return body
        return f"{explicit}{gap}{body}" if position == "start" else f"{body}{gap}{explicit}"

    if fmt == "json":
        obj = json.loads(json.dumps(_as_obj(text)))  # a deep copy: the caller's dict is not changed
        if text_field:
            _set_path(obj, text_field, with_explicit(read(obj, "json", text_field=text_field).body))
        obj.pop("AIGC", None)
        obj["AIGC"] = meta.to_dict()
        if isinstance(text, dict):
            return obj
        return json.dumps(obj, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")
    if not isinstance(text, str):
        raise TypeError(f"{fmt} labels are added to a str, got {type(text).__name__}")
    found = read(text, fmt)
    body = with_explicit(found.body)
    if fmt == "md":
        front = _front_without_meta(text)
        lines = ["---", *(front or []), *([_meta_line(meta)] if implicit else []), "---"]
        return "\n".join(lines) + "\n" + body + ("\n" if text.endswith("\n") else "")
    return body + (("\n" + _meta_line(meta)) if implicit else "") + ("\n" if text.endswith("\n") else "")


def _front_without_meta(text: str) -> list[str] | None:
    m = _FRONT.match(text)
    if not m:
        return None
    out, skipping = [], False
    for line in m.group(1).splitlines():
        if _META.match(line):
            skipping = True  # drop the AIGC line and its indented block, keep every other key
            continue
        if skipping and line[:1].isspace():
            continue
        skipping = False
        out.append(line)
    return out


def validate(text: str | dict, fmt: str | None = None, *, text_field: str | None = None,
             require_explicit: bool | None = None) -> LabelReport:
    """Check one output's labels against GB 45438-2025 and report every problem found.

    ``require_explicit`` defaults to True, except for json without ``text_field`` (nowhere to look for one).
    """
    fmt = _check_fmt(fmt or detect_format(text))
    try:
        found = read(text, fmt, text_field=text_field)
    except ValueError as e:
        return LabelReport(fmt, (Problem("error", "unreadable", str(e)),), None)
    problems: list[Problem] = []

    def err(code: str, msg: str, severity: str = "error") -> None:
        problems.append(Problem(severity, code, msg))

    if require_explicit is None:
        require_explicit = not (fmt == "json" and not text_field)
    raw = found.raw
    if raw is None:
        err("no_metadata", "no AIGC metadata (implicit label)")
    else:
        keys = list(raw)
        missing = [k for k in FIELDS if k not in raw]
        extra = [k for k in keys if k not in FIELDS]
        if missing:
            err("missing_field", f"AIGC lacks {', '.join(missing)}")
        if extra:
            err("unknown_field", f"AIGC has fields the standard does not define: {', '.join(extra)}", "warning")
        present = [k for k in keys if k in FIELDS]
        if present != [k for k in FIELDS if k in raw]:
            err("field_order", f"AIGC fields out of order: {', '.join(present)} (expected {', '.join(FIELDS)})")
        for k in FIELDS[:3]:
            if k in raw and (raw[k] is None or str(raw[k]).strip() == ""):
                err("empty_field", f"{k} is empty")
        if "Label" in raw and str(raw["Label"]) not in LABEL_VALUES and str(raw["Label"]).strip():
            err("bad_label", f"Label is {raw['Label']!r}: expected 1 (generated), 2 (possibly) or 3 (suspected)")
        not_str = [k for k in FIELDS if k in raw and raw[k] is not None and not isinstance(raw[k], str)]
        if not_str:
            err("not_string", f"values should be strings: {', '.join(not_str)}", "warning")
        if bool(str(raw.get("ContentPropagator") or "")) != bool(str(raw.get("PropagateID") or "")):
            err("propagator_pair", "ContentPropagator and PropagateID should be set together", "warning")
    if found.blocks > 1:
        err("duplicate_metadata", f"{found.blocks} AIGC metadata blocks (expected one)")
    if require_explicit and not found.explicit:
        err("no_explicit", "no explicit label (a line naming 人工智能/AI and 生成/合成 at the start or end)")
    if len(found.explicit) > 1:
        err("duplicate_explicit", f"{len(found.explicit)} explicit labels: {found.explicit}", "warning")
    return LabelReport(fmt, tuple(problems), found.metadata, found.explicit)


@dataclass
class _Tally:
    """Counts for :func:`report` (kept mutable while files are read)."""

    files: int = 0
    ok: int = 0
    unlabelled: int = 0
    invalid: int = 0
    problems: dict[str, int] = field(default_factory=dict)


def report(reports: list[tuple[str, LabelReport]]) -> dict[str, Any]:
    """Summarise many :func:`validate` results (e.g. one per file): counts and the problem codes seen.

    Example:
        >>> report([("a.txt", validate("x"))])["unlabelled"]
        1
    """
    t = _Tally()
    for _, r in reports:
        t.files += 1
        if r.ok:
            t.ok += 1
        elif r.label is None and not r.explicit:
            t.unlabelled += 1
        else:
            t.invalid += 1
        for p in r.problems:
            t.problems[p.code] = t.problems.get(p.code, 0) + 1
    return {**vars(t), "failing": [name for name, r in reports if not r.ok]}
