"""Offline language identification with lingua (its n-gram models ship inside the PyPI wheel)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from workers import ModelPool, ModelSpec, Priority, default_pool

# The languages we tell apart: every one Apertium or Tesseract serves here, and their common neighbours.
# lingua has no Galician model, so Galician text is reported as its nearest neighbour (pt or es).
DETECTABLE = ("en", "es", "ca", "pt", "fr", "eu", "de", "it", "nl", "ro", "ru", "zh", "ja", "ko", "ar", "pl", "sv")


class Detection(BaseModel):
    language: str
    confidence: float  # 0-100, as LibreTranslate reports it


def _load(device: str) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTABLE]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


@cache
def langid_spec() -> ModelSpec:
    return ModelSpec(id="lingua", loader=_load, memory_mb=400, device="cpu", labels={"module": "nlp", "task": "langid"})


def _detect(model: Any, texts: list[str], top: int) -> list[list[Detection]]:
    out = []
    for text in texts:
        values = model.compute_language_confidence_values(text)[:top]
        out.append(
            [
                Detection(language=v.language.iso_code_639_1.name.lower(), confidence=round(v.value * 100, 2))
                for v in values
                if v.value > 0
            ]
        )
    return out


def detect(
    texts: str | list[str], top: int = 3, pool: ModelPool | None = None, priority: int = Priority.NORMAL
) -> list[list[Detection]]:
    """For each text, its likeliest languages (ISO 639-1), most confident first; empty when unknown."""
    items = [texts] if isinstance(texts, str) else list(texts)
    pool = pool or default_pool()
    return pool.run(langid_spec(), _detect, items, top, priority=priority)
