"""Speech synthesis: `tts.synthesize(text, voice, fmt) -> Audio`, `tts.stream(...)`, speech marks, SSML, lexicons.

Neural voices (piper, in-process on the shared pool) and standard voices (flite, festival, espeak-ng).
"""

from pathlib import Path

from tts.errors import (
    EmptyTextError,
    EngineFailedError,
    InvalidLexiconError,
    InvalidSsmlError,
    TextTooLongError,
    TtsError,
    UnknownEngineError,
    UnknownLexiconError,
    UnknownVoiceError,
    UnsupportedFormatError,
    UnsupportedSampleRateError,
)
from tts.install import DEFAULT_VOICE, install_piper_voice
from tts.lexicon import Lexicon, parse_pls
from tts.normalize import normalize_text
from tts.schemas import MAX_JOB_CHARS, MAX_TEXT_CHARS, Audio, SpeechMark, VoiceInfo
from tts.synthesize import (
    Request,
    prepare,
    run_request,
    speech_marks,
    stream,
    stream_request,
    synthesize,
    write_request,
)
from tts.voices import catalog


def list_voices(
    engine: str | None = None, language: str | None = None, model_dir: Path | None = None
) -> list[VoiceInfo]:
    return catalog(model_dir).list(engine, language)


__all__ = [
    "DEFAULT_VOICE",
    "MAX_JOB_CHARS",
    "MAX_TEXT_CHARS",
    "Audio",
    "EmptyTextError",
    "EngineFailedError",
    "InvalidLexiconError",
    "InvalidSsmlError",
    "Lexicon",
    "Request",
    "SpeechMark",
    "TextTooLongError",
    "TtsError",
    "UnknownEngineError",
    "UnknownLexiconError",
    "UnknownVoiceError",
    "UnsupportedFormatError",
    "UnsupportedSampleRateError",
    "VoiceInfo",
    "catalog",
    "install_piper_voice",
    "list_voices",
    "normalize_text",
    "parse_pls",
    "prepare",
    "run_request",
    "speech_marks",
    "stream",
    "stream_request",
    "synthesize",
    "write_request",
]
