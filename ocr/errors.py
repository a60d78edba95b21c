"""Errors a caller can act on: bad or oversized input. The gateway maps them to 4xx."""

from __future__ import annotations


class OcrInputError(ValueError):
    """The document cannot be read: empty, corrupt, encrypted, unsupported, too large."""

    def __init__(self, message: str, code: str = "invalid_document", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class OcrEngineError(RuntimeError):
    """An engine is missing or failed on a page."""
