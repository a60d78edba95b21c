"""Shared runner for engines that are command-line programs (flite, festival, espeak-ng): text file in, WAV out."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from tts.engines.base import estimate_word_spans
from tts.errors import EngineFailedError
from tts.schemas import Chunk, Word

TIMEOUT_S = 120


def run_to_wav(program: str, build: Callable[[Path, Path], list[str]], words: list[Word]) -> Chunk:
    """`build(text_file, wav_file)` gives the argv; the words are written one line, as spoken text."""
    text = " ".join(w.text for w in words)
    with tempfile.TemporaryDirectory(prefix="voxgate-tts-") as tmp:
        text_file, wav_file = Path(tmp) / "in.txt", Path(tmp) / "out.wav"
        text_file.write_text(text + "\n", encoding="utf-8")
        try:
            done = subprocess.run(build(text_file, wav_file), capture_output=True, timeout=TIMEOUT_S, check=False)
        except FileNotFoundError as exc:
            raise EngineFailedError(f"{program} is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            raise EngineFailedError(f"{program} took longer than {TIMEOUT_S} s") from exc
        if done.returncode != 0 or not wav_file.exists() or wav_file.stat().st_size <= 44:
            message = done.stderr.decode(errors="replace").strip()[-300:]
            raise EngineFailedError(f"{program} failed (exit {done.returncode}): {message}")
        samples, sample_rate = sf.read(wav_file, dtype="float32", always_2d=True)
    mono = np.ascontiguousarray(samples.mean(axis=1))
    return Chunk(samples=mono, sample_rate=sample_rate, word_spans=estimate_word_spans(mono, sample_rate, words))


def available(program: str) -> bool:
    import shutil

    return shutil.which(program) is not None
