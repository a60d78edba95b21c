"""Render a Transcript in the OpenAI response formats: json, text, srt, verbose_json, vtt."""

from __future__ import annotations

from typing import Any, Literal

from asr.languages import language_name
from asr.schemas import Segment, Transcript

ResponseFormat = Literal["json", "text", "srt", "verbose_json", "vtt"]
RESPONSE_FORMATS: tuple[str, ...] = ("json", "text", "srt", "verbose_json", "vtt")
TIMED_FORMATS: tuple[str, ...] = ("srt", "verbose_json", "vtt")  # formats that show segment times
MEDIA_TYPES = {
    "json": "application/json",
    "verbose_json": "application/json",
    "text": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cue_text(segment: Segment) -> str:
    return f"[{segment.speaker}] {segment.text}" if segment.speaker else segment.text


def to_srt(transcript: Transcript) -> str:
    cues = [
        f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{_cue_text(s)}\n"
        for i, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(cues)


def to_vtt(transcript: Transcript) -> str:
    cues = [f"{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{_cue_text(s)}\n" for s in transcript.segments]
    return "WEBVTT\n\n" + "\n".join(cues)


def to_verbose_json(transcript: Transcript, granularities: tuple[str, ...] = ("segment",)) -> dict[str, Any]:
    body: dict[str, Any] = {
        "task": transcript.task,
        "language": language_name(transcript.language),
        "duration": transcript.duration,
        "text": transcript.text,
    }
    if "segment" in granularities or not granularities:
        body["segments"] = [
            s.model_dump(exclude={"words", "speaker", "channel", "confidence"}) for s in transcript.segments
        ]
    if "word" in granularities:
        body["words"] = [w.model_dump(exclude={"probability"}) for w in transcript.words]
    return body


def render(transcript: Transcript, fmt: str, granularities: tuple[str, ...] = ("segment",)) -> str | dict[str, Any]:
    """A dict for the JSON formats, a string for the text ones."""
    if fmt == "json":
        return {"text": transcript.text}
    if fmt == "verbose_json":
        return to_verbose_json(transcript, granularities)
    if fmt == "text":
        return transcript.text + "\n"
    if fmt == "srt":
        return to_srt(transcript)
    if fmt == "vtt":
        return to_vtt(transcript)
    raise ValueError(f"unknown response format {fmt!r}")
