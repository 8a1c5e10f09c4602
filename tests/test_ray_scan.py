"""`gensafe scan --engine ray` on a local Ray (2 CPUs, one per module): the same rows as the local engine, a killed
actor loses and duplicates nothing, a rerun after a dead driver finishes the scan, settings are never mixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="the Ray engine needs the ray extra")
ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra")
pytest.importorskip("ray.data", reason="the Ray engine needs ray[data]")

import pyarrow.parquet as pq  # noqa: E402

import gensafe  # noqa: E402
from gensafe.audit import measure  # noqa: E402
from gensafe.build.testing import TINY_CORPUS  # noqa: E402
from gensafe.cli import main  # noqa: E402
from gensafe.ray_scan import (  # noqa: E402
    ShardScorer,
    expand_inputs,
    model_options,
    plan_shards,
    scan_ray,
    shard_rows,
)
from gensafe.readers import read_rows  # noqa: E402
from gensafe.scan import scan_file  # noqa: E402
from gensafe.scan_rows import from_record, read_scan_output, scan_sources  # noqa: E402

BLOCK = 700  # bytes per shard: several shards per small file


@pytest.fixture(scope="module")
def ray_local():
    """One local Ray for the module: starting one costs ~10 s on 2 cores."""
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    except Exception:  # Ray gives its raylet a fixed 30 s to register: a machine busy with other work may miss it
        ray.shutdown()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A folder of JSONL (bad rows, ids of mixed type, no final newline), Parquet (3 row groups, a null text) and
    CSV, plus a hidden file that must not be read."""
    folder = tmp_path_factory.mktemp("corpus")
    lines = [json.dumps({"id": f"r{i}", "text": f"{TINY_CORPUS[i % len(TINY_CORPUS)]} {i}"}, ensure_ascii=False)
             for i in range(60)]
    lines[7], lines[9], lines[11] = "{broken", json.dumps({"id": 9, "text": None}), ""
    (folder / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")
    texts = [TINY_CORPUS[i % len(TINY_CORPUS)] if i != 5 else None for i in range(40)]
    pq.write_table(pa.table({"text": texts, "id": [f"p{i}" for i in range(40)]}), folder / "b.parquet",
                   row_group_size=15)
    rows = ["id,text", *(f'c{i},"{TINY_CORPUS[i % len(TINY_CORPUS)]}, {i}"' for i in range(12))]
    (folder / "sub").mkdir()
    (folder / "sub" / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / ".hidden.jsonl").write_text("not json\n")
    return folder


@pytest.fixture(scope="module")
def model_argv(tiny_model) -> list[str]:
    return ["--model", str(tiny_model[0]), "--device", "cpu", "--precision", "fp32"]


@pytest.fixture(scope="module")
def local_outputs(corpus, tiny_model, tmp_path_factory) -> list[Path]:
    """The local engine's scan of every input file: what the Ray engine must reproduce."""
    clf = gensafe.load(tiny_model[0], device="cpu", precision="fp32")
    out = tmp_path_factory.mktemp("local")
    outputs = []
    for f in expand_inputs([corpus]):
        outputs.append(out / f"{f.name}.jsonl")
        scan_file(clf, f, outputs[-1], id_field="id", progress=False)
    return outputs


@pytest.fixture(scope="module")
def local_rows(local_outputs) -> dict[str, list[dict]]:
    return _by_source_all(local_outputs)


def _by_source(out: Path) -> dict[str, list[dict]]:
    return _by_source_all([out])


def _by_source_all(outputs: list[Path]) -> dict[str, list[dict]]:
    got: dict[str, list[dict]] = {}
    for out in outputs:
        for source, row in read_scan_output(out):
            got.setdefault(source, []).append(row)
    return got


def _close(x, y) -> bool:
    """Equal, floats to 1e-5 (actors batch rows differently from the local engine: fp32 sums in another order)."""
    if isinstance(x, float) or isinstance(y, float):
        return abs(x - y) <= 1e-5
    if isinstance(x, dict):
        return isinstance(y, dict) and x.keys() == y.keys() and all(_close(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return isinstance(y, list) and len(x) == len(y) and all(map(_close, x, y))
    return x == y


def _assert_same(got: dict[str, list[dict]], expected: dict[str, list[dict]]) -> None:
    assert got.keys() == expected.keys()
    for source, rows in expected.items():
        assert [r["row"] for r in got[source]] == list(range(len(rows))), source  # none lost, none twice, in order
        for a, b in zip(got[source], rows, strict=True):
            assert _close(a, b), (source, a, b)


def test_inputs_and_shards_cover_every_row_once(corpus):
    """Folders recurse (hidden files skipped), globs expand; shards concatenated are the file's rows, numbered."""
    files = expand_inputs([corpus])
    assert [f.name for f in files] == ["a.jsonl", "b.parquet", "c.csv"]
    assert expand_inputs([str(corpus / "*.jsonl"), corpus / "a.jsonl"]) == [corpus.resolve() / "a.jsonl"]
    with pytest.raises(FileNotFoundError, match="matches no input"):
        expand_inputs([str(corpus / "*.nothing")])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        expand_inputs([corpus / "missing.jsonl"])
    shards = plan_shards(files, block_bytes=BLOCK)
    assert len({s["part"] for s in shards}) == len(shards) > 6
    for f in files:
        mine = [s for s in shards if s["path"] == str(f)]
        rows = [r for s in mine for r in shard_rows(s, "text", "id")]
        assert rows == list(read_rows(f, mine[0]["fmt"], "text", "id")), f.name
        assert all(s["rows"] in (None, sum(1 for _ in shard_rows(s, "text", "id"))) for s in mine)
    assert plan_shards(files, block_bytes=BLOCK) == shards  # deterministic: a rerun finds the same parts
    # the local engine still scans one file
    assert main(["scan", str(files[0]), str(files[1]), "--out", str(corpus / "x.jsonl")]) == 2


def test_actor_class_in_process_writes_the_local_rows(corpus, model_argv, local_rows, tmp_path):
    """The callable class without Ray: each shard becomes one part whose rows are the local engine's."""
    config = {"model": model_options(model_argv), "out": str(tmp_path), "out_format": "parquet", "text_field": "text",
              "id_field": "id", "role": None, "scores": False, "batch_size": 8, "fail_once": None}
    scorer = ShardScorer(config)
    shards = plan_shards(expand_inputs([corpus]), block_bytes=BLOCK)
    stats = scorer({"shard": [json.dumps(s) for s in shards]})
    assert stats["part"] == [s["part"] for s in shards] and sum(stats["errors"]) == 4
    got: dict[str, list[dict]] = {}
    for s in shards:
        for rec in pq.read_table(tmp_path / f"part-{s['part']}.parquet").to_pylist():
            source, row = from_record(rec)
            got.setdefault(source, []).append(row)
    _assert_same(got, local_rows)
    assert not list(tmp_path.glob(".*.tmp"))


def test_ray_equals_local_row_for_row(ray_local, corpus, model_argv, local_rows, local_outputs, tmp_path):
    """Parquet parts (2 actors) read back as the local engine's rows; JSONL parts, concatenated, are its lines; an
    audit of either output draws the same samples and counts the same figures."""
    stats = scan_ray([corpus], tmp_path / "pq", model_argv=model_argv, id_field="id", block_bytes=BLOCK,
                     concurrency=2, batch_size=8, progress=False)
    assert stats.rows == sum(map(len, local_rows.values())) and stats.skipped_shards == 0
    assert stats.errors == 4 and stats.scored + stats.errors == stats.rows
    _assert_same(_by_source(tmp_path / "pq"), local_rows)
    ray_fig, local_fig = (measure(o, technical_share=0.3, manual_size=20, seed=3)
                          for o in ([tmp_path / "pq"], local_outputs))
    assert ray_fig.sources == local_fig.sources and ray_fig.technical == local_fig.technical
    assert ray_fig.manual == local_fig.manual and ray_fig.inputs == local_fig.inputs
    schema = pq.read_schema(next((tmp_path / "pq").glob("part-*.parquet")))
    assert schema.names[:4] == ["source", "row", "id", "error"]

    # JSONL parts through the command line, joining the running Ray
    rc = main(["scan", "--engine", "ray", str(corpus / "a.jsonl"), "--out", str(tmp_path / "js"), "--out-format",
               "jsonl", "--id-field", "id", "--block-mb", str(BLOCK / (1 << 20)), "--quiet", *model_argv])
    assert rc == 0
    got = "".join(p.read_text(encoding="utf-8") for _, p in scan_sources(tmp_path / "js"))
    _assert_same({"a": [json.loads(x) for x in got.splitlines()]}, {"a": local_rows[str(corpus / "a.jsonl")]})


def test_killed_actor_loses_and_duplicates_nothing(ray_local, corpus, model_argv, local_rows, tmp_path):
    """An actor SIGKILLed half way through a shard is restarted by Ray; the shard's part is written once, whole."""
    shards = plan_shards(expand_inputs([corpus]), block_bytes=BLOCK)
    marker = tmp_path / "killed"
    scan_ray([corpus], tmp_path / "out", model_argv=model_argv, id_field="id", block_bytes=BLOCK, concurrency=2,
             batch_size=4, progress=False, _fail_once={"part": shards[2]["part"], "marker": str(marker)})
    assert marker.exists()  # the actor did die
    assert not list((tmp_path / "out").glob(".*.tmp"))
    _assert_same(_by_source(tmp_path / "out"), local_rows)


def test_rerun_after_driver_died_resumes_without_duplicates(ray_local, corpus, model_argv, local_rows, tmp_path):
    """Parts missing and a half-written temporary file (a dead driver's leftovers): the rerun scores only the
    missing shards; other settings are refused; --overwrite starts over."""
    out = tmp_path / "out"
    kw = dict(model_argv=model_argv, id_field="id", block_bytes=BLOCK, progress=False)
    first = scan_ray([corpus], out, **kw)
    parts = sorted(out.glob("part-*.parquet"))
    for p in parts[1::3]:
        p.unlink()
    (out / f".{parts[1].name}.dead.tmp").write_bytes(b"PAR1 half")
    with pytest.raises(RuntimeError, match="unfinished scan"):
        list(read_scan_output(out))
    again = scan_ray([corpus], out, **kw)
    assert again.shards == first.shards and again.skipped_shards == first.shards - len(parts[1::3])
    assert not list(out.glob(".*.tmp"))
    _assert_same(_by_source(out), local_rows)

    with pytest.raises(FileExistsError, match="scores"):
        scan_ray([corpus], out, include_scores=True, **kw)
    with pytest.raises(NotADirectoryError):
        scan_ray([corpus], corpus / "a.jsonl", **kw)
    with pytest.raises(ValueError, match="holds inputs"):
        scan_ray([corpus], corpus, **kw)
    done = scan_ray([corpus], out, **kw)  # nothing left to do: no actor is even started
    assert done.skipped_shards == done.shards and done.rows == 0


# ~30 s on 2 busy cores: a second driver process and its actors; `pytest -m slow tests/test_ray_scan.py`
@pytest.mark.slow
def test_killed_driver_process_then_rerun(ray_local, model_argv, tmp_path):
    """A real `gensafe scan --engine ray` process SIGKILLed once its first part is written; the rerun finishes the
    scan: every row once, the finished parts untouched."""
    import os
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "big.jsonl"
    src.write_text("".join(json.dumps({"text": f"{TINY_CORPUS[i % len(TINY_CORPUS)]} {i}"}, ensure_ascii=False)
                           + "\n" for i in range(3000)), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["scan", "--engine", "ray", str(src), "--out", str(out), "--block-mb", str(8000 / (1 << 20)),
            "--batch-size", "4", "--quiet", "--address", ray.get_runtime_context().gcs_address, *model_argv]
    proc = subprocess.Popen([sys.executable, "-m", "gensafe.cli", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("part-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, "the scan finished before it could be killed: make the corpus bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    done = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")}
    stats = scan_ray([src], out, model_argv=model_argv, block_bytes=8000, batch_size=4, progress=False)
    assert 0 < stats.skipped_shards < stats.shards
    assert all((out / name).stat().st_mtime_ns == t for name, t in done.items())
    rows = [row["row"] for _, row in read_scan_output(out)]
    assert rows == list(range(3000))
