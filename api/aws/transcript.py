"""A transcript in Amazon Transcribe's own result JSON: `results.transcripts`, `items` (pronunciation with
start/end times and confidence, punctuation split off the words), `speaker_labels` and `channel_labels`."""

from __future__ import annotations

import re
from typing import Any

from asr.schemas import Segment, Word

_PUNCT = re.compile(r"^(?P<lead>[\"'(\[]*)(?P<core>.*?)(?P<trail>[.,!?;:\"')\]]*)$")


def _num(value: float) -> str:
    return f"{value:.3f}"


def _segment_of(word: Word, segments: list[Segment]) -> Segment | None:
    middle = (word.start + word.end) / 2
    return next((s for s in segments if s.start <= middle <= s.end), None) or min(
        segments, key=lambda s: min(abs(s.start - middle), abs(s.end - middle)), default=None
    )


def build(
    job_name: str,
    words: list[Word],
    segments: list[Segment],
    *,
    speakers: bool,
    channels: bool,
    account: str = "000000000000",
) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    speaker_ids: dict[str, str] = {}
    tagged: list[tuple[dict[str, Any], Segment | None]] = []
    for word in words:
        match = _PUNCT.match(word.word.strip())
        core = match["core"] if match else word.word.strip()
        if not core:
            continue
        item = {
            "id": len(items),
            "start_time": _num(word.start),
            "end_time": _num(word.end),
            "type": "pronunciation",
            "alternatives": [{"confidence": f"{word.probability:.4f}", "content": core}],
        }
        segment = _segment_of(word, segments) if segments else None
        if speakers and segment is not None and segment.speaker:
            label = speaker_ids.setdefault(segment.speaker, f"spk_{len(speaker_ids)}")
            item["speaker_label"] = label
        items.append(item)
        tagged.append((item, segment))
        for mark in match["trail"] if match else "":
            if mark in ".,!?;:":
                punct = {
                    "id": len(items),
                    "type": "punctuation",
                    "alternatives": [{"confidence": "0.0", "content": mark}],
                }
                if "speaker_label" in item:
                    punct["speaker_label"] = item["speaker_label"]
                items.append(punct)
    text = ""
    for item in items:
        content = item["alternatives"][0]["content"]
        text += content if item["type"] == "punctuation" or not text else " " + content
    results: dict[str, Any] = {"transcripts": [{"transcript": text}], "items": items}
    if speakers:
        results["speaker_labels"] = _speaker_labels(tagged, speaker_ids)
    if channels:
        results["channel_labels"] = _channel_labels(tagged)
    return {"jobName": job_name, "accountId": account, "status": "COMPLETED", "results": results}


def _speaker_labels(tagged: list[tuple[dict[str, Any], Segment | None]], ids: dict[str, str]) -> dict[str, Any]:
    turns: list[dict[str, Any]] = []
    for item, _ in tagged:
        label = item.get("speaker_label", "spk_0")
        entry = {"start_time": item["start_time"], "end_time": item["end_time"], "speaker_label": label}
        if turns and turns[-1]["speaker_label"] == label:
            turns[-1]["items"].append(entry)
            turns[-1]["end_time"] = item["end_time"]
        else:
            turns.append(
                {
                    "start_time": item["start_time"],
                    "end_time": item["end_time"],
                    "speaker_label": label,
                    "items": [entry],
                }
            )
    return {"speakers": max(len(ids), 1), "segments": turns}


def _channel_labels(tagged: list[tuple[dict[str, Any], Segment | None]]) -> dict[str, Any]:
    per_channel: dict[int, list[dict[str, Any]]] = {}
    for item, segment in tagged:
        channel = segment.channel if segment is not None and segment.channel is not None else 0
        per_channel.setdefault(channel, []).append({k: v for k, v in item.items() if k != "speaker_label"})
    return {
        "number_of_channels": max(len(per_channel), 1),
        "channels": [{"channel_label": f"ch_{c}", "items": per_channel[c]} for c in sorted(per_channel)],
    }
