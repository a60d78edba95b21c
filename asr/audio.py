"""Decode any audio container PyAV (FFmpeg) knows into 16 kHz float32, format detected from content.

The mono mix feeds Whisper; the first two channels are kept on request because stereo
consultation recordings usually put clinician and patient on separate channels.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np
from pydantic import BaseModel

from asr.errors import AudioDecodeError, AudioTooLongError, AudioTooShortError

SAMPLE_RATE = 16000
MIN_SECONDS = 0.1  # the OpenAI API's floor; anything shorter holds no word
# A decode that ends this much before the duration the container declares is a cut-off file.
_TRUNCATION_TOLERANCE = 0.9

AudioSource = bytes | bytearray | str | os.PathLike | BinaryIO


class AudioInfo(BaseModel):
    """What the container says, read without decoding (cheap: decide sync vs job before work)."""

    format: str
    codec: str
    sample_rate: int
    channels: int
    duration: float | None  # None when the container does not declare it (some streams)


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # (n,) float32 mono at SAMPLE_RATE, the model input
    channels: np.ndarray | None = None  # (2, n) float32 when the source had two or more channels
    format: str = "raw"

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @classmethod
    def from_array(cls, samples: np.ndarray) -> Audio:
        """Wrap samples already at 16 kHz: (n,) mono, or (2, n) channels."""
        array = np.asarray(samples, dtype=np.float32)
        if array.ndim == 2:
            return cls(samples=array.mean(axis=0), channels=array[:2] if array.shape[0] >= 2 else None)
        return cls(samples=array)


def _open(source: AudioSource) -> av.container.InputContainer:
    if isinstance(source, bytes | bytearray):
        if not source:
            raise AudioDecodeError("the audio file is empty")
        source = io.BytesIO(bytes(source))
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise AudioDecodeError(f"no such audio file: {path}")
        if path.stat().st_size == 0:
            raise AudioDecodeError("the audio file is empty")
        source = str(path)
    try:
        container = av.open(source, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError("the file is not a recognised audio format") from exc
    if not container.streams.audio:
        container.close()
        raise AudioDecodeError(f"the file holds no audio stream (detected as {container.format.name!r})")
    return container


def _declared_duration(container: av.container.InputContainer) -> float | None:
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _byte_size(source: AudioSource) -> int | None:
    if isinstance(source, bytes | bytearray):
        return len(source)
    if isinstance(source, str | os.PathLike):
        return Path(source).stat().st_size
    return None


def probe(source: AudioSource) -> AudioInfo:
    """Container facts without decoding. A file far smaller than its header's bit rate times its
    declared duration is cut off: refused here, before it is queued as a long job."""
    size = _byte_size(source)
    with _open(source) as container:
        stream = container.streams.audio[0]
        declared = _declared_duration(container)
        expected = stream.bit_rate / 8 * declared if stream.bit_rate and declared else None
        if size and expected and size < 0.5 * expected:
            raise AudioDecodeError(f"the audio is truncated: {size} bytes where its header implies ~{expected:.0f}")
        return AudioInfo(
            format=container.format.name,
            codec=stream.codec_context.name,
            sample_rate=stream.rate or 0,
            channels=stream.channels or 0,
            duration=declared,
        )


def decode(source: AudioSource, *, max_seconds: float | None = None) -> Audio:
    """Decode to 16 kHz. Raises AudioDecodeError for empty, non-audio, cut-off or too-short input."""
    if isinstance(source, Audio):
        return source
    with _open(source) as container:
        stream = container.streams.audio[0]
        stereo = (stream.channels or 1) >= 2
        declared = _declared_duration(container)
        fmt = container.format.name
        resampler = av.AudioResampler(format="fltp", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        decoded = 0
        try:
            for frame in container.decode(stream):
                frame.pts = None  # resample by sample count; broken timestamps must not drop audio
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
                    decoded += out.samples
                if max_seconds is not None and decoded > max_seconds * SAMPLE_RATE:
                    raise AudioTooLongError(f"the audio is longer than the {max_seconds:.0f} s allowed here")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except av.FFmpegError as exc:
            raise AudioDecodeError(f"the audio is corrupt or truncated after {decoded / SAMPLE_RATE:.1f} s") from exc
    if not chunks:
        raise AudioDecodeError("no audio could be decoded from the file")
    planar = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    seconds = planar.shape[1] / SAMPLE_RATE
    if declared and declared > 2.0 and seconds < declared * _TRUNCATION_TOLERANCE:
        raise AudioDecodeError(
            f"the audio is truncated: {seconds:.1f} s decoded of the {declared:.1f} s the file declares"
        )
    if seconds < MIN_SECONDS - 1e-3:
        raise AudioTooShortError(f"the audio is too short ({seconds:.3f} s); the minimum is {MIN_SECONDS} s")
    if stereo:
        return Audio(samples=planar.mean(axis=0), channels=planar[:2], format=fmt)
    return Audio(samples=planar[0], format=fmt)
