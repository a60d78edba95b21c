"""Errors of the asr module. The gateway maps them to 4xx answers; asr knows nothing of HTTP."""

from __future__ import annotations


class AsrError(Exception):
    """Base class; `code` is a stable machine-readable reason, `param` the offending input."""

    code = "asr_error"
    param: str | None = None

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if param:
            self.param = param


class AudioDecodeError(AsrError, ValueError):
    """The bytes are empty, not audio, truncated or otherwise undecodable."""

    code = "invalid_audio"
    param = "file"


class AudioTooShortError(AudioDecodeError):
    code = "audio_too_short"


class AudioTooLongError(AsrError, ValueError):
    """Longer than the caller allows (the gateway turns long medical audio into a job instead)."""

    code = "audio_too_long"
    param = "file"


class UnknownModelError(AsrError, ValueError):
    code = "model_not_found"
    param = "model"


class UnsupportedLanguageError(AsrError, ValueError):
    code = "unsupported_language"
    param = "language"


class TranscriptionCancelled(AsrError):
    """A progress callback asked to stop (a cancelled job, a closed stream)."""

    code = "cancelled"
