"""Decoding: formats detected from content, 16 kHz mono float32, channels kept, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import asr
from tests.asr.conftest import encode, wav_bytes


def test_flac_stereo_decodes_to_16k_mono_and_keeps_channels(jfk_bytes: bytes) -> None:
    audio = asr.decode(jfk_bytes)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.duration == pytest.approx(11.0, abs=0.05)
    assert audio.channels is not None and audio.channels.shape == (2, len(audio.samples))
    assert audio.format == "flac"
    assert 0.01 < float(np.abs(audio.samples).max()) <= 1.0


def test_mp3_at_24k_is_resampled(speech_dir: Path) -> None:
    info = asr.probe(speech_dir / "general" / "multilingual.mp3")
    assert (info.format, info.sample_rate, info.channels) == ("mp3", 24000, 1)
    audio = asr.decode(speech_dir / "general" / "multilingual.mp3")
    assert audio.channels is None
    assert len(audio.samples) == pytest.approx(info.duration * 16000, rel=0.01)


@pytest.mark.parametrize(("container", "codec"), [("ogg", "libopus"), ("webm", "libopus"), ("ipod", "aac")])
def test_other_containers_decode_whatever_the_name(jfk_bytes: bytes, container: str, codec: str) -> None:
    original = asr.decode(jfk_bytes).samples[: 16000 * 3]
    encoded = encode(original, container, codec, rate=48000 if codec == "libopus" else 16000)
    audio = asr.decode(encoded)  # bytes only: no file name to go by
    assert audio.duration == pytest.approx(3.0, abs=0.1)
    assert float(np.abs(audio.samples).max()) > 0.01


def test_empty_file_is_rejected() -> None:
    with pytest.raises(asr.AudioDecodeError, match="empty"):
        asr.decode(b"")


@pytest.mark.parametrize("payload", [b"hello, this is not audio\n" * 40, bytes(range(256)) * 64])
def test_non_audio_bytes_are_rejected(payload: bytes) -> None:
    with pytest.raises(asr.AudioDecodeError) as error:
        asr.decode(payload)
    assert error.value.code == "invalid_audio"


def test_git_lfs_pointer_in_data_is_not_audio(speech_dir: Path) -> None:
    with pytest.raises(asr.AudioDecodeError):
        asr.decode(speech_dir / "general" / "physicsworks.wav")


def test_truncated_mp3_is_reported_as_truncated(speech_dir: Path) -> None:
    data = (speech_dir / "medical" / "RES0198.mp3").read_bytes()
    with pytest.raises(asr.AudioDecodeError, match="truncated"):
        asr.decode(data[:30000])


def test_too_short_and_minimum_length() -> None:
    with pytest.raises(asr.AudioTooShortError):
        asr.decode(wav_bytes(np.zeros(800, dtype=np.float32)))
    assert asr.decode(wav_bytes(np.zeros(1600, dtype=np.float32))).duration == pytest.approx(0.1)


def test_max_seconds_stops_decoding(jfk_bytes: bytes) -> None:
    with pytest.raises(asr.AudioTooLongError):
        asr.decode(jfk_bytes, max_seconds=5)
