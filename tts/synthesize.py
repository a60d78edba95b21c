"""Synthesis: input -> plan -> engine audio per sentence -> prosody -> encoded bytes and speech marks.

`stream()` yields encoded audio sentence by sentence, so the first bytes leave before the rest is spoken.
"""

from __future__ import annotations

import contextvars
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from tts.encode import Encoder, check_rate, get_format, nearest_rate
from tts.errors import EmptyTextError, TextTooLongError
from tts.lexicon import Lexicon, LexiconSet
from tts.medical import MEDICAL_LEXICON
from tts.plan import Marker, Pause, Run, Sentence, plan_text
from tts.schemas import MAX_TEXT_CHARS, Audio, Chunk, SpeechMark, VoiceInfo
from tts.voices import Catalog, catalog
from workers import ModelPool, Priority, admitted, default_pool

SENTENCE_GAP_S = 0.15


@dataclass
class Piece:
    """One sentence's audio (at the voice's rate) and its speech marks (absolute times)."""

    samples: np.ndarray
    marks: list[SpeechMark] = field(default_factory=list)


def check_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> None:
    if not text or not text.strip():
        raise EmptyTextError("the text is empty", param="text")
    if len(text) > max_chars:
        raise TextTooLongError(
            f"the text has {len(text)} characters; at most {max_chars} are synthesised per request "
            "(submit longer text as a job: POST /v1/speech/jobs)",
            param="text",
        )


def make_plan(
    text: str, text_type: str, lexicons: Sequence[Lexicon], normalize: bool = True, medical: bool = False
) -> list[Sentence]:
    """`medical`: add the built-in drug-name pronunciations after the caller's lexicons (English voices)."""
    lexicon_set = LexiconSet([*lexicons, MEDICAL_LEXICON] if medical and normalize else list(lexicons))
    if text_type == "ssml":
        from tts.ssml import plan_ssml

        sentences = plan_ssml(text, lexicon_set, normalize)
    else:
        sentences = plan_text(text, lexicon_set, normalize)
    items = [i for s in sentences for i in s.items]
    if not any(isinstance(i, Run) and i.words for i in items) and not any(isinstance(i, Pause) for i in items):
        raise EmptyTextError("the input has no words to speak", param="text")
    return sentences


class ByteOffsets:
    """Character offsets to UTF-8 byte offsets (speech marks count bytes, as Polly does)."""

    def __init__(self, text: str) -> None:
        self._ascii = text.isascii()
        self._text = text

    def __call__(self, index: int) -> int:
        return index if self._ascii else len(self._text[:index].encode())


def _shift_pitch(chunk: Chunk, pitch: float) -> Chunk:
    """Resample by 1/pitch: a chunk rendered `pitch` times slower comes back at its length, `pitch` higher."""
    if abs(pitch - 1.0) < 1e-3 or len(chunk.samples) < 2:
        return chunk
    n = max(1, int(round(len(chunk.samples) / pitch)))
    samples = np.interp(np.linspace(0, len(chunk.samples) - 1, n), np.arange(len(chunk.samples)), chunk.samples)
    spans = [(int(a / pitch), int(b / pitch)) for a, b in chunk.word_spans]
    return Chunk(samples=samples.astype(np.float32), sample_rate=chunk.sample_rate, word_spans=spans)


def render(
    sentences: list[Sentence],
    voice: VoiceInfo,
    text: str,
    *,
    speed: float = 1.0,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    model_dir: Path | None = None,
    voices: Catalog | None = None,
) -> Iterator[Piece]:
    """Audio per sentence at `voice.sample_rate`, with sentence, word and ssml marks. `voices`: the catalogue the
    voice came from (prepare's), else the one of `model_dir`."""
    pool = pool or default_pool()
    cat = voices or catalog(model_dir)
    rate_hz = voice.sample_rate
    to_bytes = ByteOffsets(text)

    def speak(item: Run) -> Callable[[], Chunk]:
        p = item.prosody
        speaker = cat.for_language(item.lang, voice) if item.lang else voice
        extra = {"model_dir": cat.model_dir} if speaker.backend == "piper" else {}
        return lambda: cat.engine_of[speaker.id].synthesize(
            speaker, item.words, speed * p.rate / p.pitch, pool, priority, **extra
        )

    runs = [i for s in sentences for i in s.items if not isinstance(i, (Pause, Marker)) and i.words]
    chunks = spoken_ahead([speak(run) for run in runs])
    try:
        yield from _pieces(sentences, text, rate_hz, to_bytes, chunks)
    finally:
        chunks.close()


def spoken_ahead(calls: list[Callable[[], Chunk]]) -> Iterator[Chunk]:
    """Each call's chunk in order, the next call already running beside the one being waited for: a request's
    next sentence then queues for the model while this one is synthesized, instead of after it (on a busy pool
    that second wait was a whole call of someone else's). It starts once the request has been admitted, so a
    refused request does no work; at most two calls of a request are in flight, and closing stops the rest."""
    if len(calls) < 2:
        yield from (call() for call in calls)
        return
    helper = ThreadPoolExecutor(max_workers=2, thread_name_prefix="voxgate-tts-ahead")
    running: deque[Future] = deque()
    try:
        running.append(helper.submit(contextvars.copy_context().run, calls[0]))
        while admitted() is False and not running[0].done():
            time.sleep(0.002)  # the first call reaches the pool at once: admitted or refused within microseconds
        for call in calls[1:]:
            running.append(helper.submit(contextvars.copy_context().run, call))
            yield running.popleft().result()
        yield running.popleft().result()
    finally:
        for future in running:
            future.cancel()
        helper.shutdown(wait=False, cancel_futures=True)


def _pieces(
    sentences: list[Sentence], text: str, rate_hz: int, to_bytes: ByteOffsets, chunks: Iterator[Chunk]
) -> Iterator[Piece]:
    """The sentences as pieces: their runs' chunks (from `chunks`, in order) with pauses, marks and gaps."""
    elapsed = 0  # samples emitted so far
    for index, sentence in enumerate(sentences):
        parts: list[np.ndarray] = []
        marks: list[SpeechMark] = []
        position = elapsed + (int(SENTENCE_GAP_S * rate_hz) if index else 0)
        if index:
            parts.append(np.zeros(position - elapsed, dtype=np.float32))

        def ms(samples: int) -> int:
            return int(round(1000 * samples / rate_hz))

        marks.append(
            SpeechMark(
                time=ms(position),
                type="sentence",
                start=to_bytes(sentence.start),
                end=to_bytes(sentence.end),
                value=sentence.text,
            )
        )
        for item in sentence.items:
            if isinstance(item, Pause):
                parts.append(np.zeros(int(item.ms * rate_hz / 1000), dtype=np.float32))
                position += len(parts[-1])
            elif isinstance(item, Marker):
                marks.append(
                    SpeechMark(
                        time=ms(position),
                        type="ssml",
                        start=to_bytes(item.start),
                        end=to_bytes(item.end),
                        value=item.name,
                    )
                )
            elif item.words:
                p = item.prosody
                chunk = _shift_pitch(_to_rate(next(chunks), rate_hz), p.pitch)
                samples = chunk.samples * (10 ** (p.volume_db / 20)) if p.volume_db else chunk.samples
                for word, (start, _) in zip(item.words, chunk.word_spans, strict=False):
                    if word.mark:
                        marks.append(
                            SpeechMark(
                                time=ms(position + start),
                                type="word",
                                start=to_bytes(word.start),
                                end=to_bytes(word.end),
                                value=text[word.start : word.end],
                            )
                        )
                parts.append(np.clip(samples, -1.0, 1.0).astype(np.float32))
                position += len(parts[-1])
        elapsed = position
        yield Piece(samples=np.concatenate(parts) if parts else np.zeros(0, np.float32), marks=marks)


def _to_rate(chunk: Chunk, rate_hz: int) -> Chunk:
    """Engines report their real output rate; bring it to the voice's catalogue rate when they differ."""
    if chunk.sample_rate == rate_hz:
        return chunk
    factor = rate_hz / chunk.sample_rate
    n = int(len(chunk.samples) * factor)
    samples = np.interp(np.linspace(0, len(chunk.samples) - 1, n), np.arange(len(chunk.samples)), chunk.samples)
    spans = [(int(a * factor), int(b * factor)) for a, b in chunk.word_spans]
    return Chunk(samples=samples.astype(np.float32), sample_rate=rate_hz, word_spans=spans)


@dataclass
class Request:
    """A validated synthesis request."""

    text: str
    voice: VoiceInfo
    sentences: list[Sentence]
    format: str
    sample_rate: int
    speed: float = 1.0
    voices: Catalog | None = None  # the catalogue that resolved the voice, so synthesis uses the same engines


def prepare(
    text: str,
    voice: str = "en_US-joe-medium",
    fmt: str = "mp3",
    *,
    text_type: str = "text",
    engine: str | None = None,
    sample_rate: int | None = None,
    speed: float = 1.0,
    lexicons: Sequence[Lexicon] = (),
    formats: tuple[str, ...] | None = None,
    max_chars: int = MAX_TEXT_CHARS,
    normalize: bool = True,
    model_dir: Path | None = None,
    coqui_venv: Path | None = None,
) -> Request:
    """Validate everything (text, voice, format, rate, SSML) before any audio is made."""
    check_text(text, max_chars)
    cat = catalog(model_dir, coqui_venv)
    voice_info = cat.resolve(voice, cat.check_engine(engine))
    format_info = get_format(fmt, formats)
    rate = check_rate(format_info, sample_rate) if sample_rate else nearest_rate(format_info, voice_info.sample_rate)
    medical = voice_info.supports_phonemes and voice_info.language.lower().startswith("en")
    sentences = make_plan(text, text_type, lexicons, normalize, medical=medical)
    return Request(text=text, voice=voice_info, sentences=sentences, format=fmt, sample_rate=rate, speed=speed,
                   voices=cat)  # fmt: skip


def _render(request: Request, pool: ModelPool | None, priority: int, model_dir: Path | None) -> Iterator[Piece]:
    """The request's sentences as rendered pieces, shared by the streaming and the whole-file paths."""
    return render(
        request.sentences,
        request.voice,
        request.text,
        speed=request.speed,
        pool=pool,
        priority=priority,
        model_dir=model_dir,
        voices=request.voices,
    )


def stream_request(
    request: Request, pool: ModelPool | None = None, priority: int = Priority.INTERACTIVE, model_dir: Path | None = None
) -> Iterator[bytes]:
    encoder = Encoder(get_format(request.format), request.voice.sample_rate, request.sample_rate, streaming=True)
    for piece in _render(request, pool, priority, model_dir):
        data = encoder.write(piece.samples)
        if data:
            yield data
    tail = encoder.close()
    if tail:
        yield tail


def run_request(
    request: Request, pool: ModelPool | None = None, priority: int = Priority.INTERACTIVE, model_dir: Path | None = None
) -> Audio:
    fmt = get_format(request.format)
    encoder = Encoder(fmt, request.voice.sample_rate, request.sample_rate, streaming=False)
    data: list[bytes] = []
    marks: list[SpeechMark] = []
    samples = 0
    for piece in _render(request, pool, priority, model_dir):
        data.append(encoder.write(piece.samples))
        marks += piece.marks
        samples += len(piece.samples)
    data.append(encoder.close())
    return Audio(
        data=b"".join(data),
        format=fmt.name,
        media_type=fmt.media_type,
        sample_rate=request.sample_rate,
        duration=samples / request.voice.sample_rate,
        voice=request.voice.id,
        marks=marks,
    )


def write_request(
    request: Request,
    out: BinaryIO,
    *,
    mark_types: Sequence[str] = (),
    pool: ModelPool | None = None,
    priority: int = Priority.BATCH,
    model_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Long-form synthesis into a file: the audio encoded as one whole file, or with `mark_types` the speech marks
    of those types as JSON lines. `progress(done, total)` after each sentence; returns the number of sentences."""
    encoder = None if mark_types else Encoder(get_format(request.format), request.voice.sample_rate,
                                               request.sample_rate, streaming=False)  # fmt: skip
    total = len(request.sentences)
    for done, piece in enumerate(_render(request, pool, priority, model_dir), start=1):
        if encoder is None:
            out.writelines((m.model_dump_json() + "\n").encode() for m in piece.marks if m.type in mark_types)
        else:
            out.write(encoder.write(piece.samples))
        if progress is not None:
            progress(done, total)
    if encoder is not None:
        out.write(encoder.close())
    return total


def synthesize(
    text: str,
    voice: str = "en_US-joe-medium",
    fmt: str = "mp3",
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    model_dir: Path | None = None,
    **options,
) -> Audio:
    """Text (or SSML with text_type="ssml") to encoded audio with speech marks. See `prepare` for options."""
    return run_request(prepare(text, voice, fmt, model_dir=model_dir, **options), pool, priority, model_dir)


def stream(
    text: str,
    voice: str = "en_US-joe-medium",
    fmt: str = "mp3",
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    model_dir: Path | None = None,
    **options,
) -> Iterator[bytes]:
    """Encoded audio, sentence by sentence. Validation errors are raised here, before the first chunk."""
    return stream_request(prepare(text, voice, fmt, model_dir=model_dir, **options), pool, priority, model_dir)


def speech_marks(
    text: str,
    voice: str = "en_US-joe-medium",
    types: Sequence[str] = ("word", "sentence"),
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    model_dir: Path | None = None,
    **options,
) -> list[SpeechMark]:
    request = prepare(text, voice, "pcm", model_dir=model_dir, **options)
    marks = [
        m
        for piece in render(
            request.sentences,
            request.voice,
            text,
            speed=request.speed,
            pool=pool,
            priority=priority,
            model_dir=model_dir,
        )
        for m in piece.marks
    ]
    return [m for m in marks if m.type in types]
