"""Serving helpers: an asyncio front with dynamic batching, and streaming moderation of LLM output.

Example (inside an async web handler)::

    guard = AsyncGuard(gensafe.load(), max_wait_ms=2)
    async with guard:
        result = await guard.apredict(user_prompt, role="prompt")
        if result.flagged[0]:
            ...

    stream = StreamGuard(clf)
    for delta in llm_stream:
        flag = stream.feed(delta)
        if flag:            # a risk crossed its threshold: stop streaming, flag.span says where
            break
    final = stream.close()   # Result for the whole answer
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .policy import Policy
from .result import Result
from .text import as_text_list

__all__ = ["AsyncGuard", "GuardClosed", "StreamGuard", "StreamFlag"]


class GuardClosed(RuntimeError):
    """The guard was closed before this request was scored."""


@dataclass
class _Request:
    texts: list[str]
    role: str | None
    context: list[str] | None
    policy: Policy | None
    future: asyncio.Future
    cost: int


class AsyncGuard:
    """Coalesce concurrent ``await apredict(...)`` calls into batches run off the event loop.

    A worker takes the first waiting request, then keeps collecting until the batch holds ``max_batch_tokens``
    (estimated as characters, an upper bound for Chinese) or ``max_wait_ms`` has passed since the first arrived, and
    scores the batch in a worker thread. Each caller gets a :class:`Result` for its own texts only.

    Args:
        clf: A loaded :class:`~gensafe.Classifier` (shared; it is thread-safe).
        max_wait_ms: Longest a request waits for company before its batch runs.
        max_batch_tokens: Estimated tokens (characters) per batch.
        max_queue: Requests waiting at most; further callers wait for room (backpressure), or get
            ``asyncio.QueueFull`` from ``apredict(..., wait=False)``.
        workers: Batches scored at the same time (threads).

    Cancelling one caller leaves the others alone; an exception raised by a batch reaches exactly the callers in it;
    :meth:`close` drains the queue (``drain=True``) or fails what is pending with :class:`GuardClosed`.
    """

    def __init__(
        self,
        clf: Any,
        *,
        max_wait_ms: float = 2.0,
        max_batch_tokens: int = 16384,
        max_queue: int = 1024,
        workers: int = 1,
    ) -> None:
        self.clf = clf
        self.max_wait = max_wait_ms / 1000.0
        self.max_batch_tokens = max_batch_tokens
        self.max_queue = max_queue
        self.workers = workers
        self._queue: asyncio.Queue[_Request] | None = None
        self._tasks: list[asyncio.Task] = []
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self.batches = 0  # counters for load tests and metrics
        self.requests = 0

    # -- lifecycle ----------------------------------------------------------------------------------------------
    async def start(self) -> AsyncGuard:
        if self._queue is None:
            self._queue = asyncio.Queue(self.max_queue)
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="gensafe")
            self._tasks = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        return self

    async def __aenter__(self) -> AsyncGuard:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close(drain=exc[0] is None)

    async def close(self, *, drain: bool = True) -> None:
        """Stop taking requests; score what is queued (``drain``) or fail it with :class:`GuardClosed`.

        A batch already running always finishes and its callers get their results.
        """
        self._closed = True
        if self._queue is None:
            return
        if not drain:
            while not self._queue.empty():
                req = self._queue.get_nowait()
                if not req.future.done():
                    req.future.set_exception(GuardClosed("guard closed before this request was scored"))
                self._queue.task_done()
        await self._queue.join()  # queued work (drain) and the batch in flight
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._executor:
            self._executor.shutdown(wait=True)

    # -- requests -----------------------------------------------------------------------------------------------
    async def apredict(
        self,
        texts: str | Sequence[str],
        *,
        role: str | None = None,
        context: str | Sequence[str] | None = None,
        policy: Policy | None = None,
        wait: bool = True,
    ) -> Result:
        """Score one text or several, batched with other callers' texts; same arguments and result as ``predict``."""
        if self._closed:
            raise GuardClosed("guard is closed")
        if self._queue is None:
            await self.start()
        assert self._queue is not None
        items = as_text_list(texts)  # type errors surface here, in the caller's task
        contexts = None
        if context is not None:
            contexts = [context] * len(items) if isinstance(context, str) else as_text_list(context)
            if len(contexts) != len(items):
                raise ValueError(f"context has {len(contexts)} items for {len(items)} texts")
        future = asyncio.get_running_loop().create_future()
        req = _Request(items, role, contexts, policy, future, max(1, sum(len(t) for t in items)))
        if wait:
            await self._queue.put(req)
        else:
            self._queue.put_nowait(req)
        return await future

    async def _worker(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            batch = [first]
            cost = first.cost
            deadline = loop.time() + self.max_wait
            while cost < self.max_batch_tokens:
                timeout = deadline - loop.time()
                if timeout <= 0:
                    break
                try:
                    nxt = await asyncio.wait_for(self._queue.get(), timeout)
                except asyncio.TimeoutError:
                    break
                batch.append(nxt)
                cost += nxt.cost
            live = [r for r in batch if not r.future.cancelled()]
            try:
                if live:
                    results = await loop.run_in_executor(self._executor, self._score, live)
                    for req, res in zip(live, results, strict=True):
                        if not req.future.done():
                            req.future.set_result(res)
            except Exception as e:  # the batch failed: exactly its callers hear about it
                for req in live:
                    if not req.future.done():
                        req.future.set_exception(e)
            finally:
                self.batches += 1
                self.requests += len(batch)
                for _ in batch:
                    self._queue.task_done()

    def _score(self, batch: list[_Request]) -> list[Result]:
        """Run one predict per (role, policy) group and cut the rows back per request."""
        results: list[Result | None] = [None] * len(batch)
        groups: dict[tuple[Any, int, bool], list[int]] = {}
        for i, req in enumerate(batch):
            groups.setdefault((req.role, id(req.policy), req.context is not None), []).append(i)
        for (role, _, has_context), members in groups.items():
            policy = batch[members[0]].policy
            texts = [t for i in members for t in batch[i].texts]
            context = [c for i in members for c in batch[i].context] if has_context else None  # type: ignore[union-attr]
            scored = self.clf.predict(texts, role=role, context=context, policy=policy)
            start = 0
            for i in members:
                n = len(batch[i].texts)
                hits = scored.keyword_hits[start : start + n] if scored.keyword_hits is not None else None
                results[i] = Result(scored.scores[start : start + n], scored.labels, scored.thresholds,
                                    scored.windows[start : start + n], hits, scored.keyword_mode)
                start += n
        return results  # type: ignore[return-value]


# -- streaming ----------------------------------------------------------------------------------------------------------
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
        return flag

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def close(self) -> Result:
        """Score the tail not yet checked, then the whole answer (all windows); return its :class:`Result`."""
        if len(self.text) > self._last_check:
            self._check()
        result = self.clf.predict(self.text, role=self.role, policy=self.policy)
        if self.flags:  # a flag raised on a span stays raised in the final verdict
            scores = result.scores.copy()
            for f in self.flags:
                for code, score in f.scores.items():
                    j = result.labels.index(code)
                    scores[0, j] = max(scores[0, j], score)
            result = Result(scores.astype(np.float32), result.labels, result.thresholds, result.windows)
        return result
