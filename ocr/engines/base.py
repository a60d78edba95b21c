"""The engine contract and registry: an engine turns one page image into blocks; adding one is adding a file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PIL import Image

from ocr.models import Block, OcrOptions
from workers import ModelPool


class OcrEngine(Protocol):
    name: str

    def available(self) -> bool:
        """Whether the engine's binary or package is installed."""
        ...

    def recognize(self, image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int) -> list[Block]:
        """Blocks in reading order, with pixel boxes on `image`."""
        ...


_REGISTRY: dict[str, Callable[[], OcrEngine]] = {}


def register_engine(name: str, factory: Callable[[], OcrEngine]) -> None:
    _REGISTRY[name] = factory


def get_engine(name: str) -> OcrEngine:
    from ocr.errors import OcrEngineError

    if name not in _REGISTRY:
        raise OcrEngineError(f"unknown OCR engine {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]()


def engine_names() -> list[str]:
    return sorted(_REGISTRY)
