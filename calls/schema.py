"""The per-call analytics document and the batch summary (schema version CALL_SCHEMA_VERSION).

Times are seconds from the start of the call. Sentiment scores are in [-1, 1]: the mean over turns of
P(positive) - P(negative), weighted by each turn's word count.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

# 1.1: CallOptions.redact_audio, PiiSpan.audio_start/audio_end, CallResult.redacted_audio
CALL_SCHEMA_VERSION = "1.1"

Party = Literal["agent", "customer"]


class CallOptions(BaseModel):
    agent_channel: int = Field(default=0, ge=0, le=1, description="stereo: which channel is the agent")
    asr_model: str = Field(default="tiny.en", description="tiny.en (fast) or base")
    language: str = "en"
    silence_threshold: float = Field(default=3.0, ge=0.5, le=60, description="non-talk gaps at least this long")
    interruption_min_overlap: float = Field(default=0.3, ge=0.05, le=5)
    redact_pii: bool = True
    redact_audio: Literal["silence", "bleep"] | None = Field(
        default=None,
        description="also write a redacted copy of the recording: PII spans silenced or replaced by a 1 kHz tone "
        "on the channel of the speaker who said them (needs redact_pii)",
    )
    max_duration: float = Field(default=3600.0, gt=0, description="calls longer than this (s) fail with an error")

    @model_validator(mode="after")
    def _audio_needs_pii(self) -> CallOptions:
        if self.redact_audio and not self.redact_pii:
            raise ValueError("redact_audio needs redact_pii (the PII spans come from the transcript)")
        return self


class TurnSentiment(BaseModel):
    label: Literal["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]
    score: float = Field(description="P(positive) - P(negative), -1..1")
    scores: dict[str, float]


class PiiSpan(BaseModel):
    type: str
    start: int = Field(description="character offsets in the unredacted turn text")
    end: int
    audio_start: float | None = Field(default=None, description="seconds: where the span was said (word timings)")
    audio_end: float | None = None


class AudioRedaction(BaseModel):
    speaker: Party
    channel: int = Field(description="channel of the redacted file that was silenced or bleeped")
    start: float
    end: float


class RedactedAudio(BaseModel):
    mode: Literal["silence", "bleep"]
    file: str = Field(description="path relative to the batch output directory (16 kHz 16-bit PCM WAV)")
    url: str | None = Field(default=None, description="download URL, filled in by the gateway")
    channels: int
    spans: list[AudioRedaction] = Field(default_factory=list, description="merged redacted intervals")


class Turn(BaseModel):
    index: int
    speaker: Party
    start: float
    end: float
    text: str = Field(description="redacted when redact_pii is on")
    words: int
    sentiment: TurnSentiment
    loudness_dbfs: float
    pii: list[PiiSpan] = Field(default_factory=list)


class Silence(BaseModel):
    start: float
    end: float
    duration: float


class Interruption(BaseModel):
    by: Party
    interrupted: Party
    at: float
    duration: float = Field(description="overlap in seconds")


class PartyStats(BaseModel):
    talk_time: float
    talk_share: float
    words: int
    words_per_minute: float
    sentiment: float
    sentiment_label: str
    sentiment_by_quarter: list[float | None]
    mean_loudness_dbfs: float | None
    interruptions: int


class Span(BaseModel):
    turn: int
    speaker: Party
    start: int
    end: int
    text: str


class CategoryMatch(BaseModel):
    name: str
    turns: list[int] = Field(default_factory=list)


class CallResult(BaseModel):
    schema_version: str = CALL_SCHEMA_VERSION
    call: str
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    duration: float = 0.0
    channels: int = 0
    diarization: Literal["channel", "mono-voice", "mono-clustering", "none"] = "none"
    asr_model: str = ""
    turns: list[Turn] = Field(default_factory=list)
    parties: dict[str, PartyStats] = Field(default_factory=dict)
    non_talk_time: float = 0.0
    silences: list[Silence] = Field(default_factory=list)
    interruptions: list[Interruption] = Field(default_factory=list)
    categories: list[CategoryMatch] = Field(default_factory=list)
    issues: list[Span] = Field(default_factory=list)
    outcomes: list[Span] = Field(default_factory=list)
    pii_redacted: bool = False
    pii_counts: dict[str, int] = Field(default_factory=dict)
    redacted_audio: RedactedAudio | None = None


class BatchSummary(BaseModel):
    schema_version: str = CALL_SCHEMA_VERSION
    calls: int
    succeeded: int
    failed: list[dict[str, str]]
    customer_sentiment: dict[str, int]
    top_categories: list[dict[str, int | str]]
    average_handle_time: float | None
    worst_customer_trend: list[dict[str, float | str]]
