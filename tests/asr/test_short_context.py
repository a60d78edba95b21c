"""Short-context decoding (dictation partials): same words as the 30 s window on a short clip, one
segment spanning the clip, the full window when the options need it, and no loop let through."""

from __future__ import annotations

from pathlib import Path

import asr
from tests.asr.conftest import TEST_MODEL, word_error_rate
from workers import EmbeddedPool

SHORT = asr.TranscribeOptions(model=TEST_MODEL, language="en", beam_size=1, temperature=0.0, vad=False,
                              short_context_pad_s=2.0)  # fmt: skip


def test_a_short_clip_reads_the_same_on_a_short_window(
    speech_dir: Path, clips: dict[str, str], asr_pool: EmbeddedPool
) -> None:
    path = speech_dir / "general/clips/librivox_0930.wav"
    short = asr.transcribe(path, SHORT, pool=asr_pool)
    full = asr.transcribe(path, SHORT.model_copy(update={"short_context_pad_s": None}), pool=asr_pool)
    assert word_error_rate(clips["librivox_0930.wav"], short.text) <= 0.1, short.text
    assert word_error_rate(full.text, short.text) <= 0.15, (full.text, short.text)
    [segment] = short.segments
    assert segment.start == 0 and segment.end == short.duration and segment.words is None
    assert 0 < segment.confidence <= 1


def test_options_the_short_window_cannot_serve_use_the_full_one(speech_dir: Path, asr_pool: EmbeddedPool) -> None:
    path = speech_dir / "general/clips/jfk.wav"
    timed = asr.transcribe(path, SHORT.model_copy(update={"word_timestamps": True}), pool=asr_pool)
    assert timed.words and timed.segments[0].end < timed.duration  # real timestamps, not one span


def test_a_decode_that_loops_on_the_short_window_is_redone_on_the_full_one(
    speech_dir: Path, asr_pool: EmbeddedPool
) -> None:
    # With 1 s of padding tiny.en repeats "Go forward 10 meters." until its length limit.
    result = asr.transcribe(
        speech_dir / "general/clips/goforward.wav", SHORT.model_copy(update={"short_context_pad_s": 1.0}),
        pool=asr_pool,
    )  # fmt: skip
    assert result.text.lower().count("forward") == 1, result.text
