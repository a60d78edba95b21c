"""The public entry points: a note from turns (checked, English only) and turns from a diarised transcript."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nlp
from notes.builder import SPECIALTIES, build_note
from notes.dictated import build_dictated_note, check_dictation
from notes.errors import NoteError
from notes.schemas import Note, NoteOptions, Turn
from notes.sections import SECTIONS
from notes.transcript import check_turns
from notes.vectors import pool_embedder
from workers import ModelPool, Priority

LANGUAGE_SAMPLE_CHARS = 3000


def _check_options(options: NoteOptions) -> None:
    if options.specialty and options.specialty not in SPECIALTIES:
        raise NoteError(f"unknown specialty {options.specialty!r}; known: {', '.join(SPECIALTIES)}",
                        code="unknown_specialty", param="specialty")  # fmt: skip
    unknown = [s for s in options.sections or [] if s not in SECTIONS]
    if unknown:
        raise NoteError(f"unknown sections {', '.join(unknown)}; known: {', '.join(SECTIONS)}",
                        code="unknown_section", param="sections")  # fmt: skip


def _check_english(turns: list[Turn], pool: ModelPool | None, priority: int) -> None:
    sample = " ".join(t.text for t in turns)[:LANGUAGE_SAMPLE_CHARS]
    found = nlp.detect(sample, top=1, pool=pool, priority=priority)[0]
    if found and found[0].language != "en" and found[0].confidence >= 50:
        raise NoteError(
            f"the transcript reads as {found[0].language!r} (confidence {found[0].confidence:.0f}); the note builder "
            "writes English notes from English consultations (translate it first: POST /v1/translate)",
            code="unsupported_language", param="transcript",
        )  # fmt: skip


def make_note(
    turns: Sequence[Turn], options: NoteOptions | None = None, pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
) -> Note:  # fmt: skip
    """A structured visit note; NoteError names what is wrong with a transcript no note can come from."""
    options = options or NoteOptions()
    _check_options(options)
    if options.source == "dictation":
        checked = check_dictation(list(turns))
        _check_english(checked, pool, priority)
        return build_dictated_note(checked, options)
    checked = check_turns(list(turns))
    _check_english(checked, pool, priority)
    return build_note(checked, options, embed=pool_embedder(pool, priority))


def turns_from_segments(segments: Sequence[Any]) -> list[Turn]:
    """A diarised transcript's segments (speaker clinician/patient) as turns; a speaker's consecutive segments join."""
    turns: list[Turn] = []
    for segment in segments:
        speaker = segment.speaker if segment.speaker in ("clinician", "patient") else "patient"
        text = segment.text.strip()
        if not text:
            continue
        if turns and turns[-1].speaker == speaker:
            turns[-1].text += " " + text
            turns[-1].end = segment.end
        else:
            turns.append(Turn(speaker=speaker, text=text, start=segment.start, end=segment.end))
    return turns
