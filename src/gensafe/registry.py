"""Where named models live: a folder path, or a name looked up in the model search path.

Search order for a name: each folder in ``$GENSAFE_MODELS`` (``os.pathsep``-separated), the models shipped inside
the installed package (``gensafe/_models``), then the ``models/`` folder of a source checkout.

Shipped models are pinned: :data:`SHIPPED_MANIFESTS` holds the sha256 of each one's ``manifest.json`` (which itself
holds the sha256 of every other file), so an edited threshold or a swapped label in a shipped folder is refused
instead of loading quietly. The pin applies to a pinned name loaded by name from anywhere on the search path, and to
a shipped folder loaded by its path. A new or changed shipped model needs its pin updated here
(``sha256sum models/<name>/manifest.json``); ``tests/test_trust.py`` fails until it is.

Example:
    >>> DEFAULT_MODEL
    'default'
    >>> sorted(SHIPPED_MANIFESTS)
    ['gensafe-zh-en-v5w']
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .manifest import MANIFEST_NAME, ManifestPin

__all__ = [
    "DEFAULT_MODEL",
    "SHIPPED_MANIFESTS",
    "available_models",
    "manifest_pins",
    "model_dirs",
    "resolve_model",
    "shipped_model_dirs",
]

DEFAULT_MODEL = "default"
_PACKAGE_MODELS = Path(__file__).resolve().parent / "_models"
_CHECKOUT_MODELS = Path(__file__).resolve().parents[2] / "models"

#: Shipped model name -> sha256 of its ``manifest.json``.
SHIPPED_MANIFESTS: dict[str, str] = {
    "gensafe-zh-en-v5w": "8578371f23c42bc9346562285dc47a76674085cf528003f7f10d0b405be4c06e",
}


def shipped_model_dirs() -> list[Path]:
    """Folders that hold the models gensafe ships (the installed package's, a checkout's ``models/``)."""
    return [_PACKAGE_MODELS, _CHECKOUT_MODELS]


def manifest_pins(
    name_or_path: str | os.PathLike[str], folder: Path, sha256: str | None = None
) -> list[ManifestPin]:
    """The pins ``folder``'s manifest must match: the package's for a shipped model, and the caller's ``sha256``.

    ``folder`` is what :func:`resolve_model` returned for ``name_or_path``. A shipped name is pinned whether it was
    found in the package or on ``$GENSAFE_MODELS`` (a folder there cannot pass itself off as the shipped model);
    a folder given by path is pinned when it is a shipped folder.

    Example:
        >>> [p.pinned_by for p in manifest_pins("my-model", Path("my-model"), "ab" * 32)]
        ['the sha256= argument']
    """
    pins: list[ManifestPin] = []
    real = folder.resolve()
    pinned = SHIPPED_MANIFESTS.get(real.name)
    by_name = not (Path(name_or_path).expanduser() / MANIFEST_NAME).is_file()
    shipped = any(real.parent == d.resolve() for d in shipped_model_dirs())
    if pinned is not None and (by_name or shipped):
        pins.append(ManifestPin(pinned, f"gensafe for its shipped model {real.name!r} (gensafe.registry)"))
    if sha256 is not None:
        pins.append(ManifestPin(sha256, "the sha256= argument"))
    return pins


def model_dirs() -> list[Path]:
    """Folders searched for named models, in order."""
    env = [Path(p) for p in os.environ.get("GENSAFE_MODELS", "").split(os.pathsep) if p]
    return [*env, *shipped_model_dirs()]


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
