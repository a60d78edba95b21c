"""Live dictation under load: latency from end of speech to its final (p50/p95), the interval between
partial updates, real-time factor and WER, for 1, 2 and 4 simultaneous sessions, with and without a
batch transcription running on the same pool.

Each session streams recordings from ../shared/data/speech/general/clips in 100 ms frames at real
time into an `asr.dictation.DictationSession`, and a processor thread per session calls `step()`
as the gateway's socket does (the WebSocket itself adds little and is left out). The batch job
transcribes a 10-minute consultation at Priority.BATCH in a loop.

    VOXGATE_ASR_CPU_THREADS=2 .venv/bin/python bench/dictation.py [--models tiny.en base] [--sessions 1 2 4]
        [--clips jfk.wav librivox_0870.wav] [--no-batch]

Goal (issue 4): tiny.en, one session, final within 1.0 s of end of speech at p95.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# Run as a file, bench/ comes first on sys.path and bench/asr.py would shadow the asr package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import asr  # noqa: E402
from asr.dictation import DictationConfig, DictationSession, FinalEvent, PartialEvent  # noqa: E402
from workers import ModelPool, Priority, make_pool  # noqa: E402

RATE = 16000
FRAME = 1600
REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))


def words(text: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", text.lower()).split()


def edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


@dataclass
class SessionResult:
    latencies: list[float] = field(default_factory=list)
    partial_gaps: list[float] = field(default_factory=list)
    text: str = ""
    audio_s: float = 0.0
    decode_s: float = 0.0
    lag_s: float = 0.0  # done arrived this long after the last audio was sent


def run_session(model: str, audio: np.ndarray, pool: ModelPool, result: SessionResult) -> None:
    session = DictationSession(DictationConfig(model=model), pool=pool)
    session.warm_up()
    fed_at: list[float] = []  # wall time each frame was fed
    finished = threading.Event()
    last_partial: float | None = None

    def feeder() -> None:
        began = time.monotonic()
        for i in range(0, len(audio), FRAME):
            time.sleep(max(0.0, began + i / RATE - time.monotonic()))
            session.feed_samples(audio[i : i + FRAME])
            fed_at.append(time.monotonic())
        finished.set()

    thread = threading.Thread(target=feeder)
    thread.start()
    events: list = []
    while not finished.is_set() or session.has_pending():
        if not session.has_pending():
            time.sleep(0.02)
            continue
        for event in session.step():
            now = time.monotonic()
            if isinstance(event, FinalEvent):
                frame = min(len(fed_at) - 1, int(event.end * RATE) // FRAME)
                result.latencies.append(now - fed_at[frame])
            elif isinstance(event, PartialEvent):
                if last_partial is not None:
                    result.partial_gaps.append(now - last_partial)
                last_partial = now
            events.append(event)
    thread.join()
    events += session.finish()
    result.lag_s = time.monotonic() - fed_at[-1]
    result.text = events[-1].text
    result.audio_s = len(audio) / RATE
    result.decode_s = session.decode_seconds


class BatchJob:
    """A long transcription at batch priority, restarted until stopped."""

    def __init__(self, pool: ModelPool, model: str, path: Path) -> None:
        self.pool, self.model, self.path = pool, model, path
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _cancel(self, _segment: asr.Segment, _covered: float) -> None:
        if self.stop.is_set():
            raise asr.TranscriptionCancelled("benchmark over")

    def _loop(self) -> None:
        clip = asr.decode(self.path, max_seconds=900)
        options = asr.TranscribeOptions(model=self.model, language="en")
        while not self.stop.is_set():
            try:
                asr.transcribe(clip, options, pool=self.pool, priority=Priority.BATCH, on_segment=self._cancel)
            except asr.TranscriptionCancelled:
                return

    def __enter__(self) -> BatchJob:
        self.thread.start()
        time.sleep(1.0)  # let it take an executor thread first
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(120)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--sessions", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--clips", nargs="+", default=["jfk.wav"])
    parser.add_argument("--no-batch", action="store_true", help="skip the runs with a batch job")
    parser.add_argument("--batch-file", default="speech/medical/RES0198.mp3")
    args = parser.parse_args()

    clips = DATA / "speech/general/clips"
    manifest = json.loads((clips / "manifest.json").read_text())
    gap = np.zeros(RATE, np.float32)
    audio = np.concatenate([np.concatenate([asr.decode(clips / c).samples, gap]) for c in args.clips])
    reference = " ".join(manifest[c] for c in args.clips)
    pool = make_pool()
    rows = []
    for model in args.models:
        DictationSession(DictationConfig(model=model), pool=pool).warm_up()
        for batch in [False] if args.no_batch else [False, True]:
            for n in args.sessions:
                results = [SessionResult() for _ in range(n)]
                with BatchJob(pool, model, DATA / args.batch_file) if batch else _nothing():
                    threads = [threading.Thread(target=run_session, args=(model, audio, pool, r)) for r in results]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                latencies = [x for r in results for x in r.latencies]
                gaps = [x for r in results for x in r.partial_gaps]
                ref = words(reference)
                errors = sum(edits(ref, words(r.text)) for r in results)
                row = {
                    "model": model, "sessions": n, "batch_job": batch,
                    "final_p50_s": pct(latencies, 50), "final_p95_s": pct(latencies, 95),
                    "partial_interval_p50_s": pct(gaps, 50),
                    "rtf": sum(r.decode_s for r in results) / sum(r.audio_s for r in results),
                    "done_after_s": max(r.lag_s for r in results),
                    "wer": errors / (len(ref) * n), "finals": len(latencies),
                }  # fmt: skip
                rows.append(row)
                print(json.dumps(row), flush=True)
    pool.shutdown()

    table = Table(
        title=f"Dictation, {len(audio) / RATE:.0f} s per session ({', '.join(args.clips)}), {os.cpu_count()} CPUs"
    )
    for column in ["model", "sessions", "batch job", "final p50 s", "final p95 s", "partial every s", "RTF",
                   "done after stop s", "WER"]:  # fmt: skip
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            r["model"], str(r["sessions"]), "yes" if r["batch_job"] else "no", f"{r['final_p50_s']:.2f}",
            f"{r['final_p95_s']:.2f}", f"{r['partial_interval_p50_s']:.2f}", f"{r['rtf']:.2f}",
            f"{r['done_after_s']:.2f}", f"{r['wer']:.1%}",
        )  # fmt: skip
    Console().print(table)
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "dictation.json").write_text(json.dumps(rows, indent=1))


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
