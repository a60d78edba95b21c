"""The Ray pool on a real one-node Ray cluster (ray.init with 2 CPUs, no dashboard): replicas are separate worker
processes, calls and callbacks cross process boundaries, and a replica killed mid-call is retried on another.

Stand-in models (plain Python objects) test the plumbing; tests/workers/test_ray_multinode.py runs real engines.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from workers import ModelSpec, PoolBusy, PoolSettings, Priority

pytestmark = pytest.mark.ray
pytest.importorskip("ray.serve", reason="the Ray backend needs voxgate[ray]")


@pytest.fixture(scope="module")
def pool() -> Iterator:
    import ray

    from workers.ray import RayPool

    if ray.is_initialized():
        ray.shutdown()
    settings = PoolSettings(
        pool="ray",
        use_cuda=False,
        cpu_memory_mb=1000,
        ray_local_cpus=2,
        ray_replica_cpus=0.5,
        ray_batch_replicas=2,
        ray_replica_threads=1,
        ray_report_interval_s=0.5,
        ray_retry_backoff_s=0.5,
        ray_max_queued=4,
    )
    ray_pool = RayPool(settings)
    assert ray_pool.wait_for_replicas(timeout_s=60) == 3
    yield ray_pool
    ray_pool.shutdown()
    assert not ray.is_initialized(), "a Ray the pool started for itself stops with it"


def spec(model_id: str = "m") -> ModelSpec:
    return ModelSpec(id=model_id, loader=lambda device: {"pid": os.getpid(), "device": device}, memory_mb=50)


def test_work_runs_in_replica_processes_and_callbacks_come_back(pool) -> None:
    seen: list[int] = []

    def work(model: dict, n: int, progress) -> int:
        for i in range(n):
            progress(i)
        return model["pid"]

    interactive = pool.run(spec(), work, 3, seen.append, priority=Priority.INTERACTIVE)
    batch = pool.run(spec(), work, 2, seen.append, priority=Priority.BATCH)
    assert seen == [0, 1, 2, 0, 1]
    assert os.getpid() not in (interactive, batch)
    assert interactive != batch, "interactive and batch work run on different replicas"
    with pytest.raises(KeyError, match="missing"):
        pool.run(spec(), lambda model: {}["missing"])


def test_status_shows_each_replica_with_its_node_lane_and_models(pool) -> None:
    pool.run(spec("shown"), lambda model: None, priority=Priority.INTERACTIVE)
    time.sleep(1.2)  # two report intervals
    status = pool.status()
    assert status.backend == "ray"
    assert sorted(r.lane for r in status.replicas) == ["batch", "batch", "interactive"]
    assert len({r.node for r in status.replicas}) == 1
    (interactive,) = [r for r in status.replicas if r.lane == "interactive"]
    assert interactive.models >= 1 and interactive.budget_mb == 1000
    shown = [m for m in status.models if m.id == "shown"]
    assert shown and shown[0].replica == interactive.replica and shown[0].node == interactive.node
    assert pool.unload("shown") is True


def test_a_replica_killed_mid_call_is_retried_on_another(pool) -> None:
    def slow(model: dict, seconds: float) -> int:
        time.sleep(seconds)
        return model["pid"]

    # Both batch replicas hold the model; find the one that takes the next call by asking it.
    before = pool.status().retries
    future = pool.submit(spec(), slow, 3.0, priority=Priority.BATCH)
    time.sleep(1.6)  # the call is running and the replicas have reported it
    busy = {r.replica: r for r in pool.status().replicas if r.lane == "batch"}
    victim_pid = _pid_running_a_call(pool, busy)
    os.kill(victim_pid, signal.SIGKILL)  # a Ray worker this test's cluster started
    started = time.monotonic()
    survivor_pid = future.result(timeout=120)
    assert survivor_pid != victim_pid
    assert pool.status().retries >= before + 1
    assert time.monotonic() - started < 60


def _pid_running_a_call(pool, replicas: dict) -> int:
    for info in replicas.values():
        status_devices = [d for d in pool.status().devices if f"/{info.replica}/" in d.device]
        if any(d.busy for d in status_devices):
            return info.pid
    raise AssertionError(f"no batch replica reports a running call: {replicas}")


def test_serve_back_pressure_becomes_pool_busy(pool, monkeypatch) -> None:
    """Beyond the gateway's own limit, Serve refuses calls when a deployment's queue is full (another gateway
    may fill it): its BackPressureError reaches the caller as PoolBusy."""
    monkeypatch.setitem(pool._limit, "batch", 1000)  # let Serve be the one to refuse
    before = pool.status().backpressure
    futures = [pool.submit(spec(), lambda model: time.sleep(0.5), priority=Priority.BATCH) for _ in range(30)]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(future.result(timeout=120))
        except PoolBusy as exc:
            outcomes.append(exc)
    refused = [o for o in outcomes if isinstance(o, PoolBusy)]
    assert refused and all("saturated" in str(o) for o in refused)
    assert len(refused) < len(futures), "the calls within the queue ran"
    assert pool.status().backpressure >= before + len(refused)
