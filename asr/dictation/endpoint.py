"""Utterance end by Silero VAD (the model inside faster-whisper), run on each new stretch of audio."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faster_whisper.vad import get_vad_model

WINDOW = 512  # Silero's window at 16 kHz: 32 ms


class StreamingVad:
    """Silero speech probabilities for each whole 512-sample window, fed chunk by chunk. faster-whisper's
    Silero graph carries its recurrent state (h, c) through the windows of a call; this carries it
    across calls too, so chunked audio gets the probabilities one call on the whole would give."""

    CONTEXT = 64

    def __init__(self) -> None:
        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(self.CONTEXT, dtype=np.float32)

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        usable = len(samples) // WINDOW * WINDOW
        if usable == 0:
            return np.zeros(0, dtype=np.float32)
        windows = samples[:usable].astype(np.float32, copy=False).reshape(-1, WINDOW)
        context = np.concatenate([self._context[None], windows[:-1, -self.CONTEXT :]])
        batch = np.concatenate([context, windows], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -self.CONTEXT :].copy()
        return np.asarray(out).reshape(-1)


@dataclass
class Endpoint:
    speech_start: int  # sample where speech began
    speech_end: int  # sample after the last speech window


class Endpointer:
    """Turns window probabilities into utterances: speech starts above `threshold`, ends after
    `min_silence` samples below `threshold - 0.15`; bursts shorter than `min_speech` are dropped."""

    def __init__(self, threshold: float, min_silence: int, min_speech: int) -> None:
        self.threshold = threshold
        self.negative = max(threshold - 0.15, 0.01)
        self.min_silence = min_silence
        self.min_speech = min_speech
        self.reset()

    def reset(self) -> None:
        self.speech_start: int | None = None
        self.speech_end = 0
        self.speech_samples = 0
        self.silence_since: int | None = None
        self._low_since: int | None = None
        self.best_pause: tuple[int, int] | None = None  # longest pause inside the utterance

    @property
    def in_speech(self) -> bool:
        return self.speech_start is not None

    def push(self, prob: float, at: int) -> Endpoint | None:
        """One window starting at sample `at`; returns the utterance it closes, if any."""
        if prob >= self.threshold:
            if self.speech_start is None:
                self.speech_start = at
            self._note_pause(at)
            self.speech_end = at + WINDOW
            self.speech_samples += WINDOW
            self.silence_since = None
            return None
        if self.speech_start is None:
            return None
        if self._low_since is None:
            self._low_since = at
        if prob < self.negative and self.silence_since is None:
            self.silence_since = at
        if self.silence_since is not None and at + WINDOW - self.speech_end >= self.min_silence:
            return self.close()
        return None

    def _note_pause(self, at: int) -> None:
        low = self._low_since
        longest = self.best_pause[1] - self.best_pause[0] if self.best_pause else 0
        if low is not None and at - low >= 3 * WINDOW and at - low >= longest:
            self.best_pause = (low, at)
        self._low_since = None

    def cut(self, now: int) -> Endpoint:
        """Split an utterance that runs too long: at the middle of its longest pause, else at `now`."""
        assert self.speech_start is not None
        point = (self.best_pause[0] + self.best_pause[1]) // 2 if self.best_pause else now
        ended = Endpoint(self.speech_start, point)
        self.speech_start = point
        self.speech_samples = max(0, now - point)
        self.best_pause = None
        return ended

    def close(self) -> Endpoint | None:
        """End the current utterance now (stop, or a forced cut); None when it held too little speech."""
        if self.speech_start is None:
            return None
        ended = Endpoint(self.speech_start, self.speech_end)
        enough = self.speech_samples >= self.min_speech
        self.reset()
        return ended if enough else None
