"""The messages of a dictation session: what the client starts with, and the events it receives."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from asr.medical import Entity

SAMPLE_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)


class DictationConfig(BaseModel):
    """The client's `start` message."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["start"] = "start"
    sample_rate: int = Field(default=16000, description=f"one of {SAMPLE_RATES}; 16000 avoids resampling")
    encoding: Literal["pcm16", "webm"] = "pcm16"
    language: str | None = "en"
    model: str | None = None
    specialty: str | None = None
    vocabulary: list[str] = Field(default_factory=list, max_length=200)
    format: bool = Field(default=True, description="dictation formatting of finals: spoken marks, doses, vitals")
    entities: bool = Field(default=True, description="medical entities on finals and the note (off: no lexicons)")


class ReadyEvent(BaseModel):
    type: Literal["ready"] = "ready"
    session_id: str = Field(description="send it in a `resume` message to continue after a dropped connection")
    model: str
    sample_rate: int
    resumed: bool = False
    finals: int = 0  # finals the session holds (a resumed client gets the ones it missed again)


class PartialEvent(BaseModel):
    type: Literal["partial"] = "partial"
    utterance: int
    text: str = Field(description="the current hypothesis of the utterance: may still change")
    stable: str = Field(description="its prefix confirmed by consecutive decodes (local agreement)")
    start: float
    end: float  # audio covered by the decode, seconds since the session began


class FinalEvent(BaseModel):
    type: Literal["final"] = "final"
    index: int
    text: str = Field(description="formatted text that will not change")
    raw: str = Field(description="the decoder's words (medical sessions in English: term-corrected) before formatting")
    start: float
    end: float
    entities: list[Entity] = Field(default_factory=list)


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    text: str = Field(description="the whole note: the finals joined")
    entities: list[Entity]
    finals: list[FinalEvent]
    duration: float  # seconds of audio received


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    message: str
    code: str = "invalid_request"
    retry_after_s: float | None = Field(default=None, description="when the server is full: come back after this")


Event = ReadyEvent | PartialEvent | FinalEvent | DoneEvent | ErrorEvent
