"""MIDI and note-list input: what is read, and the clear errors for bad input."""

from __future__ import annotations

import pytest
import symusic

from music.midi import MAX_SECONDS, fit_melody, read_midi, read_notes, write_midi
from music.piece import MusicError, Note, Piece


def _midi(notes: list[tuple[int, float, float]], drums: bool = False, tempo: float = 120.0) -> bytes:
    score = symusic.Score(480)
    score.tempos.append(symusic.Tempo(0, tempo))
    track = symusic.Track("t", 0, drums)
    for pitch, start, duration in notes:
        track.notes.append(symusic.Note(int(start * 480), int(duration * 480), pitch, 90))
    score.tracks.append(track)
    return bytes(score.dumps_midi())


def _error(fn, *args, **kwargs) -> MusicError:  # noqa: ANN001
    with pytest.raises(MusicError) as info:
        fn(*args, **kwargs)
    return info.value


def test_a_melody_round_trips_through_midi(melody: Piece) -> None:
    back = read_midi(write_midi(melody))
    first = melody.voices[0][0].start
    assert [(n.pitch, n.start - first, n.duration) for n in melody.voices[0]] == [
        (n.pitch, n.start, n.duration) for n in back.voices[0]
    ]


def test_the_top_line_of_chords_is_the_melody() -> None:
    piece = read_midi(_midi([(60, 0, 1), (64, 0, 1), (67, 0, 1), (62, 1, 1), (65, 1, 1)]))
    assert [(n.pitch, n.start, n.duration) for n in piece.voices[0]] == [(67, 0, 4), (65, 4, 4)]


def test_bad_input_gives_clear_errors() -> None:
    assert _error(read_midi, b"RIFF\x00\x00\x00\x00WAVEfmt ").code == "invalid_midi"
    assert _error(read_midi, b"MThd\x00\x00\x00\x06garbage").code == "invalid_midi"
    assert _error(read_midi, _midi([])).code == "empty_midi"
    assert _error(read_midi, _midi([(36, 0, 1), (38, 1, 1)], drums=True)).code == "drums_only"
    ten_minutes = [(60 + i % 12, i, 1) for i in range(1200)]  # 1200 quarters at 120 bpm = 10 minutes
    error = _error(read_midi, _midi(ten_minutes))
    assert (error.code, error.status) == ("input_too_long", 413) and f"{MAX_SECONDS:.0f} s" in error.message
    assert _error(read_notes, []).code == "empty_midi"
    assert _error(read_notes, [{"pitch": 60, "start": 0}]).param == "notes.0"


def test_melody_range_is_checked_and_octaves_are_fitted() -> None:
    high = [Note(p, i * 4, 4) for i, p in enumerate((84, 86, 88, 89, 91))]  # C6..G6: moved down an octave
    moved, shift = fit_melody(high)
    assert shift == -12 and [n.pitch for n in moved] == [72, 74, 76, 77, 79]
    error = _error(fit_melody, [Note(100, 0, 4), Note(104, 4, 4)])
    assert (error.code, error.status) == ("melody_out_of_range", 422)
    wide = [Note(48, 0, 4), Note(84, 4, 4)]  # three octaves: no soprano sings that
    assert _error(fit_melody, wide).code == "melody_out_of_range"


def test_output_has_one_named_track_per_voice(chorale: Piece) -> None:
    score = symusic.Score.from_midi(write_midi(chorale))
    assert [t.name for t in score.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert [len(t.notes) for t in score.tracks] == [len(v) for v in chorale.voices]
    four = read_midi(write_midi(chorale), voices=True)
    assert four.names == ["Soprano", "Alto", "Tenor", "Bass"]
    assert [len(v) for v in four.voices] == [len(v) for v in chorale.voices]
