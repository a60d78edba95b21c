"""Readiness checks, one per module, named by `ModuleSpec.readiness` and run by GET /readyz.

A check answers whether the module can serve a request now: its model files are where the module will look
(present and complete, not loaded: loading is the pool's job and would cost seconds and memory on every probe),
the binaries it runs are installed, its sidecars answer. It returns None when ready, else the reason, in words an
operator can act on. Each check only reads files and state; each imports its module's public API lazily, so this
file imports no module's internals and costs nothing to import.
"""

from __future__ import annotations

import shutil
from typing import Any

from fastapi import FastAPI


def asr(app: FastAPI) -> str | None:
    return _whisper(app, app.state.settings.asr.default_model, "VOXGATE_ASR_DEFAULT_MODEL")


def dictation(app: FastAPI) -> str | None:
    return _whisper(app, app.state.settings.dictation.default_model, "VOXGATE_DICTATION_DEFAULT_MODEL")


def _whisper(app: FastAPI, name: str, variable: str) -> str | None:
    import asr as asr_module

    try:
        asr_module.resolve_model(name, app.state.settings.asr, allow_passthrough=False)
    except Exception as exc:  # ModelNotInstalledError, UnknownModelError: the words are the module's own
        return f"speech model {name!r} ({variable}) cannot be used: {exc}"
    return None


def tts(app: FastAPI) -> str | None:
    import tts as tts_module
    from tts.install import DEFAULT_VOICE

    settings = app.state.settings
    try:
        tts_module.catalog(settings.model_dir, settings.tts.coqui_venv).resolve(DEFAULT_VOICE)
    except Exception as exc:
        return f"the default voice {DEFAULT_VOICE!r} is not installed: {exc}"
    return None


def ocr(app: FastAPI) -> str | None:
    if shutil.which("tesseract") is None:
        return "the tesseract binary is not installed (apt-get install tesseract-ocr)"
    return None


def translate(app: FastAPI) -> str | None:
    from nlp.translate import apertium

    if not apertium.installed_modes():
        return "no Apertium language pair is installed (scripts/apt-packages.txt lists them)"
    return None


def music(app: FastAPI) -> str | None:
    from music.weights import weights_dir

    if not any(weights_dir().glob("*.safetensors")):
        return f"no trained music weights in {weights_dir()} (run python -m music.train)"
    return None


def bots(app: FastAPI) -> str | None:
    """Every bot's Rasa server answers (a sidecar that is up, or a configured external server)."""
    channels: Any = getattr(app.state, "bots", None)
    if channels is None:
        return "the bots module has not started"
    waiting = []
    for bot in channels.names:
        if channels.service.rasa_url(bot) is None:
            status = channels.service.status(bot)
            waiting.append(f"{bot}: {status.state}" + (f" ({status.detail})" if status.detail else ""))
    if waiting:
        sidecars = "" if app.state.settings.bots.sidecars else " (sidecars are off: VOXGATE_BOTS_SIDECARS)"
        return "bot servers not answering yet: " + "; ".join(waiting) + sidecars
    return None


def voicebots(app: FastAPI) -> str | None:
    """Voice conversations need the bots, the dictation-sized speech model and a voice."""
    return bots(app) or asr(app) or tts(app)


def calls(app: FastAPI) -> str | None:
    return asr(app)


def notes(app: FastAPI) -> str | None:
    return asr(app)
