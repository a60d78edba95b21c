"""Where base's CPU time goes, and the windowing levers (issue 13: 1.5x plain faster-whisper's speed at plain's WER).
A probe, not a feature.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_speed_probe [--ids RES0198 RES0200 RES0201]
        [--arms ARM ...] [--no-split]

1. One 30 s window of RES0200, per compute type: the encoder's time and a beam-5 (and greedy) search's time, so the
   ratio says which half int8 speeds up.
2. Windowing arms (`ARMS`), all bare faster-whisper int8 (no loop guard or correction), so only the windowing
   differs. Plain faster-whisper seeks each window back to its last complete segment (about 24 s a window on the
   consultations, each 30 s encoded). Clips cut at pauses with timestamp tokens kept did not pay (a clip whose
   decode does not end on a timestamp seeks back and encodes its remainder as one more window); without timestamp
   tokens, and with 64 tokens of earlier text instead of 223, they did: asr/engines/windows.py, the default for
   base (bench/results/asr_windows.txt).
"""

from __future__ import annotations

import argparse
import time

from asr.engines.windows import pause_cuts
from bench.asr import DATA, medical_terms, normalizer, score

RATE = 16000


def window_split(model_dir: str) -> None:
    import ctranslate2
    import numpy as np
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    import asr

    samples = asr.decode(DATA / "speech" / "medical" / "RES0200.mp3").samples[: 30 * RATE]
    print("| compute type | encode s | beam 5 search s (tokens) | greedy search s (tokens) |\n|---|---|---|---|")
    for compute_type in ("int8", "float32"):
        model = WhisperModel(model_dir, cpu_threads=2, compute_type=compute_type)
        features = model.feature_extractor(samples)[:, :3000]
        view = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None]).astype(np.float32))
        model.model.encode(view)  # warm
        started = time.perf_counter()
        for _ in range(3):
            encoded = model.model.encode(view, to_cpu=False)
        encode_s = (time.perf_counter() - started) / 3
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
        prompt = model.get_prompt(tokenizer, [], without_timestamps=False)
        cells = []
        for beam in (5, 1):
            started = time.perf_counter()
            for _ in range(2):
                result = model.model.generate(encoded, [prompt], beam_size=beam, max_length=224)
            cells.append(f"{(time.perf_counter() - started) / 2:.2f} ({len(result[0].sequences_ids[0])})")
        print(f"| {compute_type} | {encode_s:.2f} | {cells[0]} | {cells[1]} |")


# Windowing arms (part 2): name -> (cut at pauses: earliest cut in s or None, timestamp tokens, previous-text tokens)
ARMS: dict[str, tuple[float | None, bool, int | None]] = {
    "plain seeking": (None, True, None),  # faster-whisper's own: 30 s windows sought back to the last segment
    "pause-aligned": (20.0, True, None),  # clips cut at pauses, Whisper's timestamp tokens kept
    "pause-aligned, no timestamp tokens": (20.0, False, None),
    "pause-aligned 25, no timestamp tokens": (25.0, False, None),
    "30 s windows, no timestamp tokens": (None, False, None),  # each window advances 30 s, cutting words
    "plain seeking, context 64": (None, True, 64),
    "pause-aligned 25, no timestamp tokens, context 64": (25.0, False, 64),  # what asr.engines.windows does
}


def windowing(model_dir: str, ids: list[str], arms: list[str]) -> None:
    import asr
    from asr.engines import windows
    from asr.engines.faster_whisper import _speech

    norm, terms = normalizer(), medical_terms()
    model = windows.WindowedWhisperModel(model_dir, cpu_threads=2, compute_type="int8")  # bare: no loop guard
    print("\n| windows | recording | RTF | WER | term errors / words | segments |\n|---|---|---|---|---|---|")
    for arm in arms:
        after_s, timestamps, context = ARMS[arm]
        totals = {"edits": 0, "words": 0, "med_edits": 0, "med_words": 0, "seconds": 0.0, "audio": 0.0}
        for fid in ids:
            audio = asr.decode(DATA / "speech" / "medical" / f"{fid}.mp3")
            started = time.perf_counter()
            kwargs: dict = {"language": "en", "beam_size": 5, "without_timestamps": not timestamps}
            if after_s is not None:
                speech = _speech(audio.samples, whole=True)
                bounds = [0, *pause_cuts(speech, len(audio.samples), after_s=after_s), len(audio.samples)]
                kwargs["clip_timestamps"] = [t / RATE for pair in zip(bounds, bounds[1:], strict=False) for t in pair]
            with windows.decoding(windows.Decoding(context_tokens=context)):
                segments = list(model.transcribe(audio.samples, **kwargs)[0])
            seconds = time.perf_counter() - started
            text = "".join(s.text for s in segments).strip()
            scored = score((DATA / "speech" / "medical" / f"{fid}.txt").read_text(), text, norm, terms, False)
            for key in ("edits", "words", "med_edits", "med_words"):
                totals[key] += scored[key]
            totals["seconds"] += seconds
            totals["audio"] += audio.duration
            print(f"| {arm} | {fid} | {seconds / audio.duration:.3f} | {scored['edits'] / scored['words']:.1%} "
                  f"| {scored['med_edits']} / {scored['med_words']} | {len(segments)} |", flush=True)  # fmt: skip
        print(f"| {arm} | all | {totals['seconds'] / totals['audio']:.3f} | {totals['edits'] / totals['words']:.1%} "
              f"| {totals['med_edits']} / {totals['med_words']} | |", flush=True)  # fmt: skip


def main() -> None:
    import asr
    from api.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ids", nargs="+", default=["RES0198", "RES0200", "RES0201"], help="tune recordings only")
    parser.add_argument("--arms", nargs="+", choices=list(ARMS), default=list(ARMS)[:2], metavar="ARM",
                        help=f"windowing arms: {'; '.join(ARMS)}")  # fmt: skip
    parser.add_argument("--no-split", action="store_true", help="skip part 1 (one window's encode and search)")
    args = parser.parse_args()
    model_dir = asr.resolve_model("base", Settings().asr).target
    if not args.no_split:
        window_split(model_dir)
    windowing(model_dir, args.ids, args.arms)


if __name__ == "__main__":
    main()
