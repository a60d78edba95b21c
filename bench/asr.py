"""ASR quality and speed: a table, not a test.

    .venv/bin/python -m bench.asr [--split all|tune|held-out] [--ids ...] [--max-minutes M] [--models base tiny.en]
                                  [--ablation [LEVER ...]] [--only WORD ...] [--save texts.json] [--sections ...]

Sections:
  medical   ../shared/data/speech/medical, WHOLE recordings unless --max-minutes: WER and medical-term WER (MedWER
            normaliser on both sides, plus OK/okay, fillers, curly apostrophes; terms: medwer's default list through
            keep_medical, the count of term words printed), real-time factor in wall and CPU seconds, peak memory,
            for our pipeline (asr.transcribe at its defaults) and plain `faster_whisper.WhisperModel(path)
            .transcribe()` at its defaults, as ratios, per split: TUNE (RES0198-0202, where our defaults were
            chosen) and HELD_OUT (RES0203-0207, measured only), and all. --ablation adds one lever at a time
            against our defaults (ABLATION).
            --max-minutes crops each recording to its first M minutes and scores it against the reference prefix
            that fits best (one edit-distance pass gives every prefix). Where a configuration corrects terms (our
            default), every change is printed with the edits before and after it (one decode scored both ways).
  clips     speech/general/clips: WER per config; `_sil.wav` must give no words.
  speakers  accuracy of the mono clinician/patient heuristic on the reference sentences (text only).
  entities  precision/recall of MEDICATION and MEDICAL_CONDITION against the hand-checked list in
            bench/asr_entities_gold.json, on the reference transcripts and on each configuration's ASR output of the
            same whole recordings (when the medical section ran on them uncropped: --ids RES0198 RES0200 RES0203).
Each configuration runs in a fresh process, so its peak RSS is its own; plain faster-whisper runs first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))
GOLD = Path(__file__).with_name("asr_entities_gold.json")
FILLERS = {"um", "uh", "uhm", "hmm", "mm", "mhm", "er", "ah", "eh", "oh"}


# -- text normalisation and scoring --------------------------------------------------------
def normalizer():
    from medwer import Normalizer

    return Normalizer()


def normalize(text: str, norm) -> list[str]:
    text = re.sub(r"\[[DP]-\d+\]\s*[DP]:", " ", text)  # turn markers of the reference transcripts
    # The normaliser splits "don’t" (curly apostrophe, as some references spell it) into "don t" where "don't" becomes
    # "do not", and reads the filler "oh" as the digit 0: both sides are mended before it.
    text = re.sub(r"\boh\b", " ", text.replace("’", "'").replace("‘", "'"), flags=re.I)
    tokens = norm(text).split()
    tokens = ["ok" if t in ("okay", "o.k.", "k") else t for t in tokens]
    return [t for t in tokens if t not in FILLERS]


def prefix_distances(ref: list[str], hyp: list[str]) -> list[int]:
    """Edit distance of `hyp` to every prefix ref[:k] (k = 0..len(ref)), in one DP pass."""
    previous = list(range(len(ref) + 1))  # hyp[:0] against ref[:k]
    for i, h in enumerate(hyp, 1):
        current = [i] + [0] * len(ref)
        for k, r in enumerate(ref, 1):
            current[k] = min(previous[k] + 1, current[k - 1] + 1, previous[k - 1] + (r != h))
        previous = current
    return previous


def score(ref_text: str, hyp_text: str, norm, terms: tuple[set[str], int], cropped: bool) -> dict:
    from medwer import keep_medical, wer

    ref, hyp = normalize(ref_text, norm), normalize(hyp_text, norm)
    if cropped:  # the audio was cut: score against the best-fitting reference prefix
        distances = prefix_distances(ref, hyp)
        cut = min(range(len(distances)), key=lambda k: distances[k] / max(k, 1) if k > len(hyp) * 0.5 else 9e9)
        ref = ref[:cut]
    edits, n, _ = wer(" ".join(ref), " ".join(hyp))
    entries, max_tokens = terms
    m_edits, m_n, _ = wer(
        keep_medical(" ".join(ref), entries, max_tokens), keep_medical(" ".join(hyp), entries, max_tokens)
    )
    return {"edits": edits, "words": n, "med_edits": m_edits, "med_words": m_n}


def medical_terms() -> tuple[set[str], int]:
    from medwer import default_terms_path, load_terms

    return load_terms(default_terms_path())


# -- one configuration, in its own process -------------------------------------------------
@dataclass
class Config:
    name: str
    model: str
    kind: str  # "ours" (asr.transcribe), "medical" (asr.medical.transcribe_medical, dictation, unformatted), "baseline"
    hotwords: str | None = None
    batch_size: int | None = None  # None: the library's automatic choice
    options: dict = field(default_factory=dict)  # TranscribeOptions overrides (an ablation lever)
    settings: dict = field(default_factory=dict)  # AsrSettings overrides (compute type)
    medical: dict = field(default_factory=dict)  # MedicalOptions overrides (kind "medical")


@dataclass
class Job:
    config: Config
    files: list[tuple[str, str, float | None]] = field(default_factory=list)  # (id, path, max seconds)


def run_config(job: Job) -> dict:
    import numpy as np

    import asr
    from api.settings import Settings

    settings = Settings().asr  # VOXGATE_MODEL_DIR and VOXGATE_ASR_* as the gateway reads them
    settings = settings.model_copy(update=job.config.settings)
    target = asr.resolve_model(job.config.model, settings).target
    clips = [(fid, asr.decode(path)) for fid, path, _ in job.files]
    clips = [(fid, a if m is None else asr.Audio.from_array(a.samples[: int(m * 16000)])) for (fid, a), (_, _, m) in
             zip(clips, job.files, strict=True)]  # fmt: skip
    texts: dict[str, str] = {}
    per_file: dict[str, float] = {}  # seconds of decoding per recording
    per_file_cpu: dict[str, float] = {}  # CPU seconds (all threads) per recording: robust to other load
    changes: dict[str, list] = {}  # term correction: (old, new) per recording
    uncorrected: dict[str, str] = {}
    started = time.perf_counter()
    if job.config.kind == "baseline":
        from faster_whisper import WhisperModel

        # Every decoding default (device auto, compute_type default); only the thread count is ours (2 on 2 cores,
        # where CTranslate2's default 4 runs slower), so the speed ratio does not flatter us.
        model = WhisperModel(target, cpu_threads=settings.cpu_threads)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        for fid, audio in clips:
            one, one_cpu = time.perf_counter(), cpu_seconds()
            segments, _info = model.transcribe(audio.samples)
            texts[fid] = "".join(s.text for s in segments).strip()
            per_file[fid] = time.perf_counter() - one
            per_file_cpu[fid] = cpu_seconds() - one_cpu
    else:
        from asr.medical import MedicalOptions, correction, transcribe_medical
        from workers import EmbeddedPool, PoolSettings

        pool = EmbeddedPool(PoolSettings(use_cuda=False), devices=["cpu"])
        options = asr.TranscribeOptions(
            model=job.config.model, hotwords=job.config.hotwords, language="en", batch_size=job.config.batch_size,
            **job.config.options,
        )  # fmt: skip
        recordings = asr.resolve_model(job.config.model, settings).spec(settings, long_form=True)
        pool.run(recordings, lambda m: None)  # load the instance that decodes recordings
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        medical = MedicalOptions(model=job.config.model, format=False, **job.config.medical)
        correcting = medical.correct_terms if job.config.kind == "medical" else options.correct_terms
        correcting = settings.correct_terms if correcting is None else correcting
        # One decode scored before and after term correction: decoded uncorrected, then corrected here, as the
        # engine would (the correction is per word, so the texts are the same), and every change is reported.
        # ... and the phrase check (which follows correct_terms in the medical pipeline) runs as configured.
        phrases = settings.check_phrases if medical.check_phrases is None else medical.check_phrases
        medical = medical.model_copy(update={"correct_terms": False, "check_phrases": phrases})
        options = options.model_copy(update={"correct_terms": False})
        for fid, audio in clips:
            one, one_cpu = time.perf_counter(), cpu_seconds()
            if job.config.kind == "medical":
                texts[fid] = transcribe_medical(audio, medical, pool=pool, settings=settings).text
            else:
                texts[fid] = asr.transcribe(audio, options, pool=pool, settings=settings).text
            if correcting:
                uncorrected[fid] = texts[fid]
                texts[fid], changes[fid] = correction.correct_text(texts[fid])
            per_file[fid] = time.perf_counter() - one
            per_file_cpu[fid] = cpu_seconds() - one_cpu
        pool.shutdown()
    elapsed = time.perf_counter() - started
    seconds = float(sum(a.duration for _, a in clips))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del np
    durations = {fid: float(a.duration) for fid, a in clips}
    return {
        "texts": texts, "seconds": seconds, "elapsed": elapsed, "load_s": load_s, "peak_mb": peak_mb,
        "per_file": per_file, "per_file_cpu": per_file_cpu, "durations": durations, "changes": changes,
        "uncorrected": uncorrected,
    }  # fmt: skip


def cpu_description() -> str:
    """The CPU's name and whether int8 products are exact on it, which decides "auto"'s compute type (and moves
    int8 decodes: the same defaults read differently with and without VNNI)."""
    import asr
    from workers.devices import VNNI_FLAGS, cpu_flags

    names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
             if line.startswith("model name")] if Path("/proc/cpuinfo").is_file() else []  # fmt: skip
    flags = cpu_flags()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "?"
    vnni = "VNNI" if flags & VNNI_FLAGS else "no VNNI"
    auto = asr.models.cpu_compute_type(asr.AsrSettings(cpu_compute_type="auto"))
    return f"{names[0] if names else '?'}, {isa}, {vnni} (VOXGATE_ASR_CPU_COMPUTE_TYPE=auto would decode in {auto})"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_isolated(job: Job) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as executor:
        return executor.submit(run_config, job).result()


def run_all(jobs: list[Job], parallel: int = 1, pieces: int = 1) -> Iterator[tuple[Config, dict]]:
    """Each configuration in fresh processes (peak RSS is a process's own), its recordings split into `pieces`
    processes, `parallel` processes at a time; yielded in order, pieces merged. Single-threaded pieces in parallel
    use two cores better than one two-thread process when other work shares the machine (no thread barriers);
    wall RTF then includes the other processes' load, CPU RTF far less."""
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, parallel), mp_context=context, max_tasks_per_child=1) as executor:
        futures = [[executor.submit(run_config, Job(job.config, job.files[i::pieces])) for i in range(pieces)
                    if job.files[i::pieces]] for job in jobs]  # fmt: skip
        for job, parts in zip(jobs, futures, strict=True):
            yield job.config, merge_results([f.result() for f in parts])


def merge_results(parts: list[dict]) -> dict:
    merged: dict = {key: {} for key in ("texts", "per_file", "per_file_cpu", "durations", "changes", "uncorrected")}
    for part in parts:
        for key in merged:
            merged[key].update(part[key])
    merged.update(
        seconds=sum(p["seconds"] for p in parts), elapsed=sum(p["elapsed"] for p in parts),
        load_s=max(p["load_s"] for p in parts), peak_mb=max(p["peak_mb"] for p in parts),
    )  # fmt: skip
    return merged


# -- sections ------------------------------------------------------------------------------
# The split: decoding defaults were chosen on TUNE only; HELD_OUT is measured, never tuned on.
TUNE = ("RES0198", "RES0199", "RES0200", "RES0201", "RES0202")
HELD_OUT = ("RES0203", "RES0204", "RES0205", "RES0206", "RES0207")
# A clinician's history taking in natural sentences (a review of systems, not any one recording's words).
CLINICAL_CONTEXT = (
    "Doctor and patient consultation. Any fevers, chills or night sweats? Any cough, sputum, wheezing or shortness "
    "of breath? Sore throat, runny or stuffy nose? Chest pain, palpitations, nausea, vomiting, diarrhea or "
    "abdominal pain? Headaches, dizziness, rashes? What medications do you take, any allergies? Are your "
    "immunizations up to date?"
)
VERBATIM_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."
DISFLUENT_PROMPT = "Um, okay. So, so the, uh, the thing is, like, I I don't know. Okay, okay."
# One lever at a time against our defaults (--ablation): name -> Config fields (options: TranscribeOptions,
# settings: AsrSettings, medical: MedicalOptions with kind "medical").
ABLATION: dict[str, dict] = {
    "old defaults": {"options": {"loop_guard": False, "vad_speech_pad_ms": 400}},
    "int8": {"settings": {"cpu_compute_type": "int8"}},
    "int8_float32": {"settings": {"cpu_compute_type": "int8_float32"}},
    "float32": {"settings": {"cpu_compute_type": "float32"}},
    # Long audio decoded whole, on one of the model's workers (the default is one piece per worker: asr_workers.txt).
    "whole": {"options": {"pieces": 1}},
    # Long audio cut at pauses into up to 8 pieces decoded at once (with one CTranslate2 worker their beam searches
    # were batched: bench/results/asr_pieces.txt, 0.63x plain's wall time in int8 but WER 1.08x, term WER 1.16x;
    # with one worker per thread they share the workers).
    "8 pieces": {"options": {"pieces": 8}},
    # One cut instead of seven (each cut is one more start without earlier text). Not kept: the int8 search of two
    # windows at once cost twice one here, so no faster than whole (bench/results/asr_pieces.txt run 3).
    "2 pieces": {"options": {"pieces": 2}},
    "float32, 8 pieces": {"settings": {"cpu_compute_type": "float32"}, "options": {"pieces": 8}},
    # The decoder's beam is most of the CPU time (base, 2 cores, idle: a 30 s window encodes in 0.7 s in either type;
    # beam 5 searches it in 2.1 s float32, 1.3 s int8), so a narrower beam is the other way to 1.5x plain's speed.
    "float32 beam 2": {"settings": {"cpu_compute_type": "float32"}, "options": {"beam_size": 2}},
    "float32 beam 3": {"settings": {"cpu_compute_type": "float32"}, "options": {"beam_size": 3}},
    # ... with the encoder in int8 (WhisperLoader.cpu_encoder_compute_type): float32 beam search on int8 encodings.
    "int8 encoder, float32 beam 3": {
        "settings": {"cpu_compute_type": "float32", "cpu_encoder_compute_type": "int8"},
        "options": {"beam_size": 3},
    },
    "int8 encoder, float32 beam 5": {"settings": {"cpu_compute_type": "float32", "cpu_encoder_compute_type": "int8"}},
    # ... and the other way round: float32 encodings (the int8 encoder is where int8 lost medical terms: "int8
    # encoder, float32 beam 5" tune term WER 14.5% vs plain 11.7%) searched by the int8 decoder, most of the CPU.
    # Not kept then (bench/results/asr_float32_encoder.txt, same run as plain): term WER 14.2% vs plain 14.6%, but WER
    # 12.0% vs 10.9% at 0.72x plain's CPU, with the batched pipeline of that time. With pause windows the defaults
    # since stop 49 (tune WER 9.4% against int8's 9.8%: bench/results/asr.txt).
    "float32 encoder, int8 beam 5": {"settings": {"cpu_compute_type": "int8", "cpu_encoder_compute_type": "float32"}},
    # The defaults before stop 49: one int8 copy encodes and searches.
    "int8 encoder": {"settings": {"cpu_encoder_compute_type": None}},
    # Whisper's own windows (timestamp tokens, each window sought back to its last complete segment) and its full
    # previous-text prompt (up to 223 tokens): the defaults before asr.engines.windows.
    "whisper windows": {"options": {"pause_windows": False, "context_tokens": 223}},
    "whisper windows, context 64": {"options": {"pause_windows": False}},
    "pause windows, context 223": {"options": {"context_tokens": 223}},
    "pause windows, context 128": {"options": {"context_tokens": 128}},
    "pause windows, context 32": {"options": {"context_tokens": 32}},
    "pause windows, context 0": {"options": {"context_tokens": 0}},
    # For a model of whisper_windows_models (tiny.en): pause windows and context 64, as base decodes.
    "pause windows": {"settings": {"whisper_windows_models": []}},
    # Near-missed clinical phrases put right after an acoustic check (asr.medical.phrases, asr.engines.rescoring).
    "no phrase check": {"options": {"check_phrases": False}},
    # Rare words that sound like clinical words confirmed by a re-decode biased to them (asr.medical.soundalikes).
    "no soundalike check": {"options": {"confirm_terms": False}},
    # The recording's last clinical words ahead of each window's earlier text (asr.medical.recall).
    "no term memory": {"options": {"term_memory": 0}},
    "term memory 2": {"options": {"term_memory": 2}},
    "term memory 8": {"options": {"term_memory": 8}},
    "no loop guard": {"options": {"loop_guard": False}},
    "timestamp tokens": {"options": {"timestamp_tokens": True}},
    "sequential": {"batch_size": 0},
    "sequential+conditioning": {"batch_size": 0, "options": {"condition_on_previous_text": True}},
    # Plain faster-whisper's own decoding (sequential, conditioned, no VAD) with only our compute type, threads
    # and loop guard: our defaults since the whole-recording run (bench/results/asr.txt).
    "plain decoding": {"batch_size": 0, "options": {"condition_on_previous_text": True, "vad": False}},
    # The defaults before it: VAD cuts the audio, the batched pipeline (8) decodes the chunks unconditioned.
    "batched VAD": {"options": {"condition_on_previous_text": False, "vad": True}},
    "vad silence 500": {"options": {"vad_min_silence_ms": 500}},
    "vad pad 400": {"options": {"vad_speech_pad_ms": 400}},
    "beam 1": {"options": {"beam_size": 1}},
    # Whisper's temperature fallback off in the first pass (a window that fails the thresholds keeps its greedy
    # text; the loop guard still decodes a looping or skipping segment again with the fallback).
    "no temperature fallback": {"options": {"temperature": 0.0}},
    # A narrower beam at today's defaults, whole recordings (the one-window probe below found beams of 2-5 alike).
    "beam 4": {"options": {"beam_size": 4}},
    "beam 3": {"options": {"beam_size": 3}},
    # Greedy search is CTranslate2's cheap path (base, 2 threads, 80 tokens of one window: int8 beam 5 1.25 s, beam 3
    # about the same, beam 1 0.80 s; float32 beam 5 2.15 s, beam 1 1.08 s); a beam of 2-5 costs nearly the same.
    "float32 beam 1": {"settings": {"cpu_compute_type": "float32"}, "options": {"beam_size": 1}},
    "clinical hotwords": {"hotwords": CLINICAL_CONTEXT},
    "clinical prompt": {"options": {"prompt": CLINICAL_CONTEXT}},
    # OpenAI's documented prompt for keeping filler words and false starts (Whisper tidies speech up; the references
    # are verbatim, and ours deleted more words than plain). Not kept: tune WER 9.9% against 9.4%, term WER 11.2%
    # against 10.1% (bench/results/asr.txt, stop 49).
    "verbatim prompt": {"options": {"prompt": VERBATIM_PROMPT}},
    # ... with the fillers spelt as text normalisers know them: the model copies "Umm" ("umm" is no filler to
    # Whisper's or medwer's normaliser, so every copy counted as an inserted word), and "Um" it writes as "um".
    "verbatim prompt, um": {"options": {"prompt": VERBATIM_PROMPT.replace("Umm", "Um")}},
    # A conversation's disfluencies (repeats, a false start, fillers) and no clinical word: the style, not the topic.
    "disfluent prompt": {"options": {"prompt": DISFLUENT_PROMPT}},
    "medical (prompt)": {"kind": "medical"},
    "medical, no prompt": {"kind": "medical", "medical": {"prompt": ""}},
    "no term correction": {"options": {"correct_terms": False}},
}


def split_of(fid: str) -> str:
    return "tune" if fid in TUNE else "held-out" if fid in HELD_OUT else "other"


def configs(models: list[str], bias: bool, sequential: bool = False, ablation: list[str] | None = None) -> list[Config]:
    from asr.medical import select_hotwords

    out: list[Config] = []
    for model in models:
        out.append(Config(f"{model} ours", model, "ours"))
        if bias:
            out.append(Config(f"{model} ours+bias", model, "ours", select_hotwords([], "respiratory")))
        if sequential:
            out.append(Config(f"{model} ours sequential", model, "ours", batch_size=0))
    # Plain faster-whisper first: it does not depend on our code, so a long run can start before our defaults settle.
    out[:0] = [Config(f"{model} baseline", model, "baseline") for model in models]
    for lever in ablation or []:  # on the first model only: the levers cost a whole run each
        fields = {"kind": "ours", **ABLATION[lever]}
        out.append(Config(f"{models[0]} ours, {lever}", models[0], **fields))
    return out


def selected(chosen: list[Config], only: list[str] | None) -> list[Config]:
    """The configurations --only names (a word of their name), or all."""
    return [c for c in chosen if not only or any(word in c.name for word in only)]


def medical_section(args, norm, terms) -> dict[str, dict[str, str]]:
    paths = sorted((DATA / "speech" / "medical").glob("*.mp3"))
    if args.split != "all":
        wanted = TUNE if args.split == "tune" else HELD_OUT
        paths = [p for p in paths if p.stem in wanted]
    if args.ids:
        paths = [p for p in paths if p.stem in args.ids]
    paths = paths[: args.limit]
    max_s = args.max_minutes * 60 if args.max_minutes else None
    job_files = [(p.stem, str(p), max_s) for p in paths]
    refs = {p.stem: p.with_suffix(".txt").read_text() for p in paths}
    entries, max_tokens = terms
    extent = f"first {args.max_minutes} min each" if max_s else "WHOLE recordings"
    print(f"\n## medical: {len(paths)} recordings, {extent}")
    print(
        f"  split: tune {[p.stem for p in paths if split_of(p.stem) == 'tune']} (defaults chosen on these), "
        f"held-out {[p.stem for p in paths if split_of(p.stem) == 'held-out']} (never tuned on)"
    )
    print(f"  medical terms: medwer's default list ({len(entries)} entries, up to {max_tokens} words each), "
          "keep_medical on both sides")  # fmt: skip
    rows, texts = [], {}
    chosen = selected(configs(args.models, args.bias, args.sequential, args.ablation), args.only)
    for config, result in run_all([Job(c, job_files) for c in chosen], args.parallel, args.pieces):
        texts[config.name] = result["texts"]
        if args.save:  # after every configuration: a long run that stops keeps what it decoded
            Path(args.save).write_text(json.dumps(texts, indent=1))
        if result.get("changes"):
            report_corrections(result, refs, norm, terms)
        per: dict[str, dict] = {}
        for fid, text in result["texts"].items():
            for group in (split_of(fid), "all"):
                totals = per.setdefault(group, {"edits": 0, "words": 0, "med_edits": 0, "med_words": 0, "s": 0.0,
                                                "elapsed": 0.0, "cpu": 0.0})  # fmt: skip
                for key, value in score(refs[fid], text, norm, terms, cropped=max_s is not None).items():
                    totals[key] += value
                totals["s"] += result["durations"][fid]
                totals["elapsed"] += result["per_file"][fid]
                totals["cpu"] += result["per_file_cpu"][fid]
        for group in ("tune", "held-out", "all"):
            if group not in per:
                continue
            totals = per[group]
            row = {
                "config": config.name,
                "split": group,
                "wer": totals["edits"] / max(1, totals["words"]),
                "med_wer": totals["med_edits"] / max(1, totals["med_words"]),
                "rtf": totals["elapsed"] / totals["s"],
                "cpu_rtf": totals["cpu"] / totals["s"],
                "peak_mb": result["peak_mb"],
                "audio_min": totals["s"] / 60,
                "med_words": totals["med_words"],
            }
            rows.append(row)
            print(
                f"  {row['config']:<28} {group:<8} WER {row['wer']:6.1%}  medWER {row['med_wer']:6.1%} "
                f"({row['med_words']} term words)  RTF {row['rtf']:.3f} (CPU {row['cpu_rtf']:.3f})  "
                f"peak {row['peak_mb']:.0f} MB  ({row['audio_min']:.1f} min audio)",
                flush=True,
            )
    print_ratios(rows)
    return texts


def report_corrections(result: dict, refs: dict[str, str], norm, terms) -> None:
    """What term post-correction changed: each (old -> new) with whether the new word is in the reference and
    the old one was (a correct word changed is harm), and the WER / medical-term edits before and after."""
    for fid, changes in result["changes"].items():
        ref_words = set(normalize(refs[fid], norm))
        marks = [f"{old}->{new}" + (" (new in ref)" if new.lower() in ref_words else "")
                 + (" (old in ref: harm?)" if old.lower() in ref_words else "") for old, new in changes]  # fmt: skip
        before = score(refs[fid], result["uncorrected"][fid], norm, terms, cropped=False)
        after = score(refs[fid], result["texts"][fid], norm, terms, cropped=False)
        print(
            f"    term correction {fid}: {len(changes)} changes {marks}; edits {before['edits']} -> "
            f"{after['edits']}, term edits {before['med_edits']} -> {after['med_edits']}"
        )


def print_ratios(rows: list[dict]) -> None:
    by_name = {(r["config"], r["split"]): r for r in rows}
    print("\nRTF: wall seconds per audio second; CPU RTF: CPU seconds (all threads) per audio second, which other")
    print("processes' load on the machine moves far less than wall time. Ratios are ours / plain, same split.")
    print("\n| config | split | WER | medical-term WER | term words | RTF | CPU RTF | peak MB | "
          "WER vs plain | medWER vs plain | RTF vs plain | CPU RTF vs plain |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for group in ("tune", "held-out", "all"):
        for row in (r for r in rows if r["split"] == group):
            base = by_name.get((row["config"].split()[0] + " baseline", group))

            def ratio(key: str, row: dict = row, base: dict | None = base) -> str:
                return f"{row[key] / base[key]:.2f}" if base and base[key] else "-"

            print(
                f"| {row['config']} | {group} | {row['wer']:.1%} | {row['med_wer']:.1%} | {row['med_words']} | "
                f"{row['rtf']:.3f} | {row['cpu_rtf']:.3f} | {row['peak_mb']:.0f} | {ratio('wer')} | "
                f"{ratio('med_wer')} | {ratio('rtf')} | {ratio('cpu_rtf')} |"
            )


def clips_section(args, norm) -> None:
    clip_dir = DATA / "speech" / "general" / "clips"
    manifest = json.loads((clip_dir / "manifest.json").read_text())
    files = [(name, str(clip_dir / name), None) for name in [*manifest, "_sil.wav"]]
    print(f"\n## clips: {len(manifest)} clips + _sil.wav")
    from medwer import wer

    for config in selected(configs(args.models, bias=False, ablation=args.ablation), args.only):
        result = run_isolated(Job(config, files))
        edits = words = 0
        for name, ref in manifest.items():
            e, n, _ = wer(" ".join(normalize(ref, norm)), " ".join(normalize(result["texts"][name], norm)))
            edits, words = edits + e, words + n
        silence, rtf = result["texts"]["_sil.wav"], result["elapsed"] / result["seconds"]
        print(f"  {config.name:<22} WER {edits / words:6.1%}  _sil.wav -> {silence!r}  RTF {rtf:.3f}")


def entities_section(asr_texts: dict[str, dict[str, str]] | None = None) -> None:
    """MEDICATION and MEDICAL_CONDITION found in the reference transcripts, and in each configuration's ASR
    output of the same (whole) recordings, against the hand-checked list: what the user of the API gets."""
    from asr.medical import detect_entities

    gold = json.loads(GOLD.read_text())
    print(f"\n## entities vs hand-checked list ({GOLD.name}, {len(gold['transcripts'])} transcripts, unique mentions)")
    sources = {"reference": {fid: re.sub(r"\[[DP]-\d+\]\s*[DP]:", " ", (DATA / "speech" / "medical" / f"{fid}.txt")
                                         .read_text()) for fid in gold["transcripts"]}}  # fmt: skip
    for name, texts in (asr_texts or {}).items():
        if all(fid in texts for fid in gold["transcripts"]):
            sources[f"ASR {name}"] = texts
    summary = []
    for source, texts in sources.items():
        print(f"  -- {source}")
        totals: dict[str, list[int]] = {}
        for fid, expected in gold["transcripts"].items():
            found = detect_entities(texts[fid], phi=False)
            for category in ("MEDICATION", "MEDICAL_CONDITION"):
                predicted = {singular(e.text) for e in found if e.category == category}
                truth = {singular(t) for t in expected[category]}
                tp = len(predicted & truth)
                stats = totals.setdefault(category, [0, 0, 0])
                stats[0] += tp
                stats[1] += len(predicted)
                stats[2] += len(truth)
                missed, extra = sorted(truth - predicted), sorted(predicted - truth)
                print(f"  {fid} {split_of(fid):<8} {category:<17} tp {tp:>2}  missed {missed}  false {extra}")
        for category, (tp, n_pred, n_true) in totals.items():
            summary.append(f"| {source} | {category} | {tp / max(1, n_pred):.2f} | {tp / max(1, n_true):.2f} | "
                           f"{tp} of {n_true} | {n_pred} |")  # fmt: skip
    print("\n| text | category | precision | recall | gold found | predicted |\n|---|---|---|---|---|---|")
    print("\n".join(summary))


def speakers_section(limit: int) -> None:
    """Mono speaker labels (text-only): the heuristic on the reference sentences, D/P marks hidden."""
    import asr
    from asr.medical.conversation import label_mono

    right = total = majority = 0
    for path in sorted((DATA / "speech" / "medical").glob("*.txt"))[:limit]:
        truth: list[str] = []
        segments: list[asr.Segment] = []
        for who, turn in re.findall(r"\[[DP]-\d+\]\s*([DP]):\s*(.+)", path.read_text()):
            for sentence in re.split(r"(?<=[.?!])\s+", turn.strip()):
                if sentence:
                    segments.append(asr.Segment(id=len(segments), start=0, end=0, text=sentence, confidence=1))
                    truth.append("clinician" if who == "D" else "patient")
        labels = [s.speaker for s in label_mono(segments)]
        right += sum(a == b for a, b in zip(labels, truth, strict=True))
        total += len(truth)
        majority += max(truth.count("clinician"), truth.count("patient"))
    print(f"\n## mono speaker heuristic on reference sentences ({limit} transcripts, {total} sentences)")
    print(f"  accuracy {right / total:.1%}   (majority-class baseline {majority / total:.1%})")


def speaker_audio_section(limit: int, model: str, norm) -> None:
    """Mono consultations end to end: speaker-attributed WER of the text labels vs the voice labels.

    Reference words per speaker (D, P) against hypothesis words per label (clinician, patient):
    role-attributed WER holds D = clinician; summed edits over the reference words."""
    import numpy as np
    from medwer import wer

    import asr
    from asr import speakers
    from asr.medical.conversation import label_by_voice, label_mono, split_sentences

    if not speakers.available():
        print("\n## mono speaker labels on audio: the speaker encoder is not installed (scripts/install_models.py)")
        return
    totals = {"text cues": [0, 0], "voice": [0, 0], "speaker-blind": [0, 0]}
    for path in sorted((DATA / "speech" / "medical").glob("*.mp3"))[:limit]:
        reference = path.with_suffix(".txt").read_text()
        ref = {who: normalize(" ".join(re.findall(rf"\[{who}-\d+\]\s*{who}:\s*(.+)", reference)), norm)
               for who in "DP"}  # fmt: skip
        clip = asr.decode(path)
        result = asr.transcribe(clip, asr.TranscribeOptions(model=model, word_timestamps=True))
        sentences = split_sentences(result.segments)
        spans = [(x.start, x.end) for x in sentences]
        vectors = speakers.embeddings(clip.samples, spans)
        voices = speakers.two_speakers(vectors, np.array([b - a for a, b in spans]))
        labelled = {"text cues": label_mono(result.segments), "voice": label_by_voice(sentences, voices)}
        row = []
        for name, segments in labelled.items():
            hyp = {who: normalize(" ".join(x.text for x in segments if x.speaker == label), norm)
                   for who, label in (("D", "clinician"), ("P", "patient"))}  # fmt: skip
            edits = sum(wer(" ".join(ref[w]), " ".join(hyp[w]))[0] for w in "DP")
            totals[name][0] += edits
            totals[name][1] += len(ref["D"]) + len(ref["P"])
            row.append(f"{name} {edits / (len(ref['D']) + len(ref['P'])):.1%}")
        blind = wer(" ".join(normalize(reference, norm)), " ".join(normalize(result.text, norm)))
        totals["speaker-blind"][0] += blind[0]
        totals["speaker-blind"][1] += blind[1]
        print(f"  {path.name}: role-attributed WER " + ", ".join(row) + f"; speaker-blind {blind[0] / blind[1]:.1%}",
              flush=True)  # fmt: skip
    print(f"\n## mono consultations, role-attributed WER ({limit} files, {model})")
    for name, (edits, words) in totals.items():
        print(f"  {name:14s} {edits / words:.1%}")


def singular(term: str) -> str:
    term = term.lower().strip()
    return term[:-1] if term.endswith("s") and not term.endswith("ss") and len(term) > 4 else term


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=10, help="medical recordings to use (of those in --split)")
    parser.add_argument("--max-minutes", type=float, default=None, help="crop each recording to its first M minutes")
    parser.add_argument("--models", nargs="+", default=["base", "tiny.en"])
    parser.add_argument("--bias", action="store_true", help="also run with respiratory hotwords (vocabulary biasing)")
    parser.add_argument("--sequential", action="store_true", help="also run without the batched pipeline")
    parser.add_argument("--only", nargs="+", help="run only configs whose name contains one of these words")
    parser.add_argument("--split", choices=["all", "tune", "held-out"], default="all",
                        help=f"tune {TUNE[0]}-{TUNE[-1]} (defaults chosen on these), held-out {HELD_OUT[0]}-"
                        f"{HELD_OUT[-1]} (measured only)")  # fmt: skip
    parser.add_argument("--ablation", nargs="*", choices=list(ABLATION), default=None, metavar="LEVER",
                        help="also run these levers one at a time against our defaults (first model only); "
                        f"--ablation alone runs all: {'; '.join(ABLATION)}")  # fmt: skip
    parser.add_argument("--ids", nargs="+", help="only these recordings (the entity gold: RES0198 RES0200 RES0203)")
    parser.add_argument("--save", help="write every configuration's medical transcripts to this JSON file")
    parser.add_argument("--parallel", type=int, default=1, help="configurations decoded at once (fresh processes)")
    parser.add_argument("--pieces", type=int, default=1, help="split each configuration's recordings over processes")
    parser.add_argument(
        "--threads", type=int, help="CPU threads per process, ours and plain alike (VOXGATE_ASR_CPU_THREADS)"
    )
    parser.add_argument("--saved", help="entities section: score the transcripts a --save run wrote (no decoding)")
    parser.add_argument("--sections", nargs="+", default=["medical", "clips", "entities", "speakers"],
                        help="also: speakers-audio (mono consultations labelled by text vs by voice)")  # fmt: skip
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no data at {DATA}; set VOXGATE_DATA")
    print(f"# bench/asr.py  {time.strftime('%Y-%m-%d %H:%M')}  cpus={os.cpu_count()}  args={vars(args)}")
    print(f"# CPU: {cpu_description()}")
    if args.threads:  # each spawned process reads it through AsrSettings
        os.environ["VOXGATE_ASR_CPU_THREADS"] = str(args.threads)
    if args.ablation == []:
        args.ablation = list(ABLATION)
    norm = normalizer()
    texts: dict[str, dict[str, str]] = {}
    if "medical" in args.sections:
        texts = medical_section(args, norm, medical_terms())
    if "clips" in args.sections:
        clips_section(args, norm)
    if args.saved:
        texts = json.loads(Path(args.saved).read_text())
    if "entities" in args.sections:
        entities_section(texts if not args.max_minutes else None)
    if "speakers" in args.sections:
        speakers_section(args.limit)
    if "speakers-audio" in args.sections:
        speaker_audio_section(args.limit, args.models[-1], norm)


if __name__ == "__main__":
    main()
