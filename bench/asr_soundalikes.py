"""How the soundalike check (asr/medical/soundalikes.py, the engine's _confirm_terms) trades decoder time for fixed
clinical words, per threshold: a table, not a test.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_soundalikes [--split tune] [--model base]

The consultations are decoded once at our defaults without the check; then, for each (phoneme similarity, word
frequency) threshold, every segment holding a candidate is decoded again biased to its proposals, exactly as the
engine does, and each confirmed change is scored against the reference alone: a fix (fewer word edits), harm (more)
or neutral. CPU seconds are those of the second decodes: from the encoder output, as the engine decodes a pause-aligned
clip again (--encode-again: encoding the segment's audio again too). The thresholds were chosen on the tune split
only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))
THRESHOLDS = ((70.0, 4.5), (70.0, 5.0), (65.0, 4.5), (65.0, 5.0), (60.0, 6.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["tune", "held-out", "all"], default="tune")
    parser.add_argument("--model", default="base")
    parser.add_argument("--beam", type=int, help="beam size of the second decodes (default: the configured one)")
    parser.add_argument("--thresholds", nargs="*", metavar="SIM/ZIPF", help="e.g. 70/4.5 60/6 (default: a sweep)")
    parser.add_argument("--encode-again", action="store_true",
                        help="encode each segment again (the engine's path where no encoding was kept)")  # fmt: skip
    args = parser.parse_args()
    medical_dir = DATA / "speech" / "medical"
    if not medical_dir.is_dir():
        sys.exit(f"no consultations at {medical_dir} (set VOXGATE_DATA)")
    from faster_whisper.transcribe import Segment

    import asr
    from asr.engines.faster_whisper import _confirm_terms, _segment_samples
    from asr.medical import soundalikes
    from bench.asr import HELD_OUT, TUNE, cpu_seconds, medical_terms, normalizer, score
    from workers import EmbeddedPool, PoolSettings

    ids = {"tune": TUNE, "held-out": HELD_OUT, "all": TUNE + HELD_OUT}[args.split]
    settings = asr.AsrSettings(cpu_threads=2)
    pool = EmbeddedPool(PoolSettings(use_cuda=False), devices=["cpu"])
    norm, terms = normalizer(), medical_terms()
    options = asr.TranscribeOptions(model=args.model, language="en", confirm_terms=False)
    decoded, audio = {}, {}
    for rid in ids:
        audio[rid] = asr.decode((medical_dir / f"{rid}.mp3").read_bytes())
        # As the engine holds them: faster-whisper's segments (text only matters here).
        transcript = asr.transcribe(audio[rid], options, pool=pool, settings=settings)
        decoded[rid] = [Segment(id=s.id, seek=0, start=s.start, end=s.end, text=s.text, tokens=[], avg_logprob=0.0,
                                compression_ratio=1.0, no_speech_prob=0.0, words=None, temperature=0.0)
                        for s in transcript.segments]  # fmt: skip
        print(f"decoded {rid}: {len(decoded[rid])} segments", file=sys.stderr, flush=True)
    spec = asr.resolve_model(args.model, settings).spec(settings)
    kwargs = {"language": "en", "task": "transcribe", "beam_size": args.beam or settings.beam_size}
    thresholds = [tuple(map(float, t.split("/"))) for t in args.thresholds] if args.thresholds else THRESHOLDS
    segments = sum(len(s) for s in decoded.values())
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, model {args.model}, split {args.split} "
          f"({', '.join(ids)}), {segments} segments, beam {kwargs['beam_size']}, "
          f"{'encoded again' if args.encode_again else 'from the kept encoder output'}")  # fmt: skip
    print("| similarity >= | zipf < | segments re-decoded | CPU s | changes | fixes | harm | neutral | term edits |")
    print("|---|---|---|---|---|---|---|---|---|")
    listed: list[str] = []
    for similarity, zipf in thresholds:
        soundalikes.MIN_SIMILARITY, soundalikes.MAX_ZIPF = similarity, zipf
        redecoded, verdicts = 0, Counter()
        term_before = term_after = 0
        cpu = 0.0
        for rid in ids:
            reference = (medical_dir / f"{rid}.txt").read_text()
            texts = [s.text for s in decoded[rid]]
            before = score(reference, " ".join(texts), norm, terms, False)
            for index, segment in enumerate(decoded[rid]):
                if not soundalikes.proposals(segment.text):
                    continue
                redecoded += 1
                # A pause-aligned clip is one window: the engine decodes it again from the encoder output it kept.
                # Here that output is made again, outside the timing, from the segment's audio alone.
                encoding = None if args.encode_again else pool.run(spec, lambda model, s=segment, a=audio[rid]: (
                    _encode(model, _segment_samples(a.samples, s))))  # fmt: skip
                started = cpu_seconds()
                checked = pool.run(spec, lambda model, s=segment, a=audio[rid], e=encoding: _confirm_terms(
                    model, a.samples, s, kwargs, e))  # fmt: skip
                cpu += cpu_seconds() - started
                if checked.text == segment.text:
                    continue
                alone = score(reference, " ".join(texts[:index] + [checked.text] + texts[index + 1 :]), norm, terms,
                              False)  # fmt: skip
                verdict = "fix" if alone["edits"] < before["edits"] else "harm" if alone["edits"] > before["edits"] \
                    else "neutral"  # fmt: skip
                verdicts[verdict] += 1
                texts[index] = checked.text
                listed.append(f"#   {similarity:.0f}/{zipf}: {rid} {segment.start:.0f}s {verdict}: "
                              f"{_diff(segment.text, checked.text)}")  # fmt: skip
            after = score(reference, " ".join(texts), norm, terms, False)
            term_before, term_after = term_before + before["med_edits"], term_after + after["med_edits"]
        print(f"| {similarity:.0f} | {zipf} | {redecoded} | {cpu:.1f} | {verdicts.total()} | {verdicts['fix']} "
              f"| {verdicts['harm']} | {verdicts['neutral']} | {term_before} -> {term_after} |")  # fmt: skip
    print("# every change:")
    print("\n".join(listed) or "#   none")
    pool.shutdown()


def _encode(model, samples):  # noqa: ANN001, ANN202 - a bench helper
    from faster_whisper.audio import pad_or_trim

    return model.encode(pad_or_trim(model.feature_extractor(samples)))


def _diff(old: str, new: str) -> str:
    a, b = old.split(), new.split()
    return ", ".join(f"{x!r} -> {y!r}" for x, y in zip(a, b, strict=False) if x != y)


if __name__ == "__main__":
    main()
