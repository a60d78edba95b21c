"""Priorities, residency, eviction, TTL and batching of the embedded pool.

These use small stand-in models (plain Python objects) to observe scheduling
precisely; tests/workers/test_pool_real_model.py runs the same pool on MiniLM.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError

import pytest

from workers import (
    EmbeddedPool,
    ModelLoadError,
    ModelSpec,
    PoolBusy,
    PoolSettings,
    Priority,
    admit_unchecked,
    drop_optional,
    new_turn,
    optional,
    request_ended,
    sheddable,
)


def stand_in(model_id: str, memory_mb: int = 100, **kwargs) -> ModelSpec:
    return ModelSpec(
        id=model_id, loader=lambda device: {"id": model_id, "device": device}, memory_mb=memory_mb, **kwargs
    )


@pytest.fixture
def make_pool() -> Iterator:
    pools: list[EmbeddedPool] = []

    def factory(**overrides) -> EmbeddedPool:
        # No express thread unless a test asks for one: most tests here count on exactly `cpu_threads` threads.
        values = {"cpu_threads": 1, "cpu_express_threads": 0, "cpu_memory_mb": 1000, "use_cuda": False, **overrides}
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


def test_no_automatic_collection_runs_while_a_model_loads(make_pool) -> None:
    import gc

    # A collection mid-load would free earlier garbage and hide the load's cost (a CI run measured 0 MB for 64 MB).
    collections: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    during_load: list[int] = []

    def loader(device: str) -> list:
        assert not gc.isenabled()
        model = [[i] for i in range(50_000)]  # far past the collector's threshold of 700 new containers
        during_load.extend(collections)
        return model

    gc.callbacks.append(count)
    try:
        make_pool().run(ModelSpec(id="cyclic", loader=loader, memory_mb=1), lambda model: None)
    finally:
        gc.callbacks.remove(count)
    assert during_load == []
    assert gc.isenabled(), "collection resumes after the load"


def test_overlapping_loads_share_one_pause_and_a_collector_switched_off_stays_off() -> None:
    import gc

    from workers.memory import collection_paused

    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the outer load is still running"
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


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

    pool = make_pool(cpu_thread_nice=0)
    pool.run(ModelSpec(id="background", loader=loader, memory_mb=1, cpu_nice=10), lambda model: None)
    assert seen == {"loader": 10, "worker": 10}
    assert _nice_of_current_thread() == 0, "the caller's own priority is untouched"
    assert pool.run(ModelSpec(id="plain", loader=lambda d: _nice_of_current_thread(), memory_mb=1), lambda m: m) == 0


def test_cpu_threads_run_model_calls_below_the_gateway_priority(make_pool) -> None:
    """The CPU executor's threads (and what they start: a runtime's threads, a Tesseract subprocess) run at the
    configured nice, so the gateway's own threads and its sidecars get the CPU first; a batch spec's loader still
    goes down to its own, lower, priority."""
    if not os.path.exists("/proc/self/task"):
        pytest.skip("needs Linux /proc to read thread priorities")
    pool = make_pool(cpu_thread_nice=5)
    calls = pool.run(ModelSpec(id="plain", loader=lambda d: _nice_of_current_thread(), memory_mb=1), lambda m: m)
    assert calls == 5
    assert pool.run(stand_in("m"), lambda model: _nice_of_current_thread()) == 5
    background = ModelSpec(id="background", loader=lambda d: _nice_of_current_thread(), memory_mb=1, cpu_nice=10)
    assert pool.run(background, lambda m: m) == 10
    assert _nice_of_current_thread() == 0, "the caller's own priority is untouched"


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
    with sheddable():  # the next request
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


def _held(make_pool, **settings) -> tuple[EmbeddedPool, ModelSpec, threading.Event]:
    """A one-thread pool whose thread a live call holds until the returned gate is set."""
    pool = make_pool(**settings)
    spec = stand_in("m")
    gate = threading.Event()
    pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
    time.sleep(0.05)
    return pool, spec, gate


def test_shedding_off_queues_everything(make_pool) -> None:
    pool, spec, gate = _held(make_pool, max_queue_wait_s=0)
    with sheddable():
        first = pool.submit(spec, lambda model: 1, priority=Priority.INTERACTIVE)
    time.sleep(0.2)
    with sheddable():
        second = pool.submit(spec, lambda model: 2, priority=Priority.INTERACTIVE)
    gate.set()
    assert (first.result(5), second.result(5)) == (1, 2) and pool.status().devices[0].shed == 0


def test_a_request_admitted_once_is_never_refused_on_a_later_call(make_pool) -> None:
    """A request's second model call (OCR after OSD, a second sentence of TTS) must not be refused: the first
    call's work would be lost. Only a new request is refused when the queue stands."""
    pool, spec, gate = _held(make_pool, max_queue_wait_s=0.2)
    with sheddable():
        first = pool.submit(spec, lambda model: 1, priority=Priority.INTERACTIVE)
        time.sleep(0.3)  # the queue now stands
        second = pool.submit(spec, lambda model: 2, priority=Priority.INTERACTIVE)  # same request: admitted
    with sheddable(), pytest.raises(PoolBusy):
        pool.submit(spec, lambda model: 3, priority=Priority.INTERACTIVE)  # a new request: refused
    gate.set()
    assert (first.result(5), second.result(5)) == (1, 2)


def _timed(pool: EmbeddedPool, spec: ModelSpec, seconds: float, times: int = 2) -> None:
    """Let the pool time `times` calls of `spec` that each take `seconds` (its moving average learns them)."""
    for _ in range(times):
        pool.run(spec, lambda model: time.sleep(seconds), priority=Priority.NORMAL)


def test_the_estimated_wait_refuses_a_request_that_would_start_past_its_budget(make_pool) -> None:
    """With calls of a kind known to take 0.3 s, a new request behind one running and three queued (one thread)
    would start about 1.2 s from now: refused under a 1 s budget, at once, with Retry-After; admitted under a 2 s
    one; and every call that was accepted still runs."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=1.0)
    spec = stand_in("m")
    _timed(pool, spec, 0.3)
    gate = threading.Event()
    running = pool.submit(spec, lambda model: (gate.wait(5), time.sleep(0.3)), priority=Priority.NORMAL)
    time.sleep(0.05)
    queued = [pool.submit(spec, lambda model: time.sleep(0.3), priority=Priority.NORMAL) for _ in range(3)]
    executor = pool._executors["cpu"]
    assert 0.9 < executor.estimated_wait(Priority.NORMAL) < 1.3
    started = time.monotonic()
    with sheddable(), pytest.raises(PoolBusy, match=r"would wait about 1\.[0-9] s") as refused:
        pool.submit(spec, lambda model: "late", priority=Priority.NORMAL)
    assert time.monotonic() - started < 0.1 and refused.value.retry_after_s == 1
    with sheddable(wait_budget_s=2.0):  # a request with a looser budget of its own
        accepted = pool.submit(spec, lambda model: "accepted", priority=Priority.NORMAL)
    assert pool.status().devices[0].shed == 1
    gate.set()
    assert running.result(5) and [f.result(5) for f in queued] == [None] * 3 and accepted.result(5) == "accepted"
    assert pool.status().devices[0].admitted_wait_p95_s > 1.0  # it queued behind four 0.3 s calls


def test_live_work_queued_ahead_counts_but_batch_work_behind_does_not(make_pool) -> None:
    """Interactive work runs before normal and batch work: a queue of batch calls does not make an interactive
    request wait, while interactive calls queued ahead do."""
    pool = make_pool(cpu_threads=2, interactive_reserved_threads=1, max_queue_wait_s=0, max_estimated_wait_s=1.0)
    spec = stand_in("m")
    _timed(pool, spec, 0.4)
    for _ in range(2):
        pool.run(spec, lambda model: time.sleep(0.4), priority=Priority.BATCH)
    gate = threading.Event()
    batch = [pool.submit(spec, lambda model: gate.wait(5), priority=Priority.BATCH) for _ in range(6)]
    time.sleep(0.05)  # one batch call runs on the one thread batch work may take; five queue
    executor = pool._executors["cpu"]
    assert executor.estimated_wait(Priority.INTERACTIVE) == 0.0
    live = [pool.submit(spec, lambda model: time.sleep(0.4), priority=Priority.INTERACTIVE) for _ in range(4)]
    assert 1.0 < executor.estimated_wait(Priority.INTERACTIVE) < 1.8  # 0.4 s running + 3 queued, one thread
    with sheddable(), pytest.raises(PoolBusy):
        pool.submit(spec, lambda model: None, priority=Priority.INTERACTIVE)
    gate.set()
    assert all(f.result(10) for f in batch) and [f.result(10) for f in live] == [None] * 4


def test_micro_batched_requests_are_admitted_one_by_one(make_pool) -> None:
    """A batchable model's items are dispatched as one batch from the batcher's thread, outside any request; the
    admission check runs on each request's own item instead."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=0.2)
    slow = stand_in("slow")
    _timed(pool, slow, 0.5)
    batched = stand_in("batched", batchable=True, batch_fn=lambda model, items: [i * 2 for i in items])
    with sheddable():
        assert pool.infer(batched, 21).result(5) == 42  # idle pool: admitted
    gate = threading.Event()
    pool.submit(slow, lambda model: gate.wait(5))  # the only thread: about 0.5 s left on it, by its kind's average
    time.sleep(0.05)
    with sheddable(), pytest.raises(PoolBusy):
        pool.infer(batched, 1)
    gate.set()


def test_earliest_deadline_first_within_a_priority(make_pool) -> None:
    """A call's deadline is its request's admission plus the request's wait budget: a request with a 0.5 s budget
    (sentiment) goes ahead of calls queued a moment before it with the default 2 s, and its estimated wait leaves
    them out, so it is admitted; one whose budget is shorter than the call running is refused."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=2.0)
    long_kind, short_kind = stand_in("long"), stand_in("short")
    _timed(pool, long_kind, 0.4)
    gate = threading.Event()
    order: list[str] = []
    pool.submit(long_kind, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
    time.sleep(0.05)  # running: ~0.35 s left by its kind's average
    queued = []
    for i in range(3):
        with sheddable():  # three requests with the default budget
            queued.append(
                pool.submit(long_kind, lambda model, i=i: order.append(f"long{i}"), priority=Priority.INTERACTIVE)
            )
    with sheddable(wait_budget_s=0.1), pytest.raises(PoolBusy):  # the running call alone outlasts 0.1 s
        pool.submit(short_kind, lambda model: None, priority=Priority.INTERACTIVE)
    with sheddable(wait_budget_s=0.5):  # waits only for the running call
        short = pool.submit(short_kind, lambda model: order.append("short"), priority=Priority.INTERACTIVE)
    gate.set()
    for future in (*queued, short):
        future.result(5)
    assert order == ["short", "long0", "long1", "long2"]


def test_a_requests_later_calls_keep_its_place_in_the_queue(make_pool) -> None:
    """Request a's second call (its OCR after its OSD) runs before request b's first, which came in between:
    a request waits its turn once, not once per call."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=0)
    spec = stand_in("m")
    gate = threading.Event()
    order: list[str] = []
    pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
    time.sleep(0.05)
    request_a = contextvars.copy_context()  # each request's own context, as the gateway's middleware gives it
    marked = sheddable()
    request_a.run(marked.__enter__)
    first_a = request_a.run(pool.submit, spec, lambda model: order.append("a1"), priority=Priority.INTERACTIVE)
    with sheddable():
        first_b = pool.submit(spec, lambda model: order.append("b1"), priority=Priority.INTERACTIVE)
    second_a = request_a.run(pool.submit, spec, lambda model: order.append("a2"), priority=Priority.INTERACTIVE)
    request_a.run(marked.__exit__, None, None, None)
    unmarked = pool.submit(spec, lambda model: order.append("chunk"), priority=Priority.INTERACTIVE)
    gate.set()
    for future in (first_a, first_b, second_a, unmarked):
        future.result(5)
    assert order == ["a1", "a2", "b1", "chunk"]


def test_a_sessions_new_turn_queues_by_its_own_time_not_the_sessions_start(make_pool) -> None:
    """A session admitted long ago keeps being served, but each new turn (a dictation's next chunk) queues by its
    own time: a request admitted before the turn runs first (the session's start would put it ahead of all)."""
    from workers import new_turn

    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=1.0)
    spec = stand_in("m")
    order: list[str] = []
    session = contextvars.copy_context()
    marked = sheddable(wait_budget_s=0.2)
    session.run(marked.__enter__)
    session.run(pool.run, spec, lambda model: order.append("warm-up"), priority=Priority.INTERACTIVE)
    time.sleep(0.5)  # the session's first deadline is now in the past
    gate = threading.Event()
    pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
    time.sleep(0.05)
    with sheddable(wait_budget_s=0.3):
        request = pool.submit(spec, lambda model: order.append("request"), priority=Priority.INTERACTIVE)
    time.sleep(0.2)  # the turn comes 0.2 s later: its deadline (now + 0.2) is after the request's (then + 0.3)
    session.run(new_turn)
    chunk = session.run(pool.submit, spec, lambda model: order.append("chunk"), priority=Priority.INTERACTIVE)
    session.run(marked.__exit__, None, None, None)
    gate.set()
    request.result(5), chunk.result(5)
    assert order == ["warm-up", "request", "chunk"]


def test_an_admitted_first_call_that_cannot_start_in_time_is_refused_then(make_pool) -> None:
    """The estimate cannot see everything (a request's later calls, CPU outside the pool): an admitted request whose
    first call has waited `max_admitted_wait_factor` times its budget is refused when its turn comes, with
    Retry-After, before any of its work is done; one that starts in time runs, and so do a request's later calls
    and batch work, however long they waited."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=0, max_admitted_wait_factor=2.0)
    spec = stand_in("m")
    gate = threading.Event()
    with sheddable(wait_budget_s=0.2):  # a request whose first call ran; its next one holds the only thread
        assert pool.run(spec, lambda model: "first call", priority=Priority.INTERACTIVE) == "first call"
        pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)
        time.sleep(0.05)
        later = pool.submit(spec, lambda model: "later call", priority=Priority.INTERACTIVE)
    with sheddable(wait_budget_s=0.2):  # admitted (nothing timed yet): refused once it has waited 0.4 s
        late = pool.submit(spec, lambda model: "late", priority=Priority.INTERACTIVE)
    with sheddable(wait_budget_s=5.0):
        patient = pool.submit(spec, lambda model: "patient", priority=Priority.INTERACTIVE)
    batch = pool.submit(spec, lambda model: "batch", priority=Priority.BATCH)
    time.sleep(0.6)
    gate.set()
    with pytest.raises(PoolBusy, match=r"waited 0\.[4-9] s .* without starting") as refused:
        late.result(5)
    assert refused.value.retry_after_s >= 1
    assert (later.result(5), patient.result(5), batch.result(5)) == ("later call", "patient", "batch")
    with sheddable(wait_budget_s=0.2):
        assert pool.run(spec, lambda model: "in time", priority=Priority.INTERACTIVE) == "in time"
    assert pool.status().devices[0].shed == 1


def test_the_calls_an_admitted_request_has_yet_to_make_count_in_the_estimate(make_pool) -> None:
    """A request of three 0.3 s calls, admitted and between its first and second call, has nothing queued or
    running, yet its next 0.6 s of calls go ahead of a request that comes now: the estimate counts them (learnt from
    earlier requests of its kind), refusing a new request under a 0.5 s budget and admitting one under 1 s."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=0.5, max_admitted_wait_factor=0)
    spec = stand_in("m")

    def three_calls(between: Callable[[], object] | None = None) -> None:
        with sheddable(wait_budget_s=0.5):
            for call in range(3):
                pool.run(spec, lambda model: time.sleep(0.3), priority=Priority.INTERACTIVE)
                if call == 0 and between is not None:
                    between()

    three_calls()
    three_calls()
    executor = pool._executors["cpu"]
    assert executor.estimated_wait(Priority.INTERACTIVE) == 0.0
    paused, go = threading.Event(), threading.Event()
    admitted = threading.Thread(target=three_calls, args=(lambda: (paused.set(), go.wait(5)),))
    admitted.start()
    assert paused.wait(5)
    assert 0.5 < executor.estimated_wait(Priority.INTERACTIVE, wait_budget_s=0.5) < 0.75
    with sheddable(wait_budget_s=0.5), pytest.raises(PoolBusy, match="would wait about 0.6 s"):
        pool.submit(spec, lambda model: "refused", priority=Priority.INTERACTIVE)
    with sheddable(wait_budget_s=1.0):
        accepted = pool.submit(spec, lambda model: "accepted", priority=Priority.INTERACTIVE)
    go.set()
    admitted.join(5)
    assert accepted.result(5) == "accepted"
    assert executor.estimated_wait(Priority.INTERACTIVE) == 0.0  # it ended: nothing more to come


def test_an_express_thread_runs_short_budget_calls_while_long_ones_hold_the_others(make_pool) -> None:
    """Every regular thread is in a long call: a dictation chunk or a sentiment request (budget 0.5 s) starts at
    once on the express thread, while a request with a 1 s budget, a later call of a long request (its deadline
    long past) and batch work wait for a regular thread; the estimate for a short-budget request counts the express
    thread."""
    pool = make_pool(cpu_express_threads=1, express_budget_s=0.5, max_queue_wait_s=0, max_estimated_wait_s=0)
    spec = stand_in("m")
    _timed(pool, spec, 0.4)
    gate = threading.Event()
    ran_on: dict[str, str] = {}

    def where(name: str) -> Callable[[object], str]:
        return lambda model: ran_on.setdefault(name, threading.current_thread().name)

    with sheddable(wait_budget_s=1.0):
        pool.run(spec, where("first"), priority=Priority.INTERACTIVE)
        pool.submit(spec, lambda model: gate.wait(5), priority=Priority.INTERACTIVE)  # holds the regular thread
        time.sleep(1.1)
        later = pool.submit(spec, where("later"), priority=Priority.INTERACTIVE)
    with sheddable(wait_budget_s=1.0):
        long = pool.submit(spec, where("long"), priority=Priority.INTERACTIVE)
    batch = pool.submit(spec, where("batch"), priority=Priority.BATCH)
    with sheddable(wait_budget_s=0.5):
        short = pool.submit(spec, where("short"), priority=Priority.NORMAL)
        assert "express" in short.result(2)
    assert not (later.done() or long.done() or batch.done())
    executor = pool._executors["cpu"]
    assert executor.estimated_wait(Priority.NORMAL, wait_budget_s=0.5) == 0.0  # the express thread is free
    assert executor.estimated_wait(Priority.NORMAL, wait_budget_s=1.0) > 0.2  # two calls of the kind queued ahead
    gate.set()
    assert not any("express" in f.result(5) for f in (later, long, batch))


def test_a_first_call_that_waited_behind_a_model_load_is_not_refused_as_late(make_pool) -> None:
    """A cold start (or a model loaded again after idling) makes the next requests wait, but it is not overload:
    they run, however long the load took, while the same wait behind calls alone is refused."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=0, max_admitted_wait_factor=2.0)
    cold = ModelSpec(id="cold", loader=lambda device: time.sleep(0.6) or object(), memory_mb=1)
    loading = pool.submit(cold, lambda model: "loaded", priority=Priority.INTERACTIVE)
    time.sleep(0.05)
    with sheddable(wait_budget_s=0.2):
        behind_load = pool.submit(stand_in("m"), lambda model: "ran", priority=Priority.INTERACTIVE)
    assert (loading.result(5), behind_load.result(5)) == ("loaded", "ran")
    time.sleep(0.1)  # the load ended before the next request came
    slow = pool.submit(cold, lambda model: time.sleep(0.6), priority=Priority.INTERACTIVE)
    time.sleep(0.05)
    with sheddable(wait_budget_s=0.2):
        behind_calls = pool.submit(stand_in("m"), lambda model: "ran", priority=Priority.INTERACTIVE)
    slow.result(5)
    with pytest.raises(PoolBusy, match="without starting"):
        behind_calls.result(5)


def _paused_request(pool: EmbeddedPool, spec: ModelSpec, between: Callable[[], object]) -> threading.Thread:
    """A request of two 0.1 s calls that runs `between` them, in a thread of its own."""

    def two_calls() -> None:
        with sheddable(wait_budget_s=0.5):
            pool.run(spec, lambda model: time.sleep(0.1), priority=Priority.INTERACTIVE)
            between()
            pool.run(spec, lambda model: time.sleep(0.1), priority=Priority.INTERACTIVE)

    thread = threading.Thread(target=two_calls)
    thread.start()
    return thread


def test_what_a_request_takes_leaves_model_loading_out_and_ends_with_its_answer(make_pool) -> None:
    """The first request of a kind loaded its model for 1 s: the next one, between its two 0.1 s calls, is expected
    to need about 0.1 s more, not the load; and once it has sent its answer (`request_ended`), nothing more."""
    pool = make_pool(max_queue_wait_s=0, max_estimated_wait_s=0.5, max_admitted_wait_factor=0)
    cold = ModelSpec(id="cold", loader=lambda device: time.sleep(1.0) or object(), memory_mb=1)
    _paused_request(pool, cold, lambda: None).join(10)  # loads the model on its first call
    executor = pool._executors["cpu"]
    for answered in (False, True):
        paused, go = threading.Event(), threading.Event()
        between = lambda a=answered, p=paused, g=go: (a and request_ended(), p.set(), g.wait(5))  # noqa: E731
        request = _paused_request(pool, cold, between)
        assert paused.wait(5)
        wait = executor.estimated_wait(Priority.INTERACTIVE, wait_budget_s=0.5)
        assert wait == 0.0 if answered else 0.05 < wait < 0.3, (answered, wait)
        go.set()
        request.join(10)


def test_by_default_the_express_thread_takes_only_an_urgent_turn(make_pool) -> None:
    """With the defaults (express budget 0) a session's urgent turn (a dictation's final after stop) starts at once
    on the express thread while the regular one is held; a 0.5 s-budget request, or a session's ordinary turn,
    waits for the regular thread."""
    pool, spec, gate = _held(make_pool, cpu_express_threads=PoolSettings().cpu_express_threads)
    assert PoolSettings().express_budget_s == 0.0 and PoolSettings().cpu_express_threads >= 1
    name = lambda model: threading.current_thread().name  # noqa: E731
    with sheddable(wait_budget_s=0.5):
        short = pool.submit(spec, name, priority=Priority.INTERACTIVE)
    with sheddable(wait_budget_s=0.5):
        admit_unchecked()
        new_turn()
        chunk = pool.submit(spec, name, priority=Priority.INTERACTIVE)
        new_turn(urgent=True)
        final = pool.submit(spec, name, priority=Priority.INTERACTIVE)
        assert "express" in final.result(2)
    assert not (short.done() or chunk.done())
    gate.set()
    assert "express" not in short.result(5) and "express" not in chunk.result(5)


def test_a_sessions_optional_calls_still_queued_are_dropped_and_no_other(make_pool) -> None:
    """A dictation's partial waiting in the queue when the clinician presses stop is dropped (its caller gets
    CancelledError), so the final does not wait behind it; the session's other calls, and a running optional one,
    are untouched."""
    pool = make_pool(cpu_threads=1)
    spec = stand_in("m")
    gate = threading.Event()
    with sheddable(wait_budget_s=0.5):
        admit_unchecked()
        with optional():
            running = pool.submit(spec, lambda model: gate.wait(5) and "running partial", priority=Priority.INTERACTIVE)
            time.sleep(0.05)
            queued = pool.submit(spec, lambda model: "queued partial", priority=Priority.INTERACTIVE)
        final = pool.submit(spec, lambda model: "final", priority=Priority.INTERACTIVE)
        assert drop_optional() == 1
    gate.set()
    with pytest.raises(CancelledError):
        queued.result(5)
    assert (running.result(5), final.result(5)) == ("running partial", "final")
    assert pool.status().devices[0].queued == 0
