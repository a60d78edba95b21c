"""TTS errors: each carries a stable code, the parameter at fault and, for SSML/PLS, the position."""

from __future__ import annotations


class TtsError(Exception):
    code = "tts_error"
    status = 400

    def __init__(self, message: str, *, param: str | None = None, position: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.position = position


class EmptyTextError(TtsError):
    code = "empty_text"


class TextTooLongError(TtsError):
    code = "text_too_long"
    status = 413


class UnknownVoiceError(TtsError):
    code = "voice_not_found"


class UnknownEngineError(TtsError):
    code = "engine_not_found"


class UnsupportedFormatError(TtsError):
    code = "unsupported_format"


class UnsupportedSampleRateError(TtsError):
    code = "unsupported_sample_rate"


class InvalidSsmlError(TtsError):
    code = "invalid_ssml"


class InvalidLexiconError(TtsError):
    code = "invalid_lexicon"


class UnknownLexiconError(TtsError):
    code = "lexicon_not_found"
    status = 404


class EngineFailedError(TtsError):
    code = "engine_failed"
    status = 502


class VoiceNotInstalledError(TtsError):
    code = "voice_not_installed"
    status = 503
