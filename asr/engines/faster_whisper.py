"""faster-whisper (CTranslate2) engine: VAD on, no conditioning on previous text, batched when asked."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from faster_whisper.tokenizer import _LANGUAGE_CODES

from asr.engines import short_context
from asr.errors import UnsupportedLanguageError
from asr.languages import language_code
from asr.schemas import Segment, TranscribeOptions, Transcript, Word

LANGUAGES = frozenset(_LANGUAGE_CODES)


def check_language(language: str | None, multilingual: bool = True) -> str | None:
    """Normalise and validate a language code before any work is queued."""
    if language is None or not language.strip():
        return None
    code = language_code(language)
    if code not in LANGUAGES:
        raise UnsupportedLanguageError(
            f"unsupported language {language!r}; use an ISO-639-1 code such as 'en' or a name such as 'english'"
        )
    if not multilingual and code != "en":
        raise UnsupportedLanguageError(f"this model is English-only; language {language!r} is not available")
    return code


def _segment(index: int, raw: Any) -> Segment:
    words = None
    if raw.words is not None:
        words = [Word(word=w.word, start=w.start, end=w.end, probability=w.probability) for w in raw.words]
    return Segment(
        id=index,
        seek=raw.seek,
        start=round(raw.start, 3),
        end=round(raw.end, 3),
        text=raw.text.strip(),
        tokens=list(raw.tokens),
        temperature=raw.temperature or 0.0,
        avg_logprob=raw.avg_logprob,
        compression_ratio=raw.compression_ratio,
        no_speech_prob=raw.no_speech_prob,
        confidence=round(math.exp(raw.avg_logprob), 4),
        words=words,
    )


def _short_context_applies(samples: np.ndarray, options: TranscribeOptions) -> bool:
    greedy_only = options.temperature in (0.0, (0.0,))
    return (
        options.short_context_pad_s is not None and short_context.fits(samples, options.short_context_pad_s)
        and options.task == "transcribe" and not options.word_timestamps and not options.vad and greedy_only
    )  # fmt: skip


def _transcribe_short(model: Any, samples: np.ndarray, options: TranscribeOptions, language: str | None) -> Transcript:
    assert options.short_context_pad_s is not None
    text, logprob, no_speech = short_context.decode_short(
        model, samples, pad_s=options.short_context_pad_s, language=language, beam_size=options.beam_size or 5,
        prompt=options.prompt, hotwords=options.hotwords,
    )  # fmt: skip
    duration = round(len(samples) / short_context.RATE, 3)
    segments = []
    if text:
        segments.append(Segment(
            id=0, start=0.0, end=duration, text=text, avg_logprob=logprob, no_speech_prob=no_speech,
            compression_ratio=short_context.get_compression_ratio(text), confidence=round(math.exp(logprob), 4),
        ))  # fmt: skip
    return Transcript(
        text=text, language=language or "en", language_probability=1.0 if language else 0.0,
        duration=duration, model="", task="transcribe", segments=segments,
    )  # fmt: skip


class FasterWhisperEngine:
    name = "faster-whisper"

    def transcribe(
        self,
        model: Any,
        samples: np.ndarray,
        options: TranscribeOptions,
        on_segment: Callable[[Segment, float], None] | None = None,
    ) -> Transcript:
        language = check_language(options.language, model.model.is_multilingual)
        if options.task == "translate" and not model.model.is_multilingual:
            raise UnsupportedLanguageError("this model is English-only and cannot translate", param="model")
        if _short_context_applies(samples, options):
            return _transcribe_short(model, samples, options, language)
        kwargs: dict[str, Any] = dict(
            language=language,
            task=options.task,
            beam_size=options.beam_size or 5,
            temperature=options.temperature,
            initial_prompt=options.prompt or None,
            hotwords=options.hotwords or None,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad,
            condition_on_previous_text=options.condition_on_previous_text,
        )
        # The batched pipeline cuts audio at VAD boundaries; without VAD it refuses audio over 30 s.
        if options.batch_size and options.vad:
            from faster_whisper import BatchedInferencePipeline

            kwargs.pop("condition_on_previous_text")  # the batched pipeline never conditions
            raw_segments, info = BatchedInferencePipeline(model).transcribe(
                samples, batch_size=options.batch_size, **kwargs
            )
        else:
            raw_segments, info = model.transcribe(samples, **kwargs)
        segments: list[Segment] = []
        pieces: list[str] = []  # raw texts keep Whisper's own spacing (none between CJK segments)
        for raw in raw_segments:  # a generator: decoding happens here, segment by segment
            segment = _segment(len(segments), raw)
            if not segment.text:
                continue
            segment.id = len(segments)
            segments.append(segment)
            pieces.append(raw.text)
            if on_segment is not None:
                on_segment(segment, raw.end)
        return Transcript(
            text="".join(pieces).strip(),
            language=info.language,
            language_probability=round(info.language_probability, 4),
            duration=round(info.duration, 3),
            model="",
            task=options.task,
            segments=segments,
        )
