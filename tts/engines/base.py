"""The engine interface: an engine lists its voices and turns a run of words into audio with word timings."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from tts.schemas import Chunk, VoiceInfo, Word
from workers import ModelPool


@runtime_checkable
class Engine(Protocol):
    name: str  # backend name: piper, flite, festival, espeak-ng, coqui

    def voices(self, model_dir: Path) -> list[VoiceInfo]: ...

    def synthesize(self, voice: VoiceInfo, words: list[Word], rate: float, pool: ModelPool, priority: int) -> Chunk:
        """Speak `words` at `rate` (1.0 = the voice's own speed). Word spans are sample offsets, one per word."""
        ...


def estimate_word_spans(samples: np.ndarray, sample_rate: int, words: list[Word]) -> list[tuple[int, int]]:
    """Forced timing for engines without alignments: find where speech starts and stops (energy over 10 ms
    frames), then share that stretch among the words by their length in letters (plus one for the gap)."""
    if not words:
        return []
    hop = max(1, sample_rate // 100)
    frames = len(samples) // hop
    if frames == 0:
        return [(0, len(samples))] * len(words)
    energy = np.sqrt(np.mean(samples[: frames * hop].reshape(frames, hop) ** 2, axis=1))
    voiced = np.nonzero(energy > max(1e-4, 0.05 * float(energy.max())))[0]
    first, last = (int(voiced[0]) * hop, int(voiced[-1] + 1) * hop) if len(voiced) else (0, len(samples))
    weights = np.array([len(w.text.strip(".,;:!?\"'")) + 1 for w in words], dtype=float)
    bounds = first + np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * (last - first)
    return [(int(bounds[i]), int(bounds[i + 1])) for i in range(len(words))]
