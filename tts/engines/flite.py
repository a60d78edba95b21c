"""flite (CMU Flite) voices: awb, rms, slt, kal."""

from __future__ import annotations

from pathlib import Path

from tts.engines.cli import available, run_to_wav
from tts.schemas import Chunk, VoiceInfo, Word
from workers import ModelPool

# voice id suffix -> (flite voice name, gender, sample rate)
VOICES = {
    "awb": ("awb", "male", 16000),
    "rms": ("rms", "male", 16000),
    "slt": ("slt", "female", 16000),
    "kal": ("kal16", "male", 16000),
}


class FliteEngine:
    name = "flite"

    def voices(self, model_dir: Path) -> list[VoiceInfo]:
        if not available("flite"):
            return []
        return [
            VoiceInfo(
                id=f"flite-{key}",
                name=f"flite {key}",
                language="en-US",
                gender=gender,
                engine="standard",
                backend=self.name,
                sample_rate=rate,
            )
            for key, (_, gender, rate) in VOICES.items()
        ]

    def synthesize(self, voice: VoiceInfo, words: list[Word], rate: float, pool: ModelPool, priority: int) -> Chunk:
        flite_voice = VOICES[voice.id.removeprefix("flite-")][0]
        return run_to_wav(
            "flite",
            lambda text, wav: [
                "flite",
                "-voice",
                flite_voice,
                "--setf",
                f"duration_stretch={1.0 / rate:.3f}",
                "-f",
                str(text),
                "-o",
                str(wav),
            ],
            words,
        )
