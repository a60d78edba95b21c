"""Long audio decoded as pieces at once (asr.engines.pieces): where it is cut, how the pieces' beam searches meet in
one batch, and (with the real engine, on a real consultation) that the pieces read as the whole does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the [asr] extra is not installed")

import asr  # noqa: E402
from asr.engines import pieces  # noqa: E402
from asr.engines.pieces import Cancelled, GenerateBatcher, cut_points, piece_speech, warm_start  # noqa: E402
from tests.asr.conftest import TEST_MODEL, word_error_rate  # noqa: E402
from workers import EmbeddedPool, PoolSettings  # noqa: E402

RATE = pieces.RATE
SOT, SOT_PREV = 50257, 50360
TIMEOUT = 10.0


def chunks(spans: list[tuple[float, float]]) -> list[dict[str, int]]:
    return [{"start": int(a * RATE), "end": int(b * RATE)} for a, b in spans]


def test_cuts_fall_in_pauses_near_equal_shares() -> None:
    # Speech in 9 s runs with pauses of 0.5 s, and a longer pause (3 s) near 150 s.
    spans, t = [], 0.0
    while t < 600:
        spans.append((t, t + 9))
        t += 9.5 if abs(t + 9 - 150) > 5 else 12
    speech = chunks(spans)
    cuts = cut_points(speech, 600 * RATE, pieces=4, min_piece_s=60)
    assert len(cuts) == 3
    for cut in cuts:  # never inside speech
        assert not any(c["start"] <= cut < c["end"] for c in speech)
    assert 145 * RATE < cuts[0] < 155 * RATE  # the longest pause within reach of 150 s wins
    bounds = [0, *cuts, 600 * RATE]
    assert min(b - a for a, b in zip(bounds, bounds[1:], strict=False)) >= 75 * RATE  # at least half a share


def test_short_audio_stays_whole_and_speech_without_pause_is_not_cut() -> None:
    assert cut_points(chunks([(0, 50), (51, 100)]), 110 * RATE, pieces=8, min_piece_s=60) == []
    assert cut_points(chunks([(0, 300)]), 300 * RATE, pieces=4, min_piece_s=60) == []
    assert cut_points(chunks([(0, 140), (141, 300)]), 300 * RATE, pieces=2, min_piece_s=60) == [int(140.5 * RATE)]


def test_a_piece_is_primed_from_a_pause_before_its_cut() -> None:
    cut = 100 * RATE
    speech = chunks([(60, 70), (70.4, 80), (82, 88), (88.3, 95), (95.2, 99.5)])  # pauses at ~70.2, 81, 88.15, 95.1 s
    assert warm_start(speech, cut) == (80 + 82) * RATE // 2  # the longest pause 10-25 s before the cut
    assert warm_start(chunks([(60, 99.5)]), cut) == 80 * RATE  # no pause there: 20 s before
    assert warm_start(chunks([(0, 9.5)]), 12 * RATE) == 0  # never before the audio


def test_a_piece_sees_its_own_speech_on_its_own_clock() -> None:
    speech = chunks([(0, 10), (55, 65), (70, 80), (119, 125)])
    assert piece_speech(speech, 60 * RATE, 120 * RATE) == chunks([(0, 5), (10, 20), (59, 60)])


@dataclass
class FakeWhisper:
    """Stands in for ctranslate2.models.Whisper: each result names the prompt it was searched with."""

    calls: list[tuple[int, list[list[int]], dict]] = field(default_factory=list)

    def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> list[Any]:
        self.calls.append((len(np.asarray(features)), prompts, kwargs))
        return [("result", tuple(p)) for p in prompts]


def features(value: float) -> Any:
    import ctranslate2

    return ctranslate2.StorageView.from_array(np.full((1, 4, 2), value, dtype=np.float32))


def call_all(batcher: GenerateBatcher, requests: list[tuple[list[int], dict]]) -> list[Any]:
    results: list[Any] = [None] * len(requests)

    def one(i: int, prompt: list[int], kwargs: dict) -> None:
        try:
            results[i] = batcher.generate(features(i), [prompt], **kwargs)[0]
        except Exception as error:  # noqa: BLE001 - handed to the test
            results[i] = error

    threads = [threading.Thread(target=one, args=(i, p, k)) for i, (p, k) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a piece waited for ever"
    return results


def test_pieces_search_as_one_batch_with_aligned_prompts() -> None:
    model = FakeWhisper()
    batcher = GenerateBatcher(model, pieces=3, sot=SOT, sot_prev=SOT_PREV, kept=2)
    hot = [7, 8]  # hotwords come first and are never cut
    requests = [
        ([SOT_PREV, *hot, 1, 2, 3, 4, SOT, 9], {"beam_size": 5}),
        ([SOT_PREV, *hot, 5, 6, SOT, 9], {"beam_size": 5}),
        ([SOT_PREV, *hot, 11, 12, 13, SOT, 9], {"beam_size": 5}),
    ]
    results = call_all(batcher, requests)
    assert len(model.calls) == 1 and model.calls[0][0] == 3  # one search, three windows
    prompts = model.calls[0][1]
    assert {p.index(SOT) for p in prompts} == {5}
    assert [SOT_PREV, *hot, 3, 4, SOT, 9] in prompts  # the oldest previous text goes
    assert [SOT_PREV, *hot, 12, 13, SOT, 9] in prompts
    for (prompt, _), result in zip(requests, results, strict=True):  # each piece gets its own window's result
        assert result[0] == "result" and result[1][-1] == 9 and result[1][3:5] == tuple(prompt[-4:-2])


def test_different_options_and_no_context_search_apart() -> None:
    model = FakeWhisper()
    batcher = GenerateBatcher(model, pieces=3, sot=SOT, sot_prev=SOT_PREV)
    call_all(batcher, [
        ([SOT_PREV, 1, 2, SOT], {"beam_size": 5}),
        ([SOT], {"beam_size": 5}),  # a first window: nothing to cut the others down to
        ([SOT_PREV, 1, SOT], {"beam_size": 1, "sampling_temperature": 0.2}),  # a temperature fallback
    ])  # fmt: skip
    assert sorted(len(prompts) for _, prompts, _ in model.calls) == [1, 1, 1]
    assert [SOT_PREV, 1, 2, SOT] in [prompts[0] for _, prompts, _ in model.calls]


def test_a_finished_piece_releases_the_others_and_cancel_stops_them() -> None:
    model = FakeWhisper()
    batcher = GenerateBatcher(model, pieces=2, sot=SOT, sot_prev=SOT_PREV)
    waiting: list[Any] = []
    thread = threading.Thread(target=lambda: waiting.append(batcher.generate(features(0), [[SOT]])))
    thread.start()
    thread.join(0.2)
    assert thread.is_alive() and not model.calls  # waits for the other piece
    batcher.finished()
    thread.join(TIMEOUT)
    assert waiting and len(model.calls) == 1

    stopped = GenerateBatcher(FakeWhisper(), pieces=2, sot=SOT, sot_prev=SOT_PREV)
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.extend(call_all(stopped, [([SOT], {})])))
    thread.start()
    thread.join(0.2)
    stopped.cancel()
    thread.join(TIMEOUT)
    assert isinstance(outcome[0], Cancelled)
    with pytest.raises(Cancelled):
        stopped.generate(features(1), [[SOT]])


def test_search_errors_reach_every_piece_of_the_batch() -> None:
    class Broken(FakeWhisper):
        def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> list[Any]:
            raise RuntimeError("out of memory")

    results = call_all(GenerateBatcher(Broken(), pieces=2, sot=SOT, sot_prev=SOT_PREV), [([SOT], {}), ([SOT], {})])
    assert all(isinstance(r, RuntimeError) for r in results)


@pytest.fixture
def own_pool() -> Iterator[EmbeddedPool]:
    """A pool of its own: the session's pool keeps a model by its id, loaded with whatever workers came first."""
    pool = EmbeddedPool(PoolSettings(cpu_threads=1, use_cuda=False, max_queue_wait_s=0, max_estimated_wait_s=0),
                        devices=["cpu"])  # fmt: skip
    yield pool
    pool.shutdown()


def consultation(speech_dir: Path, seconds: int) -> asr.Audio:
    """The first `seconds` of a real consultation (skips without the data)."""
    recording = speech_dir / "medical" / "RES0198.mp3"
    if not recording.is_file():
        pytest.skip(f"{recording} is absent")
    return asr.Audio.from_array(asr.decode(recording).samples[: seconds * RATE])


def test_pieces_read_as_the_whole_recording(
    speech_dir: Path, own_pool: EmbeddedPool, asr_settings: asr.AsrSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real engine (tiny.en, one CTranslate2 worker) on 2.5 min of a real consultation: two pieces searched
    together give the whole decode's words (a bound, not exact words: the second piece starts after the text of the
    audio before its cut, not the whole's), in time order."""
    asr_settings = asr_settings.model_copy(update={"cpu_workers": 1, "cpu_float32_models": []})
    clip = consultation(speech_dir, 150)
    sizes: list[int] = []
    search = GenerateBatcher._search
    monkeypatch.setattr(GenerateBatcher, "_search", lambda self, group: sizes.append(len(group)) or search(self, group))
    plain = asr.TranscribeOptions(model=TEST_MODEL, language="en", pieces=1, pause_windows=False)  # Whisper's times
    whole = asr.transcribe(clip, plain, pool=own_pool, settings=asr_settings)
    assert not sizes
    split = asr.transcribe(clip, asr.TranscribeOptions(model=TEST_MODEL, language="en", pieces=2), pool=own_pool,
                           settings=asr_settings)  # fmt: skip
    assert 2 in sizes  # the two pieces' windows were searched in one batch
    assert word_error_rate(whole.text, split.text) < 0.1
    starts = [s.start for s in split.segments]
    assert starts == sorted(starts) and starts[-1] > 100  # the second piece's times run on from its cut
    assert abs(split.segments[-1].end - whole.segments[-1].end) < 2
    assert [s.id for s in split.segments] == list(range(len(split.segments)))


def test_pieces_decode_side_by_side_on_the_workers(
    speech_dir: Path, own_pool: EmbeddedPool, asr_settings: asr.AsrSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real engine (tiny.en, two CTranslate2 workers of one thread) on 2.5 min of a real consultation: with the
    defaults of base (pieces 0; tiny.en's own decode whole), one piece per worker, decoded side by side in
    pause-aligned clips, the second primed with what was said before its cut and under the call's decoding state
    (the windows' shorter context), reading as the whole does."""
    from asr.engines import windows

    settings = asr_settings.model_copy(update={"cpu_threads": 2, "cpu_workers": 0, "cpu_float32_models": []})
    clip = consultation(speech_dir, 150)
    primed: list[str] = []
    warm = pieces.warm_text
    monkeypatch.setattr(pieces, "warm_text", lambda *a: primed.append(warm(*a)) or primed[-1])
    limited: list[str] = []  # threads the decoding state reached
    limit = windows.limit_context
    named = threading.current_thread
    monkeypatch.setattr(windows, "limit_context", lambda p, state: limited.append(named().name) or limit(p, state))
    batches = []
    monkeypatch.setattr(GenerateBatcher, "_search", lambda self, group: batches.append(group))
    options = asr.TranscribeOptions(model=TEST_MODEL, language="en", word_timestamps=True, pause_windows=True,
                                    context_tokens=64, pieces=0)  # fmt: skip
    split = asr.transcribe(clip, options, pool=own_pool, settings=settings)
    assert not batches  # two workers: no batched search
    assert len(primed) == 1 and len(primed[0].split()) >= 10  # the second piece heard the words before its cut
    assert "asr-piece-1" in limited  # the second piece's windows were prompted as the call said
    whole = asr.transcribe(clip, options.model_copy(update={"pieces": 1}), pool=own_pool, settings=settings)
    assert word_error_rate(whole.text, split.text) < 0.1
    starts = [s.start for s in split.segments]
    assert starts == sorted(starts) and starts[-1] > 100 and split.segments[-1].end <= 150
    words = [w for s in split.segments for w in s.words or []]
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))  # sentences, on the audio's clock


def test_whole_decoding_asks_vad_only_the_first_slice_with_speech(
    jfk_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole decoding needs only to know there is speech: Silero VAD over one slice at a time (bounded memory),
    stopping at the first that holds some; pause-aligned windows get every slice's chunks; pieces every chunk of one
    pass."""
    from asr.engines import faster_whisper

    jfk = asr.decode(jfk_bytes).samples
    audio = np.concatenate([np.zeros(9 * RATE), jfk, np.zeros(3 * RATE), jfk]).astype(np.float32)
    one_pass = faster_whisper._speech(audio, whole=True)
    assert len(one_pass) >= 4 and one_pass[0]["start"] >= 9 * RATE
    monkeypatch.setattr(faster_whisper, "SPEECH_SLICE_S", 4)
    assert faster_whisper._speech(audio, whole=True) == one_pass  # pieces: one pass, whatever the slice
    sliced = faster_whisper._speech(audio)  # every slice's chunks, in order, on the audio's clock
    assert sliced[0]["start"] >= 8 * RATE and sliced[-1]["end"] > len(audio) - 4 * RATE
    assert all(a["end"] <= b["start"] for a, b in zip(sliced, sliced[1:], strict=False))
    first = faster_whisper._speech(audio, first_only=True)  # slices 0-4 s and 4-8 s are silent
    assert first and all(8 * RATE <= c["start"] < c["end"] <= 12 * RATE for c in first)
    assert abs(first[0]["start"] - one_pass[0]["start"]) <= 0.1 * RATE
    assert faster_whisper._speech(np.zeros(10 * RATE, dtype=np.float32), first_only=True) == []


def test_a_cancelled_call_stops_every_piece(
    speech_dir: Path, own_pool: EmbeddedPool, asr_settings: asr.AsrSettings
) -> None:
    """A job cancelled at its first segment (its progress callback raises) returns with no piece still decoding:
    the other worker's piece stops at its next window instead of running on for nobody."""
    settings = asr_settings.model_copy(update={"cpu_threads": 2, "cpu_workers": 0, "cpu_float32_models": []})
    clip = consultation(speech_dir, 240)
    seen: list[float] = []

    def stop(_segment: asr.Segment, covered: float) -> None:
        seen.append(covered)
        raise asr.TranscriptionCancelled("stop")

    options = asr.TranscribeOptions(model=TEST_MODEL, language="en", pause_windows=True, pieces=0)
    with pytest.raises(asr.TranscriptionCancelled):
        asr.transcribe(clip, options, pool=own_pool, settings=settings, on_segment=stop)
    assert len(seen) == 1 and 0 < seen[0] < 120
    assert not [t.name for t in threading.enumerate() if t.name.startswith("asr-piece")]
