"""Batch transcription runs on its own niced model instance, so live dictation keeps the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

import asr
from tests.asr.conftest import TEST_MODEL, word_error_rate
from workers import EmbeddedPool, Priority

TINY = asr.TranscribeOptions(model=TEST_MODEL)


def niced_threads() -> int:
    count = 0
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        count += int(fields[16]) >= 10
    return count


def test_batch_priority_uses_a_niced_instance(jfk_bytes: bytes, asr_pool: EmbeddedPool, clips: dict[str, str]) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to read thread priorities")
    asr_pool.unload(f"whisper:{TEST_MODEL}@batch")  # loaded by an earlier test: count its threads afresh
    niced_before = niced_threads()
    batch = asr.transcribe(jfk_bytes, TINY, pool=asr_pool, priority=Priority.BATCH)
    live = asr.transcribe(jfk_bytes, TINY, pool=asr_pool, priority=Priority.INTERACTIVE)
    assert word_error_rate(clips["jfk.wav"], batch.text) < 0.15
    assert batch.text == live.text, "both instances are the same model"
    loaded = {m.id for m in asr_pool.status().models}
    assert {f"whisper:{TEST_MODEL}", f"whisper:{TEST_MODEL}@batch"} <= loaded
    assert niced_threads() > niced_before, "CTranslate2's threads of the batch instance run niced"
