"""Errors a dictation session reports to its client, each with a short code."""

from __future__ import annotations


class DictationError(ValueError):
    def __init__(self, message: str, code: str = "invalid_request", retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after_s = retry_after_s  # the server is full (too_many_sessions): worth a retry then
