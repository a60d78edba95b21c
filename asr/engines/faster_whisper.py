"""faster-whisper (CTranslate2) engine: VAD on, no conditioning on previous text, batched when asked."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from faster_whisper.tokenizer import _LANGUAGE_CODES

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
