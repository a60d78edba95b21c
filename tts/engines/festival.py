"""Festival voices (text2wave): kal (diphone) and slt (HTS), both from Debian."""

from __future__ import annotations

from pathlib import Path

from tts.engines.cli import available, run_to_wav
from tts.schemas import Chunk, VoiceInfo, Word
from workers import ModelPool

VOICE_ROOT = Path("/usr/share/festival/voices")
# voice id -> (festival voice, directory under VOICE_ROOT, gender, sample rate)
VOICES = {
    "festival-kal": ("kal_diphone", "english/kal_diphone", "male", 16000),
    "festival-slt-hts": ("cmu_us_slt_arctic_hts", "us/cmu_us_slt_arctic_hts", "female", 32000),
}


class FestivalEngine:
    name = "festival"

    def voices(self, model_dir: Path) -> list[VoiceInfo]:
        if not available("text2wave"):
            return []
        return [
            VoiceInfo(
                id=vid,
                name=f"festival {fv}",
                language="en-US",
                gender=gender,
                engine="standard",
                backend=self.name,
                sample_rate=rate,
            )
            for vid, (fv, folder, gender, rate) in VOICES.items()
            if (VOICE_ROOT / folder).is_dir()
        ]

    def synthesize(self, voice: VoiceInfo, words: list[Word], rate: float, pool: ModelPool, priority: int) -> Chunk:
        festival_voice = VOICES[voice.id][0]
        return run_to_wav(
            "text2wave",
            lambda text, wav: [
                "text2wave",
                "-eval",
                f"(voice_{festival_voice})",
                "-eval",
                f"(Parameter.set 'Duration_Stretch {1.0 / rate:.3f})",
                str(text),
                "-o",
                str(wav),
            ],
            words,
        )
