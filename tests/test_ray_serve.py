"""Scale-out on Ray Serve (the ray extra): deployment options, and a local Ray (2 CPUs) running 2 replicas of the tiny
model that answer concurrent requests over HTTP (slow: run with `-m slow`)."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi", reason="the server needs the serve extra")
httpx = pytest.importorskip("httpx")
ray = pytest.importorskip("ray", reason="scale-out needs the ray extra")
serve = pytest.importorskip("ray.serve")

from gensafe.build.testing import TINY_CORPUS  # noqa: E402
from gensafe.ray_serve import application, serve_args  # noqa: E402

KEY = "ray-test-key-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_base(tiny_model, monkeypatch_module):
    """Ray Serve on 127.0.0.1 with 2 replicas of the tiny model; yields its base url."""
    # replicas read the keys from their own environment, which Ray's local workers inherit from this process
    monkeypatch_module.setenv("GENSAFE_API_KEYS", KEY)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        port = _free_port()
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        argv = ["--model", str(tiny_model[0]), "--device", "cpu", "--precision", "fp32", "--max-wait-ms", "5"]
        serve.run(application(argv, replicas=2, num_cpus=1), name="gensafe", route_prefix="/")
        yield f"http://127.0.0.1:{port}"
    finally:
        serve.shutdown()
        ray.shutdown()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_application_options():
    """Replicas, CPUs and GPUs become the deployment's options; CUDA asks for a GPU and uses the one Ray gives."""
    app = application(["--device", "cpu"], replicas=3, num_cpus=2)
    config = app._bound_deployment._deployment_config
    options = app._bound_deployment.ray_actor_options
    assert config.num_replicas == 3 and options["num_cpus"] == 2 and options["num_gpus"] == 0
    assert app._bound_deployment.init_args[0]["threads"] == 2  # ONNX Runtime threads follow the reservation

    gpu = application(["--device", "cuda:1"], replicas=1, num_cpus=1)
    assert gpu._bound_deployment.ray_actor_options["num_gpus"] == 1
    assert gpu._bound_deployment.init_args[0]["device"] == "cuda"  # Ray's CUDA_VISIBLE_DEVICES: first is cuda:0
    half = application(["--device", "cuda"], num_gpus=0.5)
    assert half._bound_deployment.ray_actor_options["num_gpus"] == 0.5

    with pytest.raises(ValueError, match="replicas"):
        application(["--workers", "2"])
    with pytest.raises(ValueError, match="at least 1"):
        application(replicas=0)
    assert serve_args(["--max-inputs", "8"]).max_inputs == 8


# ~20 s on 2 cores (ray.init ~7 s, 2 replicas ~6 s, shutdown ~4 s): `pytest -m slow tests/test_ray_serve.py`
@pytest.mark.slow
def test_two_replicas_answer_concurrent_requests(ray_base, clf):
    """Every concurrent answer is clf.predict of its own text, both replicas served, auth and /readyz still hold."""
    texts = [f"{t} #{i}" for i, t in enumerate(TINY_CORPUS * 4)][:48]
    expected = clf.predict(texts)
    headers = {"Authorization": f"Bearer {KEY}"}

    with httpx.Client(base_url=ray_base, timeout=60) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        denied = client.post("/v1/moderations", json={"input": "x"})
        assert denied.status_code == 401 and denied.json()["error"]["code"] == "missing_api_key"

        def ask(i: int):
            r = client.post("/v1/moderations", json={"input": texts[i]}, headers={**headers, "x-request-id": f"r{i}"})
            assert r.status_code == 200, r.text
            assert r.headers.get_list("x-request-id") == [f"r{i}"]  # the caller's id, once (Ray's proxy adds it too)
            return i, r.json(), r.headers["x-gensafe-replica"]

        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(len(texts))))
        elapsed = time.perf_counter() - start

    replicas = {replica for _, _, replica in answers}
    assert len(replicas) == 2, f"one replica served everything: {replicas}"
    for i, body, _ in answers:
        (result,) = body["results"]
        assert result["flagged"] == bool(expected.flagged[i]), texts[i]
        for j, code in enumerate(expected.labels):
            assert result["category_scores"][code] == pytest.approx(float(expected.scores[i, j]), abs=1e-5)
    assert elapsed < 30
