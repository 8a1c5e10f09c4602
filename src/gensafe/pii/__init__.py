"""Personal information in zh / en text: find it (with checksums where the format has one) and mask it.

Pattern + checksum recognisers, no model: resident identity numbers (GB 11643, ISO 7064 MOD 11-2; and the old
15-digit form), mainland mobile and landline numbers, bank cards (Luhn), e-mail, IPv4 / IPv6, passport numbers
(China), licence plates (China, new-energy plates included). Names and addresses are not detected: see the README
(no maintained library does them offline here). Findings are evidence for TC260 risk A.4.6 (personal information)
beside a classifier :class:`~gensafe.Result`: see :func:`annotate`.

Example:
    >>> from gensafe import pii
    >>> [(s.type, s.text, s.valid) for s in pii.detect("身份证11010519491231002X，手机+86 138-0013-8000")[0]]
    [('ID_CN', '11010519491231002X', True), ('MOBILE_CN', '+86 138-0013-8000', None)]
    >>> pii.mask("call 13800138000 or mail bob@example.com", style="tag")
    ['call [MOBILE_CN] or mail [EMAIL]']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..text import as_text_list
from .recognisers import RISK, TYPES, Span, check_types, find, id_checksum, luhn_ok

__all__ = ["TYPES", "RISK", "Span", "PIIAnnotation", "detect", "mask", "annotate", "id_checksum", "luhn_ok"]

STYLES = ("mask", "hash", "tag")


def detect(texts: str | Sequence[str], *, types: Sequence[str] | None = None, require_valid: bool = True,
           min_confidence: float = 0.0) -> list[list[Span]]:
    """Find personal information; one list of spans per input text, in text order.

    Args:
        texts: one ``str`` or a sequence of ``str`` (always answered as a batch).
        types: only these types (default: all of ``TYPES``).
        require_valid: drop identity numbers and cards whose checksum fails (True, the default: a failing checksum
            is far more often an order number than a mistyped identity number). False keeps them, ``valid=False``.
        min_confidence: drop spans below this confidence (e.g. 0.6 drops a passport-like code without 护照/passport
            nearby, a 15-digit number without 身份证 nearby, and dotted quads after "version").

    Example:
        >>> [[s.type for s in spans] for spans in detect(["粤B12345", "无", "卡号 4111 1111 1111 1111"])]
        [['PLATE_CN'], [], ['BANK_CARD']]
    """
    wanted = check_types(types)
    return [find(t, wanted, require_valid, min_confidence) for t in as_text_list(texts)]


def _replacement(span: Span, style: str, salt: str) -> str:
    if style == "tag":
        return f"[{span.type}]"
    if style == "hash":
        # the normalised value, so 138 0013 8000 and 13800138000 hash alike; salt it: these spaces are small
        # enough (an identity number has ~10^10 plausible values) that an unsalted hash can be reversed
        value = re.sub(r"[\s()（）·•-]", "", span.text).upper()
        digest = hashlib.sha256((salt + value).encode("utf-8")).hexdigest()[:12]
        return f"[{span.type}:{digest}]"
    # "mask": every letter and digit becomes *, separators stay, so the shape of the value is still readable
    return "".join("*" if c.isalnum() else c for c in span.text)


def mask(texts: str | Sequence[str], *, style: str = "mask", types: Sequence[str] | None = None,
         require_valid: bool = True, min_confidence: float = 0.0, salt: str = "") -> list[str]:
    """Replace the personal information found by :func:`detect`; one output text per input text.

    ``style``: "mask" (letters and digits → ``*``), "hash" (``[TYPE:sha256 prefix]``, salted with ``salt``: the same
    value gives the same token, so records can still be joined), or "tag" (``[TYPE]``).

    Example:
        >>> mask(["卡号 6222 0200 0000 0000 000"], style="mask")
        ['卡号 **** **** **** **** ***']
    """
    if style not in STYLES:
        raise ValueError(f"unknown mask style {style!r}: expected one of {', '.join(STYLES)}")
    texts = as_text_list(texts)
    out = []
    for text, spans in zip(texts, detect(texts, types=types, require_valid=require_valid,
                                         min_confidence=min_confidence), strict=True):
        parts, pos = [], 0
        for s in spans:
            parts += [text[pos:s.start], _replacement(s, style, salt)]
            pos = s.end
        out.append("".join(parts) + text[pos:])
    return out


@dataclass(frozen=True)
class PIIAnnotation:
    """One text's verdict from the classifier and its personal information, side by side.

    ``risks`` is the verdict's risks plus ``A.4.6`` when personal information was found (and not already there);
    ``flagged`` is the verdict's flag or any personal information.
    """

    verdict: Any
    spans: tuple[Span, ...]

    @property
    def risks(self) -> tuple[str, ...]:
        risks = tuple(self.verdict.risks)
        return risks + (RISK,) if self.spans and RISK not in risks else risks

    @property
    def flagged(self) -> bool:
        return bool(self.verdict.flagged) or bool(self.spans)

    def to_dict(self, *, scores: bool = True) -> dict[str, Any]:
        """The verdict's dict with the merged flag and risks, and ``pii``: the spans as A.4.6 evidence."""
        d = self.verdict.to_dict(scores=scores)
        d.update(flagged=self.flagged, risks=list(self.risks),
                 pii={"risk": RISK, "spans": [s.to_dict() for s in self.spans],
                      "types": sorted({s.type for s in self.spans})})
        return d


def annotate(result: Any, texts: str | Sequence[str], **detect_kwargs: Any) -> list[PIIAnnotation]:
    """Pair each verdict of a classifier ``Result`` with the personal information in its text (A.4.6 evidence).

    ``texts`` must be the texts the result was computed on, in the same order; ``detect_kwargs`` go to
    :func:`detect` (e.g. ``min_confidence=0.6``). The result itself is not changed.

    Example:
        >>> texts = ["你好", "我的手机是13800138000"]
        >>> notes = annotate(clf.predict(texts), texts)            # doctest: +SKIP
        >>> [n.risks for n in notes]                               # doctest: +SKIP
        [(), ('A.4.6',)]
    """
    texts = as_text_list(texts)
    if len(result) != len(texts):
        raise ValueError(f"the result has {len(result)} rows but {len(texts)} texts were given: pass the texts "
                         f"the result was computed on")
    return [PIIAnnotation(v, tuple(s)) for v, s in zip(result, detect(texts, **detect_kwargs), strict=True)]
