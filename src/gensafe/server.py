"""``gensafe serve``: an HTTP moderation service (OpenAI's ``/v1/moderations`` and gensafe's ``/v1/check``).

Built on FastAPI and uvicorn (the ``serve`` extra) on top of :class:`~gensafe.batching.AsyncGuard`, so concurrent
requests are scored together in one batch while each caller gets its own rows.

Endpoints:
    ``POST /v1/moderations``  OpenAI's request (``input``: a string, an array of strings, or an array of
                              ``{"type": "text", "text": ...}`` parts; ``model`` accepted and ignored) and response,
                              built by :meth:`gensafe.Result.to_openai`; the official ``openai`` client parses it.
    ``POST /v1/check``        gensafe's full result: ``input``, optional ``role``, ``context``, ``policy``
                              (``operating_point``, ``overrides``, ``disabled_families``; it replaces the server's
                              policy for this request) and ``scores`` (false leaves out per-risk scores).
    ``GET /healthz``          the process is up.  ``GET /readyz``  the model is loaded and taking requests.
    ``GET /metrics``          Prometheus text: requests by endpoint and status, latency, batch sizes, queue depth,
                              flags per risk.

Every error is JSON in OpenAI's shape, ``{"error": {"message", "type", "code", "param", "request_id"}}``, and never
a stack trace: 400 unreadable JSON, 401 missing or wrong API key, 404/405, 413 body too large, 422 invalid field
or over a limit (inputs per request, characters per input), 429 queue full, 503 shutting down, 504 timed out.
Every response carries ``x-request-id`` (the caller's, if it sent a sane one); log lines carry it too, and never
the raw text unless ``log_text`` is set.

Example::

    import gensafe, uvicorn
    from gensafe.server import ServerSettings, create_app

    app = create_app(gensafe.load(), ServerSettings(api_keys=frozenset({"s3cret"})))
    uvicorn.run(app, host="127.0.0.1", port=8000)
    # curl -H 'Authorization: Bearer s3cret' -d '{"input": ["你好"]}' http://127.0.0.1:8000/v1/moderations
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException

from .batching import AsyncGuard, GuardClosed
from .classifier import ROLES
from .policy import Policy
from .server_input import (  # noqa: F401  (re-exported: gensafe.server is where users find the settings)
    KEYS_ENV,
    ApiError,
    ServerSettings,
    _authorized,
    _error_body,
    _json_type,
    _read_json,
    _texts,
    is_loopback,
    load_api_keys,
)
from .taxonomy import risk

__all__ = ["ServerSettings", "ApiError", "create_app", "load_api_keys", "serve"]

log = logging.getLogger("gensafe.server")

_SETTINGS_ENV = "GENSAFE_SERVE_ARGS"  # hands the command's arguments to each uvicorn worker process
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")  # a caller's id is echoed only if it cannot forge log lines
_ENDPOINTS = ("/v1/moderations", "/v1/check", "/healthz", "/readyz", "/metrics")
_CHECK_FIELDS = {"input", "role", "context", "policy", "scores", "model"}


# -- metrics ------------------------------------------------------------------------------------------------------
class _Metrics:
    """The service's Prometheus metrics, in a registry of its own (several apps in one process never collide)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("gensafe_http_requests", "HTTP requests by endpoint and status",
                                ["endpoint", "status"], registry=r)
        self.latency = Histogram("gensafe_http_request_seconds", "Time to answer a request", ["endpoint"],
                                 buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30), registry=r)
        self.batch = Histogram("gensafe_batch_texts", "Texts per model batch (coalesced requests)",
                               buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), registry=r)
        self.queue = Gauge("gensafe_queue_depth", "Requests waiting for a batch", registry=r)
        self.inflight = Gauge("gensafe_requests_in_flight", "Requests being answered", registry=r)
        self.texts = Counter("gensafe_texts", "Texts scored", registry=r)
        self.flags = Counter("gensafe_flags", "Texts flagged, per risk (model or keyword tier)", ["risk"],
                             registry=r)
        self.ready = Gauge("gensafe_ready", "1 while the model is loaded and taking requests", registry=r)

    def count(self, result: Any) -> None:
        self.texts.inc(len(result))
        for verdict in result:
            for code in dict.fromkeys((*verdict.risks, *verdict.keyword_risks)):
                self.flags.labels(code).inc()


class _Metered:
    """The classifier as :class:`AsyncGuard` sees it: ``predict`` also records each batch's size; every other
    attribute (``manifest``, ``labels``, ...) is the classifier's own."""

    def __init__(self, clf: Any, metrics: _Metrics) -> None:
        self._clf, self._metrics = clf, metrics

    def predict(self, texts: Any, **kwargs: Any) -> Any:
        self._metrics.batch.observe(len(texts))
        return self._clf.predict(texts, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clf, name)


# -- the edge: request ids, body limit, metrics, logs, last-resort errors --------------------------------------------
class _Edge:
    """Pure ASGI middleware around every request (cheaper than ``BaseHTTPMiddleware`` and streams untouched).

    Gives the request an id (``scope["state"]["request_id"]``, echoed as ``x-request-id``), refuses a declared body
    over the limit with 413 before reading it, times and counts the request, logs one line (no text), and turns any
    exception that escaped the app into a 500 JSON error without a stack trace.
    """

    def __init__(self, app: Any, settings: ServerSettings, metrics: _Metrics) -> None:
        self.app, self.settings, self.metrics = app, settings, metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope["path"]
        endpoint = path if path in _ENDPOINTS else "other"  # bounded label values, whatever paths are probed
        status = 500
        started = False
        t0 = time.perf_counter()

        async def send_with_id(message: dict) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        async def reply(code: int, message: str, err: str | None = None) -> None:
            body = _error_body(code, message, request_id, err)
            await send_with_id({"type": "http.response.start", "status": code,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
            await send_with_id({"type": "http.response.body", "body": body})

        self.metrics.inflight.inc()
        try:
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
                await reply(413, f"request body is {declared} bytes; at most {self.settings.max_body_bytes}",
                            "body_too_large")
            else:
                await self.app(scope, receive, send_with_id)
        except Exception as e:  # the app's handlers answer every expected error; this is the last resort
            log.error("request %s %s %s failed: %s", request_id, scope["method"], path, type(e).__name__)
            if not started:
                await reply(500, "internal error; the request id is in the server log", "internal_error")
        finally:
            elapsed = time.perf_counter() - t0
            self.metrics.inflight.dec()
            self.metrics.requests.labels(endpoint, str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(elapsed)
            log.info("request %s %s %s %d %.1fms", request_id, scope["method"], path, status, elapsed * 1000)


# -- the app ------------------------------------------------------------------------------------------------------
def _model_version(clf: Any) -> str:
    """The first 12 hex digits of the sha256 of the model's ``manifest.json``: it lists the sha256 of every model
    file, so two servers answering with the same version run the same model."""
    folder = getattr(clf, "folder", None)
    try:
        return hashlib.sha256((Path(folder) / "manifest.json").read_bytes()).hexdigest()[:12]
    except (OSError, TypeError):
        return "unknown"


def create_app(clf: Any, settings: ServerSettings | None = None) -> Any:
    """A FastAPI app serving ``clf`` (a loaded :class:`~gensafe.Classifier`) as described in the module docstring.

    The :class:`AsyncGuard` starts with the app (lifespan) and, on shutdown, is closed with ``drain=True`` after
    uvicorn has let in-flight requests finish, so nothing accepted is lost.

    Example:
        >>> app = create_app(gensafe.load(), ServerSettings(api_keys=frozenset({"k"})))   # doctest: +SKIP
    """
    from . import __version__

    settings = settings or ServerSettings()
    metrics = _Metrics()
    manifest = getattr(clf, "manifest", None)
    model_id = getattr(clf, "name", "gensafe")
    version = _model_version(clf)
    default_point = getattr(manifest, "default_operating_point", None)
    names = {}
    for code in getattr(clf, "labels", ()):
        with contextlib.suppress(KeyError, ValueError):
            names[code] = {"zh": risk(code).zh, "en": risk(code).en}
    state: dict[str, Any] = {"guard": None, "ready": False}

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        guard = AsyncGuard(_Metered(clf, metrics), max_wait_ms=settings.max_wait_ms,
                           max_batch_tokens=settings.max_batch_tokens, max_queue=settings.max_queue,
                           workers=settings.batch_workers)
        await guard.start()
        state["guard"] = guard
        app.state.guard = guard
        # the queue is AsyncGuard's own; read at scrape time, never stored
        metrics.queue.set_function(lambda: guard._queue.qsize() if guard._queue is not None else 0)
        metrics.ready.set(1)
        state["ready"] = True
        log.info("serving model %s (version %s, %s)", model_id, version,
                 "API keys required" if settings.api_keys else "no authentication")
        try:
            yield
        finally:
            metrics.ready.set(0)
            state["ready"] = False
            # uvicorn runs this after in-flight requests finished; drain scores anything still queued
            await guard.close(drain=True)
            log.info("stopped: %d requests in %d batches", guard.requests, guard.batches)

    app = FastAPI(title="gensafe", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)

    def rid(request: Request) -> str:
        return request.scope.get("state", {}).get("request_id", "")

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, e: ApiError) -> Response:
        headers = {"www-authenticate": "Bearer"} if e.status == 401 else None
        return Response(_error_body(e.status, e.message, rid(request), e.code, e.param), e.status, headers,
                        media_type="application/json")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, e: HTTPException) -> Response:  # 404, 405 from routing
        return Response(_error_body(e.status_code, str(e.detail), rid(request)), e.status_code,
                        media_type="application/json")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:  # bodies are parsed by hand; kept
        return Response(_error_body(422, "invalid request", rid(request)), 422, media_type="application/json")

    def authorize(request: Request) -> None:
        if settings.api_keys and not _authorized(request.headers.get("authorization"), settings.api_keys):
            given = "missing" if "authorization" not in request.headers else "invalid"
            raise ApiError(401, f"API key {given}: send 'Authorization: Bearer <key>'", code=f"{given}_api_key")

    async def score(request: Request, texts: list[str], **kwargs: Any) -> Any:
        guard: AsyncGuard | None = state["guard"]
        if guard is None or not state["ready"]:
            raise ApiError(503, "the server is shutting down", code="shutting_down")
        if settings.log_text:
            log.info("request %s texts %s", rid(request), json.dumps(texts, ensure_ascii=False))
        try:
            result = await asyncio.wait_for(guard.apredict(texts, wait=False, **kwargs), settings.timeout_s)
        except asyncio.QueueFull:
            raise ApiError(429, f"the queue is full ({settings.max_queue} requests waiting); retry shortly",
                           code="queue_full") from None
        except asyncio.TimeoutError:
            raise ApiError(504, f"not scored within {settings.timeout_s:g} s", code="timeout") from None
        except GuardClosed:
            raise ApiError(503, "the server is shutting down", code="shutting_down") from None
        except (TypeError, ValueError, KeyError) as e:  # the checks predict makes (role, context, policy)
            message = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
            raise ApiError(422, str(message)) from None
        metrics.count(result)
        return result

    @app.post("/v1/moderations")
    async def moderations(request: Request) -> Response:
        authorize(request)
        data = await _read_json(request, settings)
        if "input" not in data:
            raise ApiError(422, "input is required", param="input")
        model = data.get("model")
        if model is not None and not isinstance(model, str):
            raise ApiError(422, f"model must be a string, got {_json_type(model)}", param="model")
        texts = _texts(data["input"], settings)
        result = await score(request, texts, role=settings.role)
        return JSONResponse(result.to_openai(model=model_id, id=f"modr-{uuid.uuid4().hex}"))

    @app.post("/v1/check")
    async def check(request: Request) -> Response:
        authorize(request)
        data = await _read_json(request, settings)
        unknown = sorted(set(data) - _CHECK_FIELDS)
        if unknown:
            raise ApiError(422, f"unknown fields {unknown}; known: {sorted(_CHECK_FIELDS)}", param=unknown[0])
        if "input" not in data:
            raise ApiError(422, "input is required", param="input")
        texts = _texts(data["input"], settings)
        role = data.get("role", settings.role)
        if role is not None and role not in ROLES:
            raise ApiError(422, f"role must be one of {list(ROLES)} or null, got {json.dumps(role)}", param="role")
        context = data.get("context")
        if context is not None:
            context = _texts(context, settings, "context")
            if len(context) == 1 and len(texts) > 1:
                context = context[0]  # one context for every text, as predict takes it
        scores = data.get("scores", True)
        if not isinstance(scores, bool):
            raise ApiError(422, f"scores must be true or false, got {_json_type(scores)}", param="scores")
        policy = data.get("policy")
        if policy is not None:
            if not isinstance(policy, dict):
                raise ApiError(422, f"policy must be an object, got {_json_type(policy)}", param="policy")
            try:
                policy = Policy.from_dict(policy)
            except (TypeError, ValueError, KeyError) as e:
                raise ApiError(422, f"policy: {e.args[0] if e.args else e}", param="policy") from None
        result = await score(request, texts, role=role, context=context, policy=policy)
        effective = policy or getattr(clf, "policy", None) or Policy()
        thresholds = result.thresholds.tolist()
        return JSONResponse({
            "id": f"chk-{uuid.uuid4().hex}",
            "object": "gensafe.check",
            "model": {"id": model_id, "version": version, "gensafe": __version__,
                      "precision": getattr(clf, "precision", None)},
            "role": role,
            "operating_point": effective.operating_point or default_point,
            "policy": effective.describe(),
            "labels": list(result.labels),
            "names": names,
            "thresholds": {c: (t if t != float("inf") else None) for c, t in zip(result.labels, thresholds,
                                                                                  strict=True)},
            "results": result.to_dicts(scores=scores),
        })

    @app.get("/healthz")
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    async def readyz() -> Response:
        if not state["ready"]:
            return Response(_error_body(503, "not ready: the model is not taking requests", None, "not_ready"),
                            503, media_type="application/json")
        return JSONResponse({"status": "ready", "model": model_id, "version": version})

    @app.get("/metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # inside Starlette's own error middleware, outside the routes: sees every request and every escaped exception
    app.add_middleware(_Edge, settings=settings, metrics=metrics)
    return app


# -- running it ---------------------------------------------------------------------------------------------------
def serve(args: Any) -> int:
    """Run the service for ``gensafe serve`` (``args``: its parsed arguments).

    Refuses, before loading anything, to listen beyond loopback without API keys unless ``allow_unauthenticated``.
    With ``workers`` > 1 each uvicorn worker process loads its own model copy (arguments passed through the
    environment; keys are read again from ``$GENSAFE_API_KEYS`` / the keys file, never copied into it).
    """
    import uvicorn

    keys = load_api_keys(args.api_keys_file)
    if not keys and not is_loopback(args.host) and not args.allow_unauthenticated:
        raise ValueError(f"no API keys configured (set {KEYS_ENV} or --api-keys-file): refusing to listen on "
                         f"{args.host}, which other machines can reach; use --allow-unauthenticated to do it anyway")
    _configure_logging()
    common = dict(host=args.host, port=args.port, access_log=False, log_level="info",
                  timeout_graceful_shutdown=int(args.timeout) + 5)
    if args.workers > 1:
        os.environ[_SETTINGS_ENV] = json.dumps({k: v for k, v in vars(args).items() if k != "func"})
        uvicorn.run("gensafe.server:app_from_env", factory=True, workers=args.workers, **common)
    else:
        uvicorn.run(_app_from_args(args), **common)
    return 0


def _configure_logging() -> None:
    """gensafe's log lines (request ids, model load) on stderr, unless the host application set logging up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _settings_from_args(args: Any) -> ServerSettings:
    return ServerSettings(api_keys=load_api_keys(args.api_keys_file), max_body_bytes=args.max_body_bytes,
                          max_inputs=args.max_inputs, max_chars=args.max_chars, timeout_s=args.timeout,
                          max_queue=args.max_queue, max_wait_ms=args.max_wait_ms, log_text=args.log_text,
                          role=args.role)


def _app_from_args(args: Any) -> Any:
    from .cli import _load  # the same model, policy and keyword options as ``gensafe check``

    return create_app(_load(args), _settings_from_args(args))


def app_from_env() -> Any:
    """The app for one uvicorn worker process of ``gensafe serve --workers N`` (a uvicorn factory)."""
    import argparse

    _configure_logging()  # a fresh process: the parent's logging setup did not come with it
    return _app_from_args(argparse.Namespace(**json.loads(os.environ[_SETTINGS_ENV])))
