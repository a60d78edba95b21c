"""ASR and live-dictation settings: sections of the gateway's settings tree (api.settings.Settings.asr and
.dictation), read from VOXGATE_ASR_* and VOXGATE_DICTATION_*. Only pydantic here, so the tree imports without
the ASR engines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from asr.schemas import DEFAULT_PHRASE_MAX_COST

REPO_ROOT = Path(__file__).resolve().parent.parent
# CTranslate2's compute types: a misspelt one fails when the settings are read (naming the variable), not at the
# first model load mid-request.
ComputeType = Literal["default", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16",
                      "bfloat16", "float32"]  # fmt: skip
CpuComputeType = Literal[ComputeType, "auto"]  # "auto": asr.models.cpu_compute_type decides by the CPU


class AsrSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_ASR_", extra="ignore")

    # The gateway hands its VOXGATE_MODEL_DIR down (api.settings); VOXGATE_ASR_MODEL_DIR overrides it for ASR.
    model_dir: Path = REPO_ROOT / "models"
    default_model: str = "base"
    # Extra ids callers may name: id -> CTranslate2 Whisper directory or hub id (JSON in the env var).
    models: dict[str, str] = Field(default_factory=dict)
    # int8 on every CPU by default. "auto" is int8 only where the CPU multiplies int8 into 32-bit sums (x86 with VNNI,
    # ARM), else float32: without VNNI CTranslate2's int8 products saturate. On a 2-core AVX2 EPYC (no VNNI), ten
    # consultations whole, same run (bench/results/asr.txt, stop 52): int8 WER 1.00x plain (tune 1.04x, held-out
    # 0.96x), term WER 0.93x, 0.62x plain's time; float32 WER 0.98x (0.98x, 0.99x), term 0.95x, 0.94x the time. The
    # WER difference is within the per-recording spread, the speed difference is not: int8 stays the default.
    cpu_compute_type: CpuComputeType = Field(
        default="int8",
        description="the decoder's compute type on CPU: int8, float32, auto (int8 with VNNI or on ARM, else float32)",
    )
    # The beam search is where int8 saves time; the encoder costs about the same in either type on CPU, and a float32
    # encoder hears as plain faster-whisper's float32 does. Base, ten consultations whole (bench/results/asr.txt,
    # stop 49): on the tune five WER 9.4% against int8's 9.8% (plain 9.9%), term WER level; all ten 0.61x plain's time
    # against 0.55x, for a second (float32) copy of the weights, +390 MB at the peak. None or the decoder's own type:
    # one copy does everything.
    cpu_encoder_compute_type: ComputeType | None = Field(
        default="float32", description="the encoder's compute type on CPU when it should differ from cpu_compute_type"
    )
    cuda_compute_type: ComputeType = "float16"
    # CTranslate2's own default (4 threads) oversubscribes small machines: on 2 cores, 2 threads decoded 2-3x faster.
    cpu_threads: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1), ge=0,
        description="CTranslate2 threads a model uses on CPU, all its workers together",
    )  # fmt: skip
    # One beam search keeps little more than one core busy: on 2 cores (AVX-512, base, 8 windows of 30 s) int8 took
    # 11.4 s with one worker of 2 threads, 9.9 s with one of 1 thread and 5.4 s with two workers of 1 thread side by
    # side (bench/results/asr_workers.txt). Long audio is decoded as one piece per worker (`pieces`).
    cpu_workers: int = Field(
        default=0, ge=0, le=32,
        description="CTranslate2 workers (decodes side by side, sharing the weights) on CPU; 0: one per thread",
    )  # fmt: skip
    # ... except these models' recordings (audio over 30 s; live dictation keeps the int8 workers), in float32 on one
    # worker with every thread: tiny.en in int8 read worse than plain faster-whisper's float32 (WER 12.8% vs 12.6% on
    # the tune five), and it decodes a recording whole (whisper_windows_models), so a second worker sat idle. In
    # float32 on one worker of two threads (bench/results/asr_tiny_float32.txt, ten consultations whole, same run):
    # WER 12.6% vs 12.6% on the tune five, 12.2% vs 12.3% held-out; term WER 17.3% vs 17.9% and 20.7% vs 22.4%; 1.02x
    # plain's wall time (int8: 1.04-1.15x). A second run invented a tail for one recording (see that file).
    cpu_float32_models: list[str] = Field(default_factory=lambda: ["tiny.en"])
    beam_size: int = Field(default=5, ge=1)
    # Silero VAD before decoding (TranscribeOptions may override per call).
    # None: faster-whisper's own (batched: 160 ms silence, sequential: 2000 ms; pad 400 ms). Padding 800 ms
    # instead of 400 cut WER 10.3% -> 9.0% on the tune consultations (bench/asr.py): the VAD clipped word edges.
    vad_min_silence_ms: int | None = Field(default=None, ge=0, description="silence that splits speech into chunks")
    vad_speech_pad_ms: int | None = Field(default=800, ge=0, description="audio kept each side of a speech chunk")
    loop_guard: bool = Field(default=True, description="re-decode segments that loop or hallucinate")
    # English transcripts only; a word no English word list knows that is spelt and sounds almost like one drug or
    # condition name becomes that name ("Kepra" -> "Keppra"): asr.medical.correction.
    correct_terms: bool = Field(default=True, description="fix misspelt near misses of drug and condition names")
    # A two- to four-word clinical phrase with one word heard as a like-sounding word ("test pain", "shortness of
    # brap") is rewritten when Whisper's decoder, scoring both texts on the same audio, finds the phrase at most
    # `phrase_max_cost` nats less likely: asr.medical.phrases proposes, asr.engines.rescoring decides.
    check_phrases: bool = Field(default=True, description="put right clinical phrases with one word misheard")
    # A rare word that sounds like a common clinical word ("weasings", "swap") becomes it where the segment, decoded
    # again with those few words as hotwords, writes it in that place (asr.medical.soundalikes): base, ten
    # consultations, 3 words changed, 3 fixes, +5% CPU time; tiny.en term WER 19.3% -> 18.3%
    # (bench/results/asr_soundalikes.txt).
    confirm_terms: bool = Field(default=True, description="confirm soundalike clinical words by a biased re-decode")
    phrase_max_cost: float = Field(default=DEFAULT_PHRASE_MAX_COST, ge=0,
                                   description="nats a phrase may cost against the text as written")  # fmt: skip
    # Long-form decoding defaults (TranscribeOptions may override each per call).
    # Whole recordings decoded as plain faster-whisper does (no VAD cutting, each window conditioned on the last):
    # on the ten consultations, whole (bench/results/asr.txt), chosen on the tune five, this gave WER 10.5% /
    # term WER 11.2% against the batched VAD pipeline's 11.1% / 12.8%; the held-out five confirmed it (12.2% / 18.1%
    # against 12.8% / 25.9%; plain 11.9% / 19.0%). Without VAD, audio with no speech at all is not decoded.
    vad: bool = Field(default=False, description="cut audio to the speech Silero VAD finds before decoding")
    condition_on_previous_text: bool = Field(default=True, description="decode each window after the last's text")
    # Sequential decoding (no VAD) of long audio cut at pauses into up to this many pieces of a minute or more,
    # decoded at once (asr.engines.pieces), each after the first prompted with the text just before its cut. 0: one
    # per CPU worker (cpu_workers), side by side. A model with one worker batches the pieces' beam searches instead.
    pieces: int = Field(
        default=0, ge=0, le=32, description="pieces long audio is decoded as at once; 1 = whole, 0 = one per CPU worker"
    )
    # Sequential whole decoding in pause-aligned clips without timestamp tokens, each window prompted with the last
    # 64 tokens of text instead of up to 223 (asr.engines.windows). On the ten consultations whole, same run
    # (bench/results/asr_windows.txt): WER 10.5% / term WER 14.2% at RTF 0.067, against Whisper's own windows' 10.9% /
    # 13.9% at 0.083 and plain faster-whisper's 10.6% / 14.6% at 0.105 (1.57x its speed).
    pause_windows: bool = Field(default=True, description="long audio decoded in clips cut at pauses")
    context_tokens: int = Field(default=64, ge=0, le=223, description="previous-text tokens each window sees")
    # The recording's own clinical words so far, prompted ahead of each window's earlier text (asr.medical.recall).
    # Chosen on the tune five (3-6 a plateau); ten consultations whole, same run (bench/results/asr.txt, stop 53, AVX2
    # CPU): term WER 11.2% against 13.6% at 0 and plain's 14.6% (held-out 14.7% / 16.4% / 19.0%), WER level with both.
    term_memory: int = Field(default=4, ge=0, le=20, description="clinical words of the earlier text each window sees")
    # ... except these models, decoded with Whisper's own windows and its full context, whole: chosen on the tune five,
    # where tiny.en's term WER was 20.7% in pause windows against 18.4% in Whisper's (WER 13.0% vs 12.9%); the held-out
    # five agreed (25.9% vs 25.0%). Decoded without timestamp tokens, tiny drops words inside a clip. In pieces (each
    # with Whisper's windows falling elsewhere) tiny.en's tune term WER went 16.8% -> 20.7% (asr_workers.txt).
    whisper_windows_models: list[str] = Field(default_factory=lambda: ["tiny.en"])
    batch_size: int = Field(
        default=8, ge=0, le=64, description="batched pipeline for audio over 60 s with VAD; 0 = sequential"
    )
    # Initial prompts, unless the request gives one ("" = none): English transcription (asr.transcribe: the
    # OpenAI routes, jobs, calls) and medical transcription (asr.medical). Live dictation uses its own context.
    default_prompt: str = ""
    medical_prompt: str = ""
    # Batch-priority work uses its own model instance whose threads run at this nice value (0 shares one instance).
    batch_cpu_nice: int = Field(default=10, ge=0, le=19)
    # The gateway loads the default model's recording instance and the clinical word lists at start-up, in the
    # background: otherwise the first recording waits ~3-5 s for them (bench/results/asr.txt, stop 49).
    prewarm: bool = Field(default=True, description="load the default model and word lists when the gateway starts")
    # Longest audio answered synchronously on /v1/audio/*; beyond it the caller must use a job.
    sync_max_seconds: float = Field(default=1800.0, gt=0)
    # Medical requests longer than this become jobs (202) instead of holding the connection.
    medical_sync_max_seconds: float = Field(default=120.0, gt=0)
    job_max_seconds: float = Field(default=4 * 3600.0, gt=0)


class DictationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_DICTATION_", extra="ignore")

    default_model: str = Field(default="tiny.en", description="model when the start message names none")
    # Endpointing (Silero VAD probabilities per 32 ms window).
    vad_threshold: float = Field(default=0.5, gt=0, lt=1)
    min_silence_s: float = Field(default=0.5, gt=0, description="silence that ends an utterance")
    sentence_end_silence_s: float = Field(
        default=0.3, ge=0,
        description="a shorter pause that ends an utterance when its decode so far ends a sentence (. ? !); 0 = off",
    )  # fmt: skip
    min_speech_s: float = Field(default=0.1, ge=0, description="shorter bursts are noise, not an utterance")
    speech_pad_s: float = Field(default=0.3, ge=0, description="audio kept around speech for the decoder")
    lead_pad_s: float = Field(default=1.0, ge=0, description="audio kept before speech starts (soft onsets)")
    max_utterance_s: float = Field(default=20.0, gt=2, le=28, description="longer speech is cut at its best pause")
    # Decoding.
    partial_interval_s: float = Field(default=0.5, gt=0, description="new audio between partial decodes")
    beam_size: int = Field(default=1, ge=1, le=10, description="1 (greedy) keeps partials and finals fast")
    short_context_pad_s: float = Field(
        default=2.0, ge=0, le=10,
        description="partials encode the utterance with this much padding, not Whisper's 30 s window "
        "(finals always use the full window); 0 = the full window for partials too",
    )  # fmt: skip
    final_beam_size: int = Field(default=1, ge=1, le=10, description=">beam_size re-decodes each final")
    # Sessions and limits.
    max_sessions: int = Field(default=8, ge=1)
    resume_window_s: float = Field(default=30.0, ge=0, description="a dropped session can be resumed this long")
    idle_timeout_s: float = Field(default=30.0, gt=0, description="no message this long closes the session")
    send_timeout_s: float = Field(default=10.0, gt=0, description="a client that reads no faster is dropped")
    max_speed: float = Field(default=3.0, gt=0, description="audio may arrive this many times faster than real time")
    burst_s: float = Field(default=30.0, ge=0, description="... after a head start of this many seconds")
    max_session_s: float = Field(default=3600.0, gt=0)
