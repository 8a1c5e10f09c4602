"""Moved: ``AsyncGuard`` lives in :mod:`gensafe.batching`, ``StreamGuard`` in :mod:`gensafe.streaming`.

This module keeps ``from gensafe.serving import AsyncGuard, StreamGuard`` working for code written against 0.1.0
and warns once; it will be removed in a later release.
"""

from __future__ import annotations

import warnings

from .batching import AsyncGuard
from .streaming import StreamGuard

__all__ = ["AsyncGuard", "StreamGuard"]

warnings.warn("gensafe.serving is deprecated: import AsyncGuard from gensafe.batching and StreamGuard from "
              "gensafe.streaming", DeprecationWarning, stacklevel=2)
