"""Dictation tuning, from VOXGATE_DICTATION_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DictationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_DICTATION_", extra="ignore")

    default_model: str = Field(default="tiny.en", description="model when the start message names none")
    # Endpointing (Silero VAD probabilities per 32 ms window).
    vad_threshold: float = Field(default=0.5, gt=0, lt=1)
    min_silence_s: float = Field(default=0.5, gt=0, description="silence that ends an utterance")
    sentence_end_silence_s: float = Field(
        default=0.3, ge=0,
        description="a shorter pause that ends an utterance when its decode so far ends a sentence (. ? !); 0 = off",
    )  # fmt: skip
    min_speech_s: float = Field(default=0.1, ge=0, description="shorter bursts are noise, not an utterance")
    speech_pad_s: float = Field(default=0.3, ge=0, description="audio kept around speech for the decoder")
    lead_pad_s: float = Field(default=1.0, ge=0, description="audio kept before speech starts (soft onsets)")
    max_utterance_s: float = Field(default=20.0, gt=2, le=28, description="longer speech is cut at its best pause")
    # Decoding.
    partial_interval_s: float = Field(default=0.5, gt=0, description="new audio between partial decodes")
    beam_size: int = Field(default=1, ge=1, le=10, description="1 (greedy) keeps partials and finals fast")
    short_context_pad_s: float = Field(
        default=2.0, ge=0, le=10,
        description="partials encode the utterance with this much padding, not Whisper's 30 s window "
        "(finals always use the full window); 0 = the full window for partials too",
    )  # fmt: skip
    final_beam_size: int = Field(default=1, ge=1, le=10, description=">beam_size re-decodes each final")
    # Sessions and limits.
    max_sessions: int = Field(default=8, ge=1)
    resume_window_s: float = Field(default=30.0, ge=0, description="a dropped session can be resumed this long")
    idle_timeout_s: float = Field(default=30.0, gt=0, description="no message this long closes the session")
    send_timeout_s: float = Field(default=10.0, gt=0, description="a client that reads no faster is dropped")
    max_speed: float = Field(default=3.0, gt=0, description="audio may arrive this many times faster than real time")
    burst_s: float = Field(default=30.0, ge=0, description="... after a head start of this many seconds")
    max_session_s: float = Field(default=3600.0, gt=0)
