"""Notes on a sixteenth grid: ``Note``, ``Piece`` (voices of notes, metre, tempo) and the roll conversions.

A piece's voices are lists of non-overlapping notes (monophonic voices, as in a chorale). Times are in
sixteenth steps; a roll is (voices, T) MIDI pitches with 0 for a rest plus an onset mask, as in ``music.data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from music.data import PITCH_MIN, REST, VOICES


class MusicError(Exception):
    """Bad input or an impossible request; ``status`` is the HTTP status the gateway answers with."""

    def __init__(self, message: str, *, code: str = "invalid_music", status: int = 400, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.param = param


@dataclass(frozen=True)
class Note:
    pitch: int  # MIDI pitch
    start: int  # sixteenth steps
    duration: int  # sixteenth steps, >= 1

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass
class Piece:
    voices: list[list[Note]]
    names: list[str] = field(default_factory=lambda: list(VOICES))
    steps_per_bar: int = 16
    tempo: float = 90.0  # quarter notes per minute
    pickup: int = 0

    @property
    def steps(self) -> int:
        return max((n.end for v in self.voices for n in v), default=0)

    @property
    def seconds(self) -> float:
        return self.steps / 4 * 60.0 / self.tempo

    @property
    def bars(self) -> int:
        return -(-(self.steps + (self.steps_per_bar - self.pickup) % self.steps_per_bar) // self.steps_per_bar)

    def note_count(self) -> int:
        return sum(len(v) for v in self.voices)

    def roll(self, steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(voices, T) pitches (0 = rest) and onsets."""
        steps = self.steps if steps is None else steps
        pitches = np.zeros((len(self.voices), steps), dtype=np.int16)
        onsets = np.zeros((len(self.voices), steps), dtype=bool)
        for v, notes in enumerate(self.voices):
            for n in notes:
                if n.start >= steps:
                    continue
                pitches[v, n.start : min(n.end, steps)] = n.pitch
                onsets[v, n.start] = True
        return pitches, onsets

    def with_voices(self, voices: list[list[Note]], names: list[str]) -> Piece:
        return Piece(voices, names, self.steps_per_bar, self.tempo, self.pickup)


def notes_from_roll(pitches: np.ndarray, onsets: np.ndarray | None = None) -> list[Note]:
    """One voice's (T,) roll to notes: a note ends where the pitch changes or a new onset is marked."""
    notes: list[Note] = []
    start, current = 0, 0
    for t in range(len(pitches) + 1):
        p = int(pitches[t]) if t < len(pitches) else 0
        boundary = p != current or (onsets is not None and t < len(pitches) and bool(onsets[t]))
        if boundary:
            if current > 0:
                notes.append(Note(current, start, t - start))
            start, current = t, p
    return notes


def classes_to_pitches(classes: np.ndarray) -> np.ndarray:
    return np.where(classes == REST, 0, classes + PITCH_MIN).astype(np.int16)


def pitches_to_classes(pitches: np.ndarray) -> np.ndarray:
    return np.where(pitches > 0, pitches.astype(np.int64) - PITCH_MIN, REST)


def monophonic(notes: list[Note]) -> list[Note]:
    """The top line of possibly overlapping notes (skyline): at each step the highest sounding pitch."""
    if not notes:
        return []
    end = max(n.end for n in notes)
    top = np.zeros(end, dtype=np.int16)
    onset = np.zeros(end, dtype=bool)
    for n in sorted(notes, key=lambda n: n.pitch):
        top[n.start : n.end] = n.pitch
        onset[n.start] = True
    # an onset only counts where the note starting there is the one on top
    starts = {(n.start, n.pitch) for n in notes}
    onset = np.array([onset[t] and (t, int(top[t])) in starts for t in range(end)])
    return notes_from_roll(top, onset)
