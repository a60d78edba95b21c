"""TTS bench: intelligibility (WER through voxgate's own ASR, base), real-time factor per voice, time to first
audio byte for a 200-character input (streaming vs whole file), and the plain `piper` command line as baseline.

    .venv/bin/python bench/tts.py --limit 4 --voices en_US-joe-medium,flite-slt,festival-kal,espeak-en-us
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

# this script is bench/tts.py and bench/asr.py exists: keep bench/ off the path so the modules import
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import asr  # noqa: E402
import tts  # noqa: E402

SENTENCES = [
    "The patient was prescribed 500 mg of amoxicillin three times a day for 10 days.",
    "Please take two tablets of ibuprofen with food, and call us if the pain gets worse.",
    "Her blood pressure was 130 over 85 and her heart rate was 72 beats per minute.",
    "Your appointment with Doctor Patel is on March 15th at 10:30 in the morning.",
    "Thank you for calling. Your account balance is $245.50 and the payment is due on Friday.",
    "Metformin and lisinopril should be continued, but stop the atorvastatin for now.",
    "I can help you reset your password. Can you confirm your date of birth?",
    "The chest X-ray showed no signs of pneumonia, and the oxygen saturation was 98 percent.",
]
TTFB_TEXT = (
    "Thank you for calling the clinic. Your prescription for metformin is ready for pickup. "
    "The pharmacy is open until six tonight. Please bring your insurance card and a photo ID with you."
)[:200]


def words(text: str) -> list[str]:
    spoken = tts.normalize_text(text).lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", spoken).split()


def wer(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)], len(ref)


def transcribe(wav: bytes) -> str:
    audio = asr.decode(wav)
    return asr.transcribe(audio, asr.TranscribeOptions(model="base", language="en")).text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=len(SENTENCES), help="sentences per voice")
    parser.add_argument(
        "--voices", default="en_US-joe-medium,flite-slt,flite-awb,festival-kal,festival-slt-hts,espeak-en-us"
    )
    args = parser.parse_args()
    sentences = SENTENCES[: args.limit]
    console = Console()
    tts.synthesize("Warm up.", "en_US-joe-medium", "wav")  # load piper once, outside the timings

    table = Table(title=f"TTS: {len(sentences)} sentences per voice, WER by voxgate ASR (base)")
    for col in ("voice", "engine", "WER %", "audio s", "synth s", "RTF"):
        table.add_column(col, justify="right" if col not in ("voice", "engine") else "left")
    piper_synth = 0.0
    wer_by_voice: list[tuple[str, float]] = []
    for voice in args.voices.split(","):
        errors = total = 0
        audio_s = synth_s = 0.0
        for sentence in sentences:
            started = time.perf_counter()
            audio = tts.synthesize(sentence, voice, "wav")
            synth_s += time.perf_counter() - started
            audio_s += audio.duration
            e, n = wer(words(sentence), words(transcribe(audio.data)))
            errors, total = errors + e, total + n
        if voice == "en_US-joe-medium":
            piper_synth = synth_s
        info = tts.catalog().resolve(voice)
        wer_by_voice.append((voice, 100 * errors / total))
        table.add_row(
            voice,
            f"{info.engine}/{info.backend}",
            f"{100 * errors / total:.1f}",
            f"{audio_s:.1f}",
            f"{synth_s:.2f}",
            f"{synth_s / audio_s:.3f}",
        )
    console.print(table)

    # plain piper CLI baseline on the same sentences: one process per sentence (as a shell user runs it, the
    # model loaded each time) and one process for all of them (its output-dir mode, the model loaded once)
    from tts.install import bundled_voice

    model = bundled_voice()[0]
    piper_cli = str(Path(sys.executable).parent / "piper")
    cli_errors = cli_total = 0
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for i, sentence in enumerate(sentences):
            subprocess.run(
                [piper_cli, "-m", str(model), "-f", f"{tmp}/{i}.wav"], input=sentence.encode(), check=True,
                capture_output=True,
            )  # fmt: skip
        per_sentence_s = time.perf_counter() - started
        for i, sentence in enumerate(sentences):
            e, n = wer(words(sentence), words(transcribe(Path(f"{tmp}/{i}.wav").read_bytes())))
            cli_errors, cli_total = cli_errors + e, cli_total + n
        started = time.perf_counter()
        subprocess.run(
            [piper_cli, "-m", str(model), "-d", f"{tmp}/all"], input="\n".join(sentences).encode(), check=True,
            capture_output=True,
        )  # fmt: skip
        one_process_s = time.perf_counter() - started
        wavs = len(list(Path(f"{tmp}/all").glob("*.wav")))
    baseline = Table(
        title="baseline: plain `piper` command line on the same sentences (speed ratio: piper CLI / voxgate)"
    )
    for col in ("system", "total s", "speed ratio", "WER % (ASR base)"):
        baseline.add_column(col)
    voxgate_wer = dict(wer_by_voice).get("en_US-joe-medium", float("nan"))
    baseline.add_row("voxgate en_US-joe-medium (pool, warm)", f"{piper_synth:.2f}", "1.00x", f"{voxgate_wer:.1f}")
    baseline.add_row(
        "piper CLI, process per sentence", f"{per_sentence_s:.2f}", f"{per_sentence_s / piper_synth:.2f}x",
        f"{100 * cli_errors / cli_total:.1f}",
    )  # fmt: skip
    baseline.add_row(
        f"piper CLI, one process ({wavs} files)", f"{one_process_s:.2f}", f"{one_process_s / piper_synth:.2f}x", ""
    )
    console.print(baseline)

    ttfb = Table(title=f"time to first audio byte, {len(TTFB_TEXT)}-character input (mp3)")
    for col in ("voice", "streaming s", "whole file s", "ratio"):
        ttfb.add_column(col)
    for voice in args.voices.split(","):
        started = time.perf_counter()
        stream = tts.stream(TTFB_TEXT, voice, "mp3")
        next(stream)
        first = time.perf_counter() - started
        for _ in stream:
            pass
        started = time.perf_counter()
        tts.synthesize(TTFB_TEXT, voice, "mp3")
        whole = time.perf_counter() - started
        ttfb.add_row(voice, f"{first:.3f}", f"{whole:.3f}", f"{whole / first:.1f}x")
    console.print(ttfb)


if __name__ == "__main__":
    main()
