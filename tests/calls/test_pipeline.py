"""The analytics recover what the generator planted: talk times, silences, interruptions, PII; bad calls fail alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from asr import Segment, Word
from calls import CALL_SCHEMA_VERSION, CallOptions, CallResult, analyze_call, audio_redact, list_calls, run_batch
from calls.analyze import merge_turns, split_at_pauses, to_utterance
from calls.audio_redact import BLEEP_HZ, redact_samples
from calls.batch import BatchInputError
from calls.signal import activity, interruptions, silences
from tests.calls.shared import check_redacted, read_wav, shared_pool


def _result(out: Path, name: str) -> CallResult:
    return CallResult.model_validate_json((out / "calls" / f"{name}.json").read_text())


def test_signal_measures_on_tones() -> None:
    sr = 16000
    t = np.arange(sr) / sr
    tone = 0.3 * np.sin(2 * np.pi * 220 * t).astype(np.float32)
    a = np.zeros(6 * sr, dtype=np.float32)
    c = np.zeros(6 * sr, dtype=np.float32)
    a[0:sr] = tone
    a[4 * sr : 5 * sr] = tone
    c[int(0.5 * sr) : int(1.5 * sr)] = tone  # starts while the agent talks: 0.5 s overlap
    talk = {"agent": activity(a), "customer": activity(c)}
    assert talk["agent"][0] == pytest.approx((0.0, 0.99), abs=0.05)
    [gap] = silences(talk, 6.0, threshold=2.0)
    assert gap.start == pytest.approx(1.5, abs=0.05) and gap.end == pytest.approx(4.0, abs=0.05)
    [cut] = interruptions(talk, 0.3)
    assert (
        cut.by == "customer" and cut.at == pytest.approx(0.5, abs=0.05) and cut.duration == pytest.approx(0.5, abs=0.05)
    )


def test_redact_samples_on_tones() -> None:
    sr = 16000
    x = np.stack([0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * sr) / sr)] * 2).astype(np.float32)
    silent, done = redact_samples(x, [(1, 1.0, 2.0), (1, 1.5, 2.5), (0, -1.0, 0.2)], "silence")
    assert done == {0: [(0.0, 0.2)], 1: [(1.0, 2.5)]}
    assert not silent[1, sr : int(2.5 * sr)].any() and not silent[0, : int(0.2 * sr)].any()
    keep = np.ones_like(x, dtype=bool)
    keep[1, sr : int(2.5 * sr)] = keep[0, : int(0.2 * sr)] = False
    assert np.array_equal(silent[keep], x[keep])
    bleep, _ = redact_samples(x, [(0, 1.0, 2.0)], "bleep")
    seg = bleep[0, sr : 2 * sr]
    assert np.argmax(np.abs(np.fft.rfft(seg))) == BLEEP_HZ  # 1 Hz bins over one second
    assert np.array_equal(bleep[1], x[1])
    with pytest.raises(ValueError, match="silence"):
        redact_samples(x, [], "beep")


def _segment(words: list[tuple[str, float, float]], speaker: str = "customer") -> Segment:
    """An ASR segment with word times; its own text differs from its words', as Whisper's may."""
    ws = [Word(word=w, start=a, end=b, probability=1.0) for w, a, b in words]
    return Segment(
        id=0, start=ws[0].start, end=ws[-1].end, text=" (whisper)", confidence=1.0, words=ws, speaker=speaker
    )


def test_word_offsets_survive_joining_and_merging() -> None:
    first = _segment([(w, 1.0 + i / 5, 1.2 + i / 5) for i, w in enumerate([" My", " card", " is"])])
    second = _segment([(" 4111", 2.0, 2.6), (" 1111.", 2.6, 3.1)])
    pieces = split_at_pauses([second, first])
    assert [p.text for p in pieces] == ["4111 1111.", "My card is"]
    [turn] = merge_turns([to_utterance(p) for p in pieces])
    assert (turn.speaker, turn.start, turn.end, turn.text) == ("customer", 1.0, 3.1, "My card is 4111 1111.")
    assert [turn.text[w.start : w.end] for w in turn.words] == ["My", "card", "is", "4111", "1111."]
    start = turn.text.index("4111")
    assert audio_redact.word_span_times(turn.words, start, len(turn.text) - 1, (0.0, 9.0)) == (2.0, 3.1)
    assert audio_redact.word_span_times(turn.words, 99, 100, (0.0, 9.0)) == (0.0, 9.0)  # no word: the whole turn


def test_segments_are_cut_at_pauses_and_turns_at_speaker_changes() -> None:
    words = [(" Hello", 0.0, 0.4), (" there.", 0.4, 0.8), (" Still", 1.6, 2.0), (" me", 2.0, 2.2)]  # 0.8 s pause
    pieces = split_at_pauses([_segment(words, "agent"), _segment([(" Hi", 2.5, 2.8)]), _segment([(" ", 3.0, 3.1)])])
    assert [(p.text, p.start, p.end, p.speaker) for p in pieces] == [
        ("Hello there.", 0.0, 0.8, "agent"),
        ("Still me", 1.6, 2.2, "agent"),
        ("Hi", 2.5, 2.8, "customer"),
    ]  # the piece with no text is dropped
    turns = merge_turns([to_utterance(p) for p in pieces])
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("agent", "Hello there. Still me", 0.0, 2.2),
        ("customer", "Hi", 2.5, 2.8),
    ]


def test_without_the_encoder_two_voices_are_told_apart_by_spectrum_and_the_first_is_the_agent() -> None:
    from asr import speakers
    from asr.medical import label_by_voice

    sr, rng = 16000, np.random.default_rng(0)

    def voice(f0: float, seconds: float) -> np.ndarray:
        t = np.arange(int(seconds * sr)) / sr
        tone = sum(np.sin(2 * np.pi * f0 * k * t) / k**2 for k in range(1, 12))
        return (0.1 * tone + 0.001 * rng.standard_normal(len(t))).astype(np.float32)

    parts = [voice(120, 1), voice(360, 1), voice(120, 1), voice(360, 2), voice(120, 0.5)]
    edges = np.cumsum([0.0] + [len(p) / sr for p in parts])
    x = np.concatenate(parts)
    features = np.stack([speakers.spectral_features(x, a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    voices = speakers.two_speakers_spectral(features)
    assert features.shape == (5, 48) and voices.tolist() == [0, 1, 0, 1, 0]
    # roles by who speaks first, not by what is said (a question would make the second voice the clinician)
    pieces = split_at_pauses([_segment([(" Hello.", 0, 1)]), _segment([(" Do you have any pain?", 1, 2)])])
    labelled = label_by_voice(pieces, np.array([0, 1]), roles=("agent", "customer"), by_cues=False)
    assert [p.speaker for p in labelled] == ["agent", "customer"]
    assert [p.speaker for p in label_by_voice(pieces, np.array([0, 1]))] == ["patient", "clinician"]


def test_redacted_audio_silences_pii_spans_only(batch_run, test_call) -> None:
    out, _, _ = batch_run
    path, truth = test_call
    r = _result(out, "good.wav")
    assert r.redacted_audio and r.redacted_audio.mode == "silence" and r.redacted_audio.channels == 2
    assert r.redacted_audio.file == "audio/good.wav.redacted.wav"
    check_redacted(path, read_wav(out / r.redacted_audio.file), r, truth, "silence")
    spans = [p for t in r.turns for p in t.pii]
    assert all(p.audio_start is not None and p.audio_start < p.audio_end for p in spans)
    assert _result(out, "corrupt.wav").redacted_audio is None


def test_planted_facts_are_recovered(batch_run, test_call) -> None:
    out, summary, _ = batch_run
    _, truth = test_call
    r = _result(out, "good.wav")
    assert r.schema_version == CALL_SCHEMA_VERSION and r.status == "ok" and r.diarization == "channel"
    for party in ("agent", "customer"):
        assert r.parties[party].talk_time == pytest.approx(truth["talk_time"][party], rel=0.05)
    for s in truth["silences"]:
        assert any(abs(g.start - s["start"]) < 0.5 and abs(g.end - s["end"]) < 0.5 for g in r.silences), r.silences
    for i in truth["interruptions"]:
        assert any(x.by == i["by"] and abs(x.at - i["at"]) < 0.5 for x in r.interruptions), r.interruptions
    # every planted PII value is gone from the redacted transcript
    text = " ".join(t.text for t in r.turns)
    for p in truth["pii"]:
        digits = "".join(ch for ch in p["value"] if ch.isdigit())
        assert p["value"].lower() not in text.lower() and (not digits or digits[-4:] not in text), p
    assert sum(r.pii_counts.values()) >= len(truth["pii"])
    assert {t.speaker for t in r.turns} == {"agent", "customer"}
    assert r.turns[0].speaker == "agent" and "help" in r.turns[0].text.lower()
    assert any(t.sentiment.label == "POSITIVE" for t in r.turns if t.speaker == "customer")
    assert {c.name for c in r.categories} == {"refund", "damaged item"}
    assert any("return" in s.text.lower() or "damaged" in s.text.lower() for s in r.issues)
    refund_turns = {t.index for t in r.turns if t.speaker == "agent" and "refund" in t.text.lower()}
    assert any(s.turn in refund_turns for s in r.outcomes), r.outcomes
    assert all(len(p.sentiment_by_quarter) == 4 for p in r.parties.values())


def test_corrupt_call_fails_alone_and_batch_resumes(batch_run, test_call) -> None:
    out, summary, first_seconds = batch_run
    bad = _result(out, "corrupt.wav")
    assert bad.status == "error" and "audio" in bad.error
    assert summary.calls == 2 and summary.succeeded == 1 and summary.failed[0]["call"] == "corrupt.wav"
    assert json.loads((out / "summary.json").read_text())["succeeded"] == 1
    # a second run over the same output folder resumes: nothing is analysed again
    before = (out / "calls" / "good.wav.json").stat().st_mtime_ns
    path, _ = test_call
    t0 = time.monotonic()
    again = run_batch([path, path.parent / "corrupt.wav"], out, CallOptions(), pool=shared_pool())
    assert time.monotonic() - t0 < min(5.0, first_seconds / 2)
    assert again == summary and (out / "calls" / "good.wav.json").stat().st_mtime_ns == before


def test_too_long_call_and_empty_folder(tmp_path: Path, test_call) -> None:
    path, _ = test_call
    r = analyze_call(path, CallOptions(max_duration=10), pool=shared_pool())
    assert r.status == "error" and "longer than 10 s" in r.error
    with pytest.raises(BatchInputError, match="no audio files"):
        list_calls(tmp_path)
    with pytest.raises(BatchInputError, match="no files match"):
        list_calls(str(tmp_path / "*.wav"))


def test_a_mono_call_is_split_into_agent_and_customer_by_voice(test_call, tmp_path: Path) -> None:
    from asr import speakers

    if not speakers.available():
        pytest.skip("asr's speaker encoder is not installed (scripts/install_models.py)")
    path, truth = test_call
    mono = tmp_path / "mono.wav"
    audio_redact.write_wav(mono, read_wav(path).sum(axis=0, keepdims=True) / 32768.0)  # both parties, one channel
    r = analyze_call(mono, CallOptions(redact_pii=False), pool=shared_pool())
    assert r.status == "ok" and r.diarization == "mono-voice"

    def said_by(start: float, end: float) -> str:
        overlap = {p: 0.0 for p in ("agent", "customer")}
        for t in truth["turns"]:
            overlap[t["speaker"]] += max(0.0, min(end, t["end"]) - max(start, t["start"]))
        return max(overlap, key=overlap.get)

    right = sum(t.speaker == said_by(t.start, t.end) for t in r.turns)
    assert right >= 0.8 * len(r.turns), [(t.speaker, said_by(t.start, t.end), t.text) for t in r.turns]
