"""CTranslate2 decodes garbage when it runs more threads than OMP_THREAD_LIMIT allows (the OCR module once
set that limit process-wide, and every gateway it shared a process with then transcribed "the, the, the").
The Whisper loader keeps its threads within the limit: checked in a fresh process, where the limit binds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asr
from api.settings import REPO_ROOT
from tests.asr.conftest import TEST_MODEL, word_error_rate
from workers import ct2_cpu_threads

JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
DECODE = """
import json, sys
import asr
from asr.models import WhisperLoader
model = WhisperLoader(sys.argv[1], cpu_threads=2)("cpu")
audio = asr.decode(sys.argv[2])
segments, _ = model.transcribe(audio.samples, beam_size=1, condition_on_previous_text=False)
print(json.dumps(" ".join(s.text.strip() for s in segments)))
"""


def test_thread_count_stays_within_the_openmp_limit(monkeypatch) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert ct2_cpu_threads(2) == 2 and ct2_cpu_threads(0) == 0
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    assert ct2_cpu_threads(2) == 1 and ct2_cpu_threads(0) == 1
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")
    assert ct2_cpu_threads(2) == 2 and ct2_cpu_threads(0) == 3
    monkeypatch.setenv("OMP_THREAD_LIMIT", "not a number")
    assert ct2_cpu_threads(2) == 2


def test_whisper_under_a_one_thread_openmp_limit_still_transcribes(
    asr_settings: asr.AsrSettings, speech_dir: Path
) -> None:
    model = asr_settings.model_dir / "whisper" / TEST_MODEL
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        [sys.executable, "-c", DECODE, str(model), str(speech_dir / "general" / "jfk.flac")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    text = json.loads(done.stdout.strip().splitlines()[-1])
    assert word_error_rate(JFK, text) <= 0.15, text
