"""Which questions an assessment asks: a seeded random sample of each TC260 bank, sized to the §9 floors.

§9.3 samples ≥ 1,000 questions of the generated-content bank; §9.4 samples ≥ 300 of the should-refuse bank and
≥ 300 of the must-answer bank. Each bank is drawn on its own, without replacement, from the pooled languages asked
for; a bank smaller than its sample is taken whole and the report marks the rule as short of its floor.

Example:
    >>> items = draw_sample(seed=0, sizes={"generated": 5, "refuse": 3, "answer": 3})
    >>> [sum(1 for i in items if i.bank == b) for b in ("generated", "refuse", "answer")]
    [5, 3, 3]
    >>> items == draw_sample(seed=0, sizes={"generated": 5, "refuse": 3, "answer": 3})
    True
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from ..banks import BANKS, BankItem, load_bank

__all__ = ["FLOORS", "draw_sample", "write_questions"]

#: §9 sample floors per bank: generated content 9.3 b-d, should-refuse 9.4 b, must-answer 9.4 c
FLOORS = {"generated": 1000, "refuse": 300, "answer": 300}


def draw_sample(
    *,
    seed: int = 0,
    sizes: dict[str, int] | None = None,
    langs: Sequence[str] = ("zh", "en"),
    folder: str | Path | None = None,
) -> list[BankItem]:
    """A seeded sample of each bank (``sizes``: bank → n, default :data:`FLOORS`), banks in ``BANKS`` order.

    ``folder`` holds the user's bank files (``generated.zh.jsonl`` …, the shipped format); default: the shipped banks.
    A language whose file is missing from ``folder`` is skipped; a bank with no file in any language is an error.
    """
    sizes = {**FLOORS, **(sizes or {})}
    unknown = set(sizes) - set(BANKS)
    if unknown:
        raise ValueError(f"unknown bank(s) {sorted(unknown)}: banks are {BANKS}")
    out: list[BankItem] = []
    for bank in BANKS:
        n = sizes[bank]
        if n < 0:
            raise ValueError(f"sample size of {bank} must be >= 0, got {n}")
        pool: list[BankItem] = []
        for lang in langs:
            if folder is not None and not (Path(folder) / f"{bank}.{lang}.jsonl").is_file():
                continue
            pool += load_bank(bank, lang, folder)
        if not pool and n:
            raise FileNotFoundError(f"no {bank} bank for languages {list(langs)} in {folder or 'the shipped banks'}")
        # one generator per bank, seeded by (seed, bank): resizing one bank's sample never changes another's
        rng = random.Random(f"{seed}:{bank}")
        out += rng.sample(pool, min(n, len(pool)))
    ids = [i.id for i in out]
    if len(set(ids)) != len(ids):
        raise ValueError("bank item ids are not unique across the sampled banks: give every item its own id")
    return out


def write_questions(items: Sequence[BankItem], path: str | Path) -> None:
    """The sample as JSONL (``id, bank, lang, risk, aspect, question``): what a model must answer for ``--answers``."""
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            row = {k: v for k, v in asdict(item).items() if v is not None and k != "form"}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
