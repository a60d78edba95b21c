"""Live dictation on the ten consultations, whole: WER and medical-term WER of the note a dictation session writes,
against plain faster-whisper decoding each whole recording with the same model, same run (issue 13: "live dictation
may keep its own decoding, but measure it too").

Each recording is replayed into an `asr.dictation.DictationSession` in 100 ms frames, `step()` after each (as the
gateway's socket does; as fast as the decodes allow, so every partial and final the session would decode live is
decoded, and its endpointing sees the same audio), then `finish()`. The note is the finals joined, unformatted
(`format=False`: scored as transcription, not as a written note), scored as bench/asr.py scores (medwer normaliser,
medwer's default term list, keep_medical on both sides), before and after term post-correction
(asr.medical.correction, on each final's text, as a medical session does by default). Decode seconds per audio
second are the session's own decodes, partials included (a live session spreads them over the recording's
duration; its latency is bench/dictation.py).

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.dictation_medical [--model tiny.en] [--ids RES0198 ...]
        [--no-plain]
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

import asr
from asr.dictation import DictationConfig, DictationSession
from asr.medical import correction
from bench.asr import DATA, medical_terms, normalizer, score, split_of
from workers import make_pool

RATE = 16000
FRAME = 1600  # 100 ms, as a browser client sends


def dictate(samples, model: str, pool) -> tuple[list[str], int, float]:
    """The finals' raw texts of one replayed session, its decodes and their seconds."""
    # Correction off in the session: one replay is scored raw and corrected (main() corrects each final as the
    # session does by default).
    raw = asr.AsrSettings().model_copy(update={"correct_terms": False})
    session = DictationSession(DictationConfig(model=model, format=False, entities=False), asr_settings=raw, pool=pool)
    session.warm_up()
    for start in range(0, len(samples), FRAME):
        session.feed_samples(samples[start : start + FRAME])
        session.step()
    session.finish()
    texts = [f.raw for f in session.finals]
    session.close()
    return texts, session.decodes, session.decode_seconds


@functools.cache
def plain_model(target: str, threads: int):
    from faster_whisper import WhisperModel

    return WhisperModel(target, cpu_threads=threads)


def plain(samples, target: str, threads: int) -> str:
    segments, _info = plain_model(target, threads).transcribe(samples)
    return "".join(s.text for s in segments).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="default: the dictation default (VOXGATE_DICTATION_*)")
    parser.add_argument("--ids", nargs="+", help="recordings (default: all ten)")
    parser.add_argument("--no-plain", action="store_true", help="skip plain faster-whisper")
    parser.add_argument("--save", help="write the notes and plain transcripts to this JSON file")
    args = parser.parse_args()

    from asr.config import DictationSettings

    model = args.model or DictationSettings().default_model
    settings = asr.AsrSettings()
    target = asr.resolve_model(model, settings).target
    norm, terms = normalizer(), medical_terms()
    pool = make_pool()
    paths = sorted((DATA / "speech" / "medical").glob("*.mp3"))
    paths = [p for p in paths if not args.ids or p.stem in args.ids]
    if not paths:
        raise SystemExit(f"no consultations in {DATA / 'speech' / 'medical'}")
    rows: dict[str, dict[str, list]] = {}  # config -> split -> per-recording scores
    saved: dict[str, dict[str, object]] = {}

    def add(config: str, fid: str, scored: dict) -> None:
        for split in (split_of(fid), "all"):
            rows.setdefault(config, {}).setdefault(split, []).append(scored)

    for path in paths:
        fid, reference = path.stem, path.with_suffix(".txt").read_text()
        audio = asr.decode(path)
        seconds = audio.duration
        began = time.perf_counter()
        finals, decodes, decode_s = dictate(audio.samples, model, pool)
        wall = time.perf_counter() - began
        raw = " ".join(finals)
        fixed = " ".join(correction.correct_text(text)[0] for text in finals)
        saved[fid] = {"finals": finals}
        for config, text in (("dictation", raw), ("dictation + term correction", fixed)):
            add(config, fid, dict(score(reference, text, norm, terms, False), rtf=decode_s / seconds))
        line = f"{fid} ({split_of(fid)}, {seconds / 60:.1f} min): {len(finals)} finals, {decodes} decodes, " \
               f"decode RTF {decode_s / seconds:.3f}, replay {wall:.0f} s"  # fmt: skip
        if not args.no_plain:
            began = time.perf_counter()
            text = plain(audio.samples, target, settings.cpu_threads)
            saved[fid]["plain"] = text
            elapsed = time.perf_counter() - began
            add("plain faster-whisper", fid, dict(score(reference, text, norm, terms, False), rtf=elapsed / seconds))
            line += f"; plain {elapsed:.0f} s"
        print(line, flush=True)
        if args.save:
            Path(args.save).write_text(json.dumps(saved, indent=1))
    pool.shutdown()

    table = Table(title=f"Live dictation ({model}) on the consultations, whole; tune = RES0198-0202, held-out = "
                        "RES0203-0207 (nothing tuned on either for dictation)")  # fmt: skip
    for column in ["config", "split", "WER", "term WER", "term words", "decode RTF", "WER vs plain",
                   "term WER vs plain"]:  # fmt: skip
        table.add_column(column, justify="right" if column not in ("config", "split") else "left")
    print("\n| config | split | WER | term WER | term words | decode RTF | WER vs plain | term WER vs plain |")
    print("|---|---|---|---|---|---|---|---|")
    for split in ("tune", "held-out", "all"):
        base = rows.get("plain faster-whisper", {}).get(split)
        for config, splits in rows.items():
            if split not in splits:
                continue
            got = splits[split]
            wer = sum(r["edits"] for r in got) / max(1, sum(r["words"] for r in got))
            term = sum(r["med_edits"] for r in got) / max(1, sum(r["med_words"] for r in got))
            rtf = sum(r["rtf"] for r in got) / len(got)
            cells = [config, split, f"{wer:.1%}", f"{term:.1%}", str(sum(r["med_words"] for r in got)), f"{rtf:.3f}"]
            if base:
                base_wer = sum(r["edits"] for r in base) / max(1, sum(r["words"] for r in base))
                base_term = sum(r["med_edits"] for r in base) / max(1, sum(r["med_words"] for r in base))
                cells += [f"{wer / base_wer:.2f}", f"{term / base_term:.2f}" if base_term else "-"]
            else:
                cells += ["-", "-"]
            table.add_row(*cells)
            print("| " + " | ".join(cells) + " |")
    Console().print(table)
    print("decode RTF: seconds the session's decodes took (partials and finals) per audio second, mean of the\n"
          "recordings; plain: its whole decode. Decodes ran on this machine's shared pool; other load moves it.")


if __name__ == "__main__":
    main()
