"""Speech recognition: `asr.transcribe(audio, options) -> Transcript`, medical layer in `asr.medical`."""

from asr.audio import Audio, AudioInfo, decode, probe
from asr.config import AsrSettings
from asr.errors import (
    AsrError,
    AudioDecodeError,
    AudioTooLongError,
    AudioTooShortError,
    TranscriptionCancelled,
    UnknownModelError,
    UnsupportedLanguageError,
)
from asr.models import ModelNotInstalledError, available_models, resolve_model
from asr.schemas import Segment, TranscribeOptions, Transcript, Word
from asr.transcribe import stream, transcribe

__all__ = [
    "AsrError",
    "AsrSettings",
    "Audio",
    "AudioDecodeError",
    "AudioInfo",
    "AudioTooLongError",
    "AudioTooShortError",
    "ModelNotInstalledError",
    "Segment",
    "TranscribeOptions",
    "Transcript",
    "TranscriptionCancelled",
    "UnknownModelError",
    "UnsupportedLanguageError",
    "Word",
    "available_models",
    "decode",
    "probe",
    "resolve_model",
    "stream",
    "transcribe",
]
