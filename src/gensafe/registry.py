"""Where named models live: a folder path, or a name looked up in the model search path.

Search order for a name: each folder in ``$GENSAFE_MODELS`` (``os.pathsep``-separated), the models shipped inside
the installed package (``gensafe/_models``), then the ``models/`` folder of a source checkout.

Example:
    >>> DEFAULT_MODEL
    'default'
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .manifest import MANIFEST_NAME

__all__ = ["DEFAULT_MODEL", "model_dirs", "resolve_model", "available_models"]

DEFAULT_MODEL = "default"
_PACKAGE_MODELS = Path(__file__).resolve().parent / "_models"
_CHECKOUT_MODELS = Path(__file__).resolve().parents[2] / "models"


def model_dirs() -> list[Path]:
    """Folders searched for named models, in order."""
    env = [Path(p) for p in os.environ.get("GENSAFE_MODELS", "").split(os.pathsep) if p]
    return [*env, _PACKAGE_MODELS, _CHECKOUT_MODELS]


def available_models() -> list[str]:
    """Names of the model folders found on the search path (``default`` included when present)."""
    names: list[str] = []
    for d in model_dirs():
        if d.is_dir():
            for child in sorted(d.iterdir()):
                if (child / MANIFEST_NAME).is_file() and child.name not in names:
                    names.append(child.name)
        alias = d / "default.json"
        if alias.is_file() and DEFAULT_MODEL not in names:
            names.append(DEFAULT_MODEL)
    return names


def resolve_model(name_or_path: str | os.PathLike[str]) -> Path:
    """Return the folder of a model given as a path or as a name on the search path.

    ``default`` may be a folder of that name or a ``default.json`` alias (``{"model": "<folder name>"}``) in a
    search folder, so the default can move to a new model version without copying files.
    """
    path = Path(name_or_path).expanduser()
    if (path / MANIFEST_NAME).is_file():
        return path
    if path.is_dir():
        raise FileNotFoundError(f"{path} is a folder but has no {MANIFEST_NAME}: not a gensafe model folder")
    name = str(name_or_path)
    for d in model_dirs():
        if (d / name / MANIFEST_NAME).is_file():
            return d / name
        if name == DEFAULT_MODEL and (d / "default.json").is_file():
            target = json.loads((d / "default.json").read_text(encoding="utf-8"))["model"]
            if (d / target / MANIFEST_NAME).is_file():
                return d / target
    searched = ", ".join(str(d) for d in model_dirs())
    found = available_models()
    hint = f"available: {', '.join(found)}" if found else "no models found"
    raise FileNotFoundError(f"no gensafe model {name!r}: not a model folder, and not found in {searched} ({hint})")
