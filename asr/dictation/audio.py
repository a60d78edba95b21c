"""Client audio to 16 kHz float32: PCM16 frames (any supported rate) and WebM/Opus chunks."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import numpy as np

from asr.dictation.errors import DictationError

RATE = 16000


class Pcm16Decoder:
    """Little-endian 16-bit mono frames at `sample_rate`, resampled linearly to 16 kHz."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._carry = 0.0  # fractional output position carried between frames

    def decode(self, frame: bytes) -> np.ndarray:
        if len(frame) % 2:
            raise DictationError(
                f"a PCM16 frame must hold whole 16-bit samples; got {len(frame)} bytes", code="invalid_audio"
            )
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768.0
        if self.sample_rate == RATE or not len(samples):
            return samples
        step = self.sample_rate / RATE
        positions = np.arange(self._carry, len(samples), step)
        self._carry = positions[-1] + step - len(samples) if len(positions) else self._carry - len(samples)
        return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


class _Pipe:
    """A blocking file-like object: the WebSocket writes chunks, PyAV reads them in its own thread."""

    def __init__(self) -> None:
        self._chunks: queue.Queue[bytes | None] = queue.Queue()
        self._buffer = b""
        self._eof = False

    def write(self, data: bytes) -> None:
        self._chunks.put(data)

    def close_write(self) -> None:
        self._chunks.put(None)

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._buffer) < size):
            chunk = self._chunks.get()
            if chunk is None:
                self._eof = True
                break
            self._buffer += chunk
            if size >= 0 and self._buffer:
                break
        size = len(self._buffer) if size < 0 else size
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


class WebmDecoder:
    """MediaRecorder's WebM/Opus (or Ogg) chunks, decoded by PyAV in a thread as they arrive."""

    def __init__(self, sink: Callable[[np.ndarray], None]) -> None:
        self._pipe = _Pipe()
        self._sink = sink
        self.error: DictationError | None = None
        self._thread = threading.Thread(target=self._run, name="dictation-webm", daemon=True)
        self._thread.start()

    def feed(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self._pipe.write(chunk)

    def close(self, timeout: float = 5.0) -> None:
        self._pipe.close_write()
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        import av

        try:
            with av.open(self._pipe, mode="r") as container:
                stream = container.streams.audio[0]
                resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
                for frame in container.decode(stream):
                    frame.pts = None
                    for out in resampler.resample(frame):
                        self._sink(out.to_ndarray().reshape(-1).astype(np.float32))
        except (av.FFmpegError, IndexError, ValueError) as exc:
            self.error = DictationError(f"the webm audio could not be decoded: {exc}", code="invalid_audio")
