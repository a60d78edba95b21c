"""faster-whisper (CTranslate2) engine: sequential decoding as plain faster-whisper does (whole audio, each window
conditioned on the last; Silero VAD only to skip audio with no speech), or the batched VAD pipeline, or long audio as
pieces decoded at once (asr.engines.pieces), as the options ask; a loop guard re-decodes the segments that fail
Whisper's own quality checks."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import numpy as np
from faster_whisper.tokenizer import _LANGUAGE_CODES

from asr.engines import pieces, rescoring, short_context, windows
from asr.errors import UnsupportedLanguageError
from asr.languages import language_code
from asr.schemas import DEFAULT_PHRASE_MAX_COST, TEMPERATURE_FALLBACK, Segment, TranscribeOptions, Transcript, Word

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


def _within(segment: Segment, duration: float) -> Segment:
    """`segment` with no time past the audio's end: the last of Whisper's windows can end on a timestamp token later
    than the audio it was given (tiny.en wrote 164.1 s for the end of 150 s)."""
    end = round(duration, 3)
    if segment.end <= end:
        return segment
    words = None if segment.words is None else [
        w.model_copy(update={"start": min(w.start, end), "end": min(w.end, end)}) for w in segment.words
    ]  # fmt: skip
    return segment.model_copy(update={"start": min(segment.start, end), "end": end, "words": words})


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
    if (fix_terms := _term_fixer(options, language or "en")) is not None:
        text = fix_terms.correct_text(text)[0]
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


# Whisper's own thresholds for a failed window (faster-whisper's defaults).
COMPRESSION_RATIO_LIMIT = 2.4
LOGPROB_LIMIT = -1.0
NO_SPEECH_LIMIT = 0.6
# A VAD chunk of speech that decodes to a handful of words was skipped (a known failure of prompted and batched
# decoding): conversational speech runs at 2-3 words a second, so under this over a long segment is a failure.
MIN_WORDS_PER_SECOND = 0.5
MIN_SKIP_SECONDS = 10.0
ECHO_NGRAM = 5  # a run this long shared with the prompt or hotwords is their echo


def repeats_ngram(text: str, max_n: int = 8, min_words: int = 12) -> bool:
    """A phrase said over and over: some n-gram (n <= max_n) repeated back to back until it covers
    at least `min_words` words and four repetitions ("no no no" and "I think, I think" pass)."""
    words = [w.strip(".,?!").lower() for w in text.split()]
    for n in range(1, max_n + 1):
        for start in range(0, max(0, len(words) - 2 * n + 1)):
            gram, count, i = words[start : start + n], 1, start + n
            while words[i : i + n] == gram:
                count, i = count + 1, i + n
            if count >= 4 and count * n >= min_words:
                return True
    return False


def failed(segment: Any, speech: list[dict[str, int]] | None = None) -> bool:
    """Whisper's checks on one decoded segment: a loop (compression ratio or a repeated n-gram), or text
    the model itself doubts where it does not believe the audio is silence."""
    if segment.compression_ratio > COMPRESSION_RATIO_LIMIT or repeats_ngram(segment.text):
        return True
    if skipped(segment, speech):
        return True
    return segment.avg_logprob < LOGPROB_LIMIT and segment.no_speech_prob < NO_SPEECH_LIMIT


def skipped(segment: Any, speech: list[dict[str, int]] | None = None) -> bool:
    """Long speech decoded to too few words (the decoder jumped over most of it). With the VAD's `speech` chunks,
    only their seconds count: a pause-aligned clip's segment spans its pauses too (asr.engines.windows)."""
    duration = segment.end - segment.start
    if speech is not None:
        duration = windows.speech_seconds(speech, segment.start, segment.end)
    words = len(segment.text.split())
    return duration >= MIN_SKIP_SECONDS and words < MIN_WORDS_PER_SECOND * duration and segment.no_speech_prob < 0.5


def _segment_samples(samples: np.ndarray, raw: Any) -> np.ndarray:
    return samples[max(0, int(raw.start * 16000)) : int(math.ceil(raw.end * 16000))]


def _decode_alone(model: Any, piece: np.ndarray, kwargs: dict[str, Any], **overrides: Any) -> list[Any]:
    """One segment's audio decoded again as one clip, as the call asked (`kwargs`) but with no VAD, no earlier text
    and no initial prompt, and with `overrides`: the second decodes of the loop guard and the soundalike check."""
    retry = dict(kwargs, vad_filter=False, condition_on_previous_text=False, initial_prompt=None, **overrides)
    retry.pop("vad_parameters", None)
    retry.pop("clip_timestamps", None)  # the piece is one clip
    with windows.without_encodings():  # read once, here: nothing will take its windows' encodings
        return list(model.transcribe(piece, **retry)[0])


def _redecode(
    model: Any, samples: np.ndarray, raw: Any, kwargs: dict[str, Any], speech: list[dict[str, int]] | None = None
) -> list[Any]:
    """One failed segment again, alone, without conditioning or context (prompt, hotwords: primed decoding is where
    skips and echoes come from), with timestamp tokens and the temperature fallback; the original is kept when the
    retry is no better (more failed, or lower mean log-probability). Timestamp tokens, whatever the first pass used:
    Whisper decodes in sentences then, and a window that looped without them (RES0206's 27 s of "no, no, no", held
    out) loops again at temperatures 0 to 0.6 (224 tokens each; 19.9 s in all) but decodes at 0 with them (2.3 s)."""
    piece = _segment_samples(samples, raw)
    if len(piece) < 1600:
        return [raw]
    second = _decode_alone(model, piece, kwargs, temperature=TEMPERATURE_FALLBACK, hotwords=None,
                           without_timestamps=False)  # fmt: skip
    segments = [pieces.shifted(s, raw.start) for s in second]
    if not segments:  # nothing heard: a loop was a hallucination; other text stays
        return [] if raw.compression_ratio > COMPRESSION_RATIO_LIMIT or repeats_ngram(raw.text) else [raw]
    if skipped(raw, speech):  # the retry is better when it hears more of the speech
        return segments if sum(len(s.text.split()) for s in segments) > len(raw.text.split()) else [raw]
    score = sum(s.avg_logprob for s in segments) / len(segments)
    if sum(failed(s, speech) for s in segments) > 0 and score <= raw.avg_logprob:
        return [raw]
    return segments


def _term_fixer(options: TranscribeOptions, language: str) -> Any:
    """asr.medical.correction when this transcript's terms are corrected (English transcription asked to), else None.
    Imported here: asr.medical builds on asr.transcription, which imports this engine."""
    if not (options.correct_terms and options.task == "transcribe" and language == "en"):
        return None
    from asr.medical import correction

    return correction


MIN_CHECK_SECONDS = 1.0  # shorter audio holds no phrase worth a second pass


def _checkable(raw: Any) -> bool:
    """A segment the phrase and soundalike checks look at: long enough to hold a phrase, one window at most."""
    return MIN_CHECK_SECONDS <= raw.end - raw.start <= 30


def _check_phrases(model: Any, samples: np.ndarray, raw: Any, max_cost: float, language: str,
                   encoding: Any = None) -> Any:  # fmt: skip
    """`raw` with each near-missed clinical phrase (asr.medical.phrases) put right where Whisper's decoder, scoring
    both texts on the segment's audio, finds the phrase at most `max_cost` nats less likely than what it wrote. The
    segment's words follow the text where they spell it. `encoding`: the encoder output of the window `raw` is (a
    pause-aligned clip), scored on instead of encoding its audio again."""
    from asr.medical import phrases

    if not _checkable(raw):
        return raw
    found = phrases.candidates(raw.text)
    if not found:
        return raw
    scores = rescoring.sequence_logprobs(model, samples, raw.start, raw.end, [raw.text, *(c.text for c in found)],
                                         language, encoding)  # fmt: skip
    return _apply(raw, [c for c, score in zip(found, scores[1:], strict=True) if score >= scores[0] - max_cost])


def _apply(raw: Any, changes: list[Any]) -> Any:
    """`raw` with each change (`start`, `end` in its text, `old`, `new`) made; its words follow where they spell the
    text, else the segment is left as it is."""
    if not changes:
        return raw
    text, words = raw.text, list(raw.words) if raw.words else None
    if words is not None and "".join(w.word for w in words) != text:
        return raw  # words that do not spell the text could not follow it
    for change in sorted(changes, key=lambda c: -c.start):  # from the end: earlier offsets stay valid
        text = text[: change.start] + change.new + text[change.end :]
        if words is not None:
            offset = 0
            for index, word in enumerate(words):
                if offset <= change.start and change.end <= offset + len(word.word):
                    at = change.start - offset
                    words[index] = replace(word, word=word.word[:at] + change.new + word.word[at + len(change.old) :])
                    break
                offset += len(word.word)
    return replace(raw, text=text, words=words)


def warm_checks(correct_terms: bool = True, check_phrases: bool = True, confirm_terms: bool = True) -> None:
    """Build the word lists of the clinical checks that are on (the correction's names and wordfreq's list, the
    phrase index of the ICD-10 conditions, the soundalike words' espeak-ng phonemes): ~2-4 s on 2 cores that would
    otherwise fall on the first English transcript."""
    from asr.medical import correction, phrases, soundalikes

    if correct_terms:
        correction.candidate("warmupp")  # the names and wordfreq's list
    if check_phrases:
        phrases.candidates("no test pain")
    if confirm_terms:
        soundalikes.proposals("weasings")  # every curated word's phonemes (espeak-ng)


def _checked_again(options: TranscribeOptions) -> Callable[[str], bool]:
    """Whether the phrase or soundalike check (as `options` turn them on) will score or decode a window of this text
    again: its encoder output is then kept, and neither check encodes the audio a second time."""
    from asr.medical import phrases, soundalikes

    def checked(text: str) -> bool:
        return bool((options.check_phrases and phrases.candidates(text))
                    or (options.confirm_terms and soundalikes.proposals(text)))  # fmt: skip

    return checked


# Tokens a length-limited second decode runs past the last word it must reach: enough words after it for the two
# decodes to line up again (the last, possibly cut, word is dropped).
CONFIRM_TAIL_TOKENS = 8


def _decode_encoding(model: Any, encoding: Any, hotwords: str, beam_size: int, upto: str | None = None) -> str:
    """A window's text decoded again from its kept encoder output: English transcription without timestamp tokens,
    temperature 0, prompted with `hotwords` and nothing else (the prompt `_decode_alone` would give). `upto`: the
    first decode's text as far as the second must reach; decoding stops a few tokens past as long, since decoder
    time grows with every token and nothing after it is read."""
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
    prompt = model.get_prompt(tokenizer, [], without_timestamps=True, hotwords=hotwords)
    suppressed = get_suppressed_tokens(tokenizer, [-1])  # faster-whisper's default: no non-speech symbols
    needed = len(tokenizer.encode(upto)) + CONFIRM_TAIL_TOKENS if upto is not None else None
    # CTranslate2 stops a Whisper decode at max_length tokens with the prompt, and at half of max_length generated
    # (CTranslate2 4.x): the prompt and twice what is needed reach it under either rule.
    max_length = model.max_length if needed is None else min(model.max_length, len(prompt) + 2 * needed)
    result = model.model.generate(encoding, [prompt], beam_size=beam_size, max_length=max_length,
                                  suppress_blank=True, suppress_tokens=suppressed)[0]  # fmt: skip
    tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
    text = tokenizer.decode(tokens).strip()
    if needed is not None and len(tokens) >= needed:  # stopped by the limit: its last word may be cut
        text = text.rsplit(" ", 1)[0] if " " in text else ""
    return text


def _confirm_terms(model: Any, samples: np.ndarray, raw: Any, kwargs: dict[str, Any], encoding: Any = None) -> Any:
    """`raw` with each rare word that sounds like a clinical word (asr.medical.soundalikes) put right where a second
    decode of the segment, biased to those few clinical words (hotwords) and nothing else, writes the clinical word
    in its place. Only those words are taken from the second decode. `encoding`: the encoder output of the window
    `raw` is (a pause-aligned clip), decoded again instead of encoding its audio again."""
    from asr.medical import soundalikes

    found = soundalikes.proposals(raw.text) if _checkable(raw) else {}
    if not found:
        return raw
    hotwords = soundalikes.hotwords(found)
    if encoding is not None:
        upto = raw.text[: soundalikes.last_candidate_end(raw.text, found)]
        heard = _decode_encoding(model, encoding, hotwords, kwargs.get("beam_size") or 5, upto)
    else:
        second = _decode_alone(model, _segment_samples(samples, raw), kwargs, language="en", task="transcribe",
                               temperature=0.0, hotwords=hotwords, word_timestamps=False,
                               without_timestamps=True)  # fmt: skip
        heard = " ".join(s.text.strip() for s in second)
    return _apply(raw, soundalikes.confirmed(raw.text, heard, found))


# Whole decoding asks Silero VAD where the speech is a slice at a time: faster-whisper runs it over up to 10,000
# windows (320 s) in one batch, which held ~210 MB more at the peak of an 11-minute consultation than 60 s slices do
# (17 MB). A slice's first windows start Silero's state afresh, which can move a pause's edge (e.g. 0.45 s into
# speech at a slice edge): harmless for pause-aligned windows (a cut lands in the middle of a pause), not for pieces,
# which take every pause from one pass.
SPEECH_SLICE_S = 60


def _speech(samples: np.ndarray, first_only: bool = False, whole: bool = False) -> list[dict[str, int]]:
    """Silero VAD's speech chunks (about 0.2% of real time on CPU): what VAD still does when the audio is decoded
    whole (no speech at all: nothing to decode; the pauses: where windows or pieces are cut). `first_only`: the
    chunks of the first slice that holds speech, enough to know there is some; `whole`: one pass (pieces)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # Short pauses split chunks (Silero's default merges speech over 2 s of silence): a cut needs only a pause.
    vad = VadOptions(min_speech_duration_ms=250, min_silence_duration_ms=300, speech_pad_ms=100)
    if whole:
        return get_speech_timestamps(samples, vad)
    step = SPEECH_SLICE_S * 16000
    chunks: list[dict[str, int]] = []
    for offset in range(0, len(samples), step):
        found = get_speech_timestamps(samples[offset : offset + step], vad)
        chunks += [{"start": c["start"] + offset, "end": c["end"] + offset} for c in found]
        if first_only and chunks:
            break
    return chunks


def echoes(text: str, context: str | None, n: int = ECHO_NGRAM) -> bool:
    """Whether a segment repeats an n-word run of the prompt or hotwords it was decoded with: Whisper, primed with a
    context, sometimes writes the context's own sentences in place of what was said."""
    if not context:
        return False

    def grams(words: str) -> set[tuple[str, ...]]:
        tokens = [t for t in (w.strip(".,?!;:\"'").lower() for w in words.split()) if t]
        return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}

    return bool(grams(text) & grams(context))


def _recall(options: TranscribeOptions) -> Callable[[str | None, str], str | None] | None:
    """What a window's hotwords gain from the text before it: the recording's last `term_memory` clinical words
    (asr.medical.recall), or None when the option is off."""
    if not options.term_memory or options.task != "transcribe":
        return None
    from asr.medical import recall

    return functools.partial(recall.with_recalled, limit=options.term_memory)


def _prompt_tokens(model: Any, prompt: str | None) -> tuple[int, ...]:
    """The initial prompt's tokens as faster-whisper encodes them (a leading space, no special tokens)."""
    if not prompt or not prompt.strip() or not hasattr(model, "hf_tokenizer"):
        return ()
    return tuple(model.hf_tokenizer.encode(" " + prompt.strip(), add_special_tokens=False).ids)


class FasterWhisperEngine:
    name = "faster-whisper"

    @staticmethod
    def _planned_pieces(model: Any, options: TranscribeOptions) -> int:
        """How many pieces long audio is decoded as at once (asr.engines.pieces): sequential decoding (VAD off) on
        CPU only, as many as the call asks, else one per CTranslate2 worker of the model (0 asks for that)."""
        if options.vad or getattr(model.model, "device", "cpu") != "cpu":
            return 1
        return options.pieces or getattr(model.model, "num_workers", 1)

    def transcribe(
        self,
        model: Any,
        samples: np.ndarray,
        options: TranscribeOptions,
        on_segment: Callable[[Segment, float], None] | None = None,
    ) -> Transcript:
        # Unset fields (a caller that skipped asr.transcribe's settings) take the engine's safe choices.
        options = options.model_copy(update={
            "vad": True if options.vad is None else options.vad,
            "condition_on_previous_text": bool(options.condition_on_previous_text),
        })  # fmt: skip
        language = check_language(options.language, model.model.is_multilingual)
        if options.task == "translate" and not model.model.is_multilingual:
            raise UnsupportedLanguageError("this model is English-only and cannot translate", param="model")
        if _short_context_applies(samples, options):
            return _transcribe_short(model, samples, options, language)
        planned = self._planned_pieces(model, options)
        split = planned >= 2
        pause_windows = bool(options.pause_windows) and not options.vad
        speech = [] if options.vad else _speech(samples, first_only=not (split or pause_windows), whole=split)
        if not options.vad and not speech:  # decoding silence without VAD invents words
            duration = round(len(samples) / 16000, 3)
            return Transcript(text="", language=language or "en", language_probability=0.0, duration=duration,
                              model="", task=options.task, segments=[])  # fmt: skip
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
        vad_parameters = {
            key: value
            for key, value in (
                ("min_silence_duration_ms", options.vad_min_silence_ms),
                ("speech_pad_ms", options.vad_speech_pad_ms),
            )
            if value is not None
        }
        if options.vad and vad_parameters:
            kwargs["vad_parameters"] = vad_parameters
        # The batched pipeline cuts audio at VAD boundaries; without VAD it refuses audio over 30 s.
        if options.batch_size and options.vad:
            from faster_whisper import BatchedInferencePipeline

            kwargs.pop("condition_on_previous_text")  # the batched pipeline never conditions
            raw_segments, info = BatchedInferencePipeline(model).transcribe(
                samples, batch_size=options.batch_size, without_timestamps=not options.timestamp_tokens, **kwargs
            )
            decoded = ((raw, raw.end) for raw in raw_segments)
        elif split and (cuts := pieces.cut_points(speech, len(samples), planned, options.min_piece_s)):
            if kwargs["language"] is None:  # one language for every piece
                kwargs["language"], probability, _ = model.detect_language(samples)
            else:
                probability = 1.0
            if pause_windows:  # each piece in clips of its own (asr.engines.pieces)
                kwargs["without_timestamps"] = not options.timestamp_tokens
            decoded = pieces.transcribe_pieces(model, samples, cuts, kwargs, speech, pause_windows)
            info = SimpleNamespace(language=kwargs["language"], language_probability=probability,
                                   duration=len(samples) / pieces.RATE)  # fmt: skip
        else:
            if pause_windows:
                kwargs.update(clip_timestamps=windows.clip_timestamps(speech, len(samples)),
                              without_timestamps=not options.timestamp_tokens)  # fmt: skip
            raw_segments, info = model.transcribe(samples, **kwargs)
            decoded = ((raw, raw.end) for raw in raw_segments)
        clipped = pause_windows  # segments are clips: the loop guard counts their speech only
        # A clip is one window, so the phrase and soundalike checks can score it or decode it again from the encoder
        # output it had (~0.7 s of base's float32 encoder on 2 cores per window checked).
        # (With timestamp tokens a clip is several segments, and a segment's text is not its window's.)
        keeping = ((options.check_phrases or options.confirm_terms) and pause_windows and not options.timestamp_tokens
                   and options.task == "transcribe")  # fmt: skip
        state = windows.Decoding(
            context_tokens=options.context_tokens, initial_tokens=_prompt_tokens(model, options.prompt),
            whole_clips=clipped, encodings=windows.EncodingStore(keep=_checked_again(options)) if keeping else None,
            recall=_recall(options),
        )  # fmt: skip
        with windows.decoding(state):
            return self._collect(model, samples, options, kwargs, decoded, info, speech if clipped else None,
                                 on_segment, state.encodings)  # fmt: skip

    @staticmethod
    def _collect(
        model: Any, samples: np.ndarray, options: TranscribeOptions, kwargs: dict[str, Any], decoded: Any, info: Any,
        speech: list[dict[str, int]] | None, on_segment: Callable[[Segment, float], None] | None,
        store: windows.EncodingStore | None = None,
    ) -> Transcript:  # fmt: skip
        """Run the decoding (`decoded` is a generator), guard, correct and report each segment; `store`: the
        encoder outputs the windows keep for the soundalike check."""
        segments: list[Segment] = []
        texts: list[str] = []  # raw texts keep Whisper's own spacing (none between CJK segments)
        context = " ".join(filter(None, (options.prompt, options.hotwords)))
        fix_terms = _term_fixer(options, info.language)
        english = options.task == "transcribe" and info.language == "en"  # the clinical checks' language
        cost = DEFAULT_PHRASE_MAX_COST if options.phrase_max_cost is None else options.phrase_max_cost
        # Closed however the loop ends: a call stopped by its callback stops the decoding now, every piece's too.
        with closing(decoded):
            for first, covered in decoded:  # a generator: decoding happens here, segment by segment
                encoding = store.take(first) if store is not None else None
                guarded = options.loop_guard and (failed(first, speech) or echoes(first.text, context))
                retried = _redecode(model, samples, first, kwargs, speech) if guarded else [first]
                if retried != [first]:  # decoded again: the kept encoding is not this audio's
                    encoding = None
                if options.check_phrases and english:
                    retried = [_check_phrases(model, samples, raw, cost, "en", encoding) for raw in retried]
                if options.confirm_terms and english:
                    retried = [_confirm_terms(model, samples, raw, kwargs, encoding) for raw in retried]
                if speech is not None and options.word_timestamps:  # a clip is several sentences
                    retried = [part for raw in retried for part in windows.sentences(raw)]
                for raw in retried:
                    segment = _within(_segment(len(segments), raw), info.duration)
                    if not segment.text:
                        continue
                    segment.id = len(segments)
                    text = raw.text
                    if fix_terms is not None:
                        segment, changes = fix_terms.correct_segment(segment)
                        text = fix_terms.correct_text(text)[0] if changes else text
                    segments.append(segment)
                    texts.append(text)
                    if on_segment is not None:
                        on_segment(segment, max(covered, raw.end))
        return Transcript(
            text="".join(texts).strip(),
            language=info.language,
            language_probability=round(info.language_probability, 4),
            duration=round(info.duration, 3),
            model="",
            task=options.task,
            segments=segments,
        )
