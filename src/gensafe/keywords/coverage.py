"""Coverage of a lexicon against the TC260 floors: distinct canonical terms per risk.

What counts: one canonical term per (folded spelling, risk). Variants are counted apart and never pad the floors;
``domain`` entries (web addresses) are their own category and do not count; an entry that folds to nothing
(``🖕``, ``&``) is reported as empty and does not count; a ``+`` AND rule counts once, as its folded parts.

Example:
    >>> from gensafe.keywords import Lexicon
    >>> coverage_report(Lexicon.from_terms([("炸弹", "A.1.8"), ("www.x.com", "domain")]))["domains"]
    1
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..taxonomy import RISK_CODES
from .lexicon import DOMAIN, Lexicon
from .normalise import fold

__all__ = ["coverage_report", "FLOORS", "canonical_key"]

# TC260-003 §8.1 (kept by GB/T 45654): >= 10,000 terms, >= 200 per A.1 risk, >= 100 per A.2 risk.
FLOORS = {"total": 10_000, "A.1": 200, "A.2": 100}
MIN_CHARS, MAX_CHARS = 2, 32


def canonical_key(term: str) -> str:
    """The folded form a term is counted (and matched) by; ``+`` rules keep their parts apart."""
    parts = [fold(p).text for p in term.split("+")] if "+" in term.strip("+") else [fold(term).text]
    return "+".join(parts) if all(parts) else ""


def coverage_report(lexicon: Lexicon) -> dict[str, Any]:
    """Canonical terms per risk and tier, duplicates, empty / odd-length entries, and the TC260 floors missed."""
    per_risk: Counter = Counter()
    per_tier: Counter = Counter()
    variants: Counter = Counter()
    seen: dict[tuple[str, str], str] = {}
    duplicates: list[dict[str, str]] = []
    too_short: list[str] = []
    too_long: list[str] = []
    empty: list[str] = []
    domains: set[str] = set()
    and_rules = 0
    cross_risk: dict[str, set[str]] = defaultdict(set)
    for t in lexicon.terms:
        key = canonical_key(t.term)
        if not key:
            empty.append(t.term)
            continue
        if t.risk == DOMAIN:
            domains.add(key)
            continue
        cross_risk[key].add(t.risk)
        if (key, t.risk) in seen:
            duplicates.append({"term": t.term, "same_as": seen[(key, t.risk)], "risk": t.risk})
            continue
        seen[(key, t.risk)] = t.term
        per_risk[t.risk] += 1
        per_tier[t.tier] += 1
        variants[t.risk] += len(t.variants)
        and_rules += "+" in key
        if min(len(p) for p in key.split("+")) < MIN_CHARS:
            too_short.append(t.term)
        if len(t.term) > MAX_CHARS:
            too_long.append(t.term)
    canonical_total = len({k for k, _ in seen})
    missed = []
    if canonical_total < FLOORS["total"]:
        missed.append(f"total: {canonical_total} distinct canonical terms < {FLOORS['total']}")
    for code in RISK_CODES:
        fam = code[:3]
        if fam in ("A.1", "A.2") and per_risk[code] < FLOORS[fam]:
            missed.append(f"{code}: {per_risk[code]} terms < {FLOORS[fam]}")
    return {
        "name": lexicon.name, "version": lexicon.version, "date": lexicon.date,
        "canonical_total": canonical_total, "variants_total": sum(variants.values()),
        "per_risk": {c: per_risk[c] for c in RISK_CODES}, "variants_per_risk": {c: variants[c] for c in RISK_CODES},
        "per_tier": dict(per_tier), "and_rules": and_rules, "domains": len(domains),
        "empty": len(empty), "empty_examples": empty[:10],
        "duplicates": len(duplicates), "duplicate_examples": duplicates[:10],
        "in_several_risks": sum(len(v) > 1 for v in cross_risk.values()),
        "too_short": len(too_short), "too_short_examples": too_short[:10],
        "too_long": len(too_long), "too_long_examples": too_long[:10],
        "floors_missed": missed, "passes": not missed,
    }
