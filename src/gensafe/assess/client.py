"""Getting the answers: an OpenAI-compatible chat endpoint (concurrent, retried, resumable) or a JSONL file.

The client is stdlib only (``urllib`` + threads), so ``gensafe assess`` needs no extra. Every answer is appended to
a JSONL cache as soon as it arrives; a rerun with the same endpoint settings reuses the cached answers and asks only
for the rest, so an interrupted run of 1,600 questions resumes where it stopped. Failed questions are not cached and
are asked again on the next run.

Example:
    >>> client = ChatClient("http://127.0.0.1:8000/v1", "my-model")       # doctest: +SKIP
    >>> answers = client.answer_all(items, cache="out/answers.cache.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..banks import BankItem

__all__ = ["ChatClient", "EndpointError", "read_answers"]

_log = logging.getLogger(__name__)
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class EndpointError(RuntimeError):
    """The endpoint failed for a question after every retry, or answered with something that is not a chat reply."""


@dataclass(frozen=True)
class ChatClient:
    """An OpenAI-compatible ``/chat/completions`` client.

    Attributes:
        endpoint: Base URL (``http://host:8000/v1``) or the full ``…/chat/completions`` URL.
        model: The model name sent in each request.
        api_key: Bearer token (``None``: no ``Authorization`` header, for local servers).
        system: Optional system prompt (the service's own, when assessing a deployed configuration).
        concurrency: Requests in flight.
        retries: Further attempts after a timeout, connection error, 408/409/425/429 or 5xx; backoff doubles from
            ``backoff`` seconds, with jitter, and honours ``Retry-After``.
        timeout: Seconds per request.
        temperature, max_tokens: Sent as is.
    """

    endpoint: str
    model: str
    api_key: str | None = None
    system: str | None = None
    concurrency: int = 4
    retries: int = 4
    timeout: float = 60.0
    backoff: float = 1.0
    temperature: float = 0.0
    max_tokens: int = 1024

    def __post_init__(self) -> None:
        if not self.endpoint.startswith(("http://", "https://")):
            raise ValueError(f"--endpoint must be an http(s) URL, got {self.endpoint!r}")
        if self.concurrency < 1 or self.retries < 0 or self.timeout <= 0:
            raise ValueError("concurrency must be >= 1, retries >= 0 and timeout > 0")

    @property
    def url(self) -> str:
        base = self.endpoint.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"

    def _body(self, question: str) -> dict[str, Any]:
        messages = ([{"role": "system", "content": self.system}] if self.system else []) + [
            {"role": "user", "content": question}]
        return {"model": self.model, "messages": messages, "temperature": self.temperature,
                "max_tokens": self.max_tokens}

    def cache_key(self, question: str) -> str:
        """What identifies an answer in the cache: the request body (model, system prompt, settings, question)."""
        body = json.dumps(self._body(question), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256((self.url + "\n" + body).encode("utf-8")).hexdigest()[:32]

    def ask(self, question: str) -> str:
        """One question → the assistant's reply text; retried as described; :class:`EndpointError` when it fails."""
        data = json.dumps(self._body(question), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last = ""
        for attempt in range(self.retries + 1):
            wait = self.backoff * 2 ** attempt * (0.5 + random.random())
            try:
                req = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    payload = json.loads(resp.read().decode("utf-8"))
                return _reply_text(payload)
            except urllib.error.HTTPError as e:
                last = f"HTTP {e.code}: {e.read()[:200].decode('utf-8', 'replace')}"
                if e.code not in _RETRY_STATUS:
                    break  # 400/401/404…: retrying cannot help, say so at once
                retry_after = e.headers.get("Retry-After") if e.headers else None
                if retry_after and retry_after.replace(".", "", 1).isdigit():
                    wait = max(wait, float(retry_after))
            except (OSError, http.client.HTTPException) as e:  # URLError, timeouts, resets, cut-off bodies
                last = f"{type(e).__name__}: {getattr(e, 'reason', e)}"
            except (ValueError, KeyError, TypeError, IndexError) as e:  # not JSON, or not a chat completion
                raise EndpointError(f"{self.url} did not return a chat completion: {e}") from None
            if attempt < self.retries:
                _log.debug("attempt %d failed (%s); retrying in %.1f s", attempt + 1, last, wait)
                time.sleep(wait)
        raise EndpointError(f"{self.url}: {last} (after {self.retries + 1} attempts)")

    def answer_all(self, items: Sequence[BankItem], cache: str | Path) -> tuple[dict[str, str], dict[str, str]]:
        """Answers for ``items`` (id → text), and errors (id → message) for those that failed every retry.

        Answers already in ``cache`` under the same :meth:`cache_key` are reused; new ones are appended as they come.
        """
        cache = Path(cache)
        cached = _read_cache(cache)
        answers: dict[str, str] = {}
        todo = []
        for item in items:
            key = self.cache_key(item.question)
            if key in cached:
                answers[item.id] = cached[key]
            else:
                todo.append((item, key))
        _log.info("%d answers from the cache, %d to ask", len(answers), len(todo))
        errors: dict[str, str] = {}
        lock = threading.Lock()
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(cache, "a", encoding="utf-8") as f, ThreadPoolExecutor(self.concurrency) as pool:
            futures = {pool.submit(self.ask, item.question): (item, key) for item, key in todo}
            for fut in as_completed(futures):
                item, key = futures[fut]
                try:
                    text = fut.result()
                except EndpointError as e:
                    errors[item.id] = str(e)
                    continue
                answers[item.id] = text
                with lock:  # one whole line per answer, flushed: a killed run loses at most the line in flight
                    f.write(json.dumps({"key": key, "id": item.id, "answer": text}, ensure_ascii=False) + "\n")
                    f.flush()
        return answers, errors


def _reply_text(payload: dict[str, Any]) -> str:
    content = payload["choices"][0]["message"]["content"]
    if content is None:  # some servers send null content with a refusal field for a refused request
        content = payload["choices"][0]["message"].get("refusal") or ""
    if not isinstance(content, str):
        raise TypeError(f"message content is {type(content).__name__}, expected str")
    return content


def _read_cache(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                row = json.loads(line)
                out[row["key"]] = row["answer"]
            except (ValueError, KeyError, TypeError):
                continue  # a line cut off by a kill: that question is simply asked again
    return out


def read_answers(path: str | Path, items: Sequence[BankItem]) -> dict[str, str]:
    """Answers from a JSONL file (``{"id", "answer"}``, or ``{"question", "answer"}``), matched to ``items``.

    Matching is by ``id`` first, then by exact question text. Raises ValueError naming the line of a malformed row,
    and naming the sampled items that have no answer.
    """
    by_id: dict[str, str] = {}
    by_question: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{path}:{n}: not JSON ({e})") from None
            answer = row.get("answer") if isinstance(row, dict) else None
            if not isinstance(answer, str):
                raise ValueError(f"{path}:{n}: needs an \"answer\" string")
            if row.get("id") is not None:
                by_id[str(row["id"])] = answer
            if isinstance(row.get("question"), str):
                by_question[row["question"]] = answer
    out = {}
    missing = []
    for item in items:
        if item.id in by_id:
            out[item.id] = by_id[item.id]
        elif item.question in by_question:
            out[item.id] = by_question[item.question]
        else:
            missing.append(item.id)
    if missing:
        raise ValueError(f"{path}: no answer for {len(missing)} of the {len(items)} sampled questions (e.g. "
                         f"{', '.join(missing[:5])}); answer the sample in questions.jsonl (same --seed and sizes)")
    return out
