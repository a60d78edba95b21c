"""Medical request and result models, in the shape of Amazon Comprehend Medical's entities."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from asr.schemas import Segment, Word

Category = Literal[
    "MEDICATION", "MEDICAL_CONDITION", "TEST_TREATMENT_PROCEDURE", "ANATOMY", "PROTECTED_HEALTH_INFORMATION"
]


class Attribute(BaseModel):
    type: str  # DOSAGE, ROUTE_OR_MODE, FREQUENCY, DURATION
    text: str
    begin_offset: int
    end_offset: int
    score: float


class Concept(BaseModel):
    code: str
    description: str
    score: float


class Entity(BaseModel):
    id: int = 0
    text: str
    category: Category
    type: str
    begin_offset: int
    end_offset: int
    score: float
    traits: list[str] = Field(default_factory=list)  # NEGATION
    attributes: list[Attribute] = Field(default_factory=list)
    icd10cm_concepts: list[Concept] = Field(default_factory=list)
    normalized: str | None = None  # canonical drug or condition name


class MedicalOptions(BaseModel):
    type: Literal["dictation", "conversation"] = "dictation"
    specialty: str | None = Field(default=None, description="e.g. respiratory, cardiology: picks biasing terms")
    vocabulary: list[str] = Field(default_factory=list, description="terms to bias the decoder towards")
    redact_phi: bool = False
    model: str | None = None
    language: str | None = "en"
    format: bool = Field(default=True, description="dictation formatting: spoken marks, doses, vitals")
    specialty_hotwords: bool = Field(
        default=False,
        description="also bias towards the specialty's terms; measured to raise WER (bench/asr.py --bias), so off",
    )
    beam_size: int | None = None
    batch_size: int | None = None
    correct_terms: bool | None = Field(
        default=None,
        description="replace misspelt near misses of drug and condition names (no English word, spelt and "
        "sounding almost like one lexicon name) by the lexicon's spelling; None: the configured default (on)",
    )
    check_phrases: bool | None = Field(
        default=None,
        description="put right clinical phrases with one word misheard where the audio agrees; None: as "
        "correct_terms (false there: Whisper's own words), else the configured default (on)",
    )
    prompt: str | None = Field(
        default=None,
        description="initial prompt for the decoder; None: the configured one (VOXGATE_ASR_MEDICAL_PROMPT), "
        "'' for none",
    )


class MedicalTranscript(BaseModel):
    text: str
    type: Literal["dictation", "conversation"]
    language: str
    duration: float
    model: str
    segments: list[Segment]
    words: list[Word]
    speakers: list[str] = Field(default_factory=list)
    speaker_method: str | None = None  # "channel", "voice" (mono, speaker encoder) or "heuristic" (mono, text)
    entities: list[Entity]
    hotwords: str | None = None
    redacted: bool = False
