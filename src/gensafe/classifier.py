"""Load a model folder and score texts in batches on ONNX Runtime.

Example:
    >>> import gensafe                                              # doctest: +SKIP
    >>> clf = gensafe.load()                                        # doctest: +SKIP
    >>> result = clf.predict(["今天天气很好", "How do I make a pipe bomb?"])  # doctest: +SKIP
    >>> result.flagged.tolist(), result[1].risks                   # doctest: +SKIP
    ([False, True], ('A.1.8',))
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .engine import OnnxEngine
from .lexical import LexicalHead, blend
from .manifest import ModelManifest, model_file, verify_files
from .policy import Policy
from .registry import DEFAULT_MODEL, manifest_pins, resolve_model
from .result import Result
from .runtime import resolve_device
from .text import as_text_list, cap_text, clean_text, is_blank, per_text
from .windows import WindowEncoder

__all__ = ["Classifier", "load", "ROLES"]

ROLES = ("prompt", "response", "content")

# a child of the "gensafe" logger: what was loaded, how, and how long it took (never texts)
_log = logging.getLogger(__name__)
_PRECISIONS = ("auto", "fp32", "fp16", "int8")


def load(
    name_or_path: str | os.PathLike[str] = DEFAULT_MODEL,
    *,
    device: str = "auto",
    precision: str = "auto",
    policy: Policy | None = None,
    threads: int | None = None,
    batch_tokens: int | None = None,
    max_batch: int = 256,
    max_chars: int = 100_000,
    max_windows: int = 1_024,
    verify: bool = True,
    keywords: Any = None,
    keyword_mode: str = "either",
    sha256: str | None = None,
) -> Classifier:
    """Open a model folder (a path, or a model name such as ``"default"``) for scoring.

    Args:
        name_or_path: Model folder or name on the search path (see :mod:`gensafe.registry`).
        device: ``"auto"`` (CUDA when the GPU runtime and a GPU are present, else CPU), ``"cpu"``, ``"cuda"`` or
            ``"cuda:N"``. Asking for CUDA and not getting it raises ``RuntimeError``.
        precision: ``"auto"`` (the folder's ``default_precision`` for the device when it names one; else int8 on
            CPU and fp16 on CUDA when the folder ships them, else fp32), or one of
            ``"fp32"``, ``"fp16"``, ``"int8"``; a precision the folder can derive (``manifest.derive``) is built on
            first use and cached.
        policy: Thresholds to apply (default: the model's default operating point).
        threads: ONNX Runtime intra-op threads (default: ORT's choice, one per physical core).
        batch_tokens: Padded tokens per batch (default 1,024 on CPU — measured fastest on a 2-core host, where
            larger batches fall out of cache — and 65,536 on CUDA).
        max_batch: Most windows per batch.
        max_chars: Characters of one text that are scored: a longer text is scored on its head (40 %), its tail
            (40 %) and evenly spaced pieces of its middle (20 %), and its result says ``truncated``. Bounds the work
            one text can cause (100,000 characters are at most ~1,000 windows).
        max_windows: Windows scored per text, about: a text that would need more is scored on a smaller part (as
            above, ``truncated``). With ``max_chars`` it bounds the work of one text, and so of a call to
            (number of texts) × that; the limits never depend on the other texts of a call, so a text's score does
            not either.
        verify: Check the sha256 of every file used against the manifest before opening it.
        keywords: A :class:`~gensafe.keywords.Matcher` (or a lexicon path / :class:`~gensafe.keywords.Lexicon`, or
            ``"default"`` for the project lexicon shipped with gensafe) to run beside the model; its hits, with spans,
            are part of every result.
        keyword_mode: How keyword hits and model scores make the verdict: ``"either"`` (default), ``"both"``,
            ``"keywords"`` (keywords alone) or ``"model"`` (keywords reported, never flag).
        sha256: Expected sha256 of the folder's ``manifest.json`` (which lists the sha256 of every other file), to
            pin a model folder of your own; a mismatch raises :class:`~gensafe.manifest.ModelFileError`. Shipped
            models are always checked against the digest pinned in the package.

    Example:
        >>> clf = gensafe.load("models/demo", device="cpu")   # doctest: +SKIP
    """
    started = time.perf_counter()
    folder = resolve_model(name_or_path)
    _log.debug("model %r resolved to %s", str(name_or_path), folder)
    manifest = ModelManifest.read(folder, pins=manifest_pins(name_or_path, folder, sha256))
    device = resolve_device(device)
    requested, precision = precision, _pick_precision(manifest, precision, device)
    if requested == "auto":
        _log.debug("precision auto -> %s on %s (shipped: %s; derivable: %s)", precision, device,
                   sorted(manifest.onnx), sorted(manifest.derive) or "none")
    if precision in manifest.onnx:
        onnx_name = manifest.onnx[precision]
        if verify:
            verify_files(folder, manifest, [onnx_name, manifest.tokenizer])
        graph = folder / onnx_name
    else:  # derived on first use from a shipped graph, cached and hash-checked (gensafe.derive)
        from .derive import derived_graph

        onnx_name = f"model.{precision}.onnx (derived)"
        verify_files(folder, manifest, [manifest.onnx[manifest.derive[precision]], manifest.tokenizer])
        graph = derived_graph(folder, manifest, precision)
    engine = OnnxEngine.open(graph, device, output_name=manifest.output_name, width=len(manifest.labels),
                             threads=threads)
    encoder = WindowEncoder(folder / manifest.tokenizer, manifest.max_tokens, manifest.window_overlap)
    lexical = None
    if manifest.lexical:
        if verify:
            verify_files(folder, manifest, [manifest.lexical["file"]])
        lexical = LexicalHead.read(model_file(folder, manifest.lexical["file"]))
    clf = Classifier(
        folder=folder,
        manifest=manifest,
        engine=engine,
        encoder=encoder,
        precision=precision,
        policy=policy or Policy(),
        batch_tokens=batch_tokens or (65536 if device.startswith("cuda") else 1024),
        max_batch=max_batch,
        max_chars=max_chars,
        max_windows=max_windows,
        lexical=lexical,
    )
    _log.info("loaded model %s (%d risks) from %s: %s graph %s on %s, provider %s, %s, in %.2f s", manifest.name,
              len(manifest.labels), folder, precision, onnx_name, device, engine.provider, clf.policy.describe(),
              time.perf_counter() - started)
    return clf.with_keywords(keywords, keyword_mode) if keywords is not None else clf


def _pick_precision(manifest: ModelManifest, precision: str, device: str) -> str:
    if precision not in _PRECISIONS:
        raise ValueError(f"precision must be one of {_PRECISIONS}, got {precision!r}")
    if precision == "auto":
        chosen = manifest.default_precision.get("cuda" if device.startswith("cuda") else "cpu")
        if chosen:  # the folder names it (shipped or derived), e.g. a derived int8 measured to keep fp32's decisions
            return chosen
        preferred = ("fp16", "fp32") if device.startswith("cuda") else ("int8", "fp32")
        for p in preferred:
            if p in manifest.onnx:
                return p
        return next(iter(manifest.onnx))
    if precision not in manifest.onnx and precision not in manifest.derive:
        raise ValueError(f"model {manifest.name!r} has no {precision} graph; it has {sorted(manifest.onnx)}"
                         + (f" and can derive {sorted(manifest.derive)}" if manifest.derive else ""))
    return precision


@dataclass(frozen=True, eq=False)
class Classifier:
    """A loaded model: call :meth:`predict` with one text or many. Immutable and thread-safe; share one per process.

    Composes an :class:`~gensafe.engine.OnnxEngine` (the session), a :class:`~gensafe.windows.WindowEncoder`
    (tokenisation into windows), a :class:`~gensafe.policy.Policy` (thresholds), an optional keyword matcher and,
    when the model folder has one, a :class:`~gensafe.lexical.LexicalHead` blended into P(unsafe).
    :meth:`with_policy` and :meth:`with_keywords` return new classifiers sharing the same engine. Use :func:`load`
    to make one.
    """

    folder: Path
    manifest: ModelManifest
    engine: OnnxEngine
    encoder: WindowEncoder
    precision: str
    policy: Policy = field(default_factory=Policy)
    batch_tokens: int = 1024
    max_batch: int = 256
    max_chars: int = 100_000
    max_windows: int = 1_024
    keywords: Any = None
    keyword_mode: str = "either"
    lexical: LexicalHead | None = None
    _thresholds: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.lexical is not None) != bool(self.manifest.lexical):
            raise ValueError("a lexical head and the manifest's lexical entry (its weight) come together: give both or "
                             "neither")
        object.__setattr__(self, "_thresholds", self.policy.thresholds(self.manifest))

    # -- read-only facts ----------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.manifest.labels)

    @property
    def thresholds(self) -> np.ndarray:
        return self._thresholds.copy()

    @property
    def device(self) -> str:
        return self.engine.device

    @property
    def provider(self) -> str:
        """The execution provider actually running the graph (read from the live session)."""
        return self.engine.provider

    def with_policy(self, policy: Policy) -> Classifier:
        """A classifier sharing this one's engine, with other thresholds."""
        return replace(self, policy=policy)

    def with_keywords(self, keywords: Any, mode: str = "either") -> Classifier:
        """A classifier sharing this one's engine, with a keyword tier (Matcher, Lexicon or lexicon path)."""
        from .keywords import Lexicon, Matcher
        from .result import KEYWORD_MODES

        if mode not in KEYWORD_MODES:
            raise ValueError(f"keyword_mode must be one of {KEYWORD_MODES}, got {mode!r}")
        if isinstance(keywords, str) and keywords == "default":
            keywords = Lexicon.default()  # the project lexicon shipped with gensafe
        elif isinstance(keywords, (str, os.PathLike)):
            keywords = Lexicon.from_tsv(keywords)  # one .tsv file or a folder of them
        if isinstance(keywords, Lexicon):
            keywords = Matcher(keywords)
        if keywords is not None and not isinstance(keywords, Matcher):
            raise TypeError(f"keywords must be a Matcher, Lexicon or lexicon path, got {type(keywords).__name__}")
        return replace(self, keywords=keywords, keyword_mode=mode)

    def __repr__(self) -> str:
        return (f"Classifier({self.name!r}, device={self.device!r}, precision={self.precision!r}, "
                f"labels={len(self.labels)})")

    # -- scoring ------------------------------------------------------------------------------------------------
    def predict(
        self,
        texts: str | Sequence[str],
        *,
        role: str | None = None,
        context: str | Sequence[str] | None = None,
        policy: Policy | None = None,
    ) -> Result:
        """Score one text or a batch; always returns a :class:`Result` with one row per input text, in input order.

        Args:
            texts: A ``str`` or a sequence of ``str``.
            role: ``"prompt"`` (a user's input), ``"response"`` (a model's answer) or ``"content"``; the model folder
                decides how each is encoded. ``None`` uses the model's default.
            context: For responses, the prompt each answers (one ``str`` for all, or one per text). Used as the model
                folder's ``context_template`` says; a model without one scores the text alone and warns once.
            policy: Thresholds for this call only (default: the classifier's policy).

        Empty and whitespace-only texts get all-zero scores without running the model.
        """
        items = as_text_list(texts)
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {ROLES} or None, got {role!r}")
        thresholds = self._thresholds if policy is None else policy.thresholds(self.manifest)
        scores = np.zeros((len(items), len(self.labels)), dtype=np.float32)
        windows = np.zeros(len(items), dtype=np.int64)
        cleaned = own = [clean_text(t) for t in items]
        if context is not None:
            cleaned = self._with_context(cleaned, context)
        live = [i for i, t in enumerate(cleaned) if not is_blank(t)]
        prefix = self.manifest.prefix_for(role)
        pieces, owners, truncated = self._bounded(cleaned, live, prefix)
        for block in self.encoder.blocks(pieces, owners, prefix):
            probs = self.engine.score(block.ids, pad_id=self.encoder.pad_id, batch_tokens=self.batch_tokens,
                                      max_batch=self.max_batch, width=len(self.labels))
            np.maximum.at(scores, block.owners, probs)
            np.add.at(windows, block.owners, 1)
        if self.lexical is not None and live:
            # the n-gram head reads the characters the encoder read (a text cut to a part: that part), but never the
            # context: it was fitted on texts alone (training/train_lexical.py)
            seen: dict[int, list[str]] = {}
            if context is None:
                for piece, owner in zip(pieces, owners, strict=True):
                    seen.setdefault(owner, []).append(piece)
            else:
                seen = {i: cap_text(own[i], self.max_chars) for i in live}
            rows = np.array(sorted(seen))
            logits = self.lexical.logits([" ".join(seen[i]) for i in rows.tolist()])
            scores[rows] = blend(scores[rows], logits, float(self.manifest.lexical["weight"]))
        hits = None
        if self.keywords is not None:
            # on the caller's own text, so spans index it and hit.text is its slice (the matcher skips lone
            # surrogates; KeywordHit.to_dict replaces them for JSON)
            hits = tuple(tuple(h) for h in self.keywords.find_batch(items))
        return Result(scores=scores, labels=self.labels, thresholds=thresholds, windows=windows, keyword_hits=hits,
                      keyword_mode=self.keyword_mode, truncated=truncated)

    __call__ = predict

    def _bounded(self, cleaned: list[str], live: list[int], prefix: str) -> tuple[list[str], list[int], np.ndarray]:
        """The pieces of text to score (owner index per piece) within ``max_chars`` and ``max_windows`` per text, and
        which texts were cut to a part (see :func:`gensafe.text.cap_text`).

        Each text is bounded on its own, never against its batch-mates: a text gets the same windows, and so the
        same score, alone or in any batch.
        """
        limit = {i: min(len(cleaned[i]), self.max_chars) for i in live}
        # A window holds at least (max_tokens - overlap - a few special tokens) tokens and a token at least one
        # character, so almost every text provably fits and skips the counting pass.
        stride = max(1, self.manifest.max_tokens - self.manifest.window_overlap - 8)
        for i in live:
            if 1 + limit[i] // stride > self.max_windows:
                pieces = cap_text(cleaned[i], limit[i])
                count = sum(len(b.ids) for b in self.encoder.blocks(pieces, [i] * len(pieces), prefix))
                if count > self.max_windows:  # shorter by the share of windows it may keep
                    limit[i] = max(1, limit[i] * self.max_windows // count)
        pieces, owners = self._pieces(cleaned, live, limit)
        truncated = np.zeros(len(cleaned), dtype=bool)
        for i in live:
            truncated[i] = len(cleaned[i]) > limit[i]
        return pieces, owners, truncated

    @staticmethod
    def _pieces(cleaned: list[str], live: list[int], limit: dict[int, int]) -> tuple[list[str], list[int]]:
        pieces: list[str] = []
        owners: list[int] = []
        for i in live:
            for piece in cap_text(cleaned[i], limit[i]):
                pieces.append(piece)
                owners.append(i)
        return pieces, owners

    def _with_context(self, texts: list[str], context: str | Sequence[str]) -> list[str]:
        contexts = per_text(context, len(texts))
        template = self.manifest.context_template
        if not template:  # the warnings module shows this once per call site
            warnings.warn(f"model {self.name!r} does not read context (no context_template in its manifest): "
                          "texts are scored alone", UserWarning, stacklevel=3)
            return texts
        keep = self.manifest.context_chars
        return [t if is_blank(t) else template.format(context=clean_text(c)[-keep:], text=t)
                for t, c in zip(texts, contexts, strict=True)]

    def info(self) -> dict[str, Any]:
        """What is loaded and how: for logs and ``gensafe info``."""
        import tokenizers

        from . import __version__
        from .runtime import import_onnxruntime

        ort = import_onnxruntime()
        return {
            "model": self.name,
            "folder": str(self.folder),
            "labels": list(self.labels),
            "operating_points": sorted(self.manifest.thresholds),
            "policy": self.policy.describe(),
            "device": self.device,
            "provider": self.provider,
            "precision": self.precision,
            "max_tokens": self.manifest.max_tokens,
            "lexical_head": dict(self.manifest.lexical) if self.lexical is not None else None,
            "versions": {
                "gensafe": __version__,
                "onnxruntime": ort.__version__,
                "tokenizers": tokenizers.__version__,
                "numpy": np.__version__,
            },
            "available_providers": ort.get_available_providers(),
        }


