"""A speech request's sentences: the next sentence's model call runs beside the one being waited for, in order,
never before the request is admitted, and no further than one ahead. The calls here are stand-ins (plumbing
only); the piper path through them is covered by tests/tts/test_api.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from tts.schemas import Chunk
from tts.synthesize import spoken_ahead
from workers import EmbeddedPool, ModelSpec, PoolBusy, PoolSettings, Priority, sheddable


def _chunk(value: float) -> Chunk:
    return Chunk(samples=np.full(4, value, np.float32), sample_rate=16000, word_spans=[])


def test_the_next_call_runs_beside_the_one_waited_for_and_order_is_kept() -> None:
    spans: dict[int, tuple[float, float]] = {}

    def call(i: int, seconds: float) -> Callable[[], Chunk]:
        def run() -> Chunk:
            began = time.monotonic()
            time.sleep(seconds)
            spans[i] = (began, time.monotonic())
            return _chunk(i)

        return run

    chunks = list(spoken_ahead([call(0, 0.3), call(1, 0.05), call(2, 0.05)]))
    assert [float(c.samples[0]) for c in chunks] == [0.0, 1.0, 2.0]
    assert spans[1][0] < spans[0][1], "the second sentence started while the first was synthesized"


def test_a_refused_request_does_no_work_and_closing_stops_the_rest() -> None:
    settings = PoolSettings(cpu_threads=1, use_cuda=False, max_queue_wait_s=0, max_estimated_wait_s=0.5)
    pool = EmbeddedPool(settings, devices=["cpu"])
    spec = ModelSpec(id="stand-in-voice", loader=lambda device: object(), memory_mb=1)
    ran: list[int] = []

    def call(i: int) -> Callable[[], Chunk]:
        return lambda: pool.run(spec, lambda model: ran.append(i) or _chunk(i), priority=Priority.INTERACTIVE)

    try:
        pool.run(spec, lambda model: time.sleep(1.0))  # calls of this kind take ~1 s
        gate = threading.Event()
        pool.submit(spec, lambda model: gate.wait(10))
        time.sleep(0.05)
        with sheddable(), pytest.raises(PoolBusy):
            list(spoken_ahead([call(0), call(1), call(2)]))
        gate.set()
        time.sleep(0.2)
        assert ran == [], "no sentence of a refused request was synthesized"
        with sheddable():
            chunks = spoken_ahead([call(i) for i in range(6)])
            assert float(next(chunks).samples[0]) == 0.0
            chunks.close()
        time.sleep(0.3)
        assert ran[:1] == [0] and len(ran) <= 2, ran  # the one waited for and at most the next one
    finally:
        pool.shutdown()
