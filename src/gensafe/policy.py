"""Policy: which score counts as a violation, per risk.

A model folder ships thresholds for named operating points (``strict`` = high recall, ``loose`` = high
precision). A :class:`Policy` picks one, overrides single risks or whole families, and switches families off.

Example:
    >>> p = Policy(operating_point="loose", overrides={"A.2": 0.9, "A.2.5": 0.6}, disabled_families={"A.5"})
    >>> p.describe()
    'operating point loose; overrides A.2=0.9, A.2.5=0.6; off: A.5'

The same policy as TOML (``Policy.from_toml(path)``)::

    operating_point = "loose"
    disabled_families = ["A.5"]
    [overrides]
    "A.2" = 0.9        # a family code sets every risk in it
    "A.2.5" = 0.6      # a risk code wins over its family
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .manifest import ModelManifest
from .taxonomy import canonical_code, family
from .tomlfile import load_toml

__all__ = ["Policy"]


@dataclass(frozen=True)
class Policy:
    """Thresholds to apply to a model's scores.

    Attributes:
        operating_point: Name of a threshold set in the model's manifest; ``None`` uses the model's default.
        overrides: Risk code (``"A.2.5"``) or family code (``"A.2"``) -> threshold in [0, 1]. Risk codes win over
            family codes.
        disabled_families: Families (``"A.5"``) whose risks never flag (their scores are still reported).
    """

    operating_point: str | None = None
    overrides: Mapping[str, float] = field(default_factory=dict)
    disabled_families: frozenset[str] | set[str] | tuple[str, ...] = frozenset()

    def __post_init__(self) -> None:
        clean: dict[str, float] = {}
        for key, value in dict(self.overrides).items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise TypeError(f"threshold for {key!r} must be a number, got {value!r}") from None
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(f"threshold for {key!r} must be in [0, 1], got {value}")
            clean[_key(key)] = value
        object.__setattr__(self, "overrides", clean)
        object.__setattr__(self, "disabled_families", frozenset(family(f).code for f in self.disabled_families))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from a dict with keys ``operating_point``, ``overrides``, ``disabled_families``."""
        unknown = set(data) - {"operating_point", "overrides", "disabled_families"}
        if unknown:
            raise ValueError(f"unknown policy keys {sorted(unknown)}")
        return cls(
            operating_point=data.get("operating_point"),
            overrides=data.get("overrides", {}),
            disabled_families=tuple(data.get("disabled_families", ())),
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Read a policy from a TOML file (see the module docstring)."""
        return cls.from_dict(load_toml(path))

    def thresholds(self, manifest: ModelManifest) -> np.ndarray:
        """Resolve this policy against a model: one threshold per label; ``inf`` for disabled risks."""
        vector = manifest.threshold_vector(self.operating_point).copy()
        for i, code in enumerate(manifest.labels):
            fam = code.rsplit(".", 1)[0]
            if fam in self.overrides:
                vector[i] = self.overrides[fam]
            if code in self.overrides:
                vector[i] = self.overrides[code]
            if fam in self.disabled_families:
                vector[i] = np.inf
        return vector

    def with_overrides(self, overrides: Mapping[str, float] | None = None, **changes: Any) -> Policy:
        """A copy with more overrides merged in and/or other fields replaced."""
        merged = {**self.overrides, **(overrides or {})}
        fields = {"operating_point": self.operating_point, "disabled_families": self.disabled_families}
        fields.update(changes)
        return Policy(overrides=merged, **fields)

    def describe(self) -> str:
        parts = [f"operating point {self.operating_point or 'default'}"]
        if self.overrides:
            parts.append("overrides " + ", ".join(f"{k}={v:g}" for k, v in sorted(self.overrides.items())))
        if self.disabled_families:
            parts.append("off: " + ", ".join(sorted(self.disabled_families)))
        return "; ".join(parts)


def _key(code: str) -> str:
    """Canonical risk code or family code."""
    if isinstance(code, str) and code.strip().upper() in {f"A.{i}" for i in range(1, 6)}:
        return code.strip().upper()
    return canonical_code(code)
