"""Pause-aligned windows and the shorter text context (asr.engines.windows): where clips are cut, what each window
is prompted with, how clip segments are guarded and split, and (real engine, real consultation) that the words
match Whisper's own windowing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the [asr] extra is not installed")

import asr  # noqa: E402
from asr.engines import faster_whisper, windows  # noqa: E402
from asr.engines.windows import Decoding, clip_timestamps, limit_context, pause_cuts, speech_seconds  # noqa: E402
from asr.schemas import TranscribeOptions  # noqa: E402
from tests.asr.conftest import TEST_MODEL, word_error_rate  # noqa: E402

RATE = windows.RATE


def chunks(spans: list[tuple[float, float]]) -> list[dict[str, int]]:
    return [{"start": int(a * RATE), "end": int(b * RATE)} for a, b in spans]


def conversation(seconds: float) -> list[dict[str, int]]:
    """Turns of 2-7 s with pauses of 0.3-1.5 s (a fixed pseudo-random pattern)."""
    spans, t, k = [], 0.5, 0
    while t < seconds - 1:
        length, gap = 2 + (k * 7919 % 50) / 10, 0.3 + (k * 104729 % 12) / 10
        spans.append((t, min(t + length, seconds - 0.5)))
        t, k = t + length + gap, k + 1
    return chunks(spans)


def test_clips_end_in_pauses_and_fit_one_window() -> None:
    speech = conversation(600)
    cuts = pause_cuts(speech, 600 * RATE)
    bounds = [0, *cuts, 600 * RATE]
    lengths = [(b - a) / RATE for a, b in zip(bounds, bounds[1:], strict=False)]
    assert all(length <= windows.LONGEST_CLIP_S for length in lengths)
    assert all(length >= windows.FALLBACK_CLIP_S for length in lengths[:-1])
    assert sum(length >= windows.SHORTEST_CLIP_S for length in lengths) >= len(lengths) * 0.6  # mostly long clips
    for cut in cuts:
        assert not any(c["start"] <= cut < c["end"] for c in speech)
    assert len(cuts) <= 600 / windows.SHORTEST_CLIP_S
    flat = clip_timestamps(speech, 600 * RATE)
    assert flat[0] == 0 and flat[-1] == 600 and len(flat) == 2 * (len(cuts) + 1)
    assert all(a == b for a, b in zip(flat[1:-1:2], flat[2::2], strict=True))  # clips meet end to start


def test_speech_without_pauses_runs_on_to_the_next_pause() -> None:
    speech = chunks([(0, 45), (46, 70)])
    assert pause_cuts(speech, 70 * RATE) == [int(45.5 * RATE)]
    assert pause_cuts(chunks([(0, 70)]), 70 * RATE) == []
    assert pause_cuts(chunks([(0, 20)]), 25 * RATE) == []  # one clip


def test_speech_seconds_counts_only_speech_in_the_span() -> None:
    speech = chunks([(1, 3), (10, 14), (20, 30)])
    assert speech_seconds(speech, 0, 12) == pytest.approx(4.0)
    assert speech_seconds(speech, 25, 40) == pytest.approx(5.0)
    assert speech_seconds(speech, 4, 9) == 0


def test_the_context_keeps_the_initial_prompt_and_the_last_tokens() -> None:
    initial = (101, 102, 103)
    state = Decoding(context_tokens=2, initial_tokens=initial)
    assert limit_context([101, 102, 103, 1, 2, 3, 4], state) == [101, 102, 103, 3, 4]
    assert limit_context([1, 2, 3, 4], state) == [3, 4]  # after a prompt reset the initial prompt is gone
    assert limit_context([101, 102, 103, 1, 2], Decoding(context_tokens=0, initial_tokens=initial)) == [101, 102, 103]
    assert limit_context([1, 2, 3], Decoding(context_tokens=None)) == [1, 2, 3]


@dataclass
class Seg:  # faster_whisper.transcribe.Segment's fields the engine reads
    start: float
    end: float
    text: str
    words: list | None = None
    avg_logprob: float = -0.3
    compression_ratio: float = 1.4
    no_speech_prob: float = 0.01
    seek: int = 0
    tokens: list = field(default_factory=lambda: [1, 2, 3])
    temperature: float = 0.0


def word(text: str, start: float, end: float) -> SimpleNamespace:
    from faster_whisper.transcribe import Word

    return Word(start=start, end=end, word=text, probability=0.9)


@dataclass
class FakeModel:
    answer: list[Seg]
    calls: list[dict] = field(default_factory=list)
    model: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(is_multilingual=False))

    def transcribe(self, samples: np.ndarray, **kwargs):
        self.calls.append(dict(kwargs, n=len(samples)))
        info = SimpleNamespace(language="en", language_probability=1.0, duration=len(samples) / RATE)
        return iter(self.answer), info


def run(model: FakeModel, speech: list[dict[str, int]], seconds: float, monkeypatch, **options):
    monkeypatch.setattr(faster_whisper, "_speech", lambda samples, **_: speech)
    opts = TranscribeOptions(**{"language": "en", "vad": False, "loop_guard": True, "pause_windows": True, **options})
    return faster_whisper.FasterWhisperEngine().transcribe(model, np.zeros(int(seconds * RATE), np.float32), opts)


def test_a_quiet_clip_is_not_taken_for_skipped_speech(monkeypatch) -> None:
    """A 28 s clip with 5 s of speech decodes to a dozen words: the guard counts the speech, not the clip; a clip
    of 28 s of speech decoded to two words is decoded again."""
    speech = chunks([(1, 6), (29, 57)])
    first = Seg(0, 28.5, "Okay, any cough or sputum? No, none at all, thanks.")
    model = FakeModel([first, Seg(28.5, 58, "Two words.")])
    result = run(model, speech, 58, monkeypatch)
    assert model.calls[0]["without_timestamps"] is True and model.calls[0]["clip_timestamps"][-1] == 58
    assert len(model.calls) == 2 and model.calls[1]["n"] == 29.5 * RATE  # only the second clip, again
    assert "clip_timestamps" not in model.calls[1]
    assert result.text.startswith("Okay, any cough")


def test_word_timestamps_split_a_clip_into_sentences(monkeypatch) -> None:
    words = [word(" Any", 1.0, 1.2), word(" cough?", 1.3, 1.8), word(" No.", 3.0, 3.4), word(" None", 5.0, 5.3),
             word(" really.", 5.4, 5.9)]  # fmt: skip
    model = FakeModel([Seg(0, 12, " Any cough? No. None really.", words=words)])
    result = run(model, chunks([(1, 6)]), 12, monkeypatch, word_timestamps=True)
    assert [s.text for s in result.segments] == ["Any cough?", "No.", "None really."]
    assert [(s.start, s.end) for s in result.segments] == [(1.0, 1.8), (3.0, 3.4), (5.0, 5.9)]
    assert [s.id for s in result.segments] == [0, 1, 2] and result.text == "Any cough? No. None really."
    assert all(s.tokens == [] for s in result.segments)  # the clip's tokens are not repeated per sentence
    plain = run(FakeModel([Seg(0, 12, " Any cough? No. None really.")]), chunks([(1, 6)]), 12, monkeypatch)
    assert len(plain.segments) == 1 and plain.segments[0].end == 12  # without words a segment is its clip


def test_a_call_may_ask_for_timestamp_tokens_in_clips(monkeypatch) -> None:
    """Whisper's own segment times inside each clip (a lever bench.asr measures: "timestamp tokens")."""
    speech = chunks([(1, 6), (29, 57)])
    model = FakeModel([Seg(0, 3, "Any cough?"), Seg(3, 6, "No.")])
    result = run(model, speech, 58, monkeypatch, timestamp_tokens=True)
    assert model.calls[0]["without_timestamps"] is False and model.calls[0]["clip_timestamps"][-1] == 58
    assert [s.text for s in result.segments] == ["Any cough?", "No."]
    run(model, speech, 58, monkeypatch)
    assert model.calls[-1]["without_timestamps"] is True  # the default: none


def test_off_it_decodes_as_faster_whisper_does(monkeypatch) -> None:
    model = FakeModel([Seg(0, 5, "Hello.")])
    run(model, chunks([(1, 40)]), 40, monkeypatch, pause_windows=False)
    assert "clip_timestamps" not in model.calls[0] and "without_timestamps" not in model.calls[0]


@pytest.fixture(scope="module")
def tiny(asr_settings: asr.AsrSettings):
    from asr.engines.windows import WindowedWhisperModel

    return WindowedWhisperModel(asr.resolve_model(TEST_MODEL, asr_settings).target, cpu_threads=1)


def test_the_model_prompts_with_the_limited_context(tiny) -> None:
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(tiny.hf_tokenizer, False, task="transcribe", language="en")
    previous = list(range(300, 400))
    plain = tiny.get_prompt(tokenizer, previous, without_timestamps=True)
    with windows.decoding(Decoding(context_tokens=8)):
        short = tiny.get_prompt(tokenizer, previous, without_timestamps=True)
    assert len(plain) - len(short) == 92 and short[1:9] == previous[-8:]
    assert tiny.get_prompt(tokenizer, previous, without_timestamps=True) == plain  # the state ends with the block


def test_a_window_that_reaches_its_clip_end_is_complete(tiny) -> None:
    """Word timestamps seek back to the last word unless a segment ends on a timestamp: a clip ends in a pause."""
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(tiny.hf_tokenizer, False, task="transcribe", language="en")
    tokens = tokenizer.encode(" Any cough?")
    args = dict(tokenizer=tokenizer, tokens=tokens, time_offset=0.0, segment_duration=20.0, seek=0)
    assert tiny._split_segments_by_timestamps(segment_size=2000, **args)[2] is False
    with windows.decoding(Decoding(context_tokens=None, whole_clips=True)):
        assert tiny._split_segments_by_timestamps(segment_size=2000, **args)[2] is True
        assert tiny._split_segments_by_timestamps(segment_size=3000, **args)[2] is False  # a 30 s cut in speech


def test_pause_windows_read_as_whisper_windows_on_a_consultation(
    speech_dir: Path, asr_pool, asr_settings: asr.AsrSettings
) -> None:
    """The real engine (tiny.en), 100 s of a real consultation: the same words within a bound (tiny.en differs
    between windowings), clips under 30 s; with word timestamps, sentence segments in time order."""
    recording = speech_dir / "medical" / "RES0198.mp3"
    if not recording.is_file():
        pytest.skip(f"{recording} is absent")
    clip = asr.Audio.from_array(asr.decode(recording).samples[: 100 * RATE])
    reference = (speech_dir / "medical" / "RES0198.txt").read_text()

    def transcribe(**kw) -> asr.Transcript:
        options = asr.TranscribeOptions(model=TEST_MODEL, language="en", **kw)
        return asr.transcribe(clip, options, pool=asr_pool, settings=asr_settings)

    plain = transcribe(pause_windows=False, context_tokens=223)  # tiny.en's defaults (whisper_windows_models)
    assert transcribe().text == plain.text
    ours = transcribe(pause_windows=True, context_tokens=64)  # base's
    assert word_error_rate(plain.text, ours.text) < 0.15
    head = " ".join(reference.split()[: len(ours.text.split()) + 20])
    assert word_error_rate(head, ours.text) < word_error_rate(head, plain.text) + 0.1
    assert all(s.end - s.start <= windows.LONGEST_CLIP_S + 0.01 for s in ours.segments) and len(ours.segments) >= 4
    timed = transcribe(pause_windows=True, context_tokens=64, word_timestamps=True)
    assert timed.text == ours.text
    assert len(timed.segments) > len(ours.segments)
    assert all(a.end <= b.start + 0.01 for a, b in zip(timed.segments, timed.segments[1:], strict=False))
