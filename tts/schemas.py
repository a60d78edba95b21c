"""The data the TTS module passes around: voices, synthesis options, audio and speech marks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

EngineKind = Literal["neural", "standard"]
MarkType = Literal["sentence", "word", "ssml"]
MAX_TEXT_CHARS = 3000  # synchronous requests; longer text goes to a job
MAX_JOB_CHARS = 100_000


class VoiceInfo(BaseModel):
    """One voice as `GET /v1/voices` lists it."""

    id: str
    name: str
    language: str
    gender: Literal["male", "female", "unknown"] = "unknown"
    engine: EngineKind
    backend: str = Field(description="the program behind the voice: piper, flite, festival, espeak-ng, coqui")
    sample_rate: int
    aliases: list[str] = Field(default_factory=list)
    supports_phonemes: bool = Field(False, description="IPA from <phoneme> and lexicons is spoken as given")
    word_alignment: Literal["model", "estimated"] = "estimated"


class SpeechOptions(BaseModel):
    """What a caller may set for one synthesis."""

    voice: str = "en_US-joe-medium"
    text_type: Literal["text", "ssml"] = "text"
    format: str = "mp3"
    sample_rate: int | None = None
    speed: float = Field(1.0, ge=0.25, le=4.0)
    lexicons: list[str] = Field(default_factory=list)
    normalize: bool = True


class SpeechMark(BaseModel):
    """A Polly speech mark: `time` in ms from the start of the audio, `start`/`end` byte offsets in the input."""

    time: int
    type: MarkType
    start: int
    end: int
    value: str


@dataclass
class Prosody:
    """Relative settings: rate 1.0 is the voice's own speed, pitch a frequency ratio, volume in dB."""

    rate: float = 1.0
    pitch: float = 1.0
    volume_db: float = 0.0


@dataclass
class Word:
    """A word to speak: `text` as spoken, `phonemes` (IPA) when a lexicon or <phoneme> fixed them,
    and the byte span in the caller's input it came from (for speech marks)."""

    text: str
    start: int
    end: int
    source: str
    phonemes: str | None = None
    mark: bool = True  # False for words that a normalisation inserted inside one source word


@dataclass
class Chunk:
    """A stretch of mono float32 audio in [-1, 1] with word timings (sample offsets within the chunk)."""

    samples: np.ndarray
    sample_rate: int
    word_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass
class Audio:
    """A finished synthesis."""

    data: bytes
    format: str
    media_type: str
    sample_rate: int
    duration: float
    voice: str
    marks: list[SpeechMark] = field(default_factory=list)
