"""The OpenAI response formats, on a hand-built transcript."""

from __future__ import annotations

from asr import Segment, Transcript, Word
from asr.formats import render

TRANSCRIPT = Transcript(
    text="Hello there. General Kenobi.",
    language="en",
    language_probability=0.99,
    duration=3725.5,
    model="base",
    segments=[
        Segment(
            id=0,
            start=0.0,
            end=1.5,
            text="Hello there.",
            confidence=0.9,
            words=[
                Word(word=" Hello", start=0.0, end=0.6, probability=0.9),
                Word(word=" there.", start=0.6, end=1.5, probability=0.8),
            ],
        ),
        Segment(id=1, start=3723.25, end=3725.5, text="General Kenobi.", confidence=0.8, speaker="patient"),
    ],
)


def test_srt_numbers_cues_and_uses_comma_milliseconds() -> None:
    srt = render(TRANSCRIPT, "srt")
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,500\nHello there.\n")
    assert "2\n01:02:03,250 --> 01:02:05,500\n[patient] General Kenobi.\n" in srt


def test_vtt_has_header_and_dot_milliseconds() -> None:
    vtt = render(TRANSCRIPT, "vtt")
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n")


def test_json_text_and_verbose_json() -> None:
    assert render(TRANSCRIPT, "json") == {"text": TRANSCRIPT.text}
    assert render(TRANSCRIPT, "text") == TRANSCRIPT.text + "\n"
    verbose = render(TRANSCRIPT, "verbose_json", ("segment", "word"))
    assert verbose["duration"] == 3725.5 and len(verbose["segments"]) == 2
    assert verbose["language"] == "english"  # OpenAI reports names, not codes
    assert verbose["words"] == [
        {"word": " Hello", "start": 0.0, "end": 0.6},
        {"word": " there.", "start": 0.6, "end": 1.5},
    ]
    assert "words" not in render(TRANSCRIPT, "verbose_json", ("segment",))
