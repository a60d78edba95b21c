"""Where base's CPU time goes, and one speed lever that did not pay (issue 13: 1.5x plain faster-whisper's speed at
plain's WER). A probe, not a feature.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_speed_probe [--ids RES0198 RES0200 RES0201]

1. One 30 s window of RES0200, per compute type: the encoder's time and a beam-5 (and greedy) search's time, so the
   ratio says which half int8 speeds up.
2. Pause-aligned windows: plain faster-whisper seeks each window back to its last complete segment (about 24 s a
   window on the consultations, each 30 s encoded). Cutting the audio at pauses into clips of up to 29.5 s
   (`clip_timestamps`, the longest pause 20-29.5 s after the last cut) would need fewer windows if each clip ended
   with a complete segment. Both arms are bare faster-whisper int8 (no loop guard or correction), so only the
   windowing differs.
"""

from __future__ import annotations

import argparse
import time

from bench.asr import DATA, medical_terms, normalizer, score

RATE = 16000


def pause_cuts(speech: list[dict[str, int]], total: int, longest_s: float = 29.5, after_s: float = 20.0) -> list[int]:
    """Sample offsets of cuts, each in the longest pause `after_s`..`longest_s` after the last (10 s if none)."""
    pauses = [((a["end"] + b["start"]) // 2, b["start"] - a["end"]) for a, b in zip(speech, speech[1:], strict=False)
              if b["start"] > a["end"]]  # fmt: skip
    cuts, start = [], 0
    while total - start > longest_s * RATE:
        pick = None
        for earliest in (after_s, 10.0):
            near = [(gap, mid) for mid, gap in pauses if start + earliest * RATE <= mid <= start + longest_s * RATE]
            if near:
                pick = max(near)[1]
                break
        if pick is None:  # speech without a pause: the next pause ends a longer clip, seeking inside it as usual
            later = [mid for mid, _ in pauses if mid > start + longest_s * RATE]
            if not later:
                break
            pick = later[0]
        cuts.append(pick)
        start = pick
    return cuts


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


def windowing(model_dir: str, ids: list[str]) -> None:
    from faster_whisper import WhisperModel

    import asr
    from asr.engines.faster_whisper import _speech

    norm, terms = normalizer(), medical_terms()
    model = WhisperModel(model_dir, cpu_threads=2, compute_type="int8")
    print("\n| windows | recording | RTF | WER | term errors / words | segments |\n|---|---|---|---|---|---|")
    for arm in ("plain seeking", "pause-aligned"):
        totals = {"edits": 0, "words": 0, "med_edits": 0, "med_words": 0, "seconds": 0.0, "audio": 0.0}
        for fid in ids:
            audio = asr.decode(DATA / "speech" / "medical" / f"{fid}.mp3")
            started = time.perf_counter()
            kwargs: dict = {"language": "en", "beam_size": 5}
            if arm == "pause-aligned":
                bounds = [0, *pause_cuts(_speech(audio.samples), len(audio.samples)), len(audio.samples)]
                kwargs["clip_timestamps"] = [t / RATE for pair in zip(bounds, bounds[1:], strict=False) for t in pair]
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
    args = parser.parse_args()
    model_dir = asr.resolve_model("base", Settings().asr).target
    window_split(model_dir)
    windowing(model_dir, args.ids)


if __name__ == "__main__":
    main()
