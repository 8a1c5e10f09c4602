"""Scale-out on Ray Serve: the same ``gensafe serve`` app, as N replicas across a Ray cluster (the ``ray`` extra).

Each replica is one Ray actor that loads its own classifier (``gensafe.load`` via the same options as
``gensafe serve``) and mounts :func:`gensafe.server.create_app` unchanged, so endpoints, API keys, limits, errors and
``/metrics`` (per replica) are exactly those of ``gensafe serve``; Ray's HTTP proxy spreads requests over replicas.
Every response also carries ``x-gensafe-replica``, the id of the replica that answered.

Run it (``--`` is optional; every option after the Ray ones is a ``gensafe serve`` option)::

    pip install 'gensafe[serve,ray]'
    python -m gensafe.ray_serve --replicas 4 --num-cpus 2 --host 0.0.0.0 --port 8000 --model default
    python -m gensafe.ray_serve --address auto --replicas 8 --device cuda --num-gpus 0.5   # on a running cluster

API keys are read by each replica from its own ``$GENSAFE_API_KEYS`` / ``--api-keys-file`` (the file must exist on
every node), never shipped in the deployment's arguments, which Ray stores in its control store.

Example::

    import ray
    from ray import serve
    from gensafe.ray_serve import application

    ray.init(num_cpus=2)
    serve.start(http_options={"host": "127.0.0.1", "port": 8000})
    serve.run(application(["--model", "default", "--device", "cpu"], replicas=2, num_cpus=1))
    # POST http://127.0.0.1:8000/v1/moderations ... then serve.shutdown(); ray.shutdown()
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from ray import serve

__all__ = ["GensafeReplica", "application", "serve_args", "main"]

log = logging.getLogger("gensafe.ray_serve")

REPLICA_HEADER = b"x-gensafe-replica"
_REQUEST_ID = b"x-request-id"


def serve_args(argv: Sequence[str] = ()) -> argparse.Namespace:
    """``gensafe serve`` options (``argv``, e.g. ``["--model", "default"]``) parsed by the command's own parser.

    Example:
        >>> serve_args(["--max-inputs", "8"]).max_inputs
        8
    """
    from .cli import build_parser

    return build_parser().parse_args(["serve", *argv])


class _ReplicaHeader:
    """ASGI middleware: names the replica that answered (``x-gensafe-replica``), to see the load spread."""

    def __init__(self, app: Any, replica: str) -> None:
        self.app, self.replica = app, replica.encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan passes through untouched
            return

        # Ray's proxy gives every request an x-request-id (the caller's or its own) and appends it to every response;
        # the app echoes the same id, so the replica drops its copy: one header, one id in both logs
        proxied = any(k == _REQUEST_ID for k, _ in scope.get("headers", ()))

        async def send_named(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if not (proxied and k.lower() == _REQUEST_ID)]
                message["headers"] = [*headers, (REPLICA_HEADER, self.replica)]
            await send(message)

        await self.app(scope, receive, send_named)


@serve.ingress()  # late-bound: the app is built per replica by __serve_build_asgi_app__, after the model loads
class GensafeReplica:
    """One Ray Serve replica: a classifier loaded once, served by :func:`gensafe.server.create_app`.

    Args:
        args: ``vars()`` of parsed ``gensafe serve`` options (:func:`serve_args`); plain data, so Ray can ship it.
    """

    def __init__(self, args: dict[str, Any]) -> None:
        from .server import _app_from_args, _configure_logging

        _configure_logging()  # a fresh actor process: the driver's logging setup did not come with it
        # loads the model, policy, keywords and API keys exactly as `gensafe serve` does
        self._app = _app_from_args(argparse.Namespace(**args))
        try:
            self._replica = serve.get_replica_context().replica_id.unique_id
        except Exception:  # outside a replica (unit use): the process id still tells copies apart
            self._replica = str(os.getpid())
        log.info("replica %s ready (pid %d)", self._replica, os.getpid())

    def __serve_build_asgi_app__(self) -> Any:
        # Ray runs the app's lifespan (AsyncGuard start, drain on shutdown) like uvicorn does
        return _ReplicaHeader(self._app, self._replica)


def application(argv: Sequence[str] | argparse.Namespace = (), *, replicas: int = 1, num_cpus: float = 1.0,
                num_gpus: float | None = None, max_ongoing_requests: int | None = None) -> Any:
    """A bound Ray Serve application of ``replicas`` copies of ``gensafe serve`` (give it to ``serve.run``).

    Args:
        argv: ``gensafe serve`` options (model, device, precision, keywords, limits…) or their parsed namespace.
            ``--host``/``--port`` are not used here: they are the HTTP proxy's (``serve.start``).
        replicas: Replicas (each with its own model copy).
        num_cpus: CPUs Ray reserves per replica; also ONNX Runtime's thread count when ``--threads`` is not given,
            so replicas packed on one node do not each start a thread per core.
        num_gpus: GPUs per replica (fractions share one GPU); default 1 when ``--device`` is CUDA, else 0.
        max_ongoing_requests: Requests Ray sends one replica at once; default: the server's ``--max-queue``, so
            that the replica's own queue, not Ray's, decides 429s.

    Example:
        >>> app = application(["--device", "cpu"], replicas=2)   # doctest: +SKIP
    """
    args = argv if isinstance(argv, argparse.Namespace) else serve_args(argv)
    args = argparse.Namespace(**vars(args))
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, got {replicas}")
    if args.workers != 1:
        raise ValueError("--workers is for one machine; with Ray use replicas (--replicas)")
    cuda = str(args.device).startswith("cuda")
    if num_gpus is None:
        num_gpus = 1.0 if cuda else 0.0
    if cuda and num_gpus > 0:
        # Ray gives each replica its GPU(s) through CUDA_VISIBLE_DEVICES: inside the actor the first is cuda:0
        args.device = "cuda"
    if args.threads is None:
        args.threads = max(1, int(num_cpus))
    options = dict(num_replicas=replicas, ray_actor_options={"num_cpus": num_cpus, "num_gpus": num_gpus},
                   max_ongoing_requests=max_ongoing_requests or args.max_queue)
    fields = {k: v for k, v in vars(args).items() if k != "func"}  # the CLI handler is not data
    return serve.deployment(GensafeReplica, name="gensafe", **options).bind(fields)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gensafe.ray_serve``: Ray options, then any ``gensafe serve`` options; runs until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m gensafe.ray_serve", description=__doc__.split("\n\n")[0],
        epilog="Every other option is a `gensafe serve` option (see `gensafe serve --help`).")
    parser.add_argument("--replicas", type=int, default=2, help="replicas, each with its own model (default: 2)")
    parser.add_argument("--num-cpus", type=float, default=1.0, help="CPUs per replica (default: 1)")
    parser.add_argument("--num-gpus", type=float, default=None, help="GPUs per replica (default: 1 on CUDA, else 0)")
    parser.add_argument("--address", default=None, help="Ray cluster to join (e.g. auto); default: start a local one")
    parser.add_argument("--name", default="gensafe", help="Serve application name (default: %(default)s)")
    ours, rest = parser.parse_known_args(argv)
    rest = [a for a in rest if a != "--"]
    args = serve_args(rest)

    import ray

    from .server import KEYS_ENV, is_loopback, load_api_keys

    # the same refusal as `gensafe serve`: no keys and a reachable address is an open moderation endpoint
    if not load_api_keys(args.api_keys_file) and not is_loopback(args.host) and not args.allow_unauthenticated:
        print(f"error: no API keys configured (set {KEYS_ENV} or --api-keys-file): refusing to listen on "
              f"{args.host}; use --allow-unauthenticated to do it anyway", file=sys.stderr)
        return 2
    app = application(args, replicas=ours.replicas, num_cpus=ours.num_cpus, num_gpus=ours.num_gpus)
    # SIGTERM (kill, systemd, Kubernetes) stops like Ctrl-C, so replicas drain their in-flight requests
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    ray.init(address=ours.address)
    try:
        serve.start(http_options={"host": args.host, "port": args.port})
        serve.run(app, name=ours.name, route_prefix="/", blocking=True)
    except KeyboardInterrupt:
        pass
    finally:
        if ours.address is None:
            serve.shutdown()  # our own local Ray: stop everything
            ray.shutdown()
        else:
            serve.delete(ours.name)  # a shared cluster: remove only our application
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
