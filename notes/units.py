"""A transcript as units a note is made of: cleaned sentences with their turn, and yes/no answers to symptom
questions (two turns, one finding). Units carry what the classifier reads: text, context, speaker, position."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from notes.rewrite import answered_question, clean
from notes.schemas import Turn

MIN_WORDS = 3  # a cleaned sentence shorter than this ("okay.", "thank you.") is never a note line
_ABBREV = re.compile(r"\b(mr|mrs|ms|dr|st|vs|approx|no)\s\.(?=\s)", re.I)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass
class Unit:
    turns: list[int]  # evidence: transcript turn indexes
    speaker: str
    text: str  # cleaned, as said
    kind: str = "sentence"  # sentence | answer (a finding from a question and its yes/no answer)
    position: float = 0.0  # 0 at the first turn, 1 at the last
    extra: dict = field(default_factory=dict)


_LIGHT = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "it",
        "it's",
        "its",
        "is",
        "was",
        "be",
        "been",
        "this",
        "that",
        "there",
        "here",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "them",
        "us",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "just",
        "really",
        "pretty",
        "good",
        "okay",
        "well",
        "like",
        "yeah",
        "yes",
        "no",
        "not",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "going",
        "go",
        "get",
        "got",
        "think",
        "know",
        "mean",
        "guess",
        "little",
        "bit",
        "lot",
        "kind",
        "sort",
        "things",
        "thing",
        "stuff",
    ]
)


def _content_words(text: str) -> int:
    return sum(1 for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in _LIGHT)


def sentences(text: str) -> list[str]:
    text = _ABBREV.sub(lambda m: m.group(1) + ".", text)
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def build_units(turns: list[Turn]) -> list[Unit]:
    units: list[Unit] = []
    last = max(1, len(turns) - 1)
    for index, turn in enumerate(turns):
        position = index / last
        said = sentences(turn.text)
        if turn.speaker == "clinician" and said and index + 1 < len(turns) and turns[index + 1].speaker == "patient":
            finding = answered_question(said[-1], turns[index + 1].text)
            if finding:
                units.append(Unit([index, index + 1], "patient", finding, "answer", position))
        for sentence in said:
            cleaned = clean(sentence)
            if _content_words(cleaned) >= 2 and len(cleaned.split()) >= MIN_WORDS and not cleaned.endswith("?"):
                units.append(Unit([index], turn.speaker, cleaned, "sentence", position))
    return units


def previous_texts(units: list[Unit], turns: list[Turn]) -> list[str]:
    """The turn before each unit's first turn (the question a sentence answers), cleaned."""
    return [clean(turns[u.turns[0] - 1].text) if u.turns[0] > 0 else "" for u in units]
