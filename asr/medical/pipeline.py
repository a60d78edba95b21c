"""Medical transcription: decode, bias, transcribe (per channel for stereo conversations), format,
label speakers, find entities, redact PHI. Only public asr calls plus the medical helpers."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from asr import speakers
from asr.audio import Audio, AudioSource
from asr.config import AsrSettings
from asr.medical import conversation
from asr.medical.entities import detect_entities
from asr.medical.phi import find_phi, redact
from asr.medical.schemas import Entity, MedicalOptions, MedicalTranscript
from asr.medical.spoken_format import format_dictation
from asr.medical.vocabulary import select_hotwords
from asr.schemas import Segment, TranscribeOptions, Transcript, Word
from asr.transcription import as_audio, transcribe
from workers import ModelPool, Priority

ProgressFn = Callable[[float], None]  # fraction done, 0..1; may raise to cancel


def _transcribe_parts(
    clip: Audio, options: TranscribeOptions, stereo: bool, call: dict, progress: ProgressFn | None
) -> list[Transcript]:
    parts = [Audio.from_array(ch) for ch in clip.channels] if stereo and clip.channels is not None else [clip]
    total = sum(p.duration for p in parts) or 1.0
    results: list[Transcript] = []
    done = 0.0
    for part in parts:
        offset = done

        def on_segment(_segment: Segment, covered: float, offset: float = offset) -> None:
            if progress is not None:
                progress(min(1.0, (offset + covered) / total))

        results.append(transcribe(part, options, on_segment=on_segment, **call))
        done += part.duration
    return results


def _label_mono(
    segments: list[Segment], clip: Audio, pool: ModelPool | None, priority: int, settings: AsrSettings | None
) -> tuple[list[Segment], str]:
    """Clinician and patient in one channel: by voice when the speaker encoder is installed and
    hears two people, else by what is said."""
    sentences = conversation.split_sentences(segments)
    if len(sentences) < 2 or not speakers.available(settings):
        return conversation.label_mono(segments), "heuristic"
    spans = [(s.start, s.end) for s in sentences]
    vectors = speakers.embeddings(clip.samples, spans, pool=pool, priority=priority, settings=settings)
    voices = speakers.two_speakers(vectors, np.array([b - a for a, b in spans]))
    if speakers.one_voice(vectors, voices):
        return conversation.label_mono(segments), "heuristic"
    return conversation.label_by_voice(sentences, voices), "voice"


def _format_segments(segments: list[Segment], dictation: bool, enabled: bool) -> list[Segment]:
    if not enabled:
        return segments
    return [s.model_copy(update={"text": format_dictation(s.text, spoken_punctuation=dictation)}) for s in segments]


def _redact_words(words: list[Word], phi: list[Entity]) -> list[Word]:
    secret = {t.lower() for e in phi for t in re.findall(r"\w+", e.text)}
    return [
        w.model_copy(update={"word": " [REDACTED]"}) if w.word.strip(" .,?!").lower() in secret else w for w in words
    ]


def transcribe_medical(
    audio: AudioSource | Audio | np.ndarray,
    options: MedicalOptions | None = None,
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    settings: AsrSettings | None = None,
    allow_passthrough: bool = True,
    progress: ProgressFn | None = None,
) -> MedicalTranscript:
    options = options or MedicalOptions()
    clip = as_audio(audio)
    hotwords = select_hotwords(options.vocabulary, options.specialty if options.specialty_hotwords else None)
    # The request's prompt ("" = none), else the medical one, else (None) asr's default for English.
    prompt = options.prompt if options.prompt is not None else ((settings or AsrSettings()).medical_prompt or None)
    topts = TranscribeOptions(
        model=options.model, language=options.language, hotwords=hotwords, word_timestamps=True,
        beam_size=options.beam_size, batch_size=options.batch_size, prompt=prompt, correct_terms=options.correct_terms,
        check_phrases=options.correct_terms if options.check_phrases is None else options.check_phrases,
    )  # fmt: skip
    is_conversation = options.type == "conversation"
    stereo = is_conversation and conversation.distinct_channels(clip.channels)
    call = dict(pool=pool, priority=priority, settings=settings, allow_passthrough=allow_passthrough)
    parts = _transcribe_parts(clip, topts, stereo, call, progress)
    first = parts[0]

    if stereo:
        segments, method = conversation.merge_channels([p.segments for p in parts]), "channel"
    elif is_conversation:
        segments, method = _label_mono(first.segments, clip, pool, priority, settings)
    else:
        segments, method = first.segments, None
    segments = _format_segments(segments, dictation=not is_conversation, enabled=options.format)
    if is_conversation:
        text = conversation.speaker_text(segments)
    else:
        raw = " ".join(s.text for s in first.segments)
        text = format_dictation(raw) if options.format else raw
    entities = detect_entities(text)
    words = [w for s in segments for w in (s.words or [])]
    if options.redact_phi:
        phi = [e for e in entities if e.category == "PROTECTED_HEALTH_INFORMATION"]
        text, entities = redact(text, entities)
        segment_phi = [find_phi(s.text) for s in segments]
        segments = [
            s.model_copy(update={"text": redact(s.text, found)[0], "words": _redact_words(s.words or [], phi + found)})
            for s, found in zip(segments, segment_phi, strict=True)
        ]
        words = [w for s in segments for w in (s.words or [])]
    if progress is not None:
        progress(1.0)
    return MedicalTranscript(
        text=text,
        type=options.type,
        language=first.language,
        duration=round(clip.duration, 3),
        model=first.model,
        segments=segments,
        words=words,
        speakers=sorted({s.speaker for s in segments if s.speaker}),
        speaker_method=method,
        entities=entities,
        hotwords=hotwords,
        redacted=options.redact_phi,
    )
