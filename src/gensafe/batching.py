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

from .classifier import ROLES
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

    One caller never costs the others: each request is checked when it is submitted (text types, role, policy and
    its operating point, context count — the checks ``predict`` makes), so a bad one fails in its own ``await`` and
    never joins a batch; and if a coalesced batch still raises, it is scored again one caller at a time, so the error
    reaches only the caller whose input raised it. Cancelling one caller leaves the others alone; :meth:`close`
    drains the queue (``drain=True``) or fails what is pending with :class:`GuardClosed`.
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
        """Score one text or several, batched with other callers' texts; same arguments and result as ``predict``.

        Raises the error ``predict`` would raise for a bad argument (``TypeError`` for non-text input or a policy that
        is not a :class:`Policy`, ``ValueError`` for an unknown role or a context of the wrong length, ``KeyError`` for
        an operating point the model does not have) here, before the request joins a batch.
        """
        if self._closed:
            raise GuardClosed("guard is closed")
        items, contexts = self._validate(texts, role, context, policy)
        if self._queue is None:
            await self.start()
        assert self._queue is not None
        future = asyncio.get_running_loop().create_future()
        req = _Request(items, role, contexts, policy, future, max(1, sum(len(t) for t in items)))
        if wait:
            await self._queue.put(req)
        else:
            self._queue.put_nowait(req)
        return await future

    def _validate(self, texts: Any, role: Any, context: Any, policy: Any) -> tuple[list[str], list[str] | None]:
        """The checks ``predict`` makes, run on one request alone, so a bad argument fails this caller and never the
        batch it would have joined. Returns the texts as a list and the context one per text (or ``None``): a context
        is kept per text (the classifier's own rule) because other callers' texts join the same ``predict``.

        >>> guard._validate("hi", "prompt", "the question", None)        # doctest: +SKIP
        (['hi'], ['the question'])
        """
        items = as_text_list(texts)
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {ROLES} or None, got {role!r}")
        contexts = None
        if context is not None:
            try:
                contexts = per_text(context, len(items))
            except TypeError as e:  # as_text_list names "texts"; say which argument was wrong
                raise TypeError(f"context: {e}") from None
        if policy is not None:
            if not isinstance(policy, Policy):
                raise TypeError(f"policy must be a gensafe.Policy or None, got {type(policy).__name__}")
            manifest = getattr(self.clf, "manifest", None)  # stand-in classifiers in tests have none
            if manifest is not None:
                policy.thresholds(manifest)  # KeyError for an operating point this model lacks
        return items, contexts

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
                        if req.future.done():
                            continue
                        if isinstance(res, Exception):
                            req.future.set_exception(res)
                        else:
                            req.future.set_result(res)
            except Exception as e:  # _score catches per caller; this is a last resort (e.g. executor shut down)
                for req in live:
                    if not req.future.done():
                        req.future.set_exception(e)
            finally:
                self.batches += 1
                self.requests += len(batch)
                for _ in batch:
                    self._queue.task_done()

    def _score(self, batch: list[_Request]) -> list[Result | Exception]:
        """One ``predict`` per (role, policy, context or not) group; each request gets its rows of that result.

        A group whose ``predict`` raises is scored again one request at a time, so the exception goes to the request
        that causes it and the others get their results (a failure is rare after :meth:`_validate`, so the extra
        calls cost nothing in the common case). Returns a result or an exception per request, in batch order.
        """
        out: dict[int, Result | Exception] = {}
        groups: dict[tuple[Any, int, bool], list[int]] = {}
        for i, req in enumerate(batch):
            groups.setdefault((req.role, id(req.policy), req.context is not None), []).append(i)
        for members in groups.values():
            try:
                scored = self._predict([batch[i] for i in members])
            except Exception as e:
                if len(members) == 1:
                    out[members[0]] = e
                    continue
                for i in members:  # one caller at a time: only the culprit hears about it
                    try:
                        out[i] = self._predict([batch[i]])
                    except Exception as e:
                        out[i] = e
                continue
            start = 0
            for i in members:
                out[i] = scored[start : start + len(batch[i].texts)]
                start += len(batch[i].texts)
        return [out[i] for i in range(len(batch))]

    def _predict(self, requests: list[_Request]) -> Result:
        """One ``predict`` over requests sharing role, policy and context-or-not; rows in request order."""
        first = requests[0]
        texts = [t for r in requests for t in r.texts]
        context = [c for r in requests for c in r.context or ()] if first.context is not None else None
        return self.clf.predict(texts, role=first.role, context=context, policy=first.policy)
