"""Audio encoders: float PCM chunks in, encoded bytes out as they become ready (streaming-friendly).

PyAV (FFmpeg) does the codecs and resampling; WAV and raw PCM are written directly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import av
import numpy as np

from tts.errors import UnsupportedFormatError, UnsupportedSampleRateError


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    container: str | None  # None: written by hand (wav, pcm)
    codec: str | None
    rates: tuple[int, ...] | None = None  # None: any of SAMPLE_RATES
    layout: str = "mono"  # FFmpeg's Vorbis encoder takes stereo only: mono is duplicated
    codec_options: tuple[tuple[str, str], ...] = ()


SAMPLE_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
FORMATS: dict[str, Format] = {
    "mp3": Format("mp3", "audio/mpeg", "mp3", "libmp3lame", (8000, 16000, 22050, 24000, 32000, 44100, 48000)),
    "opus": Format("opus", "audio/ogg", "ogg", "libopus", (8000, 16000, 24000, 48000)),
    "ogg_vorbis": Format(
        "ogg_vorbis", "audio/ogg", "ogg", "vorbis", layout="stereo", codec_options=(("strict", "-2"),)
    ),
    "aac": Format("aac", "audio/aac", "adts", "aac"),
    "flac": Format("flac", "audio/flac", "flac", "flac"),
    "wav": Format("wav", "audio/wav", None, None),
    "pcm": Format("pcm", "audio/pcm", None, None),
}


def get_format(name: str, allowed: tuple[str, ...] | None = None) -> Format:
    names = allowed or tuple(FORMATS)
    if name not in names:
        raise UnsupportedFormatError(f"unsupported format {name!r}; use one of {', '.join(names)}", param="format")
    return FORMATS[name]


def check_rate(fmt: Format, rate: int) -> int:
    rates = fmt.rates or SAMPLE_RATES
    if rate not in rates:
        raise UnsupportedSampleRateError(
            f"sample rate {rate} is not available for {fmt.name}; use one of {', '.join(map(str, rates))}",
            param="sample_rate",
        )
    return rate


def nearest_rate(fmt: Format, rate: int) -> int:
    """The supported rate closest to (and preferably not below) the voice's own."""
    rates = fmt.rates or SAMPLE_RATES
    above = [r for r in rates if r >= rate]
    return min(above) if above else max(rates)


class _Sink:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def wav_header(sample_rate: int, data_bytes: int | None) -> bytes:
    """A 16-bit mono WAV header; `data_bytes=None` writes the streaming form (sizes 0xFFFFFFFF)."""
    size = 0xFFFFFFFF if data_bytes is None else data_bytes
    riff = 0xFFFFFFFF if data_bytes is None else 36 + data_bytes
    return (
        b"RIFF"
        + struct.pack("<I", riff)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", size)
    )


class Encoder:
    """Feed float32 mono chunks at `input_rate`; get encoded bytes at `output_rate` back as they are ready."""

    def __init__(self, fmt: Format, input_rate: int, output_rate: int, streaming: bool = True) -> None:
        self.fmt = fmt
        self.input_rate = input_rate
        self.output_rate = output_rate
        self.streaming = streaming
        self._pcm: list[bytes] = []  # whole-file WAV keeps PCM to write exact sizes
        self._header_sent = False
        self._pts = 0
        self._resampler = av.AudioResampler(
            format="s16" if fmt.container is None else self._codec_format(fmt), layout=fmt.layout, rate=output_rate
        )
        self._sink = _Sink()
        self._container = None
        self._stream = None
        if fmt.container is not None:
            # small Ogg pages so a stream sends audio as it is encoded, not once a second
            options = {"page_duration": "100000"} if fmt.container == "ogg" else {}
            self._container = av.open(self._sink, "w", format=fmt.container, options=options)
            self._stream = self._container.add_stream(
                fmt.codec, rate=output_rate, layout=fmt.layout, options=dict(fmt.codec_options)
            )
            if fmt.name == "mp3":
                self._stream.bit_rate = 64000 if output_rate <= 24000 else 128000

    @staticmethod
    def _codec_format(fmt: Format) -> str:
        return av.codec.Codec(fmt.codec, "w").audio_formats[0].name

    def _frames(self, samples: np.ndarray | None) -> list[av.AudioFrame]:
        if samples is None:
            return self._resampler.resample(None)
        pcm = np.clip(samples, -1.0, 1.0)
        frame = av.AudioFrame.from_ndarray((pcm * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.input_rate
        frame.pts = None
        return self._resampler.resample(frame)

    def _raw(self, frames: list[av.AudioFrame]) -> bytes:
        data = b"".join(f.to_ndarray().astype("<i2").tobytes() for f in frames)
        if self.fmt.name == "pcm":
            return data
        if not self.streaming:
            self._pcm.append(data)
            return b""
        head = b"" if self._header_sent else wav_header(self.output_rate, None)
        self._header_sent = True
        return head + data

    def _encode(self, frames: list[av.AudioFrame | None]) -> bytes:
        assert self._container is not None and self._stream is not None
        for frame in frames:
            if frame is not None:
                frame.pts = self._pts
                self._pts += frame.samples
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        return self._sink.drain()

    def write(self, samples: np.ndarray) -> bytes:
        if len(samples) == 0:
            return b""
        frames = self._frames(samples)
        return self._raw(frames) if self._container is None else self._encode(frames)

    def close(self) -> bytes:
        frames = self._frames(None)
        if self._container is None:
            tail = self._raw(frames)
            if self.fmt.name == "wav" and not self.streaming:
                data = b"".join(self._pcm)
                return wav_header(self.output_rate, len(data)) + data
            if self.fmt.name == "wav" and not self._header_sent:
                return wav_header(self.output_rate, None) + tail
            return tail
        out = self._encode([*frames, None])
        self._container.close()
        return out + self._sink.drain()


def encode(samples: np.ndarray, input_rate: int, fmt: Format, output_rate: int) -> bytes:
    encoder = Encoder(fmt, input_rate, output_rate, streaming=False)
    return encoder.write(samples) + encoder.close()
