"""The engine on the pool with a real model (tiny.en): text, timestamps, confidence, silence, errors."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import asr
from tests.asr.conftest import TEST_MODEL, word_error_rate
from workers import EmbeddedPool, ModelSpec, PoolSettings, Priority

TINY = asr.TranscribeOptions(model=TEST_MODEL)


def test_jfk_text_words_and_confidence(jfk_bytes: bytes, asr_pool: EmbeddedPool, clips: dict[str, str]) -> None:
    options = TINY.model_copy(update={"word_timestamps": True})
    result = asr.transcribe(jfk_bytes, options, pool=asr_pool)
    assert word_error_rate(clips["jfk.wav"], result.text) < 0.15
    assert result.language == "en" and result.model == TEST_MODEL
    assert result.duration == pytest.approx(11.0, abs=0.05)
    for segment in result.segments:
        assert segment.confidence == pytest.approx(math.exp(segment.avg_logprob), abs=1e-3)
        assert 0 <= segment.start < segment.end <= 11.1
    starts = [w.start for w in result.words]
    assert len(result.words) >= 20 and starts == sorted(starts)
    assert all(0 <= w.probability <= 1 for w in result.words)


def test_clips_are_transcribed_and_silence_gives_no_words(
    speech_dir: Path, clips: dict[str, str], asr_pool: EmbeddedPool
) -> None:
    clip_dir = speech_dir / "general" / "clips"
    silence = asr.transcribe(clip_dir / "_sil.wav", TINY, pool=asr_pool)
    assert silence.text == "" and silence.segments == []
    for name in ("goforward.wav", "librivox_0880.wav", "stereo_right.wav"):
        result = asr.transcribe(clip_dir / name, TINY, pool=asr_pool)
        assert word_error_rate(clips[name], result.text) <= 0.25, (name, result.text)


def test_without_vad_silence_and_noise_still_give_no_words(
    speech_dir: Path, jfk_bytes: bytes, clips: dict[str, str], asr_pool: EmbeddedPool
) -> None:
    whole = TINY.model_copy(update={"vad": False, "condition_on_previous_text": True, "batch_size": 0})
    assert asr.transcribe(speech_dir / "general" / "clips" / "_sil.wav", whole, pool=asr_pool).segments == []
    noise = np.random.default_rng(1).normal(0, 0.01, 16000 * 40).astype(np.float32)  # over one 30 s window
    assert asr.transcribe(noise, whole, pool=asr_pool).text == ""
    assert word_error_rate(clips["jfk.wav"], asr.transcribe(jfk_bytes, whole, pool=asr_pool).text) < 0.15


def test_pure_noise_is_not_transcribed_as_speech(asr_pool: EmbeddedPool) -> None:
    noise = np.random.default_rng(0).normal(0, 0.01, 16000 * 5).astype(np.float32)
    assert asr.transcribe(noise, TINY, pool=asr_pool).text == ""


def test_stream_yields_the_same_segments_as_transcribe(jfk_bytes: bytes, asr_pool: EmbeddedPool) -> None:
    whole = asr.transcribe(jfk_bytes, TINY, pool=asr_pool)
    streamed = list(asr.stream(jfk_bytes, TINY, pool=asr_pool))
    assert [s.text for s in streamed] == [s.text for s in whole.segments]


def test_a_stream_closed_unread_is_never_transcribed(jfk_bytes: bytes) -> None:
    """A stream its reader abandons before the first segment (a client gone before the first byte) is cancelled in
    the queue, never run (a running one stops at its next segment: test_progress_callback_can_cancel)."""
    pool = EmbeddedPool(PoolSettings(cpu_threads=1, cpu_express_threads=0, use_cuda=False), devices=["cpu"])
    try:
        gate = threading.Event()
        pool.submit(ModelSpec(id="stand-in-hog", loader=lambda d: object(), memory_mb=1), lambda m: gate.wait(30))
        time.sleep(0.05)
        abandoned = asr.stream(jfk_bytes, TINY, pool=pool, priority=Priority.INTERACTIVE)
        abandoned.close()
        gate.set()
        assert abandoned.future.cancelled() and list(abandoned) == []
    finally:
        gate.set()
        pool.shutdown()


def test_progress_callback_can_cancel(jfk_bytes: bytes, asr_pool: EmbeddedPool) -> None:
    seen: list[float] = []

    def stop(_segment: asr.Segment, covered: float) -> None:
        seen.append(covered)
        raise asr.TranscriptionCancelled("stop")

    with pytest.raises(asr.TranscriptionCancelled):
        asr.transcribe(jfk_bytes, TINY, pool=asr_pool, on_segment=stop)
    assert len(seen) == 1 and 0 < seen[0] < 11.5


def test_bad_model_and_language_fail_before_any_work(jfk_bytes: bytes, asr_pool: EmbeddedPool) -> None:
    with pytest.raises(asr.UnknownModelError):
        asr.transcribe(jfk_bytes, asr.TranscribeOptions(model="no-such-model"), pool=asr_pool, allow_passthrough=False)
    with pytest.raises(asr.UnknownModelError):  # no path traversal through the model name
        asr.resolve_model("../whisper/base", allow_passthrough=False)
    with pytest.raises(asr.UnsupportedLanguageError):
        asr.transcribe(jfk_bytes, TINY.model_copy(update={"language": "xx"}), pool=asr_pool)
    assert asr.transcribe(jfk_bytes, TINY.model_copy(update={"language": "English"}), pool=asr_pool).language == "en"
    with pytest.raises(asr.UnsupportedLanguageError, match="English-only"):
        asr.transcribe(jfk_bytes, TINY.model_copy(update={"language": "de"}), pool=asr_pool)
    with pytest.raises(asr.UnsupportedLanguageError):
        asr.transcribe(jfk_bytes, TINY.model_copy(update={"task": "translate"}), pool=asr_pool)


def test_model_names_resolve_to_the_model_dir(asr_settings: asr.AsrSettings) -> None:
    assert asr.resolve_model("whisper-1", asr_settings).id == asr_settings.default_model
    tiny = asr.resolve_model("tiny.en", asr_settings)
    assert Path(tiny.target) == asr_settings.model_dir / "whisper" / "tiny.en" and not tiny.multilingual
    assert asr.resolve_model("Systran/faster-whisper-small", asr_settings).target == "Systran/faster-whisper-small"
    assert asr.resolve_model(tiny.target, asr_settings).target == tiny.target  # a directory passes through
    assert "tiny.en" in asr.available_models(asr_settings)


def test_batched_pipeline_gives_the_same_words(jfk_bytes: bytes, asr_pool: EmbeddedPool, clips: dict[str, str]) -> None:
    batched = asr.transcribe(
        jfk_bytes, TINY.model_copy(update={"batch_size": 8, "word_timestamps": True}), pool=asr_pool
    )
    assert word_error_rate(clips["jfk.wav"], batched.text) < 0.15
    assert batched.words and batched.segments[0].confidence > 0


def test_batching_without_vad_falls_back_to_sequential(asr_pool: EmbeddedPool) -> None:
    # faster-whisper's batched pipeline raises on > 30 s without VAD; that must never reach a caller.
    noise = np.random.default_rng(1).normal(0, 0.001, 16000 * 35).astype(np.float32)
    options = TINY.model_copy(update={"batch_size": 8, "vad": False})
    assert isinstance(asr.transcribe(noise, options, pool=asr_pool).text, str)


def test_no_segment_ends_past_the_audio() -> None:
    """The last of Whisper's windows can end on a timestamp later than its audio: times are held to the duration."""
    from asr.engines.faster_whisper import _within
    from asr.schemas import Segment, Word

    words = [Word(word=" No.", start=149.0, end=164.1, probability=0.9)]
    late = Segment(id=3, start=149.0, end=164.08, text="No.", confidence=0.8, words=words)
    held = _within(late, 150.0)
    assert (held.start, held.end, held.words[0].end) == (149.0, 150.0, 150.0)
    assert _within(held, 150.0) is held  # a segment within the audio is left as it is
