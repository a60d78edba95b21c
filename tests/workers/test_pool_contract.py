"""The ModelPool contract, run against every backend: the EmbeddedPool, and the RayPool in Serve's local testing
mode (replicas in this process; calls are pickled exactly as on a cluster). tests/workers/test_ray_cluster.py
runs the RayPool on a real local Ray cluster.

Stand-in models (plain Python objects) test the plumbing. The work functions return what they observe rather than
write into the test's variables: on Ray they run in a replica, on a copy of their closure.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from workers import (
    EmbeddedPool,
    ModelLoadError,
    ModelPool,
    ModelSpec,
    ModelTooLarge,
    PoolBusy,
    PoolSettings,
    Priority,
)

BACKENDS = ["embedded", "ray-local"]


def make(backend: str, **overrides) -> ModelPool:
    values = {"cpu_threads": 2, "cpu_memory_mb": 1000, "use_cuda": False, "ray_report_interval_s": 0.2, **overrides}
    if backend == "embedded":
        return EmbeddedPool(PoolSettings(**values), devices=["cpu"])
    pytest.importorskip("ray.serve", reason="the Ray backend needs voxgate[ray]")
    from workers.ray import RayPool

    values.setdefault("ray_replica_threads", values["cpu_threads"])
    return RayPool(PoolSettings(pool="ray", **values), local_testing=True)


@pytest.fixture(params=BACKENDS)
def factory(request) -> Iterator:
    pools: list[ModelPool] = []

    def build(**overrides) -> ModelPool:
        pool = make(request.param, **overrides)
        pools.append(pool)
        return pool

    build.backend = request.param  # type: ignore[attr-defined]
    yield build
    for pool in pools:
        pool.shutdown()


def stand_in(model_id: str, memory_mb: int = 100, **kwargs) -> ModelSpec:
    # Each load makes a new token: equal tokens across calls prove the model stayed resident.
    return ModelSpec(
        id=model_id,
        loader=lambda device: {"id": model_id, "device": device, "token": uuid.uuid4().hex},
        memory_mb=memory_mb,
        **kwargs,
    )


def loaded_ids(pool: ModelPool) -> set[str]:
    return {m.id for m in pool.status().models}


def test_run_calls_fn_next_to_the_model_with_its_arguments(factory) -> None:
    pool = factory()
    spec = stand_in("m")
    out = pool.run(spec, lambda model, a, b=0: (model["id"], model["device"], a + b), 2, b=3)
    assert out == ("m", "cpu", 5)


def test_a_model_stays_loaded_between_calls(factory) -> None:
    pool = factory()
    spec = stand_in("m")
    first = pool.run(spec, lambda model: model["token"])
    assert [pool.run(spec, lambda model: model["token"]) for _ in range(3)] == [first] * 3


def test_submit_returns_a_future_and_both_priorities_run(factory) -> None:
    pool = factory()
    spec = stand_in("m")
    futures = [pool.submit(spec, lambda model, i: i * i, i, priority=p) for i, p in enumerate(Priority)]
    assert all(isinstance(f, Future) for f in futures)
    assert [f.result(10) for f in futures] == [0, 1, 4]


def test_errors_of_the_work_reach_the_caller_with_their_type(factory) -> None:
    pool = factory()
    with pytest.raises(ZeroDivisionError):
        pool.run(stand_in("m"), lambda model: 1 / 0)


def test_loader_failure_names_the_model(factory) -> None:
    pool = factory()

    def broken(device: str) -> object:
        raise OSError("weights missing")

    with pytest.raises(ModelLoadError, match="broken.*weights missing"):
        pool.run(ModelSpec(id="broken", loader=broken, memory_mb=10), lambda model: model)


def test_model_larger_than_every_budget_is_refused(factory) -> None:
    pool = factory()
    with pytest.raises(ModelTooLarge):
        pool.run(stand_in("huge", 5000), lambda model: None)


def test_least_recently_used_model_is_evicted_under_budget(factory) -> None:
    pool = factory()  # 1000 MB (per replica on Ray)
    a, b, c = stand_in("a", 400), stand_in("b", 400), stand_in("c", 400)
    for spec in (a, b, a, c):  # b is the least recently used when c needs room
        pool.run(spec, lambda model: None)
    assert loaded_ids(pool) == {"a", "c"}


def test_status_reports_what_is_loaded_and_unload_frees_it(factory) -> None:
    pool = factory()
    pool.run(stand_in("a", 123), lambda model: None)
    (model,) = pool.status().models
    assert (model.id, model.memory_estimate_mb, model.in_use, model.uses) == ("a", 123, 0, 1)
    assert model.device.endswith("cpu")
    assert "a" in pool.status().registered
    assert pool.unload("a") is True
    assert loaded_ids(pool) == set()
    assert pool.unload("a") is False


def test_concurrent_infer_calls_are_grouped_into_batches(factory) -> None:
    pool = factory()

    def batch_fn(model: object, items: list[int]) -> list[tuple[int, int]]:
        time.sleep(0.01)
        return [(item * 10, len(items)) for item in items]  # each result says how big its batch was

    spec = ModelSpec(
        id="doubler", loader=lambda d: None, memory_mb=10, batchable=True, batch_fn=batch_fn, max_wait_ms=50
    )
    futures = [pool.infer(spec, i) for i in range(24)]
    results = [f.result(10) for f in futures]
    assert [value for value, _ in results] == [i * 10 for i in range(24)]
    assert max(size for _, size in results) > 1, "concurrent items must share batches"


def test_infer_many_keeps_order_across_chunks(factory) -> None:
    pool = factory()
    spec = ModelSpec(
        id="square",
        loader=lambda d: None,
        memory_mb=10,
        batchable=True,
        batch_fn=lambda model, items: [x * x for x in items],
        max_batch_size=4,
    )
    assert pool.infer_many(spec, list(range(11)), Priority.BATCH) == [x * x for x in range(11)]


def test_callbacks_in_the_arguments_reach_the_caller_in_order(factory) -> None:
    """ASR's segment callback and music's progress (also inside a dict argument) are called in the caller's
    process: on Ray they come back as streamed events."""
    pool = factory()
    seen: list[tuple] = []

    def on_segment(index: int, text: str) -> None:
        seen.append(("segment", index, text))

    def progress(done: int, total: int) -> None:
        seen.append(("progress", done, total))

    def work(model: dict, samples: list[int], on_seg, options: dict) -> str:
        for i, s in enumerate(samples):
            on_seg(i, f"word{s}")
            options["progress"](i + 1, len(samples))
        return "done"

    assert pool.run(stand_in("m"), work, [7, 8], on_segment, {"progress": progress}) == "done"
    assert seen == [("segment", 0, "word7"), ("progress", 1, 2), ("segment", 1, "word8"), ("progress", 2, 2)]


def test_a_callback_that_raises_stops_the_work(factory) -> None:
    """How asr.stream closes a stream early: its callback raises, the decode stops, the caller gets the error."""
    pool = factory()

    class Closed(Exception):
        pass

    calls: list[int] = []

    def on_segment(i: int) -> None:
        calls.append(i)
        if i == 2:
            raise Closed("stream closed")

    def work(model: dict, cb) -> int:
        for i in range(1000):
            cb(i)
            time.sleep(0.002)
        return -1

    with pytest.raises(Closed):
        pool.run(stand_in("m"), work, on_segment)
    assert calls[:3] == [0, 1, 2]


def test_saturation_answers_pool_busy(factory) -> None:
    """On Ray the gateway refuses calls beyond what the lane's replicas and queues can hold (Serve's own
    BackPressureError maps to the same PoolBusy); the embedded pool's busy case is a model that cannot get room."""
    if factory.backend == "embedded":
        pool = factory(model_wait_timeout_s=0.3)
        holder = pool.submit(stand_in("a", 700), lambda model: time.sleep(1.0))
        time.sleep(0.1)
        with pytest.raises(PoolBusy):
            pool.run(stand_in("b", 700), lambda model: None)
        holder.result(5)
        return
    pool = factory(ray_replica_threads=1, ray_max_queued=2, cpu_threads=1)
    spec = stand_in("slow")
    accepted = []
    with pytest.raises(PoolBusy, match="saturated"):
        for _ in range(50):
            accepted.append(pool.submit(spec, lambda model: time.sleep(0.3), priority=Priority.BATCH))
    # The interactive lane is separate: a saturated batch lane does not refuse live work.
    assert pool.run(spec, lambda model: "live", priority=Priority.INTERACTIVE) == "live"
    for future in accepted:
        future.result(30)
    assert pool.status().backpressure >= 1
