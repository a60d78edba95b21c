"""DeepComposer's (MuseGAN's) music metrics and a voice-leading check, on ``Piece``s.

- empty_bar_rate: bars with no note sounding, over all bars
- pitch_classes_per_bar: distinct pitch classes sounding in a non-empty bar, averaged
- in_scale_ratio: notes whose pitch class is in the piece's best-fitting major scale (24 keys tried; a minor
  key's natural scale is the relative major's), over all notes
- polyphony: notes sounding at once, averaged over the steps where at least one sounds
- notes_per_bar: note onsets per bar
- qualified_note_rate: notes of at least an eighth (2 sixteenths) over all notes (MuseGAN counts notes of at
  least a 32nd at its finer grid; at a sixteenth grid every note would qualify)
- parallel fifths and octaves: two voices a perfect fifth (or octave/unison) apart at consecutive chord
  changes, both moving in the same direction; counted per 100 chord changes
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from music.piece import Piece

MAJOR = (0, 2, 4, 5, 7, 9, 11)


def _bars(piece: Piece, pitches: np.ndarray) -> list[np.ndarray]:
    spb = piece.steps_per_bar
    lead = (spb - piece.pickup) % spb if piece.pickup else 0
    padded = np.concatenate([np.zeros((pitches.shape[0], lead), dtype=pitches.dtype), pitches], axis=1)
    n = max(1, -(-padded.shape[1] // spb))
    return [padded[:, i * spb : (i + 1) * spb] for i in range(n)]


def best_scale(piece: Piece) -> set[int]:
    counts = np.zeros(12)
    for v in piece.voices:
        for n in v:
            counts[n.pitch % 12] += n.duration
    scores = [sum(counts[(t + d) % 12] for d in MAJOR) for t in range(12)]
    tonic = int(np.argmax(scores))
    return {(tonic + d) % 12 for d in MAJOR}


def music_metrics(piece: Piece) -> dict[str, float]:
    notes = [n for v in piece.voices for n in v]
    if not notes:
        return {"bars": 0, "notes": 0}
    pitches, _ = piece.roll()
    bars = _bars(piece, pitches)
    non_empty = [b for b in bars if (b > 0).any()]
    scale = best_scale(piece)
    sounding = (pitches > 0).sum(axis=0)
    return {
        "bars": len(bars),
        "notes": len(notes),
        "empty_bar_rate": 1.0 - len(non_empty) / len(bars),
        "pitch_classes_per_bar": float(np.mean([len(set((b[b > 0] % 12).tolist())) for b in non_empty] or [0])),
        "in_scale_ratio": sum(n.pitch % 12 in scale for n in notes) / len(notes),
        "polyphony": float(sounding[sounding > 0].mean()) if (sounding > 0).any() else 0.0,
        "notes_per_bar": len(notes) / len(bars),
        "qualified_note_rate": sum(n.duration >= 2 for n in notes) / len(notes),
    }


def parallels(piece: Piece) -> dict[str, float]:
    """Parallel fifths and octaves between every pair of voices at the piece's chord changes."""
    pitches, onsets = piece.roll()
    changes = [t for t in range(pitches.shape[1]) if onsets[:, t].any()]
    fifths = octaves = 0
    for a, b in combinations(range(pitches.shape[0]), 2):
        for t0, t1 in zip(changes, changes[1:], strict=False):
            p0, q0, p1, q1 = (int(x) for x in (pitches[a, t0], pitches[b, t0], pitches[a, t1], pitches[b, t1]))
            if min(p0, q0, p1, q1) == 0 or p0 == p1 or q0 == q1 or (p1 - p0) * (q1 - q0) <= 0:
                continue
            i0, i1 = abs(p0 - q0) % 12, abs(p1 - q1) % 12
            if i0 == i1 == 7:
                fifths += 1
            elif i0 == i1 == 0:
                octaves += 1
    per = 100.0 / max(1, len(changes) - 1)
    return {
        "chord_changes": len(changes),
        "parallel_fifths": fifths,
        "parallel_octaves": octaves,
        "parallels_per_100_changes": (fifths + octaves) * per,
    }
