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


def test_a_stop_ends_the_wait_for_an_idle_pool() -> None:
    pool = EmbeddedPool(PoolSettings(cpu_threads=2, cpu_express_threads=0, use_cuda=False), devices=["cpu"])
    try:
        release, running = threading.Event(), threading.Event()
        call = pool.submit(STAND_IN, lambda model: (running.set(), release.wait(10)), priority=Priority.INTERACTIVE)
        assert running.wait(10)
        stop = threading.Event()
        threading.Timer(0.2, stop.set).start()
        started = time.monotonic()
        assert wait_for_idle_pool(pool, poll_s=0.01, stop=stop) is False  # stopped, not idle
        assert time.monotonic() - started < 5
        release.set()
        call.result(10)
        assert wait_for_idle_pool(pool, poll_s=0.01) is True
    finally:
        pool.shutdown()


def test_the_gateway_stops_its_start_up_work_even_on_a_pool_it_does_not_own(settings) -> None:
    """Start-up work on a shared pool outlived its app and was still inside a model call when the interpreter exited
    (the process aborted). Now the app's shutdown stops it after its current unit and waits for it."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    pool = EmbeddedPool(PoolSettings(cpu_threads=2, cpu_express_threads=0, use_cuda=False), devices=["cpu"])
    units: list[int] = []

    def work(stop: threading.Event) -> str:  # the shape of the voice prewarm: many small calls on the pool
        while wait_for_idle_pool(pool, poll_s=0.01, stop=stop):
            units.append(pool.run(STAND_IN, lambda model: time.sleep(0.05) or 1, priority=Priority.BATCH))
        return f"{len(units)} units"

    try:
        app = create_app(settings.model_copy(update={"modules": ["asr"]}), pool=pool)
        with TestClient(app):
            thread = app.state.background.start("test-work", work)
            deadline = time.monotonic() + 10
            while not units and time.monotonic() < deadline:
                time.sleep(0.01)
            assert units, "the work never ran"
        assert not thread.is_alive(), "the start-up work outlived its app"
        done = len(units)
        time.sleep(0.2)
        assert len(units) == done  # nothing more after the shutdown
        assert pool.run(STAND_IN, lambda model: "open") == "open"  # the pool, not the app's, still serves
    finally:
        pool.shutdown()


def test_a_failing_or_closed_pool_ends_start_up_work_quietly() -> None:
    from api.prewarm import BackgroundWork
    from workers import PoolClosed

    background = BackgroundWork()

    def closed(stop: threading.Event) -> str:
        raise PoolClosed("closed")

    def broken(stop: threading.Event) -> str:
        raise RuntimeError("a bad voice")

    threads = [background.start("closed", closed), background.start("broken", broken)]
    assert background.join(timeout_s=5) == []
    assert not any(t.is_alive() for t in threads)
