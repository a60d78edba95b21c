"""Protected health information: find names, dates, ages, phone numbers, ids, emails; redact them."""
# ruff: noqa: E501  (regular-expression tables read better unwrapped)

from __future__ import annotations

import re
from collections.abc import Iterable

from asr.medical.schemas import Entity

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"  # noqa: E501
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_NUMBER_WORDS = r"(?:\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"  # noqa: E501

# (type, pattern, group holding the PHI, score). Names need a cue: a title or "my name is".
PATTERNS: list[tuple[str, re.Pattern[str], int, float]] = [
    ("EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), 0, 0.99),
    ("PHONE_OR_FAX", re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b"), 0, 0.95),
    ("ID", re.compile(r"\b(?:MRN|medical record number|health card number|SSN|social security number|ID)"
                      r"(?: number)?(?: is)?[\s:#]*([A-Z0-9-]{4,})\b", re.I), 1, 0.9),
    ("DATE", re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"), 0, 0.9),
    ("DATE", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?\b"), 0, 0.9),
    ("DATE", re.compile(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b"), 0, 0.9),
    ("DATE", re.compile(r"\b(?:born|birthday|date of birth|DOB)\b[^.]{0,12}?\b((?:19|20)\d{2})\b", re.I), 1, 0.8),
    ("AGE", re.compile(rf"\b({_NUMBER_WORDS})(?:[- ]years?[- ]old|[- ]year[- ]old)\b", re.I), 1, 0.9),
    ("AGE", re.compile(rf"\b(?:I am|I'm|aged?|age of)\s+({_NUMBER_WORDS})\b(?!\s*(?:mg|%|percent|times|days|weeks|months))",
                       re.I), 1, 0.75),
    ("NAME", re.compile(rf"\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Nurse)\.?\s+({_NAME}(?:\s+{_NAME})?)"), 1, 0.9),
    ("NAME", re.compile(rf"\b(?:[Mm]y name is|[Mm]y name's|[Tt]his is|[Ii] am|[Ii]'m)\s+({_NAME}(?:\s+{_NAME})?)"), 1, 0.7),
    ("ADDRESS", re.compile(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Boulevard|Blvd|"
                           r"Lane|Ln|Court|Ct|Way)\b\.?"), 0, 0.85),
]  # fmt: skip
# Capitalised words after "I am"/"this is" that are not names.
_NOT_NAMES = frozenset(
    [
        "Just",
        "Not",
        "So",
        "Very",
        "Feeling",
        "Still",
        "Here",
        "Doing",
        "Going",
        "Having",
        "Sorry",
        "Okay",
        "Ok",
        "Fine",
        "Good",
        "Well",
        "Sure",
        "Yes",
        "No",
        "Able",
        "Also",
        "Really",
        "Worried",
        "Concerned",
        "Currently",
        "Taking",
        "On",
        "Afraid",
        "The",
        "A",
        "It",
        "That",
        "What",
    ]
)


def find_phi(text: str) -> list[Entity]:
    found: list[Entity] = []
    for kind, pattern, group, score in PATTERNS:
        for match in pattern.finditer(text):
            begin, end = match.span(group)
            value = text[begin:end]
            if kind == "NAME" and value.split()[0] in _NOT_NAMES:
                continue
            found.append(
                Entity(text=value, category="PROTECTED_HEALTH_INFORMATION", type=kind,
                       begin_offset=begin, end_offset=end, score=score)
            )  # fmt: skip
    return _without_overlaps(found)


def _without_overlaps(entities: list[Entity]) -> list[Entity]:
    """Keep the longest span where two detections overlap."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: (e.begin_offset, -(e.end_offset - e.begin_offset))):
        if kept and entity.begin_offset < kept[-1].end_offset:
            continue
        kept.append(entity)
    return kept


def redact(text: str, entities: Iterable[Entity]) -> tuple[str, list[Entity]]:
    """Replace PHI spans by `[TYPE]`; other entities' offsets move with the text."""
    entities = sorted(entities, key=lambda e: e.begin_offset)
    phi = [e for e in entities if e.category == "PROTECTED_HEALTH_INFORMATION"]
    pieces: list[str] = []
    cursor = 0
    shifts: list[tuple[int, int]] = []  # (original offset, cumulative shift after it)
    shift = 0
    for entity in phi:
        if entity.begin_offset < cursor:
            continue
        tag = f"[{entity.type}]"
        pieces += [text[cursor : entity.begin_offset], tag]
        shift += len(tag) - (entity.end_offset - entity.begin_offset)
        shifts.append((entity.end_offset, shift))
        cursor = entity.end_offset

    def moved(offset: int) -> int:
        return offset + next((s for end, s in reversed(shifts) if offset >= end), 0)

    pieces.append(text[cursor:])
    result: list[Entity] = []
    for entity in entities:
        begin = moved(entity.begin_offset)
        if entity.category == "PROTECTED_HEALTH_INFORMATION":
            tag = f"[{entity.type}]"
            result.append(
                entity.model_copy(update={"text": tag, "begin_offset": begin, "end_offset": begin + len(tag)})
            )
        elif not any(p.begin_offset < entity.end_offset and entity.begin_offset < p.end_offset for p in phi):
            result.append(entity.model_copy(update={"begin_offset": begin, "end_offset": moved(entity.end_offset)}))
    return "".join(pieces), result


def redact_text(text: str) -> str:
    return redact(text, find_phi(text))[0]
