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
from .text import replace_surrogates

__all__ = ["StreamGuard", "StreamFlag"]

_BOUNDARY = re.compile(r"[。！？!?；;\n]|\.(\s|$)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _is_high_surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udbff"


def join_surrogates(text: str) -> str:
    """Join each high + low surrogate pair into its character; replace unpaired surrogates by U+FFFD.

    Some clients build strings from UTF-16 code units, so a character outside the BMP (an emoji, a rare CJK
    ideograph) can arrive as two surrogates, even split across two deltas. Joined, the text is the one the model
    would be given whole; an unpaired surrogate becomes U+FFFD (what ``predict`` does with it), one for one.

    >>> join_surrogates(chr(0xD83D) + chr(0xDE00) + " ok " + chr(0xD800)) == chr(0x1F600) + " ok " + chr(0xFFFD)
    True
    """
    if not _SURROGATE.search(text):
        return text
    # UTF-16 round trip: "surrogatepass" lets lone surrogates through both ways, and decoding pairs them up.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return replace_surrogates(text)


@dataclass(frozen=True)
class StreamFlag:
    """A risk crossed its threshold while the answer was streaming.

    Attributes:
        risks: Risk codes over threshold, highest first.
        scores: Risk code -> score for the scored span.
        span: ``(start, end)`` character offsets, in the text streamed so far, of the span that was scored.
        at_char: Characters received when the flag was raised.
        keyword_hits: The keyword hits in the scored span, their offsets in the text streamed so far (a verdict made
            by a keyword hit alone flags the stream too).
    """

    risks: tuple[str, ...]
    scores: dict[str, float]
    span: tuple[int, int]
    at_char: int
    keyword_hits: tuple[Any, ...] = ()


@dataclass
class StreamGuard:
    """Moderate an answer while it streams: feed deltas, get a :class:`StreamFlag` as soon as a risk crosses its
    threshold, and a final :class:`Result` for the whole text from :meth:`close`.

    The guard re-scores at sentence boundaries, or every ``every_chars`` characters without one, over the last
    ``window_chars`` characters (enough context for the sentence that just ended, and cheap: one window of the model).

    Characters stay whole across deltas: a surrogate pair split between two deltas (a client cutting a string by
    UTF-16 code units) is joined into its character, so :attr:`text` and every span index the answer as one string.
    A delta's trailing high surrogate waits for the next delta; one still unpaired at :meth:`close`, like any
    unpaired surrogate, becomes U+FFFD in :attr:`text`.

    Args:
        clf: A loaded classifier.
        role: How the text is encoded (a model answer by default).
        every_chars: Re-score at least this often, even with no sentence boundary.
        window_chars: Characters of context scored at each check.
        policy: Thresholds (default: the classifier's).

    Attributes:
        text: The answer received so far (surrogate pairs joined; a trailing high surrogate not yet included).
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
    _pending: str = field(default="", init=False, repr=False)  # a trailing high surrogate waiting for its partner
    _flagged_spans: list[Result] = field(default_factory=list, init=False, repr=False)  # one per flag, in order

    def feed(self, delta: str) -> StreamFlag | None:
        """Append a delta; return a new flag when this delta made a risk cross its threshold, else ``None``."""
        if not isinstance(delta, str):
            raise TypeError(f"delta must be str, got {type(delta).__name__}")
        delta, self._pending = self._pending + delta, ""
        if delta and _is_high_surrogate(delta[-1]):  # its low half may be the next delta's first character
            delta, self._pending = delta[:-1], delta[-1]
        self.text += join_surrogates(delta)
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
        # keyword-only risks have no model score; hits are shifted from the span to the whole text
        hits = tuple(replace(h, start=h.start + start, end=h.end + start) for h in verdict.keyword_hits)
        flag = StreamFlag(verdict.risks, {r: verdict.scores[r] for r in verdict.risks if r in verdict.scores},
                          (start, end), end, hits)
        self.flags.append(flag)
        self._flagged_spans.append(result)
        return flag

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def close(self) -> Result:
        """Score the tail not yet checked, then the whole answer (all windows); return its :class:`Result`.

        A flag raised on a span stays raised: each risk over threshold in a flagged span keeps that span's score in
        the final result where it is higher (the whole answer is cut into windows elsewhere and may score lower),
        and the keyword hits of flagged spans stay in the final ``keyword_hits`` (with those of the whole answer).
        A high surrogate still waiting for its partner is added to :attr:`text` as U+FFFD first.
        """
        if self._pending:  # the stream ended inside a surrogate pair
            self.text += "\ufffd"
            self._pending = ""
        if len(self.text) > self._last_check:
            self._check()
        final = self.clf.predict(self.text, role=self.role, policy=self.policy)
        if not self._flagged_spans:
            return final
        spans = Result.concat(self._flagged_spans)
        raised = np.where(spans.flags, spans.scores, 0).max(axis=0)
        hits = final.keyword_hits
        if hits is not None:  # one hit per span: the whole answer's, plus any a flagged span saw that it did not
            merged = {(h.start, h.end): h for f in self.flags for h in f.keyword_hits}
            merged.update({(h.start, h.end): h for h in hits[0]})
            hits = (tuple(merged[k] for k in sorted(merged)),)
        return replace(final, scores=np.maximum(final.scores, raised).astype(np.float32, copy=False),
                       keyword_hits=hits)
