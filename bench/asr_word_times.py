"""What word timestamps cost in each windowing (issue 13): the timed formats (srt, vtt, verbose_json) and the medical
pipeline ask for them, and pause-aligned windows need them to give sentence segments. A probe, not a feature.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_word_times [RES0198 RES0201]

Prints, per recording (tune ones by default), RTF with and without word timestamps for pause-aligned windows
(today's default for base) and Whisper's own windows, the number of segments and the longest.
"""

from __future__ import annotations

import sys
import time

import asr
from bench.asr import DATA
from workers import EmbeddedPool, PoolSettings


def main() -> None:
    ids = sys.argv[1:] or ["RES0198", "RES0201"]
    pool = EmbeddedPool(PoolSettings(cpu_threads=2, use_cuda=False), devices=["cpu"])
    settings = asr.AsrSettings(cpu_threads=2)
    print("| recording | windows | word timestamps | RTF | segments | longest segment s |\n|---|---|---|---|---|---|")
    try:
        for fid in ids:
            audio = asr.decode(DATA / "speech" / "medical" / f"{fid}.mp3")
            warm = asr.Audio.from_array(audio.samples[: 5 * 16000])  # the model loads outside the timing
            asr.transcribe(warm, asr.TranscribeOptions(model="base", language="en"), pool=pool, settings=settings)
            for pause_windows in (True, False):
                for words in (False, True):
                    options = asr.TranscribeOptions(
                        model="base", language="en", pause_windows=pause_windows,
                        context_tokens=64 if pause_windows else 223, word_timestamps=words,
                    )  # fmt: skip
                    started = time.perf_counter()
                    result = asr.transcribe(audio, options, pool=pool, settings=settings)
                    rtf = (time.perf_counter() - started) / audio.duration
                    longest = max(s.end - s.start for s in result.segments)
                    name = "pause-aligned" if pause_windows else "Whisper's"
                    print(f"| {fid} | {name} | {words} | {rtf:.3f} | {len(result.segments)} | {longest:.1f} |",
                          flush=True)  # fmt: skip
    finally:
        pool.shutdown()


if __name__ == "__main__":
    main()
