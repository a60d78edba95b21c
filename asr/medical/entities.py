"""Medical entities in text, Comprehend Medical style: category, type, offsets, score, traits, attributes."""
# ruff: noqa: E501  (regular-expression tables read better unwrapped)

from __future__ import annotations

import re

from asr.medical.lexicon import Match, find_terms, icd10_codes
from asr.medical.phi import find_phi
from asr.medical.schemas import Attribute, Concept, Entity

_UNITS = r"(?:mg|mcg|g|kg|mL|L|units|IU|mEq|puffs?|tablets?|capsules?|drops?|%|milligrams?|micrograms?)"
ATTRIBUTES: list[tuple[str, re.Pattern[str], float]] = [
    ("DOSAGE", re.compile(rf"\b\d+(?:\.\d+)?\s*{_UNITS}(?!\w)", re.I), 0.9),
    ("DOSAGE", re.compile(r"\b(?:one|two|three|four|a) (?:puffs?|tablets?|pills?|capsules?|drops?|sprays?)\b", re.I), 0.8),
    ("ROUTE_OR_MODE", re.compile(
        r"\b(?:by mouth|orally|oral|PO|inhaled|via inhaler|IV|intravenous(?:ly)?|topical(?:ly)?|subcutaneous(?:ly)?|"
        r"sublingual(?:ly)?|intramuscular(?:ly)?|IM|nebuli[sz]ed|rectal(?:ly)?|nasal(?:ly)?|by injection)\b", re.I), 0.85),
    ("FREQUENCY", re.compile(
        r"\b(?:(?:once|twice|three times|four times|[1-4] times)(?: a| per)? (?:day|daily|week|night)|daily|"
        r"every (?:\d+|one|two|three|four|six|eight|twelve)(?:\s*(?:to|-)\s*\d+)? hours?|every (?:morning|night|evening)|"
        r"at (?:night|bedtime)|in the (?:morning|evening)|as needed|PRN|BID|TID|QID|QD|QHS|weekly|nightly)\b", re.I), 0.85),
    ("DURATION", re.compile(r"\bfor (?:\d+|one|two|three|four|five|six|seven|ten|fourteen) (?:days?|weeks?|months?)\b",
                            re.I), 0.8),
]  # fmt: skip
_NEGATION = re.compile(
    r"\b(?:no|not|denies|denied|deny|without|never|negative for|free of|don't have|haven't had|hasn't had|"
    r"didn't have|no history of|nor)\b[^.?!;]*$",
    re.I,
)
_CLAUSE_END = re.compile(r"[.?!;]|\bbut\b", re.I)
_WINDOW = 60  # characters after a drug name searched for its dose, route and frequency


def _attributes(text: str, match: Match, next_begin: int) -> list[Attribute]:
    window_end = min(len(text), match.end + _WINDOW, next_begin)
    sentence_end = re.search(r"[.?!]\s", text[match.end : window_end])
    if sentence_end:
        window_end = match.end + sentence_end.start()
    before = max(0, match.begin - 25)  # "5 mg of lisinopril": a dose may come first
    found: list[Attribute] = []
    for kind, pattern, score in ATTRIBUTES:
        for start, stop in ((match.end, window_end), (before, match.begin)):
            for m in pattern.finditer(text, start, stop):
                if kind != "DOSAGE" and start == before:
                    continue
                found.append(Attribute(type=kind, text=m.group(), begin_offset=m.start(), end_offset=m.end(),
                                       score=score))  # fmt: skip
    return found


def _negated(text: str, begin: int) -> bool:
    start = max(0, begin - 35)  # a negation cue governs only the next few words
    clause = text[start:begin]
    cut = list(_CLAUSE_END.finditer(clause))
    if cut:
        clause = clause[cut[-1].end() :]
    return bool(_NEGATION.search(clause))


def _entity(text: str, match: Match, next_begin: int) -> Entity:
    term = match.term
    entity = Entity(
        text=match.text, category=term.category, type=term.type, begin_offset=match.begin,
        end_offset=match.end, score=term.score, normalized=term.name,
    )  # fmt: skip
    if term.category == "MEDICATION":
        entity.attributes = _attributes(text, match, next_begin)
    if term.category == "MEDICAL_CONDITION":
        if term.code:
            entity.icd10cm_concepts = [Concept(code=term.code, description=icd10_codes()[term.code], score=term.score)]
        if _negated(text, match.begin):
            entity.traits.append("NEGATION")
    return entity


def detect_entities(text: str, *, phi: bool = True) -> list[Entity]:
    """Every entity in `text`, ordered by offset; PHI spans win over overlapping term matches."""
    matches = list(find_terms(text))
    drug_starts = [m.begin for m in matches if m.term.category == "MEDICATION"] + [len(text)]
    entities = [_entity(text, m, next(b for b in drug_starts if b > m.begin)) for m in matches]
    # "by mouth" is a route, not anatomy: words inside a drug's attribute are not entities themselves.
    spans = [a for e in entities for a in e.attributes]
    entities = [e for e in entities if e.category == "MEDICATION" or not any(_overlaps(e, a) for a in spans)]
    if phi:
        phi_entities = find_phi(text)
        entities = [e for e in entities if not any(_overlaps(e, p) for p in phi_entities)] + phi_entities
    entities.sort(key=lambda e: e.begin_offset)
    for index, entity in enumerate(entities):
        entity.id = index
    return entities


def _overlaps(a: Entity | Attribute, b: Entity | Attribute) -> bool:
    return a.begin_offset < b.end_offset and b.begin_offset < a.end_offset
