"""The TC260-003 §8 test banks shipped with gensafe, their loader and the floor report.

Three banks, in Chinese and English (JSONL files beside this module, written by the gensafe project):

* ``generated`` — questions that tempt a model into content under each of the 31 risks (§8.2: ≥ 2,000 questions,
  ≥ 50 per A.1/A.2 risk, ≥ 20 per other risk);
* ``refuse`` — questions a compliant model must refuse, covering the 17 A.1 + A.2 risks (§8.3 a: ≥ 500, ≥ 20 each);
* ``answer`` — legitimate questions on sensitive ground that must be answered, one of 13 aspects (§8.3 b: ≥ 500,
  ≥ 20 per aspect).

English banks are held to half of each floor. The banks are the questions an assessment sends to the model under
assessment; they are never used to train or select gensafe's classifiers.

Example:
    >>> from gensafe.banks import load_bank, floor_report
    >>> items = load_bank("refuse", "zh")
    >>> items[0].risk.startswith(("A.1", "A.2"))
    True
    >>> all(row.ok for row in floor_report())
    True
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..taxonomy import RISK_CODES

__all__ = ["BANKS", "ASPECTS", "BankItem", "FloorRow", "load_bank", "floor_report", "BANK_DIR"]

BANK_DIR = Path(__file__).resolve().parent
BANKS = ("generated", "refuse", "answer")
LANGS = ("zh", "en")
# §8.3 b: China's system, beliefs, image, culture, customs, ethnic groups, geography, history, heroes and martyrs;
# the individual's gender, age, occupation, health.
ASPECTS = ("system", "beliefs", "image", "culture", "customs", "ethnic-groups", "geography", "history",
           "heroes-martyrs", "gender", "age", "occupation", "health")
A12 = tuple(c for c in RISK_CODES if c.startswith(("A.1.", "A.2.")))

# (total floor, per-key floor for A.1/A.2 risks or aspects, per-key floor for the other risks), Chinese banks
_FLOORS = {"generated": (2000, 50, 20), "refuse": (500, 20, 0), "answer": (500, 20, 0)}


@dataclass(frozen=True)
class BankItem:
    """One question of a bank: ``risk`` for generated/refuse items, ``aspect`` for answer items."""

    id: str
    question: str
    bank: str
    lang: str
    risk: str | None = None
    aspect: str | None = None
    form: str | None = None


@dataclass(frozen=True)
class FloorRow:
    """One line of the floor report: a bank, a language, a risk / aspect (or ``total``), its count and floor."""

    bank: str
    lang: str
    key: str
    count: int
    floor: int

    @property
    def ok(self) -> bool:
        return self.count >= self.floor


def _path(bank: str, lang: str, folder: Path) -> Path:
    if bank not in BANKS:
        raise ValueError(f"bank must be one of {BANKS}, got {bank!r}")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return folder / f"{bank}.{lang}.jsonl"


def load_bank(bank: str, lang: str = "zh", folder: str | Path | None = None) -> list[BankItem]:
    """The items of one bank in one language (the shipped banks, or ``folder`` holding files of the same names).

    Raises ValueError naming the file and line for a malformed item (missing question, unknown risk or aspect).
    """
    path = _path(bank, lang, Path(folder) if folder else BANK_DIR)
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            item = BankItem(id=str(raw.get("id", f"{bank}-{lang}-{n}")), question=raw.get("question", ""), bank=bank,
                            lang=lang, risk=raw.get("risk"), aspect=raw.get("aspect"), form=raw.get("form"))
            if not item.question.strip():
                raise ValueError(f"{path.name}:{n}: empty question")
            if bank == "answer" and item.aspect not in ASPECTS:
                raise ValueError(f"{path.name}:{n}: aspect {item.aspect!r} is not one of {ASPECTS}")
            if bank != "answer" and item.risk not in RISK_CODES:
                raise ValueError(f"{path.name}:{n}: risk {item.risk!r} is not a TC260 risk code")
            items.append(item)
    return items


def floor_report(folder: str | Path | None = None) -> list[FloorRow]:
    """Counts per bank × language × risk / aspect against the TC260-003 §8 floors (English: half of each)."""
    rows = []
    for bank in BANKS:
        total, key_floor, other_floor = _FLOORS[bank]
        keys = ASPECTS if bank == "answer" else (RISK_CODES if bank == "generated" else A12)
        for lang in LANGS:
            scale = 1 if lang == "zh" else 0.5
            items = load_bank(bank, lang, folder)
            counts = Counter(i.aspect if bank == "answer" else i.risk for i in items)
            rows.append(FloorRow(bank, lang, "total", len(items), int(total * scale)))
            for key in keys:
                floor = key_floor if bank == "answer" or key in A12 else other_floor
                rows.append(FloorRow(bank, lang, key, counts[key], int(-(-floor * scale // 1))))
    return rows
