"""Streaming moderation of an LLM answer: feed text deltas, hear as soon as a risk crosses its threshold.

Example::

    stream = StreamGuard(clf)
    for delta in llm_stream:
        flag = stream.feed(delta)
        if flag:            # a risk crossed its threshold: stop streaming, flag.span says where
            break
    final = stream.close()   # Result for the whole answer
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .policy import Policy
from .result import Result

__all__ = ["StreamGuard", "StreamFlag"]

_BOUNDARY = re.compile(r"[。！？!?；;\n]|\.(\s|$)")


@dataclass(frozen=True)
class StreamFlag:
    """A risk crossed its threshold while the answer was streaming.

    Attributes:
        risks: Risk codes over threshold, highest first.
        scores: Risk code -> score for the scored span.
        span: ``(start, end)`` character offsets, in the text streamed so far, of the span that was scored.
        at_char: Characters received when the flag was raised.
    """

    risks: tuple[str, ...]
    scores: dict[str, float]
    span: tuple[int, int]
    at_char: int


@dataclass
class StreamGuard:
    """Moderate an answer while it streams: feed deltas, get a :class:`StreamFlag` as soon as a risk crosses its
    threshold, and a final :class:`Result` for the whole text from :meth:`close`.

    The guard re-scores at sentence boundaries, or every ``every_chars`` characters without one, over the last
    ``window_chars`` characters (enough context for the sentence that just ended, and cheap: one window of the model).

    Args:
        clf: A loaded classifier.
        role: How the text is encoded (a model answer by default).
        every_chars: Re-score at least this often, even with no sentence boundary.
        window_chars: Characters of context scored at each check.
        policy: Thresholds (default: the classifier's).
    """

    clf: Any
    role: str | None = "response"
    every_chars: int = 120
    window_chars: int = 400
    policy: Policy | None = None
    text: str = ""
    flags: list[StreamFlag] = field(default_factory=list)
    checks: int = 0
    check_seconds: float = 0.0
    _last_check: int = 0
    _flagged_spans: list[Result] = field(default_factory=list, init=False, repr=False)  # one per flag, in order

    def feed(self, delta: str) -> StreamFlag | None:
        """Append a delta; return a new flag when this delta made a risk cross its threshold, else ``None``."""
        if not isinstance(delta, str):
            raise TypeError(f"delta must be str, got {type(delta).__name__}")
        self.text += delta
        since = len(self.text) - self._last_check
        boundary = _BOUNDARY.search(self.text, max(self._last_check - 1, 0)) is not None
        if since <= 0 or not (boundary or since >= self.every_chars):
            return None
        return self._check()

    def _check(self) -> StreamFlag | None:
        end = len(self.text)
        start = max(0, end - self.window_chars)
        t0 = time.perf_counter()
        result = self.clf.predict(self.text[start:end], role=self.role, policy=self.policy)
        self.check_seconds += time.perf_counter() - t0
        self.checks += 1
        self._last_check = end
        verdict = result[0]
        if not verdict.flagged:
            return None
        already = {r for f in self.flags for r in f.risks}
        new = tuple(r for r in verdict.risks if r not in already)
        if not new:
            return None
        flag = StreamFlag(verdict.risks, {r: verdict.scores[r] for r in verdict.risks}, (start, end), end)
        self.flags.append(flag)
        self._flagged_spans.append(result)
        return flag

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def close(self) -> Result:
        """Score the tail not yet checked, then the whole answer (all windows); return its :class:`Result`.

        A flag raised on a span stays raised: each risk over threshold in a flagged span keeps that span's score in
        the final result where it is higher (the whole answer is cut into windows elsewhere and may score lower).
        """
        if len(self.text) > self._last_check:
            self._check()
        final = self.clf.predict(self.text, role=self.role, policy=self.policy)
        if not self._flagged_spans:
            return final
        spans = Result.concat(self._flagged_spans)
        raised = np.where(spans.flags, spans.scores, 0).max(axis=0)
        return replace(final, scores=np.maximum(final.scores, raised).astype(np.float32, copy=False))
