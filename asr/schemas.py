"""Options and results of a transcription: the typed boundary of the asr module."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# Whisper's temperature fallback: retry hotter only when a window fails the quality thresholds.
TEMPERATURE_FALLBACK = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Measured in bench/asr.py (base, 3 consultations x 3 min, 2 CPU cores): batched 8 gave WER 7.6% at
# RTF 0.22 against sequential 8.8% at RTF 0.31, for ~0.5 GB more peak memory. Short clips gain nothing.
AUTO_BATCH_SECONDS = 60.0


DEFAULT_PHRASE_MAX_COST = 5.0  # nats (AsrSettings.phrase_max_cost; the engine's when a caller skipped the settings)


class TranscribeOptions(BaseModel):
    model: str | None = Field(default=None, description="base, tiny.en, whisper-1 (the default), a configured id")
    task: Literal["transcribe", "translate"] = "transcribe"
    language: str | None = Field(default=None, description="ISO-639-1 code; None detects it")
    prompt: str | None = Field(default=None, description="initial prompt: style and vocabulary context")
    hotwords: str | None = Field(default=None, description="terms to bias towards (faster-whisper hotwords)")
    temperature: float | tuple[float, ...] = TEMPERATURE_FALLBACK
    beam_size: int | None = Field(default=None, ge=1, le=10, description="None: the configured default (5)")
    word_timestamps: bool = False
    vad: bool | None = Field(
        default=None, description="Silero VAD cuts the audio to speech before decoding; None: the configured default"
    )
    condition_on_previous_text: bool | None = Field(
        default=None, description="each window decoded with the previous text as context; None: the configured default"
    )
    vad_min_silence_ms: int | None = Field(
        default=None, ge=0, le=10000, description="VAD: silence that splits speech; None: the configured default"
    )
    vad_speech_pad_ms: int | None = Field(
        default=None, ge=0, le=2000, description="VAD: audio kept each side of speech; None: the configured default"
    )
    timestamp_tokens: bool = Field(
        default=False,
        description="batched pipeline and pause-aligned clips: decode Whisper's timestamp tokens too (Whisper's own "
        "windows always do)",
    )
    loop_guard: bool | None = Field(
        default=None,
        description="re-decode a segment that loops or compresses like a hallucination (no conditioning, "
        "temperature fallback); None: the configured default",
    )
    correct_terms: bool | None = Field(
        default=None,
        description="English: a word that is no English word and is spelt and sounds almost like one drug or "
        "condition name becomes that name; None: the configured default",
    )
    check_phrases: bool | None = Field(
        default=None,
        description="English: a clinical phrase with one word misheard ('no test pain') is put right where the model "
        "finds it about as likely as what it wrote; None: the configured default",
    )
    confirm_terms: bool | None = Field(
        default=None,
        description="English: a rare word that sounds like a common clinical word ('weasings') becomes that word "
        "where a second decode of its segment, biased to it, writes it there; None: as check_phrases",
    )
    phrase_max_cost: float | None = Field(
        default=None, ge=0, le=50,
        description="check_phrases: how many nats less likely than the text as written a phrase may be; None: the "
        "configured default",
    )  # fmt: skip
    short_context_pad_s: float | None = Field(
        default=None, gt=0, le=10,
        description="encode a short clip with only this much padding instead of Whisper's 30 s window "
        "(several times faster; used by live dictation); only without VAD, timestamps or temperature fallback",
    )  # fmt: skip
    pieces: int | None = Field(
        default=None, ge=0, le=32,
        description="sequential decoding without VAD on CPU: long audio cut at pauses into up to this many pieces of "
        "min_piece_s or more, decoded at once (side by side on the model's CTranslate2 workers, or as one batched "
        "beam search on one), each after the first prompted with the text before its cut; 1 = whole, 0 = one per "
        "worker; None: the configured default",
    )  # fmt: skip
    pause_windows: bool | None = Field(
        default=None,
        description="sequential decoding without VAD: cut long audio at pauses into clips of up to 29.5 s, each "
        "decoded as one window without timestamp tokens (segments are clips, or sentences with word timestamps); "
        "None: the configured default",
    )
    context_tokens: int | None = Field(
        default=None, ge=0, le=223,
        description="sequential decoding: tokens of the previous text each window is prompted with (faster-whisper: "
        "223); the initial prompt is kept whole; None: the configured default",
    )  # fmt: skip
    term_memory: int | None = Field(
        default=None, ge=0, le=20,
        description="English transcription conditioned on earlier text: each window is also prompted with the last "
        "this many distinct clinical words of the text before it (hotwords, after the caller's); 0: none; None: the "
        "configured default",
    )  # fmt: skip
    min_piece_s: float = Field(default=60.0, ge=30, description="shortest piece: audio under twice this is whole")
    batch_size: int | None = Field(
        default=None, ge=0, le=64,
        description="faster-whisper's batched pipeline; 0 = sequential; None: the configured default for audio "
        "over 60 s with VAD (sequential otherwise)",
    )  # fmt: skip


class Word(BaseModel):
    word: str
    start: float
    end: float
    probability: float


class Segment(BaseModel):
    id: int
    seek: int = 0
    start: float
    end: float
    text: str
    tokens: list[int] = Field(default_factory=list)
    temperature: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0
    no_speech_prob: float = 0.0
    confidence: float = Field(description="exp(avg_logprob): mean token probability, 0..1")
    words: list[Word] | None = None
    speaker: str | None = None  # conversation mode: clinician / patient
    channel: int | None = None  # stereo conversation mode: which channel it came from


class Transcript(BaseModel):
    text: str
    language: str
    language_probability: float
    duration: float
    model: str
    task: Literal["transcribe", "translate"] = "transcribe"
    segments: list[Segment]

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in (s.words or [])]
