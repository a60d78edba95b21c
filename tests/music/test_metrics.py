"""DeepComposer's metrics and the parallel fifths/octaves count on hand-made and real music."""

from __future__ import annotations

from music.metrics import music_metrics, parallels
from music.piece import Note, Piece


def test_metrics_of_a_hand_made_piece() -> None:
    # bar 1: C E G quarter notes and a rest; bar 2 empty; bar 3: C# (in no scale with C, E and G), a sixteenth
    melody = [Note(60, 0, 4), Note(64, 4, 4), Note(67, 8, 4), Note(61, 32, 1)]
    bass = [Note(48, 0, 16)]
    m = music_metrics(Piece([melody, bass], ["m", "b"]))
    assert m["bars"] == 3 and m["notes"] == 5
    assert abs(m["empty_bar_rate"] - 1 / 3) < 1e-9
    assert m["pitch_classes_per_bar"] == (3 + 1) / 2  # bar 1: C E G (C twice); bar 3: C#
    assert m["in_scale_ratio"] == 4 / 5
    assert m["qualified_note_rate"] == 4 / 5
    assert m["notes_per_bar"] == 5 / 3
    assert abs(m["polyphony"] - (12 * 2 + 4 + 1) / 17) < 1e-9


def test_parallel_fifths_and_octaves_are_found() -> None:
    upper = [Note(67, 0, 4), Note(69, 4, 4), Note(72, 8, 4)]
    lower = [Note(60, 0, 4), Note(62, 4, 4), Note(60, 8, 4)]  # G/C -> A/D parallel fifth; then contrary
    octave = [Note(55, 0, 4), Note(57, 4, 4), Note(48, 8, 4)]  # G -> A with the upper G -> A: octaves
    p = parallels(Piece([upper, lower, octave], ["a", "b", "c"]))
    assert p["parallel_fifths"] == 1
    assert p["parallel_octaves"] == 1


def test_bach_is_in_scale_and_has_few_parallels(chorale: Piece) -> None:
    m = music_metrics(chorale)
    assert m["in_scale_ratio"] > 0.85
    assert 3.5 < m["polyphony"] <= 4.0 and m["empty_bar_rate"] == 0.0
    assert parallels(chorale)["parallels_per_100_changes"] < 3.0
