"""AIGC labels of GB 45438-2025 and the Labelling Measures: add, read and validate them on generated text.

A label has two parts. The **explicit** label is a line the reader sees (it must say "人工智能"/"AI" and
"生成"/"合成"), at the start or the end of the text. The **implicit** label is machine-readable metadata: an
``AIGC`` object with exactly the seven fields of ``FIELDS``, in that order. Where it goes depends on the format:

* ``"md"`` (Markdown): YAML front matter, ``AIGC: {...}`` as one JSON flow mapping (JSON is valid YAML, so any
  front-matter reader gets the same seven strings, in order); other front-matter keys are kept.
* ``"text"``: the last line of the text, ``AIGC: {...}`` (same syntax). It travels with the text through APIs and
  copy/paste, which a sidecar file does not; ``gensafe label add --sidecar`` writes ``FILE.aigc.json`` instead.
* ``"json"``: an ``"AIGC"`` key on the top-level object; the explicit label goes into the string at ``text_field``
  (a dotted path such as ``choices.0.message.content``) when one is given.

Example:
    >>> from gensafe import labels
    >>> out = labels.add("晴天。", producer="91110000MA00000000", produce_id="c-1")
    >>> print(out)
    本内容由人工智能生成
    晴天。
    AIGC: {"Label": "1", "ContentProducer": "91110000MA00000000", "ProduceID": "c-1", "ReservedCode1": "", \
"ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}
    >>> labels.read(out).metadata.produce_id
    'c-1'
    >>> labels.add(out, producer="91110000MA00000000", produce_id="c-1") == out   # idempotent
    True
    >>> labels.validate("晴天。").ok
    False
"""

from __future__ import annotations

from .core import (
    DEFAULT_EXPLICIT,
    FIELDS,
    LABEL_VALUES,
    AIGCLabel,
    Labelled,
    LabelReport,
    Problem,
    add,
    detect_format,
    read,
    report,
    validate,
)

__all__ = ["FIELDS", "LABEL_VALUES", "DEFAULT_EXPLICIT", "AIGCLabel", "Labelled", "Problem", "LabelReport", "add",
           "read", "validate", "report", "detect_format"]
