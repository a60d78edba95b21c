"""Live dictation: `DictationSession` turns streamed audio into partial and final text (VAD utterance
ends, local agreement for stable partials, dictation formatting and entities on finals)."""

from asr.config import DictationSettings
from asr.dictation.errors import DictationError
from asr.dictation.registry import SessionRegistry
from asr.dictation.schemas import (
    SAMPLE_RATES,
    DictationConfig,
    DoneEvent,
    ErrorEvent,
    Event,
    FinalEvent,
    PartialEvent,
    ReadyEvent,
)
from asr.dictation.session import DictationSession

__all__ = [
    "SAMPLE_RATES",
    "DictationConfig",
    "DictationError",
    "DictationSession",
    "DictationSettings",
    "DoneEvent",
    "ErrorEvent",
    "Event",
    "FinalEvent",
    "PartialEvent",
    "ReadyEvent",
    "SessionRegistry",
]
