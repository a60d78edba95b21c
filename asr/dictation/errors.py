"""Errors a dictation session reports to its client, each with a short code."""

from __future__ import annotations


class DictationError(ValueError):
    def __init__(self, message: str, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
