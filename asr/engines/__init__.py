"""Engines behind one Protocol; adding an engine is adding a file and a registry entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from asr.engines.faster_whisper import FasterWhisperEngine
from asr.schemas import Segment, TranscribeOptions, Transcript

SegmentCallback = Callable[[Segment, float], None]  # (segment, seconds of audio covered so far)


class AsrEngine(Protocol):
    name: str

    def transcribe(
        self, model: Any, samples: np.ndarray, options: TranscribeOptions, on_segment: SegmentCallback | None
    ) -> Transcript:
        """Run on the pool's executor thread with the loaded model."""
        ...


ENGINES: dict[str, AsrEngine] = {FasterWhisperEngine.name: FasterWhisperEngine()}


def get_engine(name: str = FasterWhisperEngine.name) -> AsrEngine:
    return ENGINES[name]
