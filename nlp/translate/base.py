"""The translation engine contract and registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from nlp.translate.models import TextFormat
from workers import ModelPool


class TranslationEngine(Protocol):
    name: str

    def pairs(self) -> set[tuple[str, str]]:
        """(source, target) ISO 639-1 pairs this engine translates directly."""
        ...

    def translate(
        self, texts: list[str], source: str, target: str, fmt: TextFormat, pool: ModelPool, priority: int
    ) -> list[str]: ...


_REGISTRY: dict[str, Callable[..., TranslationEngine]] = {}


def register_engine(name: str, factory: Callable[..., TranslationEngine]) -> None:
    _REGISTRY[name] = factory


def engine_factory(name: str) -> Callable[..., TranslationEngine]:
    from nlp.translate.errors import TranslationError

    if name not in _REGISTRY:
        raise TranslationError(
            f"unknown translation engine {name!r}; known: {', '.join(sorted(_REGISTRY))}", param="engine"
        )
    return _REGISTRY[name]
