"""Speech recognition: `asr.transcribe(audio, options) -> Transcript`, medical layer in `asr.medical`.

Names are imported on first use (PEP 562), so `asr.config`, the settings section the gateway reads at start-up,
imports without the engines (faster-whisper, PyAV) that a gateway without the asr extra lacks.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Audio": "asr.audio",
    "AudioInfo": "asr.audio",
    "decode": "asr.audio",
    "probe": "asr.audio",
    "AsrSettings": "asr.config",
    "AsrError": "asr.errors",
    "AudioDecodeError": "asr.errors",
    "AudioTooLongError": "asr.errors",
    "AudioTooShortError": "asr.errors",
    "TranscriptionCancelled": "asr.errors",
    "UnknownModelError": "asr.errors",
    "UnsupportedLanguageError": "asr.errors",
    "ModelNotInstalledError": "asr.models",
    "available_models": "asr.models",
    "check_model": "asr.models",
    "resolve_model": "asr.models",
    "Segment": "asr.schemas",
    "TranscribeOptions": "asr.schemas",
    "Transcript": "asr.schemas",
    "Word": "asr.schemas",
    "SegmentStream": "asr.transcription",
    "stream": "asr.transcription",
    "transcribe": "asr.transcription",
    "warm": "asr.transcription",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        try:  # a submodule, as `import asr; asr.schemas` finds it once something imported it
            value = importlib.import_module(f"asr.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"asr.{name}":
                raise
            raise AttributeError(f"module 'asr' has no attribute {name!r}") from None
    globals()[name] = value
    return value
