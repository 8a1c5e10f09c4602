"""Shared fixtures: tiny random models built once per session, offline, in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="building test models needs the train extra")
pytest.importorskip("onnxruntime", reason="scoring needs the cpu extra")

from gensafe.build.testing import build_tiny_model  # noqa: E402

LABELS = ("A.1.6", "A.1.8", "A.2.4", "A.4.1")


@pytest.fixture(autouse=True, scope="session")
def _private_cache_and_state(tmp_path_factory: pytest.TempPathFactory):
    """Derived graphs and their index in temporary folders, never in the user's ~/.cache or ~/.local/state."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GENSAFE_CACHE", str(tmp_path_factory.mktemp("cache")))
    mp.setenv("GENSAFE_STATE", str(tmp_path_factory.mktemp("state")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory):
    """(folder, torch model) of a tiny BERT with token_type_ids, fp32 + int8 graphs. Treat as read-only."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", labels=LABELS, seed=0)


@pytest.fixture(scope="session")
def tiny_model_no_tti(tmp_path_factory: pytest.TempPathFactory):
    """A tiny model whose graph has no token_type_ids input (XLM-R style)."""
    return build_tiny_model(
        tmp_path_factory.mktemp("tiny_no_tti") / "model", labels=LABELS, seed=1, token_type_ids=False,
        precisions=("fp32",),
    )


@pytest.fixture()
def model_copy(tiny_model, tmp_path: Path) -> Path:
    """A private copy of the tiny model folder, for tests that damage files."""
    dst = tmp_path / "model"
    shutil.copytree(tiny_model[0], dst)
    return dst


@pytest.fixture(scope="session")
def clf(tiny_model):
    import gensafe

    return gensafe.load(tiny_model[0], device="cpu", precision="fp32")
