"""espeak-ng voices (formant synthesis, many languages)."""

from __future__ import annotations

from pathlib import Path

from tts.engines.cli import available, run_to_wav
from tts.schemas import Chunk, VoiceInfo, Word
from workers import ModelPool

BASE_WPM = 175
# voice id -> (espeak-ng voice, language, gender)
VOICES = {
    "espeak-en-us": ("en-us", "en-US", "male"),
    "espeak-en-us-f": ("en-us+f3", "en-US", "female"),
    "espeak-en-gb": ("en-gb", "en-GB", "male"),
    "espeak-es": ("es", "es-ES", "male"),
    "espeak-fr": ("fr-fr", "fr-FR", "male"),
    "espeak-de": ("de", "de-DE", "male"),
}


class EspeakEngine:
    name = "espeak-ng"

    def voices(self, model_dir: Path) -> list[VoiceInfo]:
        if not available("espeak-ng"):
            return []
        return [
            VoiceInfo(
                id=vid,
                name=f"espeak-ng {ev}",
                language=lang,
                gender=gender,
                engine="standard",
                backend=self.name,
                sample_rate=22050,
            )
            for vid, (ev, lang, gender) in VOICES.items()
        ]

    def synthesize(self, voice: VoiceInfo, words: list[Word], rate: float, pool: ModelPool, priority: int) -> Chunk:
        espeak_voice = VOICES[voice.id][0]
        wpm = max(80, min(450, round(BASE_WPM * rate)))
        return run_to_wav(
            "espeak-ng",
            lambda text, wav: ["espeak-ng", "-v", espeak_voice, "-s", str(wpm), "-f", str(text), "-w", str(wav)],
            words,
        )
