"""What ``gensafe serve`` accepts: its settings, API keys, request bodies checked against the limits, and the JSON
error shape every refusal takes. No web framework here: :mod:`gensafe.server` wires these into the app.

Example:
    >>> sorted(load_api_keys(env={"GENSAFE_API_KEYS": "a, b,,"}))
    ['a', 'b']
    >>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0")
    (True, False)
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .classifier import ROLES

__all__ = ["ServerSettings", "ApiError", "load_api_keys", "is_loopback", "KEYS_ENV"]

KEYS_ENV = "GENSAFE_API_KEYS"


@dataclass(frozen=True)
class ServerSettings:
    """What the service accepts and how it batches.

    Attributes:
        api_keys: Bearer tokens accepted on ``/v1/*``; empty means no authentication (``serve`` then binds to
            loopback only unless told otherwise).
        max_body_bytes: Largest request body; larger gets 413 before it is read.
        max_inputs: Texts per request at most (422 beyond).
        max_chars: Characters per text at most (422 beyond).
        timeout_s: Longest a request may wait for its scores (queue + model); 504 beyond.
        max_queue: Requests waiting for a batch at most; further requests get 429 at once (no unbounded backlog).
        max_wait_ms: How long a request waits for company before its batch runs (``AsyncGuard``).
        max_batch_tokens: Estimated tokens (characters) per batch (``AsyncGuard``).
        batch_workers: Batches scored at the same time (threads of ``AsyncGuard``).
        log_text: Log the raw input texts (with the request id); off by default, as texts may be personal data.
        role: The role of texts whose request names none (``/v1/moderations`` never does); ``None``: the model's.

    Example:
        >>> ServerSettings(api_keys=frozenset({"k"}), max_inputs=8).max_inputs
        8
    """

    api_keys: frozenset[str] = frozenset()
    max_body_bytes: int = 4 * 1024 * 1024
    max_inputs: int = 64
    max_chars: int = 32_000
    timeout_s: float = 30.0
    max_queue: int = 256
    max_wait_ms: float = 2.0
    max_batch_tokens: int = 16384
    batch_workers: int = 1
    log_text: bool = False
    role: str | None = None

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_inputs", "max_chars", "max_queue", "batch_workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES} or None, got {self.role!r}")
        object.__setattr__(self, "api_keys", frozenset(self.api_keys))


class ApiError(Exception):
    """A request the service refuses: becomes ``{"error": {...}}`` with ``status``; ``message`` says what was wrong."""

    def __init__(self, status: int, message: str, *, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


_ERROR_TYPES = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error",
                503: "service_unavailable", 504: "timeout_error"}


def _error_body(status: int, message: str, request_id: str | None, code: str | None = None,
                param: str | None = None) -> bytes:
    kind = _ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "server_error")
    return json.dumps({"error": {"message": message, "type": kind, "code": code, "param": param,
                                 "request_id": request_id}}, ensure_ascii=False).encode()


# -- API keys -----------------------------------------------------------------------------------------------------
def load_api_keys(file: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> frozenset[str]:
    """Keys from ``$GENSAFE_API_KEYS`` (comma-separated) and/or a file (one per line, ``#`` comments).

    Example:
        >>> sorted(load_api_keys(env={"GENSAFE_API_KEYS": "a, b,,"}))
        ['a', 'b']
    """
    env = os.environ if env is None else env
    keys = {k.strip() for k in env.get(KEYS_ENV, "").split(",") if k.strip()}
    if file is not None:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
        from_file = {ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")}
        if not from_file:
            raise ValueError(f"API keys file {file} holds no keys")
        keys |= from_file
    return frozenset(keys)


def _authorized(header: str | None, keys: frozenset[str]) -> bool:
    """``Authorization: Bearer <key>`` against every key, each compared in constant time and without an early exit,
    so neither the time taken nor which key matched tells an attacker anything about the keys."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    given = token.strip().encode()
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(given, key.encode())
    return ok


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost``: addresses only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- request bodies -----------------------------------------------------------------------------------------------
def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages a non-Python caller understands."""
    for kind, name in ((bool, "boolean"), (str, "string"), ((int, float), "number"), (list, "array"),
                       (dict, "object")):
        if isinstance(value, kind):
            return name
    return "null"


def _texts(value: Any, settings: ServerSettings, name: str = "input") -> list[str]:
    """The texts of an ``input`` field, checked against the limits.

    A string is one text, an array of strings is one text each; an array of OpenAI multi-modal parts
    (``{"type": "text", "text": ...}``) is one input whose text parts are joined (OpenAI answers one result for it).
    """
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        parts = []
        for i, part in enumerate(value):
            if part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif part.get("type") == "image_url":
                raise ApiError(422, f"{name}[{i}] is an image: this server scores text only", param=name,
                               code="unsupported_input")
            else:
                raise ApiError(422, f"{name}[{i}] must be {{\"type\": \"text\", \"text\": string}}", param=name)
        items = ["\n".join(parts)]
    elif isinstance(value, list):
        if not value:
            raise ApiError(422, f"{name} is an empty array: give at least one text", param=name)
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise ApiError(422, f"{name}[{i}] must be a string, got {_json_type(v)}", param=name)
        items = value
    else:
        raise ApiError(422, f"{name} must be a string or an array of strings, got {_json_type(value)}", param=name)
    if len(items) > settings.max_inputs:
        raise ApiError(422, f"{name} has {len(items)} texts; at most {settings.max_inputs} per request",
                       param=name, code="too_many_inputs")
    for i, text in enumerate(items):
        if len(text) > settings.max_chars:
            raise ApiError(422, f"{name}[{i}] has {len(text)} characters; at most {settings.max_chars} per text",
                           param=name, code="input_too_long")
    return items


async def _read_json(request: Any, settings: ServerSettings) -> dict[str, Any]:
    """The body as a JSON object, read with a running byte count: a body without ``Content-Length`` (chunked)
    is cut off at the limit instead of being buffered whole."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_body_bytes:
            raise ApiError(413, f"request body is over {settings.max_body_bytes} bytes", code="body_too_large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:  # the position helps; the body itself is never echoed
        raise ApiError(400, f"request body is not valid JSON ({type(e).__name__} at position "
                            f"{getattr(e, 'pos', '?')})", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(422, f"request body must be a JSON object, got {_json_type(data)}")
    return data
