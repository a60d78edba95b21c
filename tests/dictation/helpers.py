"""Helpers for dictation tests: recordings as PCM16 frames, word error rate, a socket conversation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

import asr
from tests.metrics import word_edit_rate

RATE = 16000


def pcm16(path: Path, seconds: float | None = None) -> bytes:
    samples = asr.decode(path).samples
    if seconds is not None:
        samples = samples[: int(seconds * RATE)]
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def frames(pcm: bytes, seconds: float = 0.1) -> list[bytes]:
    size = int(seconds * RATE) * 2
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


def words(text: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    return word_edit_rate(words(reference), words(hypothesis))


def word_recall(reference: str, hypothesis: str) -> float:
    """Share of the reference's words (with repeats) that the hypothesis contains, in any order."""
    pool = words(hypothesis)
    found = 0
    for word in words(reference):
        if word in pool:
            pool.remove(word)
            found += 1
    return found / max(1, len(words(reference)))


def reference(data_dir: Path, clip: str) -> str:
    return json.loads((data_dir / "speech/general/clips/manifest.json").read_text())[clip]
