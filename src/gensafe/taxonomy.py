"""The 31 safety risks of TC260-003 / GB/T 45654-2025 Appendix A, in one place.

Every part of gensafe names a risk by one code format, ``A.<family>.<n>`` (``A.1.3`` is the third
risk of family A.1). The standard itself letters the risks (``A.1 c``); :func:`risk` accepts that
spelling too and returns the canonical code.

Example:
    >>> from gensafe.taxonomy import risk, FAMILIES
    >>> risk("A.1.3").en
    'Inciting secession; undermining national unity and social stability'
    >>> risk("A.1 c").code
    'A.1.3'
    >>> [f.code for f in FAMILIES]
    ['A.1', 'A.2', 'A.3', 'A.4', 'A.5']
    >>> OPENAI_MAP["illicit"], openai_categories("A.1.6")
    (('A.1.8',), ('sexual', 'violence'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Family", "Risk", "FAMILIES", "RISKS", "RISK_CODES", "risk", "family", "canonical_code",
           "OPENAI_CATEGORIES", "OPENAI_MAP", "openai_categories"]


@dataclass(frozen=True)
class Family:
    """One of the five risk families (A.1 … A.5) and the clause of Art. 4 of the Interim Measures it makes concrete."""

    code: str
    zh: str
    en: str
    article: str


@dataclass(frozen=True)
class Risk:
    """One of the 31 risks: canonical code, Chinese and English names, family and Art. 4 clause."""

    code: str
    zh: str
    en: str
    family: str
    article: str

    def to_dict(self) -> dict[str, str]:
        """``{"code", "zh", "en", "family"}``, JSON-ready.

        Example:
            >>> risk("A.2.5").to_dict()["en"]
            'Gender discrimination'
        """
        return {"code": self.code, "zh": self.zh, "en": self.en, "family": self.family}


# Art. 4 of the Interim Measures for the Management of Generative AI Services (CAC Order No. 15, 2023):
# clause (1) core values, (2) discrimination, (3) IP / business ethics / competition, (4) others' rights,
# (5) accuracy and reliability. Each family of Appendix A makes one clause concrete.
FAMILIES: tuple[Family, ...] = (
    Family("A.1", "包含违反社会主义核心价值观的内容", "Content violating the core socialist values", "Art. 4(1)"),
    Family("A.2", "包含歧视性内容", "Discriminatory content", "Art. 4(2)"),
    Family("A.3", "商业违法违规", "Commercial violations", "Art. 4(3)"),
    Family("A.4", "侵犯他人合法权益", "Infringing others' lawful rights and interests", "Art. 4(4)"),
    Family("A.5", "无法满足特定服务类型的安全需求", "Failing the safety needs of specific service types", "Art. 4(5)"),
)

_TABLE: dict[str, list[tuple[str, str]]] = {
    "A.1": [
        (
            "煽动颠覆国家政权、推翻社会主义制度",
            "Inciting subversion of state power or overthrow of the socialist system",
        ),
        ("危害国家安全和利益、损害国家形象", "Endangering national security and interests; harming the national image"),
        ("煽动分裂国家、破坏国家统一和社会稳定", "Inciting secession; undermining national unity and social stability"),
        ("宣扬恐怖主义、极端主义", "Promoting terrorism or extremism"),
        ("宣扬民族仇恨", "Promoting ethnic hatred"),
        ("宣扬暴力、淫秽色情", "Promoting violence, obscenity or pornography"),
        ("传播虚假有害信息", "Spreading false and harmful information"),
        ("其他法律、行政法规禁止的内容", "Other content prohibited by laws and administrative regulations"),
    ],
    "A.2": [
        ("民族歧视内容", "Ethnic discrimination"),
        ("信仰歧视内容", "Religious or belief discrimination"),
        ("国别歧视内容", "Nationality discrimination"),
        ("地域歧视内容", "Regional discrimination"),
        ("性别歧视内容", "Gender discrimination"),
        ("年龄歧视内容", "Age discrimination"),
        ("职业歧视内容", "Occupational discrimination"),
        ("健康歧视内容", "Health discrimination"),
        ("其他方面歧视内容", "Other discrimination"),
    ],
    "A.3": [
        ("侵犯他人知识产权", "Infringing others' intellectual property"),
        ("违反商业道德", "Violating business ethics"),
        ("泄露他人商业秘密", "Disclosing others' trade secrets"),
        (
            "利用算法、数据、平台等优势，实施垄断和不正当竞争行为",
            "Using algorithm, data or platform advantages for monopoly or unfair competition",
        ),
        ("其他商业违法违规行为", "Other commercial violations"),
    ],
    "A.4": [
        ("危害他人身心健康", "Endangering others' physical or mental health"),
        ("侵害他人肖像权", "Infringing portrait rights"),
        ("侵害他人名誉权", "Infringing reputation rights"),
        ("侵害他人荣誉权", "Infringing honour rights"),
        ("侵害他人隐私权", "Infringing privacy rights"),
        ("侵害他人个人信息权益", "Infringing personal-information rights"),
        ("侵犯他人其他合法权益", "Infringing other lawful rights and interests"),
    ],
    "A.5": [
        (
            "内容不准确，严重不符合科学常识或主流认知",
            "Inaccurate content seriously contrary to science or mainstream understanding",
        ),
        (
            "内容不可靠，虽然不包含严重错误的内容，但无法对使用者形成帮助",
            "Unreliable content: no serious error but of no help",
        ),
    ],
}

_ARTICLE = {f.code: f.article for f in FAMILIES}

RISKS: tuple[Risk, ...] = tuple(
    Risk(f"{fam}.{i}", zh, en, fam, _ARTICLE[fam])
    for fam, rows in _TABLE.items()
    for i, (zh, en) in enumerate(rows, start=1)
)
RISK_CODES: tuple[str, ...] = tuple(r.code for r in RISKS)
_BY_CODE = {r.code: r for r in RISKS}
_FAMILY_BY_CODE = {f.code: f for f in FAMILIES}

# Accepts "A.1.3", "a1.3", "A.1 c", "A.1.c", "A1c": the standard letters risks a, b, c, ...
_CODE_RE = re.compile(r"^\s*A\s*\.?\s*([1-5])\s*[.\s]?\s*([1-9]|[a-i])\s*$", re.IGNORECASE)


def canonical_code(code: str) -> str:
    """Return the canonical ``A.x.n`` form of a risk code, or raise ``KeyError`` naming the valid codes.

    Example:
        >>> canonical_code("A.2 e")
        'A.2.5'
    """
    if not isinstance(code, str):
        raise TypeError(f"risk code must be a str, got {type(code).__name__}")
    m = _CODE_RE.match(code)
    if m:
        fam, n = m.groups()
        index = int(n) if n.isdigit() else ord(n.lower()) - ord("a") + 1
        candidate = f"A.{fam}.{index}"
        if candidate in _BY_CODE:
            return candidate
    raise KeyError(f"unknown risk code {code!r}; valid codes are A.1.1-A.1.8, A.2.1-A.2.9, A.3.1-A.3.5, "
                   "A.4.1-A.4.7, A.5.1-A.5.2")


def risk(code: str) -> Risk:
    """Look up a risk by code (``"A.1.3"`` or the standard's ``"A.1 c"``)."""
    return _BY_CODE[canonical_code(code)]


def family(code: str) -> Family:
    """Look up a family by code (``"A.2"``); raise ``KeyError`` for anything else."""
    key = code.strip().upper() if isinstance(code, str) else code
    if key not in _FAMILY_BY_CODE:
        raise KeyError(f"unknown risk family {code!r}; valid families are {', '.join(_FAMILY_BY_CODE)}")
    return _FAMILY_BY_CODE[key]


# -- OpenAI moderation categories ------------------------------------------------------------------------------------
#: The categories of OpenAI's ``/v1/moderations`` response (omni-moderation), in its order. Its client requires every
#: one of them in a response, so a response built by gensafe always carries all 13 (see ``Result.to_openai``).
OPENAI_CATEGORIES: tuple[str, ...] = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)

#: OpenAI category -> the TC260 risks whose content it names; its score is the max of theirs.
#:
#: ====================== ============================================ ==============================================
#: OpenAI category        TC260 risks                                  why
#: ====================== ============================================ ==============================================
#: hate                   A.1.5, A.2.1, A.2.2, A.2.3, A.2.5, A.2.8     hatred or discrimination by ethnicity,
#:                                                                     religion, nationality, gender, disability
#:                                                                     (OpenAI's protected groups)
#: harassment             A.2.4, A.2.6, A.2.7, A.2.9, A.4.3, A.4.4     groups OpenAI does not list as protected
#:                                                                     (region, age, occupation, other: "harassment"
#:                                                                     in its own definition) and insults to a
#:                                                                     person's reputation or honour
#: illicit                A.1.8                                        crime, fraud, drugs, weapons, gambling (how
#:                                                                     gensafe's label map trains A.1.8)
#: self-harm              A.4.1                                        endangering physical or mental health
#:                                                                     (trained on self-harm and suicide data)
#: sexual                 A.1.6                                        obscenity and pornography
#: violence               A.1.4, A.1.6                                 terrorism and extremism; promoting violence
#: the 7 sub-categories   none                                         TC260 draws no line at threats, minors,
#:                                                                     intent, instructions or graphic detail
#: ====================== ============================================ ==============================================
#:
#: TC260 risks with no OpenAI counterpart (A.1.1–A.1.3, A.1.7, A.3, A.4.2, A.4.5–A.4.7, A.5) appear in a response
#: under their own codes only. A.1.6 joins "violence, obscenity or pornography" in one risk, so it feeds both
#: ``sexual`` and ``violence``: a text flagged A.1.6 flags both.
OPENAI_MAP: dict[str, tuple[str, ...]] = {
    "harassment": ("A.2.4", "A.2.6", "A.2.7", "A.2.9", "A.4.3", "A.4.4"),
    "harassment/threatening": (),
    "hate": ("A.1.5", "A.2.1", "A.2.2", "A.2.3", "A.2.5", "A.2.8"),
    "hate/threatening": (),
    "illicit": ("A.1.8",),
    "illicit/violent": (),
    "self-harm": ("A.4.1",),
    "self-harm/intent": (),
    "self-harm/instructions": (),
    "sexual": ("A.1.6",),
    "sexual/minors": (),
    "violence": ("A.1.4", "A.1.6"),
    "violence/graphic": (),
}


def openai_categories(code: str) -> tuple[str, ...]:
    """The OpenAI categories a risk feeds (``()`` for none), in ``OPENAI_CATEGORIES`` order.

    Example:
        >>> openai_categories("A.2 e"), openai_categories("A.5.1")
        (('hate',), ())
    """
    code = canonical_code(code)
    return tuple(cat for cat in OPENAI_CATEGORIES if code in OPENAI_MAP[cat])
