"""Who speaks: clinician or patient.

Stereo recordings with one speaker per channel are labelled by channel (reliable).
Mono, when the speaker encoder is installed (asr/speakers.py): each sentence gets a voice
embedding, the sentences are split into two voices, and the voice whose sentences sound more
like a clinician (questions, plans) is the clinician. Without the encoder, a text-only best
effort: questions and clinician phrasing mark the clinician, first-person symptom talk the
patient, and a segment with neither continues the turn-taking (an answer follows a question).
"""

from __future__ import annotations

import re

import numpy as np

from asr.schemas import Segment
from asr.sentences import sentence_runs

CLINICIAN, PATIENT = "clinician", "patient"
_CLINICIAN_CUES = re.compile(
    r"\?|\b(?:do you|have you|are you|did you|does it|is it|any (?:other|history|fever|pain)|how long|how often|"
    r"when did|can you|could you|tell me|I'll|we'll|let's|I'm going to|I would (?:recommend|suggest)|"
    r"I'd like to|we can|we will|prescribe|recommend|examine|take a look|sounds like)\b",
    re.I,
)
_PATIENT_CUES = re.compile(
    r"\b(?:I've been|I have|I had|I feel|I felt|I get|I got|my (?:chest|throat|nose|head|back|wife|husband|mom|"
    r"dad|son|daughter|stomach)|it hurts|it's been|I don't|I think|I was|I'm not sure|yeah|yes|no,? I)\b",
    re.I,
)


def distinct_channels(channels: np.ndarray | None, threshold: float = 0.9) -> bool:
    """True when two channels carry different signals (dual-mono files are common and must not split)."""
    if channels is None or channels.shape[0] < 2:
        return False
    left, right = channels[0].astype(np.float64), channels[1].astype(np.float64)
    if np.std(left) < 1e-4 or np.std(right) < 1e-4:
        return False
    return float(np.corrcoef(left, right)[0, 1]) < threshold


def merge_channels(per_channel: list[list[Segment]], labels: tuple[str, ...] = (CLINICIAN, PATIENT)) -> list[Segment]:
    """One time-ordered list from per-channel segments, each labelled `labels[channel]` (ties: lower channel first)."""
    merged = [
        s.model_copy(update={"speaker": labels[ch] if ch < len(labels) else f"speaker_{ch}", "channel": ch})
        for ch, segments in enumerate(per_channel)
        for s in segments
    ]
    merged.sort(key=lambda s: (s.start, s.channel))
    for index, segment in enumerate(merged):
        segment.id = index
    return merged


def split_sentences(segments: list[Segment]) -> list[Segment]:
    """One segment per sentence, cut at word timestamps: a Whisper segment often spans a question
    and its answer, and a label per 30 s window would be useless."""
    out: list[Segment] = []
    for segment in segments:
        words = segment.words or []
        if not words:
            out.append(segment)
            continue
        for run in sentence_runs(words):
            text = "".join(w.word for w in run).strip()
            out.append(segment.model_copy(update={"start": run[0].start, "end": run[-1].end, "text": text,
                                                  "words": run}))  # fmt: skip
    for index, segment in enumerate(out):
        segment.id = index
    return out


def label_mono(segments: list[Segment]) -> list[Segment]:
    segments = split_sentences(segments)
    labelled: list[Segment] = []
    previous: str | None = None
    previous_question = False
    for segment in segments:
        clinician = len(_CLINICIAN_CUES.findall(segment.text))
        patient = len(_PATIENT_CUES.findall(segment.text))
        if previous is None:
            speaker = CLINICIAN  # consultations open with the clinician
        elif clinician > patient:
            speaker = CLINICIAN
        elif patient > clinician or previous_question:
            speaker = PATIENT
        else:
            speaker = previous
        labelled.append(segment.model_copy(update={"speaker": speaker}))
        previous, previous_question = speaker, segment.text.rstrip().endswith("?")
    return labelled


def _role_score(text: str) -> int:
    return len(_CLINICIAN_CUES.findall(text)) - len(_PATIENT_CUES.findall(text))


def label_by_voice(
    segments: list[Segment],
    voices: np.ndarray,
    roles: tuple[str, str] = (CLINICIAN, PATIENT),
    by_cues: bool = True,
) -> list[Segment]:
    """`voices[i]` (0 or 1) says which voice spoke sentence i; the voice with more clinician cues
    in its sentences takes `roles[0]` (ties, or `by_cues=False`: whoever spoke first), the other `roles[1]`."""
    lead = int(voices[0]) if len(voices) else 0
    if by_cues:
        scores = [sum(_role_score(s.text) for s, v in zip(segments, voices, strict=True) if v == k) for k in (0, 1)]
        lead = lead if scores[0] == scores[1] else int(np.argmax(scores))
    return [
        s.model_copy(update={"speaker": roles[0] if v == lead else roles[1]})
        for s, v in zip(segments, voices, strict=True)
    ]


def speaker_text(segments: list[Segment]) -> str:
    """One line per turn: "clinician: ...", consecutive segments of a speaker joined."""
    turns: list[tuple[str, list[str]]] = []
    for segment in segments:
        if turns and turns[-1][0] == segment.speaker:
            turns[-1][1].append(segment.text)
        else:
            turns.append((segment.speaker or "unknown", [segment.text]))
    return "\n".join(f"{speaker}: {' '.join(texts)}" for speaker, texts in turns)
