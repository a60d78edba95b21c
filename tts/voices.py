"""The voice catalogue: every engine's voices, stable ids, OpenAI voice names as aliases, model names."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tts.engines.base import Engine
from tts.engines.coqui import CoquiEngine
from tts.engines.espeak import EspeakEngine
from tts.engines.festival import FestivalEngine
from tts.engines.flite import FliteEngine
from tts.engines.piper import PiperEngine
from tts.errors import UnknownEngineError, UnknownVoiceError
from tts.install import DEFAULT_VOICE
from tts.schemas import VoiceInfo


def engines(coqui_venv: Path | None = None) -> list[Engine]:
    """Adding an engine is adding its file and one entry here."""
    coqui = CoquiEngine(coqui_venv) if coqui_venv else CoquiEngine()
    return [PiperEngine(), FliteEngine(), FestivalEngine(), EspeakEngine(), coqui]


# OpenAI voice name -> preferred voices, first available wins
OPENAI_VOICES: dict[str, tuple[str, ...]] = {
    "alloy": (DEFAULT_VOICE, "festival-slt-hts"),
    "ash": (DEFAULT_VOICE, "flite-awb"),
    "ballad": ("festival-slt-hts", DEFAULT_VOICE),
    "coral": ("festival-slt-hts", "flite-slt"),
    "echo": (DEFAULT_VOICE, "flite-rms"),
    "fable": ("flite-awb", DEFAULT_VOICE),
    "onyx": (DEFAULT_VOICE, "festival-kal"),
    "nova": ("flite-slt", "festival-slt-hts"),
    "sage": ("festival-slt-hts", "flite-slt"),
    "shimmer": ("flite-slt", "espeak-en-us-f"),
    "verse": (DEFAULT_VOICE, "espeak-en-us"),
}
NEURAL_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts", "neural")


class Catalog:
    def __init__(self, model_dir: Path, coqui_venv: Path | None = None) -> None:
        self.model_dir = model_dir
        self.voices: dict[str, VoiceInfo] = {}
        self.engine_of: dict[str, Engine] = {}
        for engine in engines(coqui_venv):
            for voice in engine.voices(model_dir):
                self.voices[voice.id] = voice
                self.engine_of[voice.id] = engine
        for alias, choices in OPENAI_VOICES.items():
            target = next((c for c in choices if c in self.voices), None)
            if target:
                self.voices[target].aliases.append(alias)

    def list(self, engine: str | None = None, language: str | None = None) -> list[VoiceInfo]:
        voices = list(self.voices.values())
        if engine:
            voices = [v for v in voices if engine in (v.engine, v.backend)]
        if language:
            voices = [v for v in voices if v.language.lower().startswith(language.lower())]
        return voices

    def check_engine(self, model: str | None) -> str | None:
        """The engine filter a model name implies: None (any), 'neural', 'standard' or a backend name."""
        if model in (None, ""):
            return None
        if model in NEURAL_MODELS:
            # OpenAI model names pick the neural engine for OpenAI voice names; a voice id named outright wins
            return None if model != "neural" else "neural"
        backends = {v.backend for v in self.voices.values()} | {"standard"}
        if model in backends:
            return model
        raise UnknownEngineError(
            f"unknown model/engine {model!r}; use one of {', '.join([*NEURAL_MODELS, *sorted(backends)])}",
            param="model",
        )

    def for_language(self, lang: str, voice: VoiceInfo) -> VoiceInfo:
        """The voice to speak `lang` (an SSML <lang> tag) in place of `voice`: `voice` itself when it speaks
        that language or no voice does, else one that does (same region and gender first)."""

        def primary(tag: str) -> str:
            return tag.lower().split("-")[0]

        if primary(voice.language) == primary(lang):
            return voice
        others = [v for v in self.voices.values() if primary(v.language) == primary(lang)]
        if not others:
            return voice

        def closeness(v: VoiceInfo) -> tuple[bool, bool, bool]:
            return v.language.lower() == lang.lower(), v.gender == voice.gender, v.engine == voice.engine

        return max(others, key=closeness)

    def resolve(self, name: str, engine: str | None = None) -> VoiceInfo:
        """A voice id or an OpenAI alias; with an engine filter an alias picks a voice of that engine."""
        voice = self.voices.get(name)
        if voice is None:
            voice = next((v for v in self.voices.values() if name in v.aliases), None)
            if voice is not None and engine and engine not in (voice.engine, voice.backend):
                voice = next((v for v in self.list(engine) if v.language.startswith("en")), voice)
        if voice is None:
            shown = ", ".join(sorted(self.voices)[:20])
            raise UnknownVoiceError(f"unknown voice {name!r}; available: {shown} (GET /v1/voices)", param="voice")
        if engine and engine not in (voice.engine, voice.backend):
            raise UnknownVoiceError(
                f"voice {voice.id!r} is a {voice.engine} {voice.backend} voice, not {engine}", param="voice"
            )
        return voice


@cache
def _catalog(model_dir: str, coqui_venv: str | None) -> Catalog:
    return Catalog(Path(model_dir), Path(coqui_venv) if coqui_venv else None)


def catalog(model_dir: Path | None = None, coqui_venv: Path | None = None) -> Catalog:
    return _catalog(str((model_dir or default_model_dir()).resolve()), str(coqui_venv) if coqui_venv else None)


def default_model_dir() -> Path:
    """The repository's models/ folder; the gateway and the CLI pass Settings.model_dir (VOXGATE_MODEL_DIR)."""
    return Path(__file__).resolve().parent.parent / "models"
