"""A probe for the second pass issue 13 suggests (not a feature yet): re-decode 16 s around a word the first pass
got wrong with the intended term as faster-whisper's hotwords, alone or in a list, and around places where the term
is not said (controls), to see whether biasing fixes acoustic term errors and whether it invents terms.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_term_probe

Times come from a first pass (int8, word timestamps) of the consultations; printed: text and mean log-probability.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))
# (recording, second, intended term, what the first pass wrote there)
CASES = [
    ("RES0203", 261.2, "chest", "test pain (said: chest pain)"),
    ("RES0203", 265.2, "chest", "no test pain (said: no chest pain)"),
    ("RES0200", 666.3, "swab", "COVID swap (said: COVID swab)"),
    ("RES0206", 27.0, "sputum", "more our students (said: more sputum)"),
    ("RES0206", 429.4, "oxygen", "control: 'how often', said right"),
    ("RES0203", 120.0, "sputum", "control: no sputum said"),
    ("RES0200", 300.0, "swab", "control: no swab said"),
]
LIST = "chest pain, sputum, swab, oxygen, wheezing"


def main() -> None:
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(str(REPO / "models" / "whisper" / "base"), device="cpu", compute_type="int8", cpu_threads=2)
    audio: dict[str, object] = {}
    print("| recording @ s | first pass there | hotwords | mean log-prob | text |\n|---|---|---|---|---|")
    for fid, second, term, what in CASES:
        samples = audio.setdefault(fid, decode_audio(str(DATA / "speech" / "medical" / f"{fid}.mp3")))
        clip = samples[int(max(0.0, second - 8) * 16000) : int((second + 8) * 16000)]  # type: ignore[index]
        for hotwords in (None, term, f"{term}, {LIST}"):
            segments, _ = model.transcribe(clip, beam_size=5, language="en", hotwords=hotwords,
                                           condition_on_previous_text=False)  # fmt: skip
            segments = list(segments)
            text = " ".join(s.text.strip() for s in segments)
            logprob = sum(s.avg_logprob for s in segments) / max(1, len(segments))
            print(f"| {fid} @ {second:.0f} | {what} | {hotwords or '-'} | {logprob:.2f} | {text} |", flush=True)


if __name__ == "__main__":
    main()
