"""Visit notes from consultations, without a large language model: units of the transcript classified into note
sections, rewritten into the clinical register, every item linked to the turns it came from.

Composes asr's medical layer (entities, ICD-10-CM, dictation formatting) and nlp (MiniLM embeddings, language id)
through their public functions, as `calls` does.
"""

from __future__ import annotations

from notes.dictated import dictation_turns
from notes.errors import NoteError
from notes.schemas import LabelledTurn, Note, NoteItem, NoteOptions, NoteSection, Source, Turn
from notes.sections import SECTIONS, TEMPLATES, TITLES
from notes.transcript import check_turns, parse_transcript
from notes.visit import make_note, turns_from_segments

__all__ = [
    "SECTIONS",
    "TEMPLATES",
    "TITLES",
    "LabelledTurn",
    "Note",
    "NoteError",
    "NoteItem",
    "NoteOptions",
    "NoteSection",
    "Source",
    "Turn",
    "check_turns",
    "dictation_turns",
    "make_note",
    "parse_transcript",
    "turns_from_segments",
]
