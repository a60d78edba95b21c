"""Translation errors a caller can act on; the gateway maps them to 4xx."""

from __future__ import annotations


class TranslationError(ValueError):
    def __init__(self, message: str, code: str = "translation_error", param: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.param = param


class UnsupportedPair(TranslationError):
    def __init__(self, source: str, target: str, available: list[str]) -> None:
        super().__init__(
            f"no translation from {source!r} to {target!r}, directly or through one pivot language; "
            f"available pairs: {', '.join(available)}",
            code="unsupported_language_pair",
            param="target",
        )
