"""MIDI and JSON note lists in and out, with the checks that turn bad input into a clear ``MusicError``.

Input is read with symusic (a small C++ MIDI parser); times are quantised to sixteenths of the MIDI's own
quarter note. A melody is the top line of all non-drum tracks. Output has one track per voice.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

from music.data import PITCH_MAX
from music.piece import MusicError, Note, Piece, monophonic

TPQ = 480
TICKS_PER_STEP = TPQ // 4
MAX_BYTES = 1_000_000
MAX_SECONDS = 180.0  # input longer than three minutes is refused
MAX_STEPS = 64 * 16  # and so is input longer than 64 bars of 4/4
# What a melody may span: it is moved by whole octaves into the soprano's range (SOPRANO_LOW..SOPRANO_HIGH).
MELODY_MIN, MELODY_MAX = 36, 96
SOPRANO_LOW, SOPRANO_HIGH = 57, PITCH_MAX  # A3..A5, the Bach sopranos' range


def _check_length(steps: int, seconds: float) -> None:
    if seconds > MAX_SECONDS or steps > MAX_STEPS:
        raise MusicError(
            f"the input lasts {seconds:.0f} s ({steps / 16:.0f} bars of 4/4); at most {MAX_SECONDS:.0f} s "
            f"and {MAX_STEPS // 16} bars",
            code="input_too_long",
            status=413,
            param="file",
        )


def read_midi(data: bytes, voices: bool = False) -> Piece:
    """A MIDI file's melody (top line of its pitched tracks) as a one-voice piece; with ``voices``, a file of
    two to four pitched tracks gives one voice per track (highest first), as the accompaniment writes them."""
    import symusic

    if len(data) > MAX_BYTES:
        raise MusicError(f"the MIDI file has {len(data)} bytes; at most {MAX_BYTES}", code="file_too_large", status=413)
    if not data.startswith(b"MThd"):
        raise MusicError("the file is not a MIDI file (no MThd header)", code="invalid_midi", param="file")
    try:
        score = symusic.Score.from_midi(data)
        seconds = float(score.to("second").end()) if score.note_num() else 0.0
    except (RuntimeError, ValueError) as exc:
        raise MusicError(f"the MIDI file cannot be read: {exc}", code="invalid_midi", param="file") from exc
    pitched = [t for t in score.tracks if not t.is_drum and len(t.notes)]
    if not pitched:
        if any(len(t.notes) for t in score.tracks):
            raise MusicError(
                "the MIDI file has only drum tracks (channel 10); give a melody", code="drums_only", param="file"
            )
        raise MusicError("the MIDI file has no notes", code="empty_midi", param="file")
    tpq = score.ticks_per_quarter
    tracks = []
    for track in pitched:
        notes = []
        for n in track.notes:
            start = round(n.time * 4 / tpq)
            end = max(start + 1, round((n.time + n.duration) * 4 / tpq))
            notes.append(Note(int(n.pitch), start, end - start))
        tracks.append(notes)
    first = min(n.start for notes in tracks for n in notes)
    tracks = [[Note(n.pitch, n.start - first, n.duration) for n in notes] for notes in tracks]
    _check_length(max(n.end for notes in tracks for n in notes), seconds)
    tempo = float(score.tempos[0].qpm) if len(score.tempos) else 120.0
    steps_per_bar = 16
    if len(score.time_signatures):
        sig = score.time_signatures[0]
        steps_per_bar = max(1, round(16 * sig.numerator / sig.denominator))
    if voices and 2 <= len(tracks) <= 4:
        lines = sorted((monophonic(t) for t in tracks), key=lambda v: -sum(n.pitch for n in v) / len(v))
        names = (
            ["Soprano", "Alto", "Tenor", "Bass"] if len(lines) == 4 else [f"Voice {i + 1}" for i in range(len(lines))]
        )
        return Piece(lines, names, steps_per_bar=steps_per_bar, tempo=tempo)
    return Piece([monophonic([n for t in tracks for n in t])], ["Melody"], steps_per_bar=steps_per_bar, tempo=tempo)


def read_notes(notes: Sequence[dict[str, Any]], tempo: float = 90.0, beats_per_bar: int = 4) -> Piece:
    """A JSON note list: ``[{"pitch": 60, "start": 0, "duration": 1}, ...]`` with times in quarter notes."""
    if not notes:
        raise MusicError("the note list is empty", code="empty_midi", param="notes")
    if not 20 <= tempo <= 300:
        raise MusicError("tempo must be 20..300 quarter notes per minute", param="tempo")
    parsed = []
    for i, item in enumerate(notes):
        try:
            pitch, start, duration = int(item["pitch"]), float(item["start"]), float(item["duration"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MusicError(
                f"note {i} needs numeric pitch, start and duration (quarter notes)", param=f"notes.{i}"
            ) from exc
        if not 0 <= pitch <= 127 or start < 0 or duration <= 0:
            raise MusicError(f"note {i}: pitch 0..127, start >= 0, duration > 0", param=f"notes.{i}")
        if not math.isfinite((start + duration) * 4):  # 1e308 quarter notes: no step count (found by fuzzing)
            raise MusicError(f"note {i}: start and duration must be finite numbers of quarter notes",
                             param=f"notes.{i}")  # fmt: skip
        begin = round(start * 4)
        parsed.append(Note(pitch, begin, max(1, round((start + duration) * 4) - begin)))
    steps = max(n.end for n in parsed)
    _check_length(steps, steps / 4 * 60.0 / tempo)
    return Piece([monophonic(parsed)], ["Melody"], steps_per_bar=4 * beats_per_bar, tempo=tempo)


def fit_melody(melody: list[Note]) -> tuple[list[Note], int]:
    """Move a melody by whole octaves into the soprano range; returns the moved notes and the shift."""
    if not melody:
        raise MusicError("the melody has no notes", code="empty_midi")
    low, high = min(n.pitch for n in melody), max(n.pitch for n in melody)
    if low < MELODY_MIN or high > MELODY_MAX:
        raise MusicError(
            f"the melody spans MIDI pitches {low}..{high}; it must lie within {MELODY_MIN}..{MELODY_MAX} (C2..C7)",
            code="melody_out_of_range",
            status=422,
        )
    for shift in sorted(range(-48, 49, 12), key=abs):
        if low + shift >= SOPRANO_LOW and high + shift <= SOPRANO_HIGH:
            return [Note(n.pitch + shift, n.start, n.duration) for n in melody], shift
    raise MusicError(
        f"the melody spans {high - low} semitones ({low}..{high}); a soprano line spans at most "
        f"{SOPRANO_HIGH - SOPRANO_LOW} ({SOPRANO_LOW}..{SOPRANO_HIGH} after moving by octaves)",
        code="melody_out_of_range",
        status=422,
    )


def transpose(piece: Piece, semitones: int) -> Piece:
    voices = [[Note(n.pitch + semitones, n.start, n.duration) for n in v] for v in piece.voices]
    return piece.with_voices(voices, piece.names)


def write_midi(piece: Piece) -> bytes:
    """One track per voice (named), the piece's tempo and metre."""
    import symusic

    score = symusic.Score(TPQ)
    score.tempos.append(symusic.Tempo(0, float(piece.tempo)))
    numerator = piece.steps_per_bar // 4 if piece.steps_per_bar % 4 == 0 else piece.steps_per_bar
    denominator = 4 if piece.steps_per_bar % 4 == 0 else 16
    score.time_signatures.append(symusic.TimeSignature(0, numerator, denominator))
    for name, voice in zip(piece.names, piece.voices, strict=True):
        track = symusic.Track(name, 0, False)
        for n in voice:
            track.notes.append(symusic.Note(n.start * TICKS_PER_STEP, n.duration * TICKS_PER_STEP, n.pitch, 80))
        score.tracks.append(track)
    return bytes(score.dumps_midi())


def piece_json(piece: Piece) -> dict[str, Any]:
    """The notes of every voice in quarter notes, as the API and the page show them."""
    return {
        "tempo": piece.tempo,
        "beats_per_bar": piece.steps_per_bar / 4,
        "voices": [
            {"name": name, "notes": [{"pitch": n.pitch, "start": n.start / 4, "duration": n.duration / 4} for n in v]}
            for name, v in zip(piece.names, piece.voices, strict=True)
        ],
    }


def midi_base64(piece: Piece) -> str:
    return base64.b64encode(write_midi(piece)).decode("ascii")
