"""The loop guard: which segments fail Whisper's checks, and the re-decode that replaces them only when it is
better. A fake model stands in for faster-whisper, so these run in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the [asr] extra is not installed")

from asr.engines import faster_whisper  # noqa: E402
from asr.engines.faster_whisper import _redecode, echoes, failed, repeats_ngram  # noqa: E402
from asr.schemas import TranscribeOptions  # noqa: E402


@dataclass
class Seg:  # the fields of faster_whisper.transcribe.Segment that the guard reads
    start: float
    end: float
    text: str
    avg_logprob: float = -0.3
    compression_ratio: float = 1.4
    no_speech_prob: float = 0.01
    words: list | None = None
    seek: int = 0
    tokens: list = field(default_factory=list)
    temperature: float = 0.0


@dataclass
class FakeModel:
    answer: list[Seg]
    calls: list[dict] = field(default_factory=list)
    later: list[list[Seg]] = field(default_factory=list)  # answers to the calls after the first, in turn
    model: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(is_multilingual=False))

    def transcribe(self, samples: np.ndarray, **kwargs):
        self.calls.append(dict(kwargs, n=len(samples)))
        answer = self.answer if len(self.calls) == 1 else self.later[len(self.calls) - 2]
        info = SimpleNamespace(language="en", language_probability=1.0, duration=len(samples) / 16000)
        return iter(answer), info


@pytest.mark.parametrize(
    ("text", "loops"),
    [
        ("No, no, no, no. I haven't had any chest pain.", False),
        ("I think, I think it started on Monday.", False),
        ("and then I went " * 5, True),
        ("Thank you. " * 14, True),
        ("the " * 13, True),
        ("Do you take metformin, and do you take it with food, and how often do you take it?", False),
    ],
)
def test_repeated_ngrams(text: str, loops: bool) -> None:
    assert repeats_ngram(text) is loops


def test_failed_segments() -> None:
    assert not failed(Seg(0, 5, "Any allergies to medications?"))
    assert failed(Seg(0, 5, "x", compression_ratio=2.6))
    assert failed(Seg(0, 5, "Okay. " * 12))
    assert failed(Seg(0, 5, "mumbled", avg_logprob=-1.4))
    assert failed(Seg(0, 30, "I think it."))  # 30 s of speech, three words: skipped
    assert not failed(Seg(0, 30, " ".join(f"word{i}" for i in range(40))))
    assert not failed(Seg(0, 4, "Yes."))  # short answers are fine
    # low confidence where the model hears silence is no speech, not a failed decode
    assert not failed(Seg(0, 5, "you", avg_logprob=-1.4, no_speech_prob=0.9))


def test_redecode_replaces_a_loop_with_the_better_retry() -> None:
    samples = np.zeros(16000 * 20, dtype=np.float32)
    loop = Seg(10.0, 16.0, "Thank you. " * 14, avg_logprob=-0.2, compression_ratio=3.1)
    model = FakeModel([Seg(0.5, 4.0, "I've had a cough for two weeks.", avg_logprob=-0.4)])
    first_pass = {"vad_filter": True, "vad_parameters": {}, "beam_size": 5, "without_timestamps": True}
    out = _redecode(model, samples, loop, first_pass)
    assert [s.text for s in out] == ["I've had a cough for two weeks."]
    assert (out[0].start, out[0].end) == (10.5, 14.0)  # moved to the failed segment's place in the recording
    call = model.calls[0]
    assert call["n"] == 6 * 16000 and call["vad_filter"] is False and call["condition_on_previous_text"] is False
    assert "vad_parameters" not in call and call["temperature"][0] == 0.0 and len(call["temperature"]) > 1
    assert call["without_timestamps"] is False  # the mode least prone to loops, whatever the first pass used


def test_redecode_keeps_the_original_when_the_retry_is_no_better() -> None:
    samples = np.zeros(16000 * 20, dtype=np.float32)
    doubtful = Seg(2.0, 8.0, "the patient with this appointment", avg_logprob=-1.2)
    model = FakeModel([Seg(0.0, 6.0, "the the the the the the the the the the the the", avg_logprob=-1.5)])
    assert _redecode(model, samples, doubtful, {}) == [doubtful]


def test_redecode_of_a_skipped_chunk_keeps_the_retry_that_hears_more() -> None:
    samples = np.zeros(16000 * 40, dtype=np.float32)
    skipped_chunk = Seg(0.0, 30.0, "Okay.", avg_logprob=-0.3)
    retry = [Seg(0.0, 12.0, "he started to have a bit of a cough on Wednesday night", avg_logprob=-0.5)]
    assert _redecode(FakeModel(retry), samples, skipped_chunk, {})[0].text.startswith("he started")
    assert _redecode(FakeModel([]), samples, skipped_chunk, {}) == [skipped_chunk]  # nothing better: kept


def test_a_segment_that_repeats_the_context_is_its_echo() -> None:
    context = "Any fevers, chills or night sweats? Are your immunizations up to date?"
    assert echoes("are your immunizations up to date are your immunizations", context)
    assert not echoes("I had fevers and chills last night.", context)  # shared words, no five-word run
    assert not echoes("are your immunizations up to date", None)


def _engine_run(model: FakeModel, seconds: float, monkeypatch, **options):
    monkeypatch.setattr(faster_whisper, "_speech", lambda samples, **_: [{"start": 0, "end": len(samples)}])
    samples = np.zeros(int(16000 * seconds), dtype=np.float32)
    opts = TranscribeOptions(**{"language": "en", "vad": False, "loop_guard": True, "beam_size": 5, **options})
    return faster_whisper.FasterWhisperEngine().transcribe(model, samples, opts)


def test_an_echo_of_the_prompt_is_decoded_again_without_it(monkeypatch) -> None:
    prompt = "Doctor and patient consultation. Are your immunizations up to date?"
    first = [Seg(0.0, 6.0, "Are your immunizations up to date? Are your immunizations up to date?")]
    model = FakeModel(first, later=[[Seg(0.0, 6.0, "Take Tylenol for the fever if you need it.")]])
    result = _engine_run(model, 6.0, monkeypatch, prompt=prompt)
    assert result.text == "Take Tylenol for the fever if you need it."
    assert model.calls[1]["initial_prompt"] is None and model.calls[1]["hotwords"] is None


def test_a_segment_that_only_shares_words_with_the_hotwords_is_kept(monkeypatch) -> None:
    first = [Seg(0.0, 6.0, "Any cough or sputum? No wheezing at all.")]
    model = FakeModel(first)
    result = _engine_run(model, 6.0, monkeypatch, hotwords="cough, sputum, wheezing, shortness of breath")
    assert result.text == "Any cough or sputum? No wheezing at all." and len(model.calls) == 1
    assert model.calls[0]["hotwords"] == "cough, sputum, wheezing, shortness of breath"  # the first pass keeps them
