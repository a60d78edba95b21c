"""`transcribe` and `stream`: decode, resolve the model, run the engine on the shared pool."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

import numpy as np

from asr.audio import Audio, AudioSource, decode
from asr.config import AsrSettings
from asr.engines import get_engine
from asr.engines.faster_whisper import check_language
from asr.errors import TranscriptionCancelled, UnsupportedLanguageError
from asr.models import resolve_model
from asr.schemas import AUTO_BATCH_SECONDS, Segment, TranscribeOptions, Transcript
from workers import ModelPool, ModelSpec, Priority, default_pool

ProgressCallback = Callable[[Segment, float], None]  # (segment, seconds covered); may raise to stop


def as_audio(audio: AudioSource | Audio | np.ndarray, max_seconds: float | None = None) -> Audio:
    if isinstance(audio, Audio):
        return audio
    if isinstance(audio, np.ndarray):
        return Audio.from_array(audio)
    return decode(audio, max_seconds=max_seconds)


# Longer audio is a recording decoded in windows, where AsrSettings.cpu_float32_models run in float32; live
# dictation's decodes (a window at most) keep the int8 workers of the same model.
LONG_FORM_S = 30.0
WHISPER_CONTEXT_TOKENS = 223  # faster-whisper's own: half its 448-token window, less the start token


def _prepare(options: TranscribeOptions | None, settings: AsrSettings | None, allow_passthrough: bool, priority: int):
    settings = settings or AsrSettings()
    options = (options or TranscribeOptions()).model_copy()
    options.beam_size = options.beam_size or settings.beam_size
    if options.vad_min_silence_ms is None:
        options.vad_min_silence_ms = settings.vad_min_silence_ms
    if options.vad_speech_pad_ms is None:
        options.vad_speech_pad_ms = settings.vad_speech_pad_ms
    if options.loop_guard is None:
        options.loop_guard = settings.loop_guard
    if options.vad is None:
        options.vad = settings.vad
    if options.condition_on_previous_text is None:
        options.condition_on_previous_text = settings.condition_on_previous_text
    if options.correct_terms is None:
        options.correct_terms = settings.correct_terms
    if options.check_phrases is None:
        options.check_phrases = settings.check_phrases
    if options.confirm_terms is None:  # a caller that asked for Whisper's own words (no phrase check) gets them
        options.confirm_terms = settings.confirm_terms and bool(options.check_phrases)
    if options.phrase_max_cost is None:
        options.phrase_max_cost = settings.phrase_max_cost
    model = resolve_model(options.model, settings, allow_passthrough=allow_passthrough)
    whisper_windows = model.id in settings.whisper_windows_models
    if options.pause_windows is None:
        options.pause_windows = settings.pause_windows and not whisper_windows
    if options.context_tokens is None:
        options.context_tokens = WHISPER_CONTEXT_TOKENS if whisper_windows else settings.context_tokens
    # Nor clinical words of its own recording in the prompt; and only in the decoding the memory was measured with
    # (pause windows, short context): in Whisper's windows tiny.en read WER 15.3% with it against plain's 12.4%.
    if options.term_memory is None:
        options.term_memory = settings.term_memory if options.check_phrases and options.pause_windows else 0
    if options.pieces is None:  # Whisper's windows fall elsewhere in every piece: tiny.en lost terms (asr_workers.txt)
        options.pieces = 1 if whisper_windows else settings.pieces
    # Fail fast, before the model loads or the queue is joined.
    options.language = check_language(options.language, model.multilingual)
    english = options.language == "en" or (options.language is None and not model.multilingual)
    if options.prompt is None and options.task == "transcribe" and english:
        options.prompt = settings.default_prompt or None
    options.prompt = options.prompt or None  # "" asks for no prompt
    if options.task == "translate" and not model.multilingual:
        raise UnsupportedLanguageError(f"model {model.id!r} is English-only and cannot translate", param="model")
    background = priority >= Priority.BATCH and settings.batch_cpu_nice > 0

    def spec_for(duration: float) -> ModelSpec:
        """The model's pool spec for audio this long: a recording longer than a window may run in float32."""
        return model.spec(settings, background=background, long_form=duration > LONG_FORM_S)

    return options, model, spec_for


def transcribe(
    audio: AudioSource | Audio | np.ndarray,
    options: TranscribeOptions | None = None,
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    on_segment: ProgressCallback | None = None,
    settings: AsrSettings | None = None,
    allow_passthrough: bool = True,
) -> Transcript:
    """Transcribe (or translate) audio: bytes or a path in any format, an `Audio`, or 16 kHz samples."""
    options, model, spec_for = _prepare(options, settings, allow_passthrough, priority)
    clip = as_audio(audio)
    spec = spec_for(clip.duration)
    if options.batch_size is None:
        batched = clip.duration > AUTO_BATCH_SECONDS and options.vad
        options.batch_size = (settings or AsrSettings()).batch_size if batched else 0
    engine = get_engine()
    result = (pool or default_pool()).run(spec, engine.transcribe, clip.samples, options, on_segment, priority=priority)
    result.model = model.id
    return result


def warm(settings: AsrSettings | None = None, pool: ModelPool | None = None) -> None:
    """Load what the first recording after start-up would wait for: the default model's instance for recordings (on
    the pool, queued behind any real request) and the clinical checks' word lists. The gateway calls it at start-up
    in the background (`AsrSettings.prewarm`)."""
    settings = settings or AsrSettings()
    model = resolve_model(settings.default_model, settings)
    (pool or default_pool()).run(model.spec(settings, long_form=True), lambda _: None, priority=Priority.BATCH)
    from asr.engines.faster_whisper import warm_checks

    # The soundalike check runs only with the phrase check (as _prepare fills a call's options).
    warm_checks(settings.correct_terms, settings.check_phrases, settings.confirm_terms and settings.check_phrases)


_DONE = object()


def stream(
    audio: AudioSource | Audio | np.ndarray,
    options: TranscribeOptions | None = None,
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    settings: AsrSettings | None = None,
    allow_passthrough: bool = True,
) -> SegmentStream:
    """Segments as the model produces them. Bad input raises here, before the first segment;
    the work runs on the pool's executor (priorities and residency hold) and closing the
    stream (`close()`, read or not) stops the decoding."""
    options, _model, spec_for = _prepare(options, settings, allow_passthrough, priority)
    clip = as_audio(audio)
    spec = spec_for(clip.duration)
    if options.batch_size is None:
        options.batch_size = 0  # a batch holds 8 x 30 s before its first segment: too slow for a stream
    options.pieces = 1  # ... and so would pieces: the first piece's segments come at a batch's pace
    return SegmentStream(pool or default_pool(), spec, clip, options, priority)


class SegmentStream(Iterator[Segment]):
    """The segments of a transcription submitted to the pool, as the model produces them. `close()` stops it: a
    call still queued is cancelled, a running one stops at its next segment. A generator could not do that for a
    stream its reader abandons before the first segment (an unstarted generator's `finally` never runs), and the
    whole recording would be transcribed for nobody."""

    def __init__(
        self, pool: ModelPool, spec: ModelSpec, clip: Audio, options: TranscribeOptions, priority: int
    ) -> None:
        self._out: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._finished = False
        # Submitted at once: a refusal by an overloaded pool is raised to the caller, before any response is sent.
        self.future = pool.submit(spec, get_engine().transcribe, clip.samples, options, self._on_segment,
                                  priority=priority)  # fmt: skip
        self.future.add_done_callback(lambda _f: self._out.put(_DONE))

    def _on_segment(self, segment: Segment, _covered: float) -> None:
        if self._stop.is_set():
            raise TranscriptionCancelled("the stream was closed")
        self._out.put(segment)

    def __iter__(self) -> SegmentStream:
        return self

    def __next__(self) -> Segment:
        if self._finished:
            raise StopIteration
        item = self._out.get()
        if item is not _DONE:
            return item
        self._finished = True
        if self.future.cancelled():  # closed before it started
            raise StopIteration
        exc = self.future.exception()
        if exc is not None and not isinstance(exc, TranscriptionCancelled):
            raise exc
        raise StopIteration

    def close(self) -> None:
        self._stop.set()
        self.future.cancel()
