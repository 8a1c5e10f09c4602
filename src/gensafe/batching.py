"""Async dynamic batching: concurrent ``await guard.apredict(...)`` calls scored together, off the event loop.

Example (inside an async web handler)::

    guard = AsyncGuard(gensafe.load(), max_wait_ms=2)
    async with guard:
        result = await guard.apredict(user_prompt, role="prompt")   # coalesced with concurrent callers
        if result.flagged[0]:
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .policy import Policy
from .result import Result
from .text import as_text_list, per_text

__all__ = ["AsyncGuard", "GuardClosed"]


class GuardClosed(RuntimeError):
    """The guard was closed before this request was scored."""


@dataclass
class _Request:
    """One caller's texts, waiting for a batch; ``context`` is one per text (or ``None``) so requests can be joined."""

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
    scores the batch in a worker thread. Each caller gets a :class:`Result` for its own texts only (its rows of the
    batch's result).

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
        # Checked here, so a bad argument fails this caller's task and never the batch it would have joined. A
        # context is kept one per text (the classifier's own rule), since other callers' texts join this predict.
        items = as_text_list(texts)
        contexts = None if context is None else per_text(context, len(items))
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
        """One ``predict`` per (role, policy, context or not) group; each request gets its rows of that result."""
        out: dict[int, Result] = {}
        groups: dict[tuple[Any, int, bool], list[int]] = {}
        for i, req in enumerate(batch):
            groups.setdefault((req.role, id(req.policy), req.context is not None), []).append(i)
        for (role, _, has_context), members in groups.items():
            texts = [t for i in members for t in batch[i].texts]
            context = [c for i in members for c in batch[i].context or ()] if has_context else None
            scored = self.clf.predict(texts, role=role, context=context, policy=batch[members[0]].policy)
            start = 0
            for i in members:
                out[i] = scored[start : start + len(batch[i].texts)]
                start += len(batch[i].texts)
        return [out[i] for i in range(len(batch))]
