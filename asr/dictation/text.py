"""Formatting one utterance at a time, and joining utterances into the note.

`asr.medical.format_dictation` formats a whole text and strips it, so a paragraph or line
command said at the very start or end of an utterance would be lost; it is kept here as
the newline it stands for.
"""

from __future__ import annotations

import re

from faster_whisper.transcribe import get_compression_ratio

from asr.engines.faster_whisper import COMPRESSION_RATIO_LIMIT, repeats_ngram
from asr.medical import format_dictation

_BREAK = r"(?P<cmd>new paragraph|next paragraph|new line|next line)"
_LEADING = re.compile(rf"^[\s,.;:]*{_BREAK}\b[\s,.;:!?]*", re.I)
_TRAILING = re.compile(rf"[\s,.;:]*\b{_BREAK}[\s,.;:!?]*$", re.I)


def _newline(command: str) -> str:
    return "\n\n" if "paragraph" in command.lower() else "\n"


def format_utterance(raw: str) -> str:
    """Formatted text of one utterance, with a leading or trailing break command kept as newlines."""
    lead = trail = ""
    if match := _LEADING.match(raw):
        lead, raw = _newline(match["cmd"]), raw[match.end() :]
    if match := _TRAILING.search(raw):
        trail, raw = _newline(match["cmd"]), raw[: match.start()]
    body = format_dictation(raw) if raw.strip() else ""
    if trail == "\n\n" and body and body[-1] not in ".?!:":
        body += "."
    return lead + body + trail


def join_note(pieces: list[str]) -> str:
    """Finals in order, a space between them unless a break already separates them."""
    note = ""
    for piece in pieces:
        if not piece:
            continue
        if note and not note.endswith("\n") and not piece.startswith("\n"):
            note += " "
        note += piece
    return re.sub(r"\n{3,}", "\n\n", note).strip()


def loops(text: str) -> bool:
    """A decode stuck repeating itself: Whisper's compression-ratio check or a phrase said over and over, as the
    engine's loop guard tests a segment."""
    return bool(text.strip()) and (get_compression_ratio(text) > COMPRESSION_RATIO_LIMIT or repeats_ngram(text))
