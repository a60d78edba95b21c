"""REMI-like tokens for chorales and melodies: every note is a pitch token followed by its duration token,
so a sequence can never leave a note hanging (no note-on without its end).

    BOS_CHORALE | BOS_MELODY, then per bar: BAR, and per position with onsets: POS_p, then per voice that
    starts a note there (soprano first): VOICE_v PITCH_x DUR_d; EOS at the end.

Positions are sixteenths within the bar (up to 24, for 6/4); durations are 1..32 sixteenths (longer notes are
clipped to two bars). Written here rather than with miditok: chorales need voice identity kept per note and
a grammar the sampler can enforce, which is a few dozen lines on our own voice rolls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from music.data import PITCH_MAX, PITCH_MIN
from music.piece import Note, Piece

MAX_POS = 24
MAX_DUR = 32
PAD, BOS_CHORALE, BOS_MELODY, EOS, BAR = 0, 1, 2, 3, 4
POS0 = 5
VOICE0 = POS0 + MAX_POS
PITCH0 = VOICE0 + 4
DUR0 = PITCH0 + (PITCH_MAX - PITCH_MIN + 1)
VOCAB = DUR0 + MAX_DUR


def token_name(token: int) -> str:
    fixed = {PAD: "PAD", BOS_CHORALE: "BOS_CHORALE", BOS_MELODY: "BOS_MELODY", EOS: "EOS", BAR: "BAR"}
    if token in fixed:
        return fixed[token]
    if token < VOICE0:
        return f"POS_{token - POS0}"
    if token < PITCH0:
        return f"VOICE_{token - VOICE0}"
    if token < DUR0:
        return f"PITCH_{token - PITCH0 + PITCH_MIN}"
    return f"DUR_{token - DUR0 + 1}"


def _lead(steps_per_bar: int, pickup: int) -> int:
    return (steps_per_bar - pickup) % steps_per_bar if pickup else 0


def encode(piece: Piece, melody_only: bool = False, eos: bool = True) -> list[int]:
    """A piece (voices soprano first) to tokens; ``melody_only`` keeps voice 0 alone."""
    spb, lead = piece.steps_per_bar, _lead(piece.steps_per_bar, piece.pickup)
    if spb > MAX_POS:
        raise ValueError(f"bars of {spb} sixteenths; at most {MAX_POS}")
    voices = piece.voices[:1] if melody_only else piece.voices
    starts: dict[int, list[tuple[int, Note]]] = {}
    for v, notes in enumerate(voices):
        for n in notes:
            if PITCH_MIN <= n.pitch <= PITCH_MAX:
                starts.setdefault(n.start + lead, []).append((v, n))
    tokens = [BOS_MELODY if melody_only or len(voices) == 1 else BOS_CHORALE]
    n_bars = -(-(piece.steps + lead) // spb)
    for bar in range(n_bars):
        tokens.append(BAR)
        for pos in range(spb):
            here = starts.get(bar * spb + pos)
            if not here:
                continue
            tokens.append(POS0 + pos)
            for v, n in sorted(here, key=lambda item: item[0]):
                tokens += [VOICE0 + v, PITCH0 + n.pitch - PITCH_MIN, DUR0 + min(n.duration, MAX_DUR) - 1]
    if eos:
        tokens.append(EOS)
    return tokens


def decode(tokens: list[int], steps_per_bar: int = 16, pickup: int = 0, voices: int = 4) -> list[list[Note]]:
    """Tokens back to voices of notes; a voice's note is cut where the same voice starts the next one."""
    lead = _lead(steps_per_bar, pickup)
    out: list[list[Note]] = [[] for _ in range(voices)]
    bar, pos, voice, pitch = -1, 0, 0, None
    for token in tokens:
        if token == BAR:
            bar, pos = bar + 1, 0
        elif POS0 <= token < VOICE0:
            pos = token - POS0
        elif VOICE0 <= token < PITCH0:
            voice = token - VOICE0
        elif PITCH0 <= token < DUR0:
            pitch = token - PITCH0 + PITCH_MIN
        elif DUR0 <= token < VOCAB and pitch is not None and voice < voices:
            start = max(0, bar) * steps_per_bar + pos - lead
            if start >= 0:
                notes = out[voice]
                if notes and notes[-1].end > start:
                    last = notes.pop()
                    if start > last.start:
                        notes.append(Note(last.pitch, last.start, start - last.start))
                notes.append(Note(pitch, start, token - DUR0 + 1))
            pitch = None
        elif token == EOS:
            break
    return out


@dataclass
class Grammar:
    """What may come next, for sampling: the state after a prefix of tokens."""

    steps_per_bar: int = 16
    melody_only: bool = False
    last: int = BOS_CHORALE
    pos: int = -1
    voice: int = -1

    def feed(self, token: int) -> None:
        if token == BAR:
            self.pos, self.voice = -1, -1
        elif POS0 <= token < VOICE0:
            self.pos, self.voice = token - POS0, -1
        elif VOICE0 <= token < PITCH0:
            self.voice = token - VOICE0
        self.last = token

    def allowed(self, ranges: list[tuple[int, int]] | None = None) -> np.ndarray:
        """Tokens allowed next; ``ranges`` are MIDI pitch ranges per voice."""
        ok = np.zeros(VOCAB, dtype=bool)
        last = self.last
        if last in (BOS_CHORALE, BOS_MELODY):
            ok[BAR] = True
        elif last == BAR:
            ok[BAR] = True
            ok[POS0 : POS0 + self.steps_per_bar] = True
        elif POS0 <= last < VOICE0:
            ok[VOICE0 : VOICE0 + (1 if self.melody_only else 4)] = True
        elif VOICE0 <= last < PITCH0:
            lo, hi = ranges[self.voice] if ranges else (PITCH_MIN, PITCH_MAX)
            ok[PITCH0 + lo - PITCH_MIN : PITCH0 + hi - PITCH_MIN + 1] = True
        elif PITCH0 <= last < DUR0:
            ok[DUR0:VOCAB] = True
        else:  # after a duration: another voice here, a later position, the next bar
            if not self.melody_only:
                ok[VOICE0 + self.voice + 1 : VOICE0 + 4] = True
            ok[POS0 + self.pos + 1 : POS0 + self.steps_per_bar] = True
            ok[BAR] = True
        return ok
