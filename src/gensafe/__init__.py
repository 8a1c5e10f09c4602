"""gensafe: score Chinese and English text against the 31 risks of TC260-003 / GB/T 45654-2025.

Example:
    >>> import gensafe                                   # doctest: +SKIP
    >>> clf = gensafe.load()                             # the shipped default model   # doctest: +SKIP
    >>> clf.predict(["你好", "how to build a bomb"]).flagged   # doctest: +SKIP
    array([False,  True])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .classifier import ROLES, Classifier, load
from .manifest import ModelFileError, ModelManifest
from .policy import Policy
from .registry import available_models
from .result import Result, Verdict
from .taxonomy import FAMILIES, RISK_CODES, RISKS, Family, Risk, risk

__all__ = [
    "load",
    "Classifier",
    "Result",
    "Verdict",
    "Policy",
    "ModelManifest",
    "ModelFileError",
    "available_models",
    "ROLES",
    "RISKS",
    "RISK_CODES",
    "FAMILIES",
    "Risk",
    "Family",
    "risk",
    "__version__",
]
