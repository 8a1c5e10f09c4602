"""Recognisers of personal information: one regex per format, then a check (date, checksum, context) per match.

Each recogniser returns ``(valid, confidence)`` for a match, or None to reject it; :func:`find` runs them all and
resolves overlaps. :mod:`gensafe.pii` is the public interface.

Example:
    >>> [s.type for s in find("粤B12345 bob@example.com", frozenset(TYPES), True, 0.0)]
    ['PLATE_CN', 'EMAIL']
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["TYPES", "RISK", "Span", "id_checksum", "luhn_ok", "check_types", "find"]

#: The TC260 risk personal information is evidence for: A.4.6 侵害他人个人信息权益.
RISK = "A.4.6"
TYPES = ("ID_CN", "MOBILE_CN", "PHONE_CN", "BANK_CARD", "EMAIL", "IPV4", "IPV6", "PASSPORT_CN", "PLATE_CN")


@dataclass(frozen=True)
class Span:
    """One finding: ``text[start:end]`` is ``text``; ``valid`` is the checksum result (None: the type has none)."""

    start: int
    end: int
    type: str
    text: str
    valid: bool | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


# ---- checksums ---------------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum(first17: str) -> str:
    """The check character of an 18-digit resident identity number (GB 11643-1999, ISO 7064 MOD 11-2).

    Example:
        >>> id_checksum("11010519491231002")
        'X'
    """
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check of a card number given as digits only.

    Example:
        >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
        (True, False)
    """
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _date_ok(y: int, m: int, d: int) -> bool:
    try:
        born = date(y, m, d)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


# ---- recognisers: each yields (start, end, valid, confidence) for one regex match, or nothing --------------------

# Context words lift the confidence of formats that also occur as plain codes (passport, card, landline).
_CTX = {
    "ID_CN": re.compile(r"身份证|证件|公民身份|ID\s*(?:card|no)|identity", re.I),
    "BANK_CARD": re.compile(r"卡号|银行卡|信用卡|储蓄卡|借记卡|card|account", re.I),
    "PASSPORT_CN": re.compile(r"护照|passport", re.I),
    "PHONE_CN": re.compile(r"电话|座机|致电|tel|phone|call|fax|传真", re.I),
    "MOBILE_CN": re.compile(r"手机|电话|联系|致电|mobile|phone|call|tel|cell", re.I),
}
_CTX_WINDOW = 16


def _has_context(kind: str, text: str, start: int) -> bool:
    ctx = _CTX.get(kind)
    return bool(ctx and ctx.search(text, max(0, start - _CTX_WINDOW), start))


_ID18 = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})((?:19|20)\d{2})(\d{2})(\d{2})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{2})(\d{2})(\d{2})(\d{3})(?![0-9A-Za-z])")


# The first two digits are a province-level code of GB/T 2260 (Hong Kong, Macao, Taiwan included)
_PROVINCE_CODES = frozenset(str(c) for c in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43,
                                              44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82))


def _id18(m: re.Match, text: str) -> tuple[bool, float] | None:
    if m[1][:2] not in _PROVINCE_CODES or not _date_ok(int(m[2]), int(m[3]), int(m[4])):
        return None  # 18 digits without a birth date are an order number, not an identity number
    valid = id_checksum(m[0][:17]) == m[0][17].upper()
    return valid, 0.99 if valid else 0.4


def _id15(m: re.Match, text: str) -> tuple[bool | None, float] | None:
    # the pre-1999 form has no check digit: a birth date is all that tells it from any 15-digit number
    if m[1][:2] not in _PROVINCE_CODES or not _date_ok(1900 + int(m[2]), int(m[3]), int(m[4])):
        return None
    return None, 0.85 if _has_context("ID_CN", text, m.start()) else 0.5


_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[ -]?)?(1[3-9]\d)([ -]?)(\d{4})\2(\d{4})(?!\d)")


def _mobile(m: re.Match, text: str) -> tuple[bool | None, float]:
    return None, 0.95 if m[0][0] in "+0" or _has_context("MOBILE_CN", text, m.start()) else 0.85


# 010 and 02x have 3-digit area codes and 8-digit numbers; 0[3-9]xx have 4 digits and 7-8. A separator or brackets
# are required: a bare run of 10-12 digits is too often something else.
_AREA = r"(10|2\d|[3-9]\d{2})"
_PHONE = re.compile(
    rf"(?:(?<![\d+])(?:[(（]0{_AREA}[)）][ -]?|0{_AREA}[ -])|(?<!\d)(?:\+|00)86[ -]?(?:\(0\))?{_AREA}[ -])"
    r"(\d{7,8})(?:(?:-|转|ext\.? ?)\d{1,5})?(?!\d)",
    re.I,
)


def _phone(m: re.Match, text: str) -> tuple[bool | None, float] | None:
    area, number = m[1] or m[2] or m[3], m[4]
    if (area == "10" or area.startswith("2")) and len(number) != 8:
        return None
    if number[0] in "01":
        return None  # local numbers never start with 0 or 1
    return None, 0.9 if _has_context("PHONE_CN", text, m.start()) else 0.75


# a sentence's full stop or a dash may follow a number, but not a further digit group ("-660" is part of it)
_CARD = re.compile(r"(?<![\d.-])\d{4}(?:([ -]?)\d{4})(?:\1\d{4}){1,2}(?:\1?\d{1,3})?(?!\d|[.-]\d)|"
                   r"(?<![\d.-])3[47]\d{2}([ -]?)\d{6}\2\d{5}(?!\d|[.-]\d)")


def _network_length_ok(digits: str) -> bool:
    """Lengths the card networks issue for a prefix: Visa 4 (13, 16, 19), Mastercard 5 (16), Amex 34/37 (15),
    JCB 35 (16), Diners 30/36/38 (14), UnionPay 62 (16-19), other 6 (Discover and Chinese banks: 16, 19)."""
    n, head = len(digits), digits[:2]
    if head in ("34", "37"):
        return n == 15
    if head in ("30", "36", "38"):
        return n == 14
    if head == "62":
        return 16 <= n <= 19
    return n in {"4": (13, 16, 19), "5": (16,), "3": (16,), "6": (16, 19)}.get(digits[0], ())


def _id_shaped(digits: str) -> bool:
    if digits[:2] not in _PROVINCE_CODES:
        return False
    if len(digits) == 18:
        return bool(_ID18.fullmatch(digits)) and _date_ok(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    if len(digits) == 15:
        return _date_ok(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    return False


def _card(m: re.Match, text: str) -> tuple[bool, float] | None:
    digits = re.sub(r"\D", "", m[0])
    if not _network_length_ok(digits):
        return None  # a run of digits no card network issues: an order or tracking number
    ctx = _has_context("BANK_CARD", text, m.start())
    if not ctx and _id_shaped(digits):
        return None  # shaped like an identity number (birth date inside): not a card without a card context
    valid = luhn_ok(digits)
    base = 0.9 if digits.startswith("62") else 0.8
    return valid, (min(1.0, base + 0.1) if ctx else base) if valid else 0.3


_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,24}(?![A-Za-z0-9-])")


def _email(m: re.Match, text: str) -> tuple[bool | None, float]:
    return None, 0.95


_IPV4 = re.compile(r"(?<![A-Za-z0-9_.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")
_VERSION = re.compile(r"(?:版本|version|ver\.?|v)\s*$", re.I)


def _ipv4(m: re.Match, text: str) -> tuple[bool | None, float] | None:
    try:
        ipaddress.IPv4Address(m[0])
    except ValueError:
        return None
    # "v1.2.3.4" and "版本 1.2.3.4" are versions, not addresses
    return (None, 0.3) if _VERSION.search(text, max(0, m.start() - 10), m.start()) else (None, 0.85)


# no letter or digit on either side, or "std::vector" and "Foo::Bar" would yield the valid addresses d:: and ::Ba
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])")


def _ipv6(m: re.Match, text: str) -> tuple[bool | None, float] | None:
    s = m[0]
    if len([g for g in s.split(":") if g]) < 2 or not re.search(r"\d", s):
        return None
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return None  # times such as 12:30:45 fail here
    return None, 0.9 if "::" in s or s.count(":") == 7 else 0.6


# Ordinary passports E + 8 digits, or E + a letter (not I/O) + 7 digits since the letters ran out; older G + 8;
# service / official / diplomatic P, S, D + 7 or 8 digits.
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[DPS]E?\d{7})(?![0-9A-Za-z])")


def _passport(m: re.Match, text: str) -> tuple[bool | None, float]:
    return None, 0.9 if _has_context("PASSPORT_CN", text, m.start()) else 0.55


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"(?<![A-Za-z0-9])[{_PROVINCES}][A-HJ-NP-Z][·• -]?"
    r"(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])(?![A-Za-z0-9])"
)


def _plate(m: re.Match, text: str) -> tuple[bool | None, float]:
    return None, 0.9


# Order matters for overlaps: an earlier recogniser wins a tie (an 18-digit identity number beats a card).
_RECOGNISERS: tuple[tuple[str, re.Pattern, Callable[[re.Match, str], Any]], ...] = (
    ("ID_CN", _ID18, _id18),
    ("ID_CN", _ID15, _id15),
    ("EMAIL", _EMAIL, _email),
    ("MOBILE_CN", _MOBILE, _mobile),
    ("PHONE_CN", _PHONE, _phone),
    ("BANK_CARD", _CARD, _card),
    ("IPV6", _IPV6, _ipv6),
    ("IPV4", _IPV4, _ipv4),
    ("PASSPORT_CN", _PASSPORT, _passport),
    ("PLATE_CN", _PLATE, _plate),
)


def check_types(types: Sequence[str] | None) -> frozenset[str]:
    if types is None:
        return frozenset(TYPES)
    if isinstance(types, str):
        types = [types]
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise ValueError(f"unknown PII type(s) {unknown}: expected some of {', '.join(TYPES)}")
    return frozenset(types)


def find(text: str, wanted: frozenset[str], require_valid: bool, min_confidence: float) -> list[Span]:
    found: list[tuple[int, Span]] = []
    for rank, (kind, pattern, check) in enumerate(_RECOGNISERS):
        if kind not in wanted:
            continue
        for m in pattern.finditer(text):
            out = check(m, text)
            if out is None:
                continue
            valid, conf = out
            if (require_valid and valid is False) or conf < min_confidence:
                continue
            found.append((rank, Span(m.start(), m.end(), kind, m[0], valid, round(conf, 3))))
    # overlaps: keep the valid, then the more confident, then the longer, then the earlier recogniser
    found.sort(key=lambda rs: (rs[1].valid is not False, rs[1].confidence, rs[1].end - rs[1].start, -rs[0]),
               reverse=True)
    kept: list[Span] = []
    for _, span in found:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
