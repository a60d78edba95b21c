"""Priorities, residency, eviction, TTL and batching of the embedded pool.

These use small stand-in models (plain Python objects) to observe scheduling
precisely; tests/workers/test_pool_real_model.py runs the same pool on MiniLM.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from workers import EmbeddedPool, ModelLoadError, ModelSpec, PoolBusy, PoolSettings, Priority, sheddable


def stand_in(model_id: str, memory_mb: int = 100, **kwargs) -> ModelSpec:
    return ModelSpec(
        id=model_id, loader=lambda device: {"id": model_id, "device": device}, memory_mb=memory_mb, **kwargs
    )


@pytest.fixture
def make_pool() -> Iterator:
    pools: list[EmbeddedPool] = []

    def factory(**overrides) -> EmbeddedPool:
        values = {"cpu_threads": 1, "cpu_memory_mb": 1000, "use_cuda": False, **overrides}
        settings = PoolSettings(**values)
        pool = EmbeddedPool(settings, devices=["cpu"])
        pools.append(pool)
        return pool

    yield factory
    for pool in pools:
        pool.shutdown()


def test_interactive_request_overtakes_queued_batch_work(make_pool) -> None:
    pool = make_pool()
    spec = stand_in("m")
    gate = threading.Event()
    order: list[str] = []
    blocker = pool.submit(spec, lambda model: gate.wait(5), priority=Priority.BATCH)
    time.sleep(0.05)  # the single worker thread is now busy with the blocker
    batch = [pool.submit(spec, lambda model, i=i: order.append(f"batch{i}"), priority=Priority.BATCH) for i in range(3)]
    interactive = pool.submit(spec, lambda model: order.append("interactive"), priority=Priority.INTERACTIVE)
    gate.set()
    for future in [blocker, *batch, interactive]:
        future.result(5)
    assert order == ["interactive", "batch0", "batch1", "batch2"]


def test_least_recently_used_model_is_evicted_under_budget(make_pool) -> None:
    pool = make_pool()  # 1000 MB
    a, b, c = stand_in("a", 400), stand_in("b", 400), stand_in("c", 400)
    for spec in (a, b, a):  # b is now the least recently used
        pool.run(spec, lambda model: None)
    pool.run(c, lambda model: None)
    loaded = {m.id for m in pool.status().models}
    assert loaded == {"a", "c"}
    assert pool.status().devices[0].used_mb == 800
    assert pool.status().devices[0].evictions == 1


def test_model_in_use_is_never_unloaded(make_pool) -> None:
    pool = make_pool(model_wait_timeout_s=0.3, cpu_threads=2)
    big_a, big_b = stand_in("a", 700), stand_in("b", 700)
    with pool.lease(big_a):
        # b does not fit beside a, and a is in use: b waits and then gives up, a stays.
        with pytest.raises(PoolBusy):
            pool.run(big_b, lambda model: None)
        assert [m.id for m in pool.status().models] == ["a"]
    # Released: now a can be evicted to make room.
    assert pool.run(big_b, lambda model: model["id"]) == "b"
    assert [m.id for m in pool.status().models] == ["b"]


def test_waiting_load_proceeds_when_the_model_in_use_is_released(make_pool) -> None:
    pool = make_pool(model_wait_timeout_s=5, cpu_threads=2)
    a, b = stand_in("a", 700), stand_in("b", 700)
    release = threading.Event()
    holding = pool.submit(a, lambda model: release.wait(5))
    time.sleep(0.1)
    waiting = pool.submit(b, lambda model: model["id"])
    time.sleep(0.2)
    assert not waiting.done(), "b must wait while a is in use"
    release.set()
    assert waiting.result(5) == "b"
    holding.result(5)


def test_idle_models_unload_after_ttl_but_leased_ones_stay(make_pool) -> None:
    pool = make_pool(model_idle_ttl_s=0.2, cpu_threads=2)
    idle, busy = stand_in("idle"), stand_in("busy")
    pool.run(idle, lambda model: None)
    with pool.lease(busy):
        deadline = time.monotonic() + 5
        while any(m.id == "idle" for m in pool.status().models) and time.monotonic() < deadline:
            time.sleep(0.05)
        loaded = {m.id for m in pool.status().models}
        assert loaded == {"busy"}


def test_model_larger_than_budget_is_refused(make_pool) -> None:
    from workers import ModelTooLarge

    pool = make_pool()
    with pytest.raises(ModelTooLarge):
        pool.run(stand_in("huge", 5000), lambda model: None)


def test_loader_failure_reaches_every_caller_and_a_retry_can_succeed(make_pool) -> None:
    pool = make_pool()
    attempts = []

    def flaky(device: str) -> object:
        attempts.append(device)
        if len(attempts) == 1:
            raise OSError("weights missing")
        return "ok"

    spec = ModelSpec(id="flaky", loader=flaky, memory_mb=10)
    with pytest.raises(ModelLoadError, match="weights missing"):
        pool.run(spec, lambda model: model)
    assert pool.run(spec, lambda model: model) == "ok"
    assert pool.status().devices[0].used_mb == 10


def test_concurrent_loads_of_one_model_load_it_once(make_pool) -> None:
    pool = make_pool(cpu_threads=4)
    loads = []

    def slow_loader(device: str) -> str:
        loads.append(device)
        time.sleep(0.2)
        return "model"

    spec = ModelSpec(id="once", loader=slow_loader, memory_mb=10)
    futures = [pool.submit(spec, lambda model: model) for _ in range(8)]
    assert [f.result(5) for f in futures] == ["model"] * 8
    assert len(loads) == 1


def _recording_batch_spec(sizes: list[int], max_batch_size: int = 8, max_wait_ms: float = 50) -> ModelSpec:
    def batch_fn(model: object, items: list[int]) -> list[int]:
        sizes.append(len(items))
        time.sleep(0.01)
        return [item * 10 for item in items]

    return ModelSpec(
        id="doubler",
        loader=lambda device: object(),
        memory_mb=10,
        batchable=True,
        batch_fn=batch_fn,
        max_batch_size=max_batch_size,
        max_wait_ms=max_wait_ms,
    )


def test_concurrent_requests_are_grouped_into_batches(make_pool) -> None:
    pool = make_pool()
    sizes: list[int] = []
    spec = _recording_batch_spec(sizes)
    futures = [pool.infer(spec, i) for i in range(24)]
    assert [f.result(5) for f in futures] == [i * 10 for i in range(24)]
    assert sum(sizes) == 24
    assert max(sizes) == 8, "batches are capped at max_batch_size"
    assert len(sizes) <= 6, f"expected few batches for 24 concurrent items, got sizes {sizes}"


def test_a_lone_request_is_not_held_longer_than_max_wait(make_pool) -> None:
    pool = make_pool()
    sizes: list[int] = []
    spec = _recording_batch_spec(sizes, max_wait_ms=30)
    started = time.monotonic()
    assert pool.infer(spec, 7).result(5) == 70
    assert time.monotonic() - started < 1.0
    assert sizes == [1]


def test_batching_off_runs_one_item_per_call(make_pool) -> None:
    pool = make_pool(batching=False)
    sizes: list[int] = []
    spec = _recording_batch_spec(sizes)
    futures = [pool.infer(spec, i) for i in range(10)]
    assert [f.result(5) for f in futures] == [i * 10 for i in range(10)]
    assert sizes == [1] * 10


def test_errors_in_batch_fn_reach_every_caller(make_pool) -> None:
    pool = make_pool()

    def broken(model: object, items: list[int]) -> list[int]:
        raise ValueError("bad batch")

    spec = ModelSpec(id="broken", loader=lambda d: None, memory_mb=1, batchable=True, batch_fn=broken)
    futures = [pool.infer(spec, i) for i in range(3)]
    for future in futures:
        with pytest.raises(ValueError, match="bad batch"):
            future.result(5)


def test_pool_reports_placement_and_usage(make_pool) -> None:
    pool = make_pool()
    pool.run(stand_in("a", 123), lambda model: None)
    status = pool.status()
    (model,) = status.models
    assert (model.id, model.device, model.memory_estimate_mb, model.in_use, model.uses) == ("a", "cpu", 123, 0, 1)
    assert status.devices[0].budget_mb == 1000


def test_long_batch_work_leaves_a_thread_for_interactive_requests(make_pool) -> None:
    pool = make_pool(cpu_threads=2, interactive_reserved_threads=1)
    spec = stand_in("m")
    release = threading.Event()
    running: list[str] = []
    batch = [
        pool.submit(spec, lambda model, i=i: (running.append(f"batch{i}"), release.wait(5)), priority=Priority.BATCH)
        for i in range(3)
    ]
    time.sleep(0.1)
    assert running == ["batch0"], "batch work may hold only the unreserved thread"
    started = time.monotonic()
    assert pool.run(spec, lambda model: "live", priority=Priority.INTERACTIVE) == "live"
    assert time.monotonic() - started < 1.0, "the interactive request must not wait for batch work"
    release.set()
    for future in batch:
        future.result(5)
    assert running == ["batch0", "batch1", "batch2"]


def test_with_one_thread_batch_work_still_runs(make_pool) -> None:
    pool = make_pool(cpu_threads=1, interactive_reserved_threads=1)
    assert pool.run(stand_in("m"), lambda model: "done", priority=Priority.BATCH) == "done"


def test_memory_a_loader_allocates_is_measured(make_pool) -> None:
    import numpy as np

    # 64 MB touched at load (np.ones writes every page); safetensors weights are mmapped and would not show.
    spec = ModelSpec(id="heavy", loader=lambda device: np.ones(64 * 2**20, dtype=np.uint8), memory_mb=64)
    pool = make_pool()
    pool.run(spec, lambda model: None)
    (info,) = pool.status().models
    assert 48 <= info.measured_rss_mb <= 200


def _nice_of_current_thread() -> int:
    stat = open(f"/proc/self/task/{threading.get_native_id()}/stat").read()  # noqa: SIM115
    return int(stat.rsplit(")", 1)[1].split()[16])


def test_cpu_nice_applies_to_the_loader_and_the_threads_it_starts(make_pool) -> None:
    if not os.path.exists("/proc/self/task"):
        pytest.skip("needs Linux /proc to read thread priorities")
    seen: dict[str, int] = {}

    def loader(device: str) -> threading.Thread:
        seen["loader"] = _nice_of_current_thread()
        worker = threading.Thread(target=lambda: seen.setdefault("worker", _nice_of_current_thread()))
        worker.start()
        worker.join()
        return worker

    pool = make_pool()
    pool.run(ModelSpec(id="background", loader=loader, memory_mb=1, cpu_nice=10), lambda model: None)
    assert seen == {"loader": 10, "worker": 10}
    assert _nice_of_current_thread() == 0, "the caller's own priority is untouched"
    assert pool.run(ModelSpec(id="plain", loader=lambda d: _nice_of_current_thread(), memory_mb=1), lambda m: m) == 0


def test_a_standing_queue_refuses_live_work_but_never_batch_work(make_pool) -> None:
    """CoDel-style shedding: once the task a live request would wait behind has queued past max_queue_wait_s, new
    live requests get PoolBusy at once (the gateway's 503 with Retry-After); jobs still queue."""
    pool = make_pool(max_queue_wait_s=0.3)
    spec = stand_in("m")
    gate = threading.Event()
    blocker = pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
    time.sleep(0.05)  # the only thread is busy
    with sheddable():  # as the gateway marks an HTTP request
        first = pool.submit(spec, lambda model: "first", priority=Priority.INTERACTIVE)  # queue young: accepted
        time.sleep(0.4)
        with pytest.raises(PoolBusy, match="overloaded") as refused:
            pool.submit(spec, lambda model: "late", priority=Priority.INTERACTIVE)
        assert refused.value.retry_after_s >= 1
        job = pool.submit(spec, lambda model: "job", priority=Priority.BATCH)  # batch work always waits its turn
    session_chunk = pool.submit(spec, lambda model: "chunk", priority=Priority.INTERACTIVE)  # not marked: queues
    assert pool.status().devices[0].shed == 1
    gate.set()
    assert blocker.result(5) is True and first.result(5) == "first" and job.result(5) == "job"
    assert session_chunk.result(5) == "chunk"
    with sheddable():
        assert pool.run(spec, lambda model: "again", priority=Priority.INTERACTIVE) == "again"  # drained: accepted


def test_shedding_off_queues_everything(make_pool) -> None:
    pool = make_pool(max_queue_wait_s=0)
    spec = stand_in("m")
    gate = threading.Event()
    pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
    time.sleep(0.05)
    with sheddable():
        first = pool.submit(spec, lambda model: 1, priority=Priority.INTERACTIVE)
        time.sleep(0.2)
        second = pool.submit(spec, lambda model: 2, priority=Priority.INTERACTIVE)
    gate.set()
    assert (first.result(5), second.result(5)) == (1, 2) and pool.status().devices[0].shed == 0


def test_batch_work_is_not_starved_by_a_stream_of_live_requests() -> None:
    """Live requests run first, but a job's task that has waited batch_starvation_s runs next when no batch task
    runs: under a sustained stream of live work the job still progresses (it used to wait for the stream to end)."""
    from workers.executor import DeviceExecutor

    executor = DeviceExecutor("cpu", threads=1, reserved_for_interactive=1, batch_starvation_s=0.3)
    stop_at = time.monotonic() + 2.0
    live: list = []

    def stream() -> None:  # always one live task queued behind the one running
        while time.monotonic() < stop_at:
            live.append(executor.submit(lambda: time.sleep(0.05), Priority.INTERACTIVE))
            time.sleep(0.02)

    feeder = threading.Thread(target=stream)
    feeder.start()
    time.sleep(0.1)
    job = executor.submit(lambda: time.monotonic(), Priority.BATCH)
    ran_at = job.result(5)
    feeder.join()
    try:
        assert ran_at < stop_at - 0.5, "the batch task waited for the live stream to end"
        assert all(f.result(5) is None for f in live)
    finally:
        executor.shutdown()
