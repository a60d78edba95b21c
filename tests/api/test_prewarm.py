"""Start-up work (api/prewarm.py) waits for the model pool to be idle, so a request that arrives while the voice bots'
prompts are still being spoken does not share the cores with them. The real embedded pool, with a stand-in model
(a plain object) that only holds a call open."""

from __future__ import annotations

import threading
import time

from api.prewarm import pool_idle, wait_for_idle_pool
from workers import EmbeddedPool, ModelSpec, PoolSettings, Priority

STAND_IN = ModelSpec(id="stand-in", loader=lambda device: object(), memory_mb=10)


def test_start_up_work_waits_while_a_request_runs_and_goes_on_when_it_ends() -> None:
    pool = EmbeddedPool(PoolSettings(cpu_threads=2, cpu_express_threads=0, use_cuda=False), devices=["cpu"])
    try:
        assert pool_idle(pool)
        release, running = threading.Event(), threading.Event()

        def request(model: object) -> None:
            running.set()
            release.wait(10)

        call = pool.submit(STAND_IN, request, priority=Priority.INTERACTIVE)
        assert running.wait(10)
        assert not pool_idle(pool)
        waited = threading.Event()
        waiter = threading.Thread(target=lambda: (wait_for_idle_pool(pool, poll_s=0.01), waited.set()))
        waiter.start()
        time.sleep(0.3)
        assert not waited.is_set()  # the request still runs: the start-up work has not started
        release.set()
        call.result(10)
        assert waited.wait(10)  # the pool went idle: the start-up work goes on
        waiter.join(10)
    finally:
        pool.shutdown()


def test_a_pool_that_cannot_report_does_not_hold_start_up_work_back() -> None:
    class Unreporting:
        def status(self):
            raise RuntimeError("no status from this backend")

    assert pool_idle(Unreporting())
    wait_for_idle_pool(Unreporting(), poll_s=0.01)  # returns at once
