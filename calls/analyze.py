"""One call in, one CallResult out: ASR per party, timing, sentiment, PII, categories, issues/outcomes.

Composition through public APIs only: ``asr.decode`` / ``asr.transcribe`` for speech, ``asr.speakers`` and
``asr.medical``'s conversation helpers for who speaks, ``nlp.sentiment`` and ``nlp.pii`` for text. Stereo calls:
one channel per party (``CallOptions.agent_channel``). Mono calls (or stereo files whose channels are identical):
one transcription cut into sentences, each assigned to one of two voices (asr's speaker encoder, else its spectral
fallback); whoever speaks first is taken to be the agent (a best effort: no diarization model).

`analyze_call` runs the steps below in order; each step is a plain function over the dataclasses here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, cast

import numpy as np

import asr
from asr import speakers
from asr.medical import label_by_voice, merge_channels, split_sentences
from calls import audio_redact, extract, signal
from calls.rules import CategoryRule, apply_rules
from calls.schema import (
    AudioRedaction,
    CallOptions,
    CallResult,
    Interruption,
    Party,
    PartyStats,
    PiiSpan,
    RedactedAudio,
    Silence,
    Turn,
    TurnSentiment,
)
from workers import ModelPool, Priority, default_pool

if TYPE_CHECKING:
    from nlp.pii import PiiEntity
    from nlp.sentiment import SentimentResult

TURN_MERGE_GAP = 1.0
WORD_GAP_SPLIT = 0.8
PARTIES: tuple[Party, Party] = ("agent", "customer")
Diarization = Literal["channel", "mono-voice", "mono-clustering"]


class WordSpan(NamedTuple):
    """One word: its characters [start, end) in its utterance's (or turn's) text, and its time in the call."""

    start: int
    end: int
    time_start: float
    time_end: float


@dataclass(frozen=True)
class Utterance:
    """A stretch of one party's speech: a pause- or sentence-delimited piece, or a whole merged turn."""

    speaker: Party
    start: float
    end: float
    text: str
    words: tuple[WordSpan, ...] = ()


@dataclass(frozen=True)
class Speech:
    """Who said what: turns, each party's speech intervals, how the parties were told apart, the signal each
    party is heard on (for loudness) and the channels that carry each party (for audio redaction)."""

    turns: list[Utterance]
    talk: dict[str, list[signal.Interval]]
    diarization: Diarization
    heard_on: dict[str, np.ndarray]
    channels_of: dict[str, list[int]]


@dataclass(frozen=True)
class Timing:
    """When nobody talks and who talks over whom."""

    interruptions: list[Interruption]
    interruptions_by: dict[str, int]
    silences: list[Silence]
    non_talk: float


class UnreadableCall(Exception):
    """The recording cannot be analysed; the message is the result's `error`."""


# ---- audio and speech


def decode_call(source: str | os.PathLike | bytes, options: CallOptions) -> asr.Audio:
    """The call's samples (mono mix and channels), refused past `options.max_duration`."""
    try:
        return asr.decode(source, max_seconds=options.max_duration)
    except asr.AudioTooLongError as exc:
        raise UnreadableCall(f"the call is longer than {options.max_duration:.0f} s") from exc
    except (asr.AsrError, OSError) as exc:
        raise UnreadableCall(f"cannot read the audio: {exc}") from exc


def has_two_parties(audio: asr.Audio) -> bool:
    """Whether the call is stereo with different signals on its channels (dual-mono files are mono calls)."""
    return audio.channels is not None and not np.allclose(audio.channels[0], audio.channels[1], atol=1e-4)


def transcribe_channel(samples: np.ndarray, options: CallOptions, pool: ModelPool, priority: int) -> list[asr.Segment]:
    """Whisper segments with word times for one channel (or the mono mix)."""
    opts = asr.TranscribeOptions(model=options.asr_model, language=options.language, word_timestamps=True)
    return asr.transcribe(samples, opts, pool=pool, priority=priority).segments


def word_spans(words: Sequence[asr.Word]) -> tuple[str, tuple[WordSpan, ...]]:
    """Join Whisper words (each with its leading space) into a text, keeping each word's characters and times."""
    raw = "".join(w.word for w in words)
    lead = len(raw) - len(raw.lstrip())
    spans: list[WordSpan] = []
    pos = 0
    for w in words:
        ws = len(w.word) - len(w.word.lstrip())
        core = len(w.word.strip())
        if core:
            spans.append(WordSpan(pos + ws - lead, pos + ws + core - lead, float(w.start), float(w.end)))
        pos += len(w.word)
    return raw.strip(), tuple(spans)


def _piece(segment: asr.Segment, words: list[asr.Word]) -> asr.Segment:
    """The part of `segment` made of `words`, its text rebuilt from them."""
    text, _ = word_spans(words)
    return segment.model_copy(update={"start": words[0].start, "end": words[-1].end, "text": text, "words": words})


def split_at_pauses(segments: Sequence[asr.Segment]) -> list[asr.Segment]:
    """Cut segments where the words pause (VAD joins speech chunks, so a segment can span silences); texts are
    rebuilt from the words, and pieces with no text are dropped."""
    out: list[asr.Segment] = []
    for s in segments:
        if not s.words:
            if s.text.strip():
                out.append(s.model_copy(update={"text": s.text.strip()}))
            continue
        group = [s.words[0]]
        for w in s.words[1:]:
            if w.start - group[-1].end >= WORD_GAP_SPLIT:
                out.append(_piece(s, group))
                group = []
            group.append(w)
        out.append(_piece(s, group))
    return [p for p in out if p.text]


def to_utterance(segment: asr.Segment) -> Utterance:
    """A labelled segment (`speaker` is a party) as an Utterance, with its words' characters in its text."""
    _, words = word_spans(segment.words or [])
    speaker = cast(Party, segment.speaker)
    return Utterance(speaker, float(segment.start), float(segment.end), segment.text, words)


def merge_turns(utterances: Sequence[Utterance]) -> list[Utterance]:
    """In time order, a party's utterances less than TURN_MERGE_GAP apart joined into one turn."""
    out: list[Utterance] = []
    for u in sorted(utterances, key=lambda u: u.start):
        last = out[-1] if out else None
        if last is not None and last.speaker == u.speaker and u.start - last.end < TURN_MERGE_GAP:
            shift = len(last.text) + 1
            moved = tuple(w._replace(start=w.start + shift, end=w.end + shift) for w in u.words)
            out[-1] = Utterance(
                last.speaker, last.start, max(last.end, u.end), f"{last.text} {u.text}", last.words + moved
            )
        else:
            out.append(u)
    return out


def speech_from_turns(turns: Sequence[Utterance]) -> dict[str, list[signal.Interval]]:
    """Each party's speech intervals taken from its turns (mono: no channel of its own to measure)."""
    talk: dict[str, list[signal.Interval]] = {"agent": [], "customer": []}
    for t in turns:
        talk[t.speaker].append((t.start, t.end))
    return {k: signal.union(v) for k, v in talk.items()}


def voice_labels(
    samples: np.ndarray, pieces: Sequence[asr.Segment], pool: ModelPool, priority: int
) -> tuple[np.ndarray, Diarization]:
    """Which of two voices (0: whoever speaks first) says each piece: by asr's speaker encoder when installed
    (mono consultations: role-attributed WER 31% -> 15%), else by asr's spectral k-means fallback."""
    spans = [(s.start, s.end) for s in pieces]
    if spans and speakers.available():
        durations = np.array([b - a for a, b in spans])
        vectors = speakers.embeddings(samples, spans, pool=pool, priority=priority)
        return speakers.two_speakers(vectors, durations), "mono-voice"
    feats = np.stack([speakers.spectral_features(samples, a, b) for a, b in spans]) if spans else np.zeros((0, 48))
    return speakers.two_speakers_spectral(feats), "mono-clustering"


def channel_speech(audio: asr.Audio, options: CallOptions, pool: ModelPool, priority: int) -> Speech:
    """Stereo: one party per channel (`options.agent_channel`); talk time from each channel's energy."""
    assert audio.channels is not None
    channel = {"agent": options.agent_channel, "customer": 1 - options.agent_channel}
    per_party = [
        split_at_pauses(transcribe_channel(audio.channels[channel[p]], options, pool, priority)) for p in PARTIES
    ]
    # given in party order (not channel order), so that at equal start times the agent's segment comes first
    segments = merge_channels(per_party, labels=PARTIES)
    return Speech(
        turns=merge_turns([to_utterance(s) for s in segments]),
        talk={p: signal.activity(audio.channels[channel[p]]) for p in PARTIES},
        diarization="channel",
        heard_on={p: audio.channels[c] for p, c in channel.items()},
        channels_of={p: [c] for p, c in channel.items()},
    )


def voice_speech(audio: asr.Audio, options: CallOptions, pool: ModelPool, priority: int) -> Speech:
    """Mono: one transcription cut into sentences and pauses, each piece given to one of two voices (the first
    voice is the agent); talk time from the turns."""
    segments = split_at_pauses(transcribe_channel(audio.samples, options, pool, priority))
    pieces = [s for s in split_sentences(segments) if s.text]  # a sentence of blank words has no text
    voices, diarization = voice_labels(audio.samples, pieces, pool, priority)
    turns = merge_turns([to_utterance(s) for s in label_by_voice(pieces, voices, roles=PARTIES, by_cues=False)])
    # a mono file, or a stereo file with the same signal on both channels: redact every channel
    every = [0, 1] if audio.channels is not None else [0]
    return Speech(
        turns=turns,
        talk=speech_from_turns(turns),
        diarization=diarization,
        heard_on={p: audio.samples for p in PARTIES},
        channels_of={p: every for p in PARTIES},
    )


def label_speakers(audio: asr.Audio, options: CallOptions, pool: ModelPool, priority: int) -> Speech:
    """The call's turns, by channel when its channels carry the two parties, else by voice."""
    if has_two_parties(audio):
        return channel_speech(audio, options, pool, priority)
    return voice_speech(audio, options, pool, priority)


# ---- text: sentiment, PII, turns


def score_sentiment(texts: list[str], pool: ModelPool, priority: int) -> list[SentimentResult]:
    """Each turn's sentiment (nlp.sentiment)."""
    from nlp.sentiment import detect_sentiment

    return detect_sentiment(texts, pool, priority) if texts else []


def find_pii(texts: list[str], options: CallOptions, pool: ModelPool, priority: int) -> list[list[PiiEntity]]:
    """Each turn's PII entities (nlp.pii); none are looked for when `options.redact_pii` is off."""
    from nlp.pii import detect_pii

    return detect_pii(texts, pool, priority) if texts and options.redact_pii else [[] for _ in texts]


def build_turn(
    index: int, utt: Utterance, sentiment: SentimentResult, entities: list[PiiEntity], speech: Speech, redact: bool
) -> Turn:
    """One result turn: text (PII redacted on request), sentiment, loudness, and when each PII span was said."""
    from nlp.pii import redact_text

    sc = sentiment.scores
    said = [audio_redact.word_span_times(utt.words, e.start, e.end, (utt.start, utt.end)) for e in entities]
    return Turn(
        index=index,
        speaker=utt.speaker,
        start=round(utt.start, 2),
        end=round(utt.end, 2),
        text=redact_text(utt.text, entities) if redact else utt.text,
        words=len(utt.text.split()),
        sentiment=TurnSentiment(
            label=sentiment.label,
            score=round(sc.Positive - sc.Negative, 3),
            scores={k: round(v, 4) for k, v in sc.model_dump().items()},
        ),
        loudness_dbfs=signal.loudness(speech.heard_on[utt.speaker], utt.start, utt.end),
        pii=[
            PiiSpan(type=e.type, start=e.start, end=e.end, audio_start=round(t0, 2), audio_end=round(t1, 2))
            for e, (t0, t1) in zip(entities, said, strict=True)
        ],
    )


def build_turns(
    speech: Speech, sentiments: list[SentimentResult], pii: list[list[PiiEntity]], options: CallOptions
) -> list[Turn]:
    """The result's turns, in time order."""
    return [
        build_turn(i, utt, s, ents, speech, options.redact_pii)
        for i, (utt, s, ents) in enumerate(zip(speech.turns, sentiments, pii, strict=True))
    ]


def count_pii(pii: list[list[PiiEntity]]) -> dict[str, int]:
    """How many PII spans of each type, in order of first appearance."""
    counts: dict[str, int] = {}
    for ents in pii:
        for e in ents:
            counts[e.type] = counts.get(e.type, 0) + 1
    return counts


# ---- timing and per-party statistics


def measure_timing(talk: dict[str, list[signal.Interval]], duration: float, options: CallOptions) -> Timing:
    """Interruptions (and how many by each party), silences and non-talk time from the parties' speech."""
    interrupts = signal.interruptions(talk, options.interruption_min_overlap)
    return Timing(
        interruptions=interrupts,
        interruptions_by={p: sum(1 for x in interrupts if x.by == p) for p in PARTIES},
        silences=signal.silences(talk, duration, options.silence_threshold),
        non_talk=round(duration - signal.total(signal.union([iv for v in talk.values() for iv in v])), 2),
    )


def mean_sentiment(turns: Sequence[Turn]) -> float:
    """The turns' sentiment scores averaged, each weighted by its word count (at least 1)."""
    return float(np.average([t.sentiment.score for t in turns], weights=[max(t.words, 1) for t in turns]))


def sentiment_by_quarter(turns: Sequence[Turn], duration: float) -> list[float | None]:
    """Mean sentiment of the turns centred in each quarter of the call (None: nothing said in it)."""
    quarters: list[float | None] = []
    for q in range(4):
        a, b = q * duration / 4, (q + 1) * duration / 4
        qt = [t for t in turns if a <= (t.start + t.end) / 2 < b]
        quarters.append(round(mean_sentiment(qt), 3) if qt else None)
    return quarters


def party_stats(
    party: Party, turns: list[Turn], talk: dict[str, list[signal.Interval]], duration: float, timing: Timing
) -> PartyStats:
    """One party's talk time and share, words, pace, sentiment (overall and by quarter), loudness, interruptions."""
    all_talk = sum(signal.total(v) for v in talk.values()) or 1.0
    mine = [t for t in turns if t.speaker == party]
    talk_time = signal.total(talk.get(party, []))
    words = sum(t.words for t in mine)
    score = mean_sentiment(mine) if mine else 0.0
    return PartyStats(
        talk_time=round(talk_time, 2),
        talk_share=round(talk_time / all_talk, 3),
        words=words,
        words_per_minute=round(words / (talk_time / 60), 1) if talk_time > 0 else 0.0,
        sentiment=round(score, 3),
        sentiment_label="POSITIVE" if score > 0.25 else "NEGATIVE" if score < -0.25 else "NEUTRAL",
        sentiment_by_quarter=sentiment_by_quarter(mine, duration),
        mean_loudness_dbfs=round(float(np.mean([t.loudness_dbfs for t in mine])), 1) if mine else None,
        interruptions=timing.interruptions_by.get(party, 0),
    )


# ---- redacted audio


def write_redacted_audio(
    audio: asr.Audio, turns: list[Turn], speech: Speech, mode: str, path: Path, name: str | None
) -> RedactedAudio:
    """Silence or bleep every PII span's time (padded) on its speaker's channel(s); write the copy to `path`."""
    chans = audio.channels if audio.channels is not None else audio.samples[None, :]
    pad = audio_redact.PAD
    spans = [
        (ch, p.audio_start - pad, p.audio_end + pad, t.speaker)
        for t in turns
        for p in t.pii
        if p.audio_start is not None and p.audio_end is not None
        for ch in speech.channels_of[t.speaker]
    ]
    out, _ = audio_redact.redact_samples(chans, [(c, a, b) for c, a, b, _ in spans], mode)
    audio_redact.write_wav(path, out)
    duration = out.shape[1] / signal.SAMPLE_RATE
    records = [
        AudioRedaction(speaker=spk, channel=ch, start=round(a, 3), end=round(b, 3))
        for spk, ch in sorted({(spk, c) for c, _, _, spk in spans}, key=lambda k: (k[1], k[0]))
        for a, b in signal.union([(max(0.0, a), min(duration, b)) for c, a, b, s in spans if (s, c) == (spk, ch)])
    ]
    return RedactedAudio(
        mode=mode,  # type: ignore[arg-type]
        file=name or path.name,
        channels=out.shape[0],
        spans=sorted(records, key=lambda r: (r.start, r.channel)),
    )


def assemble_result(
    call: str,
    audio: asr.Audio,
    options: CallOptions,
    rules: Sequence[CategoryRule],
    speech: Speech,
    turns: list[Turn],
    pii: list[list[PiiEntity]],
    redacted: RedactedAudio | None,
) -> CallResult:
    """The call's result: its turns with timing, per-party statistics, categories, issues and outcomes."""
    timing = measure_timing(speech.talk, audio.duration, options)
    parties = {p: party_stats(p, turns, speech.talk, audio.duration, timing) for p in PARTIES}
    return CallResult(
        call=call,
        duration=round(audio.duration, 2),
        channels=2 if audio.channels is not None else 1,
        diarization=speech.diarization,
        asr_model=options.asr_model,
        turns=turns,
        parties=parties,
        non_talk_time=timing.non_talk,
        silences=timing.silences,
        interruptions=timing.interruptions,
        categories=apply_rules(rules, turns, parties, audio.duration, timing.non_talk),
        issues=extract.issues(turns),
        outcomes=extract.outcomes(turns),
        pii_redacted=options.redact_pii,
        pii_counts=count_pii(pii),
        redacted_audio=redacted,
    )


# ---- the pipeline


def analyze_call(
    source: str | os.PathLike | bytes,
    options: CallOptions | None = None,
    rules: Sequence[CategoryRule] = (),
    *,
    name: str | None = None,
    pool: ModelPool | None = None,
    priority: int = Priority.BATCH,
    audio_out: Path | None = None,
    audio_out_name: str | None = None,
) -> CallResult:
    """Analyse one recording. Bad audio gives a CallResult with status "error", never an exception.

    With ``options.redact_audio`` and ``audio_out``, a redacted copy of the recording is written there
    (``audio_out_name``, default its file name, is what the result records as its path)."""
    options = options or CallOptions()
    pool = pool or default_pool()
    call = name or (Path(source).name if not isinstance(source, bytes) else "call")
    try:
        audio = decode_call(source, options)
    except UnreadableCall as exc:
        return CallResult(call=call, status="error", error=str(exc))
    speech = label_speakers(audio, options, pool, priority)
    texts = [u.text for u in speech.turns]
    sentiments = score_sentiment(texts, pool, priority)
    pii = find_pii(texts, options, pool, priority)
    turns = build_turns(speech, sentiments, pii, options)
    redacted = None
    if options.redact_audio and audio_out is not None:
        redacted = write_redacted_audio(audio, turns, speech, options.redact_audio, audio_out, audio_out_name)
    return assemble_result(call, audio, options, rules, speech, turns, pii, redacted)
