"""How fast live audio may arrive: a socket client streams as it records, not a file at once.

Shared by the live sockets (dictation, voice chat). The clock starts at the connection's first frame, so a
model's warm-up before `ready` is not time the client could have streamed in; the clock is injectable so the
rule is tested without depending on how fast a busy machine moves frames."""

from __future__ import annotations

import time
from collections.abc import Callable


class AudioPace:
    """Audio may run `max_speed` times faster than real time after a head start of `burst_s` seconds."""

    def __init__(self, max_speed: float, burst_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_speed = max_speed
        self.burst_s = burst_s
        self._clock = clock
        self._first_at: float | None = None

    def too_fast(self, audio_s: float) -> str | None:
        """Call on each frame with the seconds of audio this connection has sent so far (that frame included):
        why it is refused, or None while the pace is within the limit."""
        now = self._clock()
        if self._first_at is None:
            self._first_at = now
        elapsed = now - self._first_at
        if audio_s <= elapsed * self.max_speed + self.burst_s:
            return None
        return (f"audio arrives faster than {self.max_speed:g}x real time ({audio_s:.0f} s of audio in "
                f"{elapsed:.1f} s); stream it as it is recorded")  # fmt: skip
