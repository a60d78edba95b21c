"""Fixtures for asr tests: the real engine (tiny.en for speed) on one shared pool, test audio."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the [asr] extra is not installed")

import asr  # noqa: E402
from tests.metrics import word_edit_rate
from workers import EmbeddedPool, PoolSettings  # noqa: E402

TEST_MODEL = "tiny.en"


@pytest.fixture(scope="session")
def asr_settings() -> asr.AsrSettings:
    settings = asr.AsrSettings()
    if not (settings.model_dir / "whisper" / TEST_MODEL / "model.bin").is_file():
        pytest.skip(f"whisper {TEST_MODEL} not installed in {settings.model_dir}: run scripts/install_models.py")
    return settings


@pytest.fixture(scope="session")
def asr_pool(asr_settings: asr.AsrSettings) -> Iterator[EmbeddedPool]:
    """One pool for the whole session so each model loads once. It never sheds load: on one thread a job an earlier
    test left running can hold a sync request past the 2 x 1 s default budget on a busy machine (503 pool_busy in
    test_formats and test_medical_sync under load); shedding has its own pools (test_router's busy-pool test,
    tests/api/test_overload.py)."""
    unshed = {"max_estimated_wait_s": 0, "max_admitted_wait_factor": 0, "max_queue_wait_s": 0}
    pool = EmbeddedPool(PoolSettings(cpu_threads=1, use_cuda=False, **unshed), devices=["cpu"])
    yield pool
    pool.shutdown()


@pytest.fixture(scope="session")
def speech_dir(data_dir: Path) -> Path:
    path = data_dir / "speech"
    if not path.is_dir():
        pytest.skip(f"no speech data in {data_dir}")
    return path


@pytest.fixture(scope="session")
def jfk_bytes(speech_dir: Path) -> bytes:
    return (speech_dir / "general" / "jfk.flac").read_bytes()


@pytest.fixture(scope="session")
def clips(speech_dir: Path) -> dict[str, str]:
    return json.loads((speech_dir / "general" / "clips" / "manifest.json").read_text())


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    return word_edit_rate(words(reference), words(hypothesis))


def encode(samples: np.ndarray, container: str, codec: str, rate: int = 16000) -> bytes:
    """Encode mono float samples with PyAV, to test formats the data folder lacks."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame_size = 960
        if rate != 16000:  # samples are 16 kHz; stretch them to the codec's rate
            samples = np.interp(
                np.arange(len(samples) * rate // 16000) * 16000 / rate, np.arange(len(samples)), samples
            )
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        for start in range(0, len(pcm), frame_size):
            frame = av.AudioFrame.from_ndarray(pcm[None, start : start + frame_size], format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()
