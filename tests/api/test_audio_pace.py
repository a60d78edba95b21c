"""The live sockets' pace rule, on a clock the test moves."""

from __future__ import annotations

from api.audio_pace import AudioPace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_real_time_streaming_is_never_refused() -> None:
    clock = Clock()
    pace = AudioPace(max_speed=2, burst_s=2, clock=clock)
    for second in range(1, 600):  # ten minutes, a frame a second, as recorded
        assert pace.too_fast(second) is None
        clock.now += 1.0


def test_the_head_start_then_the_speed_limit() -> None:
    clock = Clock()
    pace = AudioPace(max_speed=2, burst_s=2, clock=clock)
    assert pace.too_fast(2.0) is None  # the first frame starts the clock: 2 s at once is the head start
    clock.now += 1.0
    assert pace.too_fast(4.0) is None  # 2 s head start + 1 s at 2x
    clock.now += 0.5
    refused = pace.too_fast(6.0)  # 6 s in 1.5 s: over 2 + 1.5 * 2
    assert refused is not None
    assert "2x real time" in refused and "6 s of audio in 1.5 s" in refused


def test_a_sustained_flood_is_refused_however_it_is_chunked() -> None:
    clock = Clock()
    pace = AudioPace(max_speed=3, burst_s=10, clock=clock)
    sent, refusals = 0.0, []
    for _ in range(100):  # 0.5 s frames every 0.1 s: 5x real time
        sent += 0.5
        refusals.append(pace.too_fast(sent))
        clock.now += 0.1
    first = next(i for i, why in enumerate(refusals) if why)
    assert 40 <= first <= 52  # 10 s head start used at 2 s/s net: about 5 s in (frame ~50)


def test_the_clock_starts_at_the_first_frame_not_at_construction() -> None:
    clock = Clock()
    pace = AudioPace(max_speed=1, burst_s=0.5, clock=clock)
    clock.now += 60.0  # a minute of model warm-up before the first frame gives no extra allowance
    assert pace.too_fast(0.5) is None
    assert pace.too_fast(5.0) is not None
