"""The Ray pool on three simulated nodes (ray.cluster_utils.Cluster: a head with 0 CPUs, two workers of 1 CPU),
with real engines:

- base Whisper transcripts of the ten consultations (their first VOXGATE_TEST_RAY_ASR_SECONDS, default 30) are
  identical through the Ray pool and the embedded pool with deterministic decoding, and as close as the
  embedded pool is to itself with the defaults (which sample when a window fails);
- a call-analytics batch through the gateway fans out over both nodes' batch replicas; one node is removed
  mid-batch; the job still SUCCEEDS in its first attempt, the calls finished before the removal are not analysed
  again, and every call's JSON equals a clean run on the embedded pool.

Opt-in (several minutes on 2 cores): `make test-ray`, or VOXGATE_TEST_RAY_CLUSTER=1 pytest -m ray tests/workers.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers import EmbeddedPool, PoolSettings, Priority

pytestmark = [
    pytest.mark.ray,
    pytest.mark.skipif(
        not os.environ.get("VOXGATE_TEST_RAY_CLUSTER"), reason="multi-node Ray test: opt-in with `make test-ray`"
    ),
]
pytest.importorskip("ray.serve", reason="the Ray backend needs voxgate[ray]")


@pytest.fixture(scope="module")
def cluster() -> Iterator:
    import ray
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()
    os.environ.setdefault("RAY_worker_niceness", "0")  # as deploy.connect does for a Ray it starts (README)
    simulated = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    workers = [simulated.add_node(num_cpus=1) for _ in range(2)]
    simulated.wait_for_nodes()
    yield simulated, workers
    ray.shutdown()
    simulated.shutdown()


@pytest.fixture(scope="module")
def ray_settings(cluster) -> PoolSettings:
    simulated, _ = cluster
    return PoolSettings(
        pool="ray",
        ray_address=simulated.address,
        use_cuda=False,
        ray_replica_cpus=0.5,
        ray_batch_replicas=2,
        ray_interactive_replicas=1,
        ray_replica_threads=1,
        ray_report_interval_s=0.5,
    )


def _model_dir() -> Path:
    from api.settings import REPO_ROOT

    return Path(os.environ.get("VOXGATE_MODEL_DIR", REPO_ROOT / "models"))


def test_base_whisper_transcripts_through_both_backends(ray_settings, data_dir: Path) -> None:
    """The ten consultations' first VOXGATE_TEST_RAY_ASR_SECONDS (default 30) with base Whisper.

    Deterministic decoding (temperature 0, no loop guard): every transcript is identical through both backends.
    The defaults (temperature fallback, and the guard's hotter re-decodes) sample at random when a window fails,
    so two runs on the embedded pool alone can differ; there the Ray pool's distance from the embedded pool is
    held to the embedded pool's distance from itself. (Before replicas took the gateway's BLAS thread count,
    Ray's OMP_NUM_THREADS=1 made numpy's OpenBLAS single-threaded in replicas, which changed the log-mel
    features' last bits and 6% of the words.)"""
    asr = pytest.importorskip("asr")
    from asr.audio import decode
    from tests.metrics import word_edit_rate
    from workers.ray import RayPool

    settings = asr.AsrSettings(model_dir=_model_dir())
    if not (settings.model_dir / "whisper" / "base" / "model.bin").is_file():
        pytest.skip("whisper base is not installed (scripts/install_models.py)")
    seconds = float(os.environ.get("VOXGATE_TEST_RAY_ASR_SECONDS", "30"))
    files = sorted((data_dir / "speech" / "medical").glob("RES*.mp3"))
    assert len(files) == 10
    exact = asr.TranscribeOptions(model="base", language="en", temperature=0.0, loop_guard=False)
    default = asr.TranscribeOptions(model="base", language="en")
    embedded = EmbeddedPool(PoolSettings(use_cuda=False, cpu_threads=1), devices=["cpu"])
    ray_pool = RayPool(ray_settings)

    def text(audio, options, pool) -> str:
        return asr.transcribe(audio, options, pool=pool, settings=settings, priority=Priority.INTERACTIVE).text

    differ, same_backend, across, rate_same, rate_across = [], 0, 0, [], []
    try:
        for path in files:
            audio = decode(path.read_bytes()).samples[: int(seconds * 16000)]
            if text(audio, exact, embedded) != text(audio, exact, ray_pool):
                differ.append(path.name)
            runs = [text(audio, default, pool) for pool in (embedded, embedded, ray_pool)]
            same_backend += runs[0] == runs[1]
            across += runs[0] == runs[2]
            rate_same.append(word_edit_rate(_words(runs[0]), _words(runs[1])))
            rate_across.append(word_edit_rate(_words(runs[0]), _words(runs[2])))
    finally:
        embedded.shutdown()
        ray_pool.shutdown()
    mean_same, mean_across = sum(rate_same) / len(files), sum(rate_across) / len(files)
    print(f"\nfirst {seconds:.0f} s of {len(files)} consultations: deterministic decoding identical on both "
          f"backends {len(files) - len(differ)}/{len(files)}; defaults: identical embedded/embedded {same_backend}, "
          f"embedded/ray {across}; word edit rate embedded/embedded {mean_same:.3%}, embedded/ray "
          f"{mean_across:.3%}")  # fmt: skip
    assert not differ, f"deterministic transcripts differ between backends: {differ}"
    assert mean_across <= mean_same + 0.01


def _words(text: str) -> list[str]:
    import re

    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def test_voxgate_ray_deploy_and_status_show_replicas_per_node(cluster, ray_settings, monkeypatch) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    simulated, workers = cluster
    same = {  # the fixture's settings: deploying them again changes nothing (no replica restarts)
        "VOXGATE_USE_CUDA": "false",
        "VOXGATE_RAY_REPLICA_CPUS": "0.5",
        "VOXGATE_RAY_BATCH_REPLICAS": "2",
        "VOXGATE_RAY_REPLICA_THREADS": "1",
        "VOXGATE_RAY_REPORT_INTERVAL_S": "0.5",
    }
    for name, value in same.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    deployed = runner.invoke(app, ["ray", "deploy", "--address", simulated.address], env={"COLUMNS": "200"})
    assert deployed.exit_code == 0, deployed.output
    assert "of 3 replicas reporting" in deployed.output
    shown = runner.invoke(app, ["ray", "status", "--address", simulated.address], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "voxgate-batch" in shown.output and "voxgate-interactive" in shown.output
    for worker in workers:
        assert worker.node_id[:12] in shown.output


def test_a_node_removed_mid_batch_leaves_the_job_succeeded_and_the_results_equal(
    cluster, ray_settings, settings, tmp_path: Path
) -> None:
    pytest.importorskip("calls")
    pytest.importorskip("tts")
    from fastapi.testclient import TestClient

    import calls
    from api.app import create_app
    from bench.ray_calls import short_calls

    simulated, workers = cluster
    n = 8
    paths = short_calls(tmp_path / "calls", n)
    options = calls.CallOptions()

    clean_dir = tmp_path / "clean"
    embedded = EmbeddedPool(PoolSettings(use_cuda=False), devices=["cpu"])
    try:
        calls.run_batch(paths, clean_dir, options, pool=embedded, parallel=2)
    finally:
        embedded.shutdown()
    clean = {p.name: json.loads(p.read_text()) for p in sorted((clean_dir / "calls").glob("*.json"))}
    assert len(clean) == n and all(c["status"] == "ok" for c in clean.values())

    app_settings = settings.model_copy(
        update={"workers": ray_settings, "modules": ["calls"], "model_dir": _model_dir()}
    )
    with TestClient(create_app(app_settings)) as client:
        pool = client.app.state.pool
        assert pool.parallelism(Priority.BATCH) == 4  # 2 batch replicas x 1 thread, + one queued each
        files = [("files", (p.name, p.read_bytes(), "audio/wav")) for p in paths]
        accepted = client.post("/v1/calls/analyze", files=files, data={"options": options.model_dump_json()})
        assert accepted.status_code == 202, accepted.text
        job = accepted.json()["id"]
        out = settings.artifact_dir / "jobs" / job / "outputs" / "calls"

        def done() -> dict[str, tuple[int, bytes]]:
            return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.glob("*.json"))}

        deadline = time.monotonic() + 600
        while not done() and time.monotonic() < deadline:
            time.sleep(0.1)
        status = pool.status()
        batch_nodes = {r.node for r in status.replicas if r.lane == "batch"}
        assert len(batch_nodes) == 2, "the batch replicas are spread over both nodes"
        victim = next(w for w in workers if w.node_id in batch_nodes)
        before = done()
        assert 1 <= len(before) < n, f"the batch must be mid-way at the removal: {len(before)} of {n} done"
        removed_at = time.monotonic()
        simulated.remove_node(victim, allow_graceful=False)
        first_after = None
        while time.monotonic() < deadline:
            if first_after is None and len(done()) > len(before):
                first_after = time.monotonic() - removed_at
            record = client.get(f"/v1/jobs/{job}").json()
            if record["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.3)
        retries = pool.status().retries
        print(f"\nnode removed with {len(before)} of {n} calls done; next call done {first_after:.1f} s later; "
              f"job done {time.monotonic() - removed_at:.1f} s after the removal; {retries} retries")  # fmt: skip
        assert record["status"] == "succeeded" and record["attempts"] == 1, record
        assert record["result"]["summary"]["succeeded"] == n
        after = done()
        assert {name: after[name] for name in before} == before, "calls done before the removal were not redone"
        got = {name: json.loads(data) for name, (_, data) in after.items()}
        assert got == clean
        assert retries >= 1, "the calls in flight on the removed node were retried"
