"""One call in, one CallResult out: ASR per party, timing, sentiment, PII, categories, issues/outcomes.

Composition through public APIs only: ``asr.decode`` / ``asr.transcribe`` for speech, ``nlp.sentiment`` and
``nlp.pii`` for text. Stereo calls: one channel per party (``CallOptions.agent_channel``). Mono calls (or
stereo files whose channels are identical): one transcription, segments assigned to two speakers by k-means
on a spectral voice signature; the first speaker is taken to be the agent (a best effort: no diarization model).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from asr import speakers
from calls import audio_redact, extract, signal
from calls.rules import CategoryRule, apply_rules
from calls.schema import (
    AudioRedaction,
    CallOptions,
    CallResult,
    PartyStats,
    PiiSpan,
    RedactedAudio,
    Turn,
    TurnSentiment,
)
from workers import ModelPool, Priority, default_pool

TURN_MERGE_GAP = 1.0
WORD_GAP_SPLIT = 0.8


Word = tuple[int, int, float, float]  # character start, end (in its utterance or turn text), time start, end
Utterance = tuple[float, float, str, list[Word]]
Merged = tuple[str, float, float, str, list[Word]]  # speaker, start, end, text, words


def _segments(
    samples: np.ndarray, options: CallOptions, pool: ModelPool, priority: int, sentences: bool = False
) -> list[Utterance]:
    """Utterances with word times; `sentences` also cuts at each sentence end, for mono calls where
    one Whisper segment often holds both parties and each piece gets its own speaker."""
    import asr

    opts = asr.TranscribeOptions(model=options.asr_model, language=options.language, word_timestamps=True)
    tr = asr.transcribe(samples, opts, pool=pool, priority=priority)
    out: list[Utterance] = []
    for s in tr.segments:
        if not s.words:
            if s.text.strip():
                out.append((float(s.start), float(s.end), s.text.strip(), []))
            continue
        # a segment can span silences (VAD joins speech chunks): split it where the words pause
        group = [s.words[0]]
        for w in s.words[1:]:
            ended = sentences and group[-1].word.rstrip().endswith((".", "?", "!"))
            if ended or w.start - group[-1].end >= WORD_GAP_SPLIT:
                out.append(_utterance(group))
                group = []
            group.append(w)
        out.append(_utterance(group))
    return [u for u in out if u[2]]


def _utterance(words: list) -> Utterance:
    """Join Whisper words (each with its leading space) into a text, keeping each word's characters and times."""
    raw = "".join(w.word for w in words)
    lead = len(raw) - len(raw.lstrip())
    spans: list[Word] = []
    pos = 0
    for w in words:
        ws = len(w.word) - len(w.word.lstrip())
        core = len(w.word.strip())
        if core:
            spans.append((pos + ws - lead, pos + ws + core - lead, float(w.start), float(w.end)))
        pos += len(w.word)
    return float(words[0].start), float(words[-1].end), raw.strip(), spans


def _merge(segs: list[Merged]) -> list[Merged]:
    segs = sorted(segs, key=lambda s: s[1])
    out: list[list] = []
    for spk, a, b, text, words in segs:
        if out and out[-1][0] == spk and a - out[-1][2] < TURN_MERGE_GAP:
            shift = len(out[-1][3]) + 1
            out[-1][2] = max(out[-1][2], b)
            out[-1][3] += " " + text
            out[-1][4] = out[-1][4] + [(c0 + shift, c1 + shift, t0, t1) for c0, c1, t0, t1 in words]
        else:
            out.append([spk, a, b, text, list(words)])
    return [tuple(x) for x in out]  # type: ignore[misc]


def _speech_from_turns(turns: Sequence[Merged]) -> dict[str, list[signal.Interval]]:
    talk: dict[str, list[signal.Interval]] = {"agent": [], "customer": []}
    for spk, a, b, *_ in turns:
        talk[spk].append((a, b))
    return {k: signal.union(v) for k, v in talk.items()}


def _party_stats(
    turns: list[Turn], talk: dict[str, list[signal.Interval]], duration: float, n_interrupts: dict[str, int]
) -> dict[str, PartyStats]:
    all_talk = sum(signal.total(v) for v in talk.values()) or 1.0
    out = {}
    for party in ("agent", "customer"):
        mine = [t for t in turns if t.speaker == party]
        talk_time = signal.total(talk.get(party, []))
        words = sum(t.words for t in mine)
        weights = [max(t.words, 1) for t in mine]
        score = float(np.average([t.sentiment.score for t in mine], weights=weights)) if mine else 0.0
        quarters: list[float | None] = []
        for q in range(4):
            a, b = q * duration / 4, (q + 1) * duration / 4
            qt = [t for t in mine if a <= (t.start + t.end) / 2 < b]
            quarters.append(
                round(float(np.average([t.sentiment.score for t in qt], weights=[max(t.words, 1) for t in qt])), 3)
                if qt
                else None
            )
        label = "POSITIVE" if score > 0.25 else "NEGATIVE" if score < -0.25 else "NEUTRAL"
        out[party] = PartyStats(
            talk_time=round(talk_time, 2),
            talk_share=round(talk_time / all_talk, 3),
            words=words,
            words_per_minute=round(words / (talk_time / 60), 1) if talk_time > 0 else 0.0,
            sentiment=round(score, 3),
            sentiment_label=label,
            sentiment_by_quarter=quarters,
            mean_loudness_dbfs=round(float(np.mean([t.loudness_dbfs for t in mine])), 1) if mine else None,
            interruptions=n_interrupts.get(party, 0),
        )
    return out


def _mono_speakers(
    samples: np.ndarray, spans: list[tuple[float, float]], pool: ModelPool | None, priority: int
) -> tuple[np.ndarray, str]:
    """Two speakers in one channel, label 0 = whoever speaks first (the agent): by voice embeddings
    when asr's speaker encoder is installed (mono consultations: role-attributed WER 31% -> 15%), else
    by k-means on spectral voice statistics."""
    if spans and speakers.available():
        durations = np.array([b - a for a, b in spans])
        return speakers.two_speakers(speakers.embeddings(samples, spans, pool=pool, priority=priority), durations), (
            "mono-voice"
        )
    feats = np.stack([signal.voice_features(samples, a, b) for a, b in spans]) if spans else np.zeros((0, 48))
    return signal.two_speakers(feats), "mono-clustering"


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
    import asr
    from nlp.pii import detect_pii, redact_text
    from nlp.sentiment import detect_sentiment

    options = options or CallOptions()
    pool = pool or default_pool()
    call = name or (Path(source).name if not isinstance(source, bytes) else "call")
    try:
        audio = asr.decode(source, max_seconds=options.max_duration)
    except asr.AudioTooLongError:
        return CallResult(call=call, status="error", error=f"the call is longer than {options.max_duration:.0f} s")
    except (asr.AsrError, OSError) as exc:
        return CallResult(call=call, status="error", error=f"cannot read the audio: {exc}")
    duration = audio.duration
    stereo = audio.channels is not None and not np.allclose(audio.channels[0], audio.channels[1], atol=1e-4)
    if stereo:
        chans = audio.channels
        parties = {options.agent_channel: "agent", 1 - options.agent_channel: "customer"}
        raw: list[Merged] = []
        talk: dict[str, list[signal.Interval]] = {}
        for ch, party in parties.items():
            raw += [(party, a, b, t, w) for a, b, t, w in _segments(chans[ch], options, pool, priority)]
            talk[party] = signal.activity(chans[ch])
        merged = _merge(raw)
        channel_of = {p: chans[c] for c, p in parties.items()}
        channel_index = {p: [c] for c, p in parties.items()}
        diar = "channel"
    else:
        segs = _segments(audio.samples, options, pool, priority, sentences=True)
        labels, diar = _mono_speakers(audio.samples, [(a, b) for a, b, _, _ in segs], pool, priority)
        merged = _merge(
            [("agent" if k == 0 else "customer", a, b, t, w) for k, (a, b, t, w) in zip(labels, segs, strict=True)]
        )
        talk = _speech_from_turns(merged)
        channel_of = {"agent": audio.samples, "customer": audio.samples}
        # a mono file, or a stereo file with the same signal on both channels: redact every channel
        every = [0, 1] if audio.channels is not None else [0]
        channel_index = {"agent": every, "customer": every}

    texts = [m[3] for m in merged]
    sentiments = detect_sentiment(texts, pool, priority) if texts else []
    pii = detect_pii(texts, pool, priority) if texts and options.redact_pii else [[] for _ in texts]
    turns = []
    for i, ((spk, a, b, text, words), s, ents) in enumerate(zip(merged, sentiments, pii, strict=True)):
        sc = s.scores
        said = [audio_redact.word_span_times(words, e.start, e.end, (a, b)) for e in ents]
        turns.append(
            Turn(
                index=i,
                speaker=spk,  # type: ignore[arg-type]
                start=round(a, 2),
                end=round(b, 2),
                text=redact_text(text, ents) if options.redact_pii else text,
                words=len(text.split()),
                sentiment=TurnSentiment(
                    label=s.label,
                    score=round(sc.Positive - sc.Negative, 3),
                    scores={k: round(v, 4) for k, v in sc.model_dump().items()},
                ),
                loudness_dbfs=signal.loudness(channel_of[spk], a, b),
                pii=[
                    PiiSpan(type=e.type, start=e.start, end=e.end, audio_start=round(t0, 2), audio_end=round(t1, 2))
                    for e, (t0, t1) in zip(ents, said, strict=True)
                ],
            )
        )
    interrupts = signal.interruptions(talk, options.interruption_min_overlap)
    counts = {p: sum(1 for x in interrupts if x.by == p) for p in ("agent", "customer")}
    parties_stats = _party_stats(turns, talk, duration, counts)
    gaps = signal.silences(talk, duration, options.silence_threshold)
    non_talk = round(duration - signal.total(signal.union([iv for v in talk.values() for iv in v])), 2)
    pii_counts: dict[str, int] = {}
    for ents in pii:
        for e in ents:
            pii_counts[e.type] = pii_counts.get(e.type, 0) + 1
    redacted = None
    if options.redact_audio and audio_out is not None:
        redacted = _write_redacted(audio, turns, channel_index, options.redact_audio, audio_out, audio_out_name)
    return CallResult(
        call=call,
        duration=round(duration, 2),
        channels=2 if audio.channels is not None else 1,
        diarization=diar,  # type: ignore[arg-type]
        asr_model=options.asr_model,
        turns=turns,
        parties=parties_stats,
        non_talk_time=non_talk,
        silences=gaps,
        interruptions=interrupts,
        categories=apply_rules(rules, turns, parties_stats, duration, non_talk),
        issues=extract.issues(turns),
        outcomes=extract.outcomes(turns),
        pii_redacted=options.redact_pii,
        pii_counts=pii_counts,
        redacted_audio=redacted,
    )


def _write_redacted(
    audio, turns: list[Turn], channel_index: dict[str, list[int]], mode: str, path: Path, name: str | None
) -> RedactedAudio:
    """Silence or bleep every PII span's time (padded) on its speaker's channel(s); write the copy to `path`."""
    chans = audio.channels if audio.channels is not None else audio.samples[None, :]
    pad = audio_redact.PAD
    spans = [
        (ch, p.audio_start - pad, p.audio_end + pad, t.speaker)
        for t in turns
        for p in t.pii
        if p.audio_start is not None and p.audio_end is not None
        for ch in channel_index[t.speaker]
    ]
    out, _ = audio_redact.redact_samples(chans, [(c, a, b) for c, a, b, _ in spans], mode)
    audio_redact.write_wav(path, out)
    duration = out.shape[1] / signal.SAMPLE_RATE
    records = [
        AudioRedaction(speaker=spk, channel=ch, start=round(a, 3), end=round(b, 3))  # type: ignore[arg-type]
        for spk, ch in sorted({(spk, c) for c, _, _, spk in spans}, key=lambda k: (k[1], k[0]))
        for a, b in signal.union([(max(0.0, a), min(duration, b)) for c, a, b, s in spans if (s, c) == (spk, ch)])
    ]
    return RedactedAudio(
        mode=mode,  # type: ignore[arg-type]
        file=name or path.name,
        channels=out.shape[0],
        spans=sorted(records, key=lambda r: (r.start, r.channel)),
    )
