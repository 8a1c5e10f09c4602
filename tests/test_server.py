"""`gensafe serve`: a real uvicorn on 127.0.0.1 (a free port), called with httpx and the official openai client."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from contextlib import contextmanager

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the server needs the serve extra")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from gensafe.build.testing import TINY_CORPUS  # noqa: E402
from gensafe.cli import main  # noqa: E402
from gensafe.server import ServerSettings, create_app, is_loopback, load_api_keys  # noqa: E402

KEY = "test-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
LIMITS = dict(api_keys=frozenset({KEY, "another-key"}), max_inputs=8, max_chars=300, max_body_bytes=8192,
              max_wait_ms=10)


@contextmanager
def running(app):
    """Serve ``app`` with uvicorn in a thread on a free loopback port; yields (base url, uvicorn.Server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=10))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


class Slow:
    """The tiny classifier, ``delay`` seconds slower per batch; raises RuntimeError on a text containing 'CRASH'."""

    def __init__(self, clf, delay: float):
        self.clf, self.delay = clf, delay

    def predict(self, texts, **kwargs):
        time.sleep(self.delay)
        if any("CRASH" in t for t in texts):
            raise RuntimeError("secret internals")
        return self.clf.predict(texts, **kwargs)

    def __getattr__(self, name):
        return getattr(self.clf, name)


@pytest.fixture(scope="module")
def base(clf):
    with running(create_app(clf, ServerSettings(**LIMITS))) as (url, _):
        yield url


@pytest.fixture(scope="module")
def http(base):
    with httpx.Client(base_url=base, headers=AUTH, timeout=30) as client:
        yield client


def _assert_error(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text and "File \"" not in response.text
    error = response.json()["error"]
    assert error["request_id"] == response.headers["x-request-id"]
    for word in words:
        assert word in error["message"], error
    return error


# -- schema -------------------------------------------------------------------------------------------------------
def test_moderations_answers_in_openai_shape_with_the_models_scores(http, clf):
    texts = TINY_CORPUS[:3]
    body = http.post("/v1/moderations", json={"input": texts, "model": "omni-moderation-latest"}).json()
    expected = clf.predict(texts)
    assert body["id"].startswith("modr-") and body["model"] == clf.name
    assert len(body["results"]) == 3
    for row, verdict, scores in zip(body["results"], expected, expected.scores, strict=True):
        assert row["flagged"] is bool(verdict.flagged)
        for code, score in zip(expected.labels, scores, strict=True):
            assert row["category_scores"][code] == pytest.approx(float(score), abs=1e-5)
            assert row["categories"][code] is bool(score >= expected.thresholds[list(expected.labels).index(code)])
        assert "violence" in row["categories"] and "violence" in row["category_scores"]  # OpenAI names too
    single = http.post("/v1/moderations", json={"input": texts[0]}).json()
    assert len(single["results"]) == 1 and single["results"][0] == body["results"][0]


def test_the_official_openai_client_parses_the_answer(base, clf):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=KEY, max_retries=0)
    texts = TINY_CORPUS[:2]
    response = client.moderations.create(input=texts)
    expected = clf.predict(texts)
    assert response.model == clf.name and len(response.results) == 2
    for result, verdict in zip(response.results, expected, strict=True):
        assert result.flagged is bool(verdict.flagged)
        assert isinstance(result.categories.violence, bool)
        assert isinstance(result.category_scores.violence, float)
        assert result.category_scores.model_dump(by_alias=True)["harassment/threatening"] >= 0.0
    with pytest.raises(openai.AuthenticationError):  # the client reads our 401 as OpenAI's
        openai.OpenAI(base_url=f"{base}/v1", api_key="wrong", max_retries=0).moderations.create(input="hi")


def test_check_returns_the_full_result_with_role_and_policy_per_request(http, clf):
    texts = TINY_CORPUS[:2]
    plain = http.post("/v1/check", json={"input": texts, "role": "prompt"}).json()
    expected = clf.predict(texts, role="prompt")
    assert plain["model"]["id"] == clf.name and len(plain["model"]["version"]) == 12
    assert plain["role"] == "prompt" and plain["operating_point"] == clf.manifest.default_operating_point
    assert plain["labels"] == list(clf.labels) and set(plain["names"]) == set(clf.labels)
    assert plain["names"]["A.1.6"]["en"] and plain["names"]["A.1.6"]["zh"]
    for row, scores in zip(plain["results"], expected.scores, strict=True):
        np.testing.assert_allclose([row["scores"][c] for c in expected.labels], scores, atol=1e-5)
    # a policy for this request only: everything over 0 flags on A.1.6, A.4 switched off
    forced = http.post("/v1/check", json={"input": texts, "policy": {"overrides": {"A.1.6": 0.0},
                                                                      "disabled_families": ["A.4"]},
                                          "scores": False}).json()
    assert all(r["flagged"] and "A.1.6" in r["risks"] and "scores" not in r for r in forced["results"])
    assert forced["thresholds"]["A.1.6"] == 0.0 and forced["thresholds"]["A.4.1"] is None
    assert "A.1.6=0" in forced["policy"]
    again = http.post("/v1/check", json={"input": texts}).json()  # the override did not stick
    assert again["thresholds"]["A.1.6"] == plain["thresholds"]["A.1.6"]


# -- auth ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY},
                                     {"Authorization": f"Basic {KEY}"}, {"Authorization": "Bearer  x"}])
@pytest.mark.parametrize("path", ["/v1/moderations", "/v1/check"])
def test_requests_without_a_valid_key_get_401(base, headers, path):
    response = httpx.post(base + path, json={"input": "hi"}, headers=headers)
    error = _assert_error(response, 401, "API key")
    assert response.headers["www-authenticate"] == "Bearer"
    assert error["type"] == "authentication_error"


def test_every_configured_key_works_and_probes_need_none(base):
    assert httpx.post(base + "/v1/check", json={"input": "hi"},
                      headers={"Authorization": "Bearer another-key"}).status_code == 200
    assert httpx.get(base + "/healthz").json() == {"status": "ok"}
    assert httpx.get(base + "/readyz").json()["status"] == "ready"


def test_keys_come_from_the_environment_and_a_file(tmp_path):
    path = tmp_path / "keys"
    path.write_text("# ops team\nfile-key\n\n", encoding="utf-8")
    assert load_api_keys(path, env={"GENSAFE_API_KEYS": " a,b ,"}) == {"a", "b", "file-key"}
    assert load_api_keys(env={}) == frozenset()
    path.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no keys"):
        load_api_keys(path, env={})


def test_without_keys_serve_refuses_to_listen_beyond_localhost(monkeypatch, capsys, tiny_model):
    monkeypatch.delenv("GENSAFE_API_KEYS", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--model", str(tiny_model[0])]) == 2
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


# -- limits and bad input -----------------------------------------------------------------------------------------
def test_a_body_over_the_limit_gets_413(http):
    _assert_error(http.post("/v1/moderations", json={"input": "x" * 9000}), 413, "8192")

    def chunked():  # no Content-Length: the limit holds while reading
        for _ in range(10):
            yield b'"' + b"x" * 1000
    _assert_error(http.post("/v1/check", content=chunked()), 413, "8192")


@pytest.mark.parametrize("payload, words", [
    ({"input": ["a"] * 9}, ["9 texts", "at most 8"]),
    ({"input": ["ok", "y" * 301]}, ["input[1]", "301 characters"]),
    ({"input": []}, ["empty"]),
    ({"input": 42}, ["string or an array", "number"]),
    ({"input": ["ok", None]}, ["input[1]", "null"]),
    ({"input": [{"type": "image_url", "image_url": {"url": "x"}}]}, ["image"]),
    ({}, ["input is required"]),
    ({"input": "hi", "role": "boss"}, ["role must be one of"]),
    ({"input": "hi", "policy": {"operating_point": "nonexistent"}}, ["nonexistent"]),
    ({"input": "hi", "policy": {"overrides": {"A.1.6": 7}}}, ["[0, 1]"]),
    ({"input": "hi", "policy": {"colour": "red"}}, ["unknown policy keys"]),
    ({"input": "hi", "temperature": 1}, ["unknown fields", "temperature"]),
    ({"input": "hi", "scores": "yes"}, ["scores must be true or false"]),
])
def test_invalid_requests_get_422_naming_the_problem(http, payload, words):
    _assert_error(http.post("/v1/check", json=payload), 422, *words)


def test_unreadable_bodies_and_unknown_paths_get_json_errors(http):
    _assert_error(http.post("/v1/moderations", content=b"{not json"), 400, "not valid JSON")
    _assert_error(http.post("/v1/moderations", json=["a list"]), 422, "JSON object")
    _assert_error(http.get("/v1/nothing-here"), 404)
    _assert_error(http.get("/v1/moderations"), 405)


def test_multimodal_text_parts_are_one_input(http):
    body = http.post("/v1/moderations", json={"input": [{"type": "text", "text": "a"},
                                                        {"type": "text", "text": "b"}]}).json()
    assert len(body["results"]) == 1


# -- request ids and logs -----------------------------------------------------------------------------------------
def test_request_ids_are_echoed_or_generated_and_logs_never_hold_the_text(http, caplog):
    secret = "my phone number is 13800138000"
    with caplog.at_level(logging.INFO, logger="gensafe.server"):
        given = http.post("/v1/check", json={"input": secret}, headers={"x-request-id": "abc-123"})
        fresh = http.post("/v1/check", json={"input": secret})
        forged = http.post("/v1/check", json={"input": secret}, headers={"x-request-id": "bad id with spaces"})
        time.sleep(0.05)  # the log line is written after the response is sent
    assert given.headers["x-request-id"] == "abc-123"
    assert len(fresh.headers["x-request-id"]) == 32 and forged.headers["x-request-id"] != "bad id with spaces"
    assert "abc-123" in caplog.text and fresh.headers["x-request-id"] in caplog.text
    assert "13800138000" not in caplog.text


# -- concurrency, metrics -----------------------------------------------------------------------------------------
def test_concurrent_requests_each_get_their_own_answer(base, clf):
    texts = [f"{TINY_CORPUS[i % len(TINY_CORPUS)]} #{i} " + "字" * (i % 7) for i in range(32)]
    expected = clf.predict(texts)

    async def call_all():
        async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as client:
            async def one(i):
                r = await client.post("/v1/check", json={"input": texts[i]}, headers={"x-request-id": f"c{i}"})
                return r
            return await asyncio.gather(*(one(i) for i in range(len(texts))))

    responses = asyncio.run(call_all())
    for i, r in enumerate(responses):
        assert r.status_code == 200 and r.headers["x-request-id"] == f"c{i}"
        got = [r.json()["results"][0]["scores"][c] for c in expected.labels]
        np.testing.assert_allclose(got, expected.scores[i], atol=1e-5, err_msg=f"answer {i} mixed up")


def test_metrics_expose_requests_latency_batches_queue_and_flags(http, base):
    http.post("/v1/check", json={"input": ["m1", "m2"], "policy": {"overrides": {"A.1.6": 0.0}}})
    http.post("/v1/check", json={"input": 1})
    text = httpx.get(base + "/metrics").text
    assert 'gensafe_http_requests_total{endpoint="/v1/check",status="200"}' in text
    assert 'gensafe_http_requests_total{endpoint="/v1/check",status="422"}' in text
    assert 'gensafe_http_request_seconds_bucket{endpoint="/v1/check",le="0.1"}' in text
    assert "gensafe_batch_texts_count" in text and "gensafe_queue_depth" in text
    flags = [ln for ln in text.splitlines() if ln.startswith('gensafe_flags_total{risk="A.1.6"}')]
    assert flags and float(flags[0].split()[-1]) >= 2
    assert "gensafe_ready 1.0" in text


# -- overload, timeouts, crashes, shutdown ------------------------------------------------------------------------
def _post_many(url: str, n: int, **kwargs) -> list:
    async def go():
        async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=30) as client:
            return await asyncio.gather(*(client.post("/v1/moderations", json={"input": f"text {i}"}, **kwargs)
                                          for i in range(n)))
    return asyncio.run(go())


def test_a_full_queue_gets_429_and_a_slow_model_504(clf):
    settings = ServerSettings(api_keys=frozenset({KEY}), max_queue=1, max_wait_ms=0, max_batch_tokens=1)
    with running(create_app(Slow(clf, 0.3), settings)) as (url, _):
        codes = sorted(r.status_code for r in _post_many(url, 6))
        assert 200 in codes and 429 in codes, codes
        full = next(r for r in _post_many(url, 6) if r.status_code == 429)
        _assert_error(full, 429, "queue is full")
    with running(create_app(Slow(clf, 0.5), ServerSettings(api_keys=frozenset({KEY}), timeout_s=0.1))) as (url, _):
        _assert_error(httpx.post(url + "/v1/check", json={"input": "x"}, headers=AUTH), 504, "0.1 s")


def test_an_unexpected_model_error_is_a_500_without_internals(clf):
    with running(create_app(Slow(clf, 0.0), ServerSettings(api_keys=frozenset({KEY})))) as (url, _):
        response = httpx.post(url + "/v1/check", json={"input": "CRASH"}, headers=AUTH)
        error = _assert_error(response, 500, "internal error")
        assert "secret internals" not in response.text and error["type"] == "server_error"
        assert httpx.post(url + "/v1/check", json={"input": "fine"}, headers=AUTH).status_code == 200


def test_shutdown_while_busy_drains_every_request(clf):
    app = create_app(Slow(clf, 0.2), ServerSettings(api_keys=frozenset({KEY}), max_wait_ms=0, max_batch_tokens=1))
    texts = [f"drain {i}" for i in range(8)]
    expected = clf.predict(texts)
    with running(app) as (url, server):
        async def go():
            async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=30) as client:
                calls = [asyncio.create_task(client.post("/v1/check", json={"input": t})) for t in texts]
                await asyncio.sleep(0.3)  # all sent, the first batch running, the rest queued
                server.should_exit = True  # what SIGTERM does
                return await asyncio.gather(*calls)

        responses = asyncio.run(go())
        for i, r in enumerate(responses):
            assert r.status_code == 200, r.text
            got = [r.json()["results"][0]["scores"][c] for c in expected.labels]
            np.testing.assert_allclose(got, expected.scores[i], atol=1e-5)
        deadline = time.monotonic() + 10
        while not app.state.guard._closed:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with pytest.raises(httpx.TransportError):  # no longer listening
            httpx.get(url + "/healthz", timeout=2)


def test_the_gensafe_serve_command_serves_and_stops_cleanly_on_sigterm(tiny_model, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    keys = tmp_path / "keys"
    keys.write_text("file-key\n", encoding="utf-8")
    env = {**os.environ, "GENSAFE_API_KEYS": "env-key"}
    cmd = [sys.executable, "-m", "gensafe.cli", "serve", "--port", str(port), "--model", str(tiny_model[0]),
           "--device", "cpu", "--precision", "fp32", "--api-keys-file", str(keys)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "gensafe serve did not come up"
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        for key in ("env-key", "file-key"):
            r = httpx.post(url + "/v1/moderations", json={"input": "secret text 42"},
                           headers={"Authorization": f"Bearer {key}", "x-request-id": f"cli-{key}"})
            assert r.status_code == 200 and len(r.json()["results"]) == 1
        assert httpx.post(url + "/v1/moderations", json={"input": "x"}).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    # uvicorn re-raises the signal it caught once shutdown is complete, so the exit status is SIGTERM's
    assert proc.returncode in (0, -signal.SIGTERM), out
    assert "stopped: 2 requests" in out and "Application shutdown complete" in out
    assert "cli-env-key" in out and "cli-file-key" in out and "secret text 42" not in out


def test_settings_refuse_nonsense_limits():
    with pytest.raises(ValueError, match="max_inputs"):
        ServerSettings(max_inputs=0)
    with pytest.raises(ValueError, match="timeout_s"):
        ServerSettings(timeout_s=0)
    with pytest.raises(ValueError, match="role"):
        ServerSettings(role="boss")
