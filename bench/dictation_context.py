"""Short-context decoding (asr/engines/short_context.py) against Whisper's 30 s window, on the
utterances live dictation decodes: accuracy and decode time, which decide where dictation uses it.

The first `--seconds` of each consultation in ../shared/data/speech/medical are cut into
utterances by a `DictationSession` (Silero VAD endpointing, as live). Each utterance (with 0.3 s
of audio either side, the note so far as the prompt, as the session decodes) is then transcribed
once per row; rows differ only in the encoder padding (none = faster-whisper's 30 s window). WER
is against the reference prefix, normalised as in bench/asr.py.

    .venv/bin/python -m bench.dictation_context [--model tiny.en] [--files 3] [--seconds 120] [--pads 0 1 2 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

import asr
from asr.dictation import DictationConfig, DictationSession
from bench.asr import normalize, normalizer, prefix_distances
from tests.metrics import word_edit_rate
from workers import Priority, make_pool

DATA = Path(os.environ.get("VOXGATE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
RATE = 16000
PAD = int(0.3 * RATE)


def scored(reference: str, hypothesis: str, norm) -> tuple[int, int]:
    """(edits, reference words) against the reference prefix the hypothesis fits best."""
    ref, hyp = normalize(reference, norm), normalize(hypothesis, norm)
    distances = prefix_distances(ref, hyp)
    cut = min(range(len(distances)), key=lambda k: distances[k] / max(k, 1) if k > len(hyp) * 0.5 else 9e9)
    return round(word_edit_rate(ref[:cut], hyp) * max(1, cut)), cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--pads", nargs="+", type=float, default=[0.0, 1.0, 2.0, 3.0], help="0 = the 30 s window")
    args = parser.parse_args()

    norm = normalizer()
    pool = make_pool()
    calls = []  # (audio, reference, utterance spans)
    for path in sorted((DATA / "speech/medical").glob("*.mp3"))[: args.files]:
        samples = asr.decode(path).samples[: int(args.seconds * RATE)]
        session = DictationSession(DictationConfig(model=args.model, format=False), pool=pool)
        session.feed_samples(samples)
        session.finish()
        spans = [(max(0, int(f.start * RATE) - PAD), int(f.end * RATE) + PAD) for f in session.finals]
        calls.append((samples, path.with_suffix(".txt").read_text(), spans))

    rows = []
    for pad in args.pads:
        edits = words = decodes = 0
        decode_s = audio_s = 0.0
        for samples, reference, spans in calls:
            note: list[str] = []
            for start, end in spans:
                options = asr.TranscribeOptions(
                    model=args.model, language="en", beam_size=1, temperature=0.0, vad=False,
                    prompt=" ".join(note)[-200:] or None, short_context_pad_s=pad or None,
                )  # fmt: skip
                began = time.perf_counter()
                note.append(asr.transcribe(samples[start:end], options, pool=pool, priority=Priority.INTERACTIVE).text)
                decode_s += time.perf_counter() - began
                audio_s += (end - start) / RATE
                decodes += 1
            e, n = scored(reference, " ".join(note), norm)
            edits, words = edits + e, words + n
        rows.append({"pad": pad, "wer": edits / words, "rtf": decode_s / audio_s, "ms": 1000 * decode_s / decodes})
        print(rows[-1], flush=True)
    pool.shutdown()

    base = next((r for r in rows if r["pad"] == 0), rows[0])
    utterances = sum(len(spans) for *_, spans in calls)
    table = Table(title=f"Dictation utterances, {args.model}, {utterances} from {len(calls)} consultations "
                        f"x {args.seconds:.0f} s, {os.cpu_count()} CPUs")  # fmt: skip
    for column in ["encoder input", "WER", "WER ratio", "ms per decode", "RTF", "speed-up"]:
        table.add_column(column, justify="right")
    for r in rows:
        label = "30 s window" if r["pad"] == 0 else f"audio + {r['pad']:g} s"
        table.add_row(label, f"{r['wer']:.1%}", f"{r['wer'] / base['wer']:.2f}", f"{r['ms']:.0f}",
                      f"{r['rtf']:.3f}", f"{base['rtf'] / r['rtf']:.1f}x")  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
