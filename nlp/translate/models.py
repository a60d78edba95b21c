"""Shapes at the translation boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nlp.langid import Detection

TextFormat = Literal["text", "html"]


class GlossaryEntry(BaseModel):
    source: str = Field(min_length=1)
    target: str = Field(min_length=1)


class Glossary(BaseModel):
    """Terms to force: "Keppra" -> "Keppra" keeps a name, "co-pay" -> "copago" imposes the customer's term."""

    name: str
    source: str | None = Field(None, description="ISO 639-1; None applies to any source language")
    target: str | None = None
    entries: list[GlossaryEntry]


class TranslationResult(BaseModel):
    translations: list[str]
    source: str
    target: str
    engine: str
    route: list[str] = Field(description="languages the text passed through, e.g. ['fr', 'es', 'en']")
    pivot: str | None = Field(None, description="the intermediate language when there was no direct pair")
    detected: list[Detection] | None = Field(None, description="per text, when source was 'auto'")
    glossary: str | None = None
