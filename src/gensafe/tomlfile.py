"""Reading TOML on every supported Python (``tomllib`` from 3.11, the ``tomli`` backport before): one place for it.

Example:
    >>> parse_toml('operating_point = "loose"')
    {'operating_point': 'loose'}
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_toml", "parse_toml", "TOMLDecodeError"]

TOMLDecodeError = tomllib.TOMLDecodeError


def load_toml(path: str | Path) -> dict[str, Any]:
    """The TOML file at ``path`` as a dict."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def parse_toml(text: str) -> dict[str, Any]:
    """A TOML string as a dict."""
    return tomllib.loads(text)
