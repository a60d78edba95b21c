"""How each assistant sounds and listens: its voice profile (TTS voice, ASR model, language, greeting, vocabulary)
and what of Rasa's replies is spoken. Standard library and pydantic only: the speech itself is composed in the
gateway (api/compose/voicebots.py), which is the only place asr, tts and bots meet.

A bot's profile comes from `bots/projects/<bot>/voice.json` (not training data: changing it retrains nothing), with
the gateway's per-bot overrides on top (VOXGATE_BOTS_VOICE='{"clinic": {"voice": "flite-slt"}}').
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bots.projects import PROJECTS_DIR

PROFILE_FILE = "voice.json"


class VoiceProfile(BaseModel):
    """A bot's voice settings."""

    model_config = ConfigDict(extra="forbid")

    voice: str = Field(default="en_US-joe-medium", description="TTS voice id or alias (GET /v1/voices)")
    asr_model: str = Field(default="tiny.en", description="ASR model for the user's turns")
    language: str = Field(default="en", description="language of the user's speech (ISO-639-1)")
    greeting: str | None = Field(default=None, description="spoken when a voice conversation opens")
    vocabulary: list[str] = Field(default_factory=list, max_length=200, description="terms to bias ASR towards")
    speak_buttons: bool = Field(default=True, description="read the reply's button titles out as the choices")


def load_profile(bot: str, overrides: dict[str, Any] | None = None, root: Path = PROJECTS_DIR) -> VoiceProfile:
    """The bot's profile file (when it has one) with `overrides` on top. Raises ValueError (pydantic's
    ValidationError) on an unknown or invalid field, so a typo in the configuration fails at start-up."""
    path = root / bot / PROFILE_FILE
    values: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    return VoiceProfile.model_validate({**values, **(overrides or {})})


def response_messages(bot: str, root: Path = PROJECTS_DIR) -> list[dict[str, Any]]:
    """The bot's fixed replies (the `responses` of its domain.yml) as messages, for speaking them ahead of time.
    Templates that fill in slots ("{name}") are left out: their words are only known in the conversation."""
    import yaml  # PyYAML: the voicebots extra

    domain = yaml.safe_load((root / bot / "domain.yml").read_text()) or {}
    out = []
    for variants in (domain.get("responses") or {}).values():
        for message in variants or []:
            if isinstance(message, dict) and "{" not in str(message.get("text", "")):
                out.append(message)
    return out


def _choices(titles: list[str]) -> str:
    if len(titles) == 1:
        return titles[0]
    return ", ".join(titles[:-1]) + " or " + titles[-1]


def spoken_text(messages: list[dict[str, Any]], speak_buttons: bool = True) -> str:
    """What is said aloud for Rasa's reply messages: their texts in order, each button set read out as the choices
    ("You can say: Book an appointment, Opening hours or Talk to a person."). Images and custom payloads are
    shown, not spoken."""
    parts: list[str] = []
    for message in messages:
        text = str(message.get("text") or "").strip()
        if text:
            parts.append(text if text[-1] in ".!?:" else text + ".")
        titles = [str(b.get("title", "")).strip() for b in message.get("buttons") or [] if isinstance(b, dict)]
        titles = [t for t in titles if t]
        if speak_buttons and titles:
            parts.append(f"You can say: {_choices(titles)}.")
    return " ".join(parts)
