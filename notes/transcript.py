"""Transcripts in: `[doctor] …` / `[patient] …` lines or turns; checks that refuse what cannot make a note."""

from __future__ import annotations

import re

from notes.errors import NoteError
from notes.schemas import Turn

MAX_TURNS = 2000  # about two hours of consultation; a 15-minute visit has 80-200 turns
MAX_WORDS = 25_000  # ACI-BENCH's longest consultation has about 3,000 words; 3 hours of talk is about 30,000
_LINE = re.compile(r"^\s*\[(?P<tag>[a-z_ 0-9-]+)\]\s*(?P<text>.*)$", re.I)
_ROLES = {
    "doctor": "clinician", "clinician": "clinician", "physician": "clinician", "provider": "clinician",
    "nurse": "clinician", "dr": "clinician", "patient": "patient", "patient_guest": "patient", "guest": "patient",
    "caregiver": "patient", "parent": "patient", "mother": "patient", "father": "patient",
}  # fmt: skip


def _role(tag: str) -> str | None:
    tag = tag.strip().lower().replace(" ", "_")
    return _ROLES.get(tag) or _ROLES.get(re.sub(r"_?\d+$", "", tag))


def parse_transcript(text: str) -> list[Turn]:
    """One turn per `[doctor] …` / `[patient] …` line (also `Doctor: …`); lines without a tag continue the turn."""
    turns: list[Turn] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _LINE.match(raw) or re.match(r"^\s*(?P<tag>[A-Za-z_ ]{2,20}):\s*(?P<text>.*)$", raw)
        role = _role(match.group("tag")) if match else None
        if match and role:
            turns.append(Turn(speaker=role, text=match.group("text").strip()))  # type: ignore[arg-type]
        elif match and not role and raw.lstrip().startswith("["):
            raise NoteError(f"line {number}: unknown speaker [{match.group('tag')}]; use [doctor] or [patient]",
                            code="unknown_speaker", param="transcript")  # fmt: skip
        elif turns:
            turns[-1].text = f"{turns[-1].text} {raw.strip()}"
        else:
            raise NoteError(
                f"line {number} has no speaker; start each turn with [doctor] or [patient] (for a note one clinician "
                "dictated, send source=dictation)", code="no_speaker", param="transcript",
            )  # fmt: skip
    return turns


def non_empty(turns: list[Turn], what: str = "transcript") -> list[Turn]:
    """The turns that say something; none is a named error (a consultation's or a dictation's alike)."""
    turns = [t for t in turns if t.text.strip()]
    if not turns:
        raise NoteError(f"the {what} is empty", code="empty_transcript", param="transcript")
    return turns


def check_turns(turns: list[Turn]) -> list[Turn]:
    """Refuse transcripts no note can come from, naming the problem; drop empty turns."""
    turns = non_empty(turns)
    if len({t.speaker for t in turns}) < 2:
        only = turns[0].speaker
        raise NoteError(
            f"only one speaker ({only}) in the transcript; a visit note needs the clinician and the patient "
            "(for a note one clinician dictated, send source=dictation)",
            code="one_speaker", param="transcript",
        )  # fmt: skip
    words = sum(len(t.text.split()) for t in turns)
    if len(turns) > MAX_TURNS or words > MAX_WORDS:
        raise NoteError(
            f"the transcript has {len(turns)} turns and {words} words; at most {MAX_TURNS} turns and {MAX_WORDS} "
            "words (about two hours): split a longer recording into visits",
            code="transcript_too_long", param="transcript",
        )  # fmt: skip
    return turns
