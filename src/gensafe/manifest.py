"""The model folder format: a JSON manifest beside the ONNX graph and ``tokenizer.json``.

A model folder describes itself, so nothing about a model is hard-coded in the library::

    my-model/
        manifest.json        # this module's ModelManifest
        model.onnx           # fp32 graph: in input_ids, attention_mask[, token_type_ids]; out logits [batch, labels]
        model.int8.onnx      # optional other precisions, listed under "onnx"
        tokenizer.json       # Hugging Face tokenizers file
        lexical.safetensors  # optional (format 2): an n-gram head blended into P(unsafe), see gensafe.lexical

Every file the model needs is listed under ``files`` with its sha256, and :func:`verify_files` checks them
before a session is opened, so a truncated download or a swapped file fails loudly and names the file. The manifest
itself is the root of that chain, so it can be pinned too: :class:`ManifestPin` (the package pins its shipped models,
see :mod:`gensafe.registry`; ``gensafe.load(path, sha256=...)`` pins a user's own). Every file a manifest names must
resolve inside the model folder (no ``..``, no absolute paths, no symlinks out), checked before anything is hashed or
parsed.

Example:
    >>> m = ModelManifest(name="demo", labels=["A.1.6"],
    ...                   thresholds={"strict": {"A.1.6": 0.3}, "balanced": {"A.1.6": 0.5}, "loose": {"A.1.6": 0.7}})
    >>> m.threshold_vector("loose").tolist()
    [0.7]
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import numpy as np

from .taxonomy import canonical_code

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "ManifestPin",
    "ModelManifest",
    "ModelFileError",
    "model_file",
    "sha256_file",
    "verify_files",
]

FORMAT_VERSION = 2  # the newest format read: 2 added ``lexical``; a folder without one is written as format 1
MANIFEST_NAME = "manifest.json"


class ModelFileError(RuntimeError):
    """A model folder is missing a file, a file does not match the hash in its manifest, or the manifest does not
    match its pin or names a file outside the folder."""


_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ManifestPin:
    """An expected sha256 of a folder's ``manifest.json``, and who expects it (named in the error).

    Pinning the manifest pins the whole folder: the manifest lists the sha256 of every other file.

    Attributes:
        sha256: 64 hex digits (case-insensitive; stored lower-case).
        pinned_by: Who pinned it, for the error message, e.g. ``"the sha256= argument"``.

    Example:
        >>> ManifestPin("AB" * 32, "the sha256= argument").sha256[:4]
        'abab'
    """

    sha256: str
    pinned_by: str

    def __post_init__(self) -> None:
        digest = self.sha256.strip().lower() if isinstance(self.sha256, str) else self.sha256
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ValueError(f"a manifest sha256 must be 64 hex digits, got {self.sha256!r}")
        object.__setattr__(self, "sha256", digest)  # frozen: normalise once, here

    def check(self, path: Path, actual: str) -> None:
        """Raise :class:`ModelFileError` unless ``actual`` (the manifest's sha256) is the pinned one."""
        if actual != self.sha256:
            raise ModelFileError(
                f"{path} has sha256 {actual}, not {self.sha256} as pinned by {self.pinned_by}:"
                " the manifest was edited or replaced, refusing to load it"
            )


@dataclass
class ModelManifest:
    """Everything gensafe needs to know about a model folder.

    Attributes:
        name: Model name, e.g. ``"gensafe-zh-en-v1"``.
        labels: Risk codes in the order of the classifier head's outputs.
        thresholds: Operating point name -> {risk code: threshold}: ``strict`` (high recall), ``balanced`` (best
            F1) and ``loose`` (high precision) for models the training pipeline builds.
        default_operating_point: Operating point used when the caller names none (``balanced`` unless the folder
            says otherwise; it must be one of ``thresholds``).
        max_tokens: Tokens per window, special tokens included. Longer texts are scored in overlapping windows.
        window_overlap: Tokens shared by consecutive windows of one long text.
        text_prefix: Prepended to every text before tokenisation (e5 encoders expect ``"query: "``).
        role_prefixes: Optional per-role prefixes (``{"prompt": "query: ", "response": "passage: "}``); a role not
            listed uses ``text_prefix``.
        context_template: How a response is encoded with the prompt it answers, e.g.
            ``"{context}\n{text}"``; empty (default) means the model scores the text alone and ignores context.
        context_chars: Characters of context kept (the end of it) when a template is used.
        onnx: Precision -> ONNX file name, e.g. ``{"fp32": "model.onnx", "int8": "model.int8.onnx"}``.
        derive: Precision -> precision of a shipped graph it can be derived from on first use (``{"int8": "fp32"}``);
            derived graphs are cached locally and verified by hash (see :mod:`gensafe.derive`).
        default_precision: Device kind (``"cpu"``, ``"cuda"``) -> the precision ``precision="auto"`` picks there,
            shipped or derivable (``{"cpu": "int8"}`` once the derived int8 graph was measured to keep fp32's
            decisions). Without an entry ``auto`` takes a shipped int8 graph on CPU or fp16 on CUDA, else fp32.
        tokenizer: Tokenizer file name.
        output_name: Name of the logits output of the graph.
        lexical: Optional n-gram head of a ``harm-risk`` model (format 2): ``{"file": "lexical.safetensors",
            "weight": 0.3}``; its logit is blended into P(unsafe) with that weight (:func:`gensafe.lexical.blend`).
            Empty (default): the graph's scores are the model's scores.
        files: File name -> sha256 of every file above.
        provenance: Free-form record of base encoder, training data and licences, training config, metrics.
        format_version: Version of this folder format.
    """

    name: str
    labels: list[str]
    thresholds: dict[str, dict[str, float]]
    default_operating_point: str = "balanced"
    max_tokens: int = 256
    window_overlap: int = 32
    text_prefix: str = ""
    role_prefixes: dict[str, str] = field(default_factory=dict)
    context_template: str = ""
    context_chars: int = 512
    onnx: dict[str, str] = field(default_factory=lambda: {"fp32": "model.onnx"})
    derive: dict[str, str] = field(default_factory=dict)
    default_precision: dict[str, str] = field(default_factory=dict)
    tokenizer: str = "tokenizer.json"
    output_name: str = "logits"
    lexical: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    format_version: int = 1  # 2 only with a lexical head, so a plain folder stays readable by older gensafe

    def __post_init__(self) -> None:
        self.labels = [canonical_code(c) for c in self.labels]
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"manifest labels contain duplicates: {self.labels}")
        if not self.labels:
            raise ValueError("manifest lists no labels")
        if self.default_operating_point not in self.thresholds:
            raise ValueError(
                f"default operating point {self.default_operating_point!r} not among {sorted(self.thresholds)}"
            )
        for point, table in self.thresholds.items():
            self.thresholds[point] = {canonical_code(k): float(v) for k, v in table.items()}
            missing = set(self.labels) - set(self.thresholds[point])
            if missing:
                raise ValueError(f"operating point {point!r} has no threshold for {sorted(missing)}")
        if self.max_tokens < 8:
            raise ValueError(f"max_tokens must be at least 8, got {self.max_tokens}")
        if not 0 <= self.window_overlap < self.max_tokens // 2:
            raise ValueError(f"window_overlap must be in [0, max_tokens/2), got {self.window_overlap}")
        template = self.context_template
        if template and ("{text}" not in template or "{context}" not in template):
            raise ValueError("context_template must contain {context} and {text}")
        if self.lexical:
            self._check_lexical()
        for name in self.file_names():
            _check_relative(name)
        for target, source in self.derive.items():
            if source not in self.onnx:
                raise ValueError(f"derive: {target} comes from {source}, which the folder does not ship")
        for kind, precision in self.default_precision.items():
            if kind not in ("cpu", "cuda"):
                raise ValueError(f"default_precision: device kind must be cpu or cuda, got {kind!r}")
            if precision not in self.onnx and precision not in self.derive:
                raise ValueError(f"default_precision: {kind} -> {precision}, which the folder neither ships nor "
                                 f"derives (ships {sorted(self.onnx)}, derives {sorted(self.derive)})")
        if self.format_version > FORMAT_VERSION:
            raise ValueError(
                f"model folder format {self.format_version} is newer than this gensafe supports ({FORMAT_VERSION});"
                " upgrade gensafe"
            )

    def _check_lexical(self) -> None:
        entry = self.lexical
        if not isinstance(entry, dict) or set(entry) != {"file", "weight"} or not isinstance(entry["file"], str):
            raise ValueError(f"lexical must be {{'file': <name>, 'weight': <0..1>}}, got {entry!r}")
        weight = entry["weight"]
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0.0 < weight < 1.0:
            raise ValueError(f"lexical weight must be a number strictly between 0 and 1, got {weight!r}")
        if self.format_version < 2:
            raise ValueError(f"lexical needs model folder format 2, the manifest says {self.format_version}")
        if self.provenance.get("architecture") != "harm-risk":
            # the blend rescales P(unsafe), the top risk's score: only a harm-risk graph has one
            raise ValueError("lexical needs a harm-risk model (provenance.architecture), got "
                             f"{self.provenance.get('architecture')!r}")

    # -- reading and writing ------------------------------------------------------------------------------------
    @classmethod
    def read(cls, folder: str | Path, *, pins: Sequence[ManifestPin] = ()) -> ModelManifest:
        """Read ``manifest.json`` from a model folder, with a clear error when it is missing or malformed.

        The file is read once and the same bytes are hashed (against every pin) and parsed, so it cannot change
        between the check and the use. Every file the manifest names must resolve inside ``folder``.
        """
        path = Path(folder) / MANIFEST_NAME
        if not path.is_file():
            raise ModelFileError(f"{path} not found: a gensafe model folder needs a {MANIFEST_NAME}")
        raw = path.read_bytes()
        actual = hashlib.sha256(raw).hexdigest()
        for pin in pins:
            pin.check(path, actual)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ModelFileError(f"{path} is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise ModelFileError(f"{path} must hold a JSON object")
        version = data.get("format_version", FORMAT_VERSION)
        # a newer folder format may add fields: say "upgrade" rather than "unknown fields" when that is the cause
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise ModelFileError(f"{path}: model folder format {version} is newer than this gensafe supports "
                                 f"({FORMAT_VERSION}); upgrade gensafe")
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ModelFileError(f"{path} has unknown fields {sorted(unknown)} (format {version}; this gensafe reads "
                                 f"format {FORMAT_VERSION})")
        try:
            manifest = cls(**data)
        except (TypeError, ValueError, KeyError) as e:
            raise ModelFileError(f"{path} is invalid: {e}") from e
        for name in manifest.file_names():
            model_file(folder, name)  # a symlink out of the folder fails here, before any hash or parse
        return manifest

    def write(self, folder: str | Path, *, rehash: bool = True) -> Path:
        """Write ``manifest.json`` into ``folder``; ``rehash`` refreshes the sha256 of every listed model file."""
        folder = Path(folder)
        if rehash:
            self.files = {n: sha256_file(folder / n) for n in self.file_names()}
        data = asdict(self)
        if not data["lexical"]:  # a format-1 reader refuses unknown fields, even empty ones
            del data["lexical"]
        path = folder / MANIFEST_NAME
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path

    # -- helpers ------------------------------------------------------------------------------------------------
    def file_names(self) -> list[str]:
        """Every file name the manifest refers to (graphs, tokenizer, ``files``), each once."""
        lexical = [self.lexical["file"]] if self.lexical else []
        return list(dict.fromkeys([*self.onnx.values(), self.tokenizer, *lexical, *self.files]))

    def threshold_vector(self, operating_point: str | None = None) -> np.ndarray:
        """Thresholds of one operating point as a float32 vector in label order."""
        point = operating_point or self.default_operating_point
        if point not in self.thresholds:
            raise KeyError(f"unknown operating point {point!r}; this model has {sorted(self.thresholds)}")
        table = self.thresholds[point]
        return np.array([table[c] for c in self.labels], dtype=np.float32)

    def prefix_for(self, role: str | None) -> str:
        """Text prefix for a role (``prompt``, ``response``, ``content``); falls back to ``text_prefix``."""
        if role is None:
            return self.text_prefix
        return self.role_prefixes.get(role, self.text_prefix)


def _check_relative(name: object) -> None:
    """A manifest file name must be a plain relative path: no ``..``, no root or drive, on any OS."""
    if not isinstance(name, str) or name in ("", "."):
        raise ValueError(f"file name {name!r} must be a non-empty relative path inside the model folder")
    # PureWindowsPath splits on both / and \\ and knows drives, so one check covers every platform's reading
    win = PureWindowsPath(name)
    if name.startswith(("/", "\\")) or win.anchor or ".." in win.parts or "\0" in name:
        raise ValueError(f"file name {name!r} must be a relative path inside the model folder (no '..', no root)")


def model_file(folder: str | Path, name: str) -> Path:
    """Path of a file a manifest names, refused unless it resolves (symlinks followed) inside ``folder``.

    Example:
        >>> model_file("my-model", "onnx/model.onnx").as_posix()
        'my-model/onnx/model.onnx'
        >>> model_file("my-model", "../elsewhere/model.onnx")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        gensafe.manifest.ModelFileError: file name '../elsewhere/model.onnx' must be a relative path inside ...
    """
    try:
        _check_relative(name)
    except ValueError as e:
        raise ModelFileError(str(e)) from None
    folder = Path(folder)
    path = folder / name
    root = folder.resolve()
    if not path.resolve().is_relative_to(root):
        raise ModelFileError(f"model file {path} resolves to {path.resolve()}, outside the model folder {root}")
    return path


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify_files(folder: str | Path, manifest: ModelManifest, names: list[str] | None = None) -> None:
    """Check that each named file (default: all in ``manifest.files``) exists and matches its sha256.

    Raises:
        ModelFileError: naming the first missing, unlisted or corrupted file.
    """
    folder = Path(folder)
    for name in names if names is not None else list(manifest.files):
        expected = manifest.files.get(name)
        if expected is None:
            raise ModelFileError(f"{name} is used by the model but has no sha256 in {folder / MANIFEST_NAME}")
        path = model_file(folder, name)
        if not path.is_file():
            raise ModelFileError(f"model file {path} is missing")
        actual = sha256_file(path)
        if actual != expected:
            raise ModelFileError(
                f"model file {path} is corrupted or was replaced:"
                f" sha256 {actual} does not match the manifest's {expected}"
            )
