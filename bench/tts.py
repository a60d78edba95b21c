"""TTS bench: intelligibility as the WER of voxgate's own ASR (base, the gateway's beam) on voxgate's voices and on
the plain `piper` command line in the SAME run, on two fixed sentence sets: `tune` (fixes may be checked on it) and
`heldout` (only measured). Also the real-time factor per voice and the time to first audio byte.

piper samples noise (noise_scale, noise_w), so one draw is not a measurement: every piper system runs `--repeats`
times and the mean is reported with the range. The draws are seeded (onnxruntime's seed, set before the model
loads: voxgate's session here, and the CLI's process through a wrapper that only sets the seed and runs piper's
own __main__), so a run can be reproduced; the standard voices are deterministic and run once.

    .venv/bin/python -m bench.tts --repeats 3
    .venv/bin/python -m bench.tts --sets heldout --voices en_US-joe-medium,flite-slt --repeats 2
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import onnxruntime
from rich.console import Console
from rich.table import Table

# this script is bench/tts.py and bench/asr.py exists: keep bench/ off the path so the modules import
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import asr  # noqa: E402
import tts  # noqa: E402
from api.settings import Settings  # noqa: E402

BENCH = Path(__file__).resolve().parent
SETS = {"tune": BENCH / "tts_sentences_tune.txt", "heldout": BENCH / "tts_sentences_heldout.txt"}
NEURAL = "en_US-joe-medium"
TTFB_TEXT = (
    "Thank you for calling the clinic. Your prescription for metformin is ready for pickup. "
    "The pharmacy is open until six tonight. Please bring your insurance card and a photo ID with you."
)[:200]
# runs piper's own command line (its __main__) with onnxruntime's random seed set first; nothing else differs
SEEDED_CLI = (
    "import runpy, sys, onnxruntime; onnxruntime.set_seed(int(sys.argv[1])); "
    "sys.argv = ['piper', *sys.argv[2:]]; runpy.run_module('piper', run_name='__main__')"
)


def load_sentences(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def words(text: str) -> list[str]:
    """Reference and hypothesis alike in spoken form: '500 mg' and 'five hundred milligrams' score the same."""
    spoken = tts.normalize_text(text).lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", spoken).split()


def wer(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)], len(ref)


class Scorer:
    def __init__(self) -> None:
        self.settings = Settings()

    def transcribe(self, wav: bytes) -> str:
        options = asr.TranscribeOptions(model="base", language="en")  # beam: the gateway's (settings.asr)
        return asr.transcribe(asr.decode(wav), options, settings=self.settings.asr).text

    def score(self, sentences: list[str], wavs: list[bytes]) -> float:
        errors = total = 0
        for sentence, wav in zip(sentences, wavs, strict=True):
            e, n = wer(words(sentence), words(self.transcribe(wav)))
            errors, total = errors + e, total + n
        return 100 * errors / total


def piper_cli(sentences: list[str], model: Path, seed: int, tmp: Path) -> tuple[list[bytes], float]:
    """One CLI process for the set (output-dir mode: one WAV per input line, named in time order)."""
    out = Path(tempfile.mkdtemp(prefix=f"cli-{seed}-", dir=tmp))  # a fresh folder per call: files are counted
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SEEDED_CLI, str(seed), "-m", str(model), "-d", str(out)],
        input="\n".join(sentences).encode(), check=True, capture_output=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    wavs = sorted(out.glob("*.wav"), key=lambda p: int(p.stem))
    if len(wavs) != len(sentences):
        raise RuntimeError(f"piper CLI wrote {len(wavs)} files for {len(sentences)} sentences")
    return [p.read_bytes() for p in wavs], elapsed


def spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.1f}" + (f" ({min(values):.1f}-{max(values):.1f})" if len(values) > 1 else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="tune,heldout", help="comma-separated: tune, heldout")
    parser.add_argument("--voices", default=NEURAL, help="voxgate voices, e.g. en_US-joe-medium,flite-slt,espeak-en-us")
    parser.add_argument("--repeats", type=int, default=3, help="draws per piper system (noise_scale sampling)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--limit", type=int, default=0, help="first N sentences of each set (0: all)")
    parser.add_argument("--no-ttfb", action="store_true")
    args = parser.parse_args()
    console = Console()
    onnxruntime.set_seed(args.seed)  # before voxgate's piper session is created
    settings = Settings()
    model_dir = settings.model_dir
    voices = args.voices.split(",")
    scorer = Scorer()
    tts.synthesize("Warm up.", NEURAL, "wav", model_dir=model_dir)  # load piper once, outside the timings
    from tts.install import bundled_voice

    model = bundled_voice()[0]
    summary: list[tuple[str, str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for set_name in args.sets.split(","):
            sentences = load_sentences(SETS[set_name])
            sentences = sentences[: args.limit] if args.limit else sentences
            label = f"{set_name.upper()} set ({len(sentences)} sentences, {SETS[set_name].name})"
            cli_wer: list[float] = []
            cli_s: list[float] = []
            for r in range(args.repeats):
                wavs, elapsed = piper_cli(sentences, model, args.seed + r, Path(tmp))
                cli_wer.append(scorer.score(sentences, wavs))
                cli_s.append(elapsed)
            table = Table(
                title=f"{label}: WER % by voxgate ASR (base, beam {settings.asr.beam_size}); piper: mean (range) "
                f"of {args.repeats} seeded draws"
            )
            for col in ("set", "system", "engine", "WER %", "ratio to CLI", "audio s", "synth s", "RTF"):
                table.add_column(col, justify="left" if col in ("set", "system", "engine") else "right")
            cli_mean = statistics.mean(cli_wer)
            table.add_row(set_name, "piper CLI (one process)", "neural/piper", spread(cli_wer), "1.00", "",
                          f"{statistics.mean(cli_s):.2f}", "")  # fmt: skip
            for voice in voices:
                info = tts.catalog(model_dir).resolve(voice)
                repeats = args.repeats if info.backend == "piper" else 1
                results: list[float] = []
                audio_s = synth_s = 0.0
                for _ in range(repeats):
                    wavs = []
                    for sentence in sentences:
                        started = time.perf_counter()
                        audio = tts.synthesize(sentence, voice, "wav", model_dir=model_dir)
                        synth_s += time.perf_counter() - started
                        audio_s += audio.duration
                        wavs.append(audio.data)
                    results.append(scorer.score(sentences, wavs))
                ratio = statistics.mean(results) / cli_mean if cli_mean else float("nan")
                table.add_row(set_name, f"voxgate {voice}", f"{info.engine}/{info.backend}", spread(results),
                              f"{ratio:.2f}", f"{audio_s / repeats:.1f}", f"{synth_s / repeats:.2f}",
                              f"{synth_s / audio_s:.3f}")  # fmt: skip
                summary.append((set_name, voice, spread(results), spread(cli_wer), f"{ratio:.2f}"))
            console.print(table)
    result = Table(title="summary: voxgate voice vs the plain piper CLI, same run (ratio < 1: voxgate better)")
    for col in ("set", "voxgate voice", "voxgate WER %", "piper CLI WER %", "ratio"):
        result.add_column(col)
    for row in summary:
        result.add_row(*row)
    console.print(result)

    if args.no_ttfb:
        return
    ttfb = Table(title=f"time to first audio byte, {len(TTFB_TEXT)}-character input (mp3)")
    for col in ("voice", "streaming s", "whole file s", "ratio"):
        ttfb.add_column(col)
    for voice in voices:
        started = time.perf_counter()
        stream = tts.stream(TTFB_TEXT, voice, "mp3", model_dir=model_dir)
        next(stream)
        first = time.perf_counter() - started
        for _ in stream:
            pass
        started = time.perf_counter()
        tts.synthesize(TTFB_TEXT, voice, "mp3", model_dir=model_dir)
        whole = time.perf_counter() - started
        ttfb.add_row(voice, f"{first:.3f}", f"{whole:.3f}", f"{whole / first:.1f}x")
    console.print(ttfb)


if __name__ == "__main__":
    main()
