"""The recording's own clinical words prompted ahead of each window (asr.medical.recall, windows.recalled_hotwords):
which words, in what order, with the caller's hotwords, and only for English transcription after earlier text."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import asr
from asr.engines import windows
from asr.engines.windows import Decoding
from asr.medical.recall import recent_terms, with_recalled
from tests.asr.conftest import TEST_MODEL

RATE = 16000


def test_the_last_distinct_clinical_words_oldest_first() -> None:
    text = "I have a cough and some wheezing at night. The Ventolin helps a bit. My cough is worse today."
    assert recent_terms(text, 2) == ["Ventolin", "cough"]
    assert recent_terms(text, 6) == ["wheezing", "night", "Ventolin", "cough"]  # everyday words are not kept
    assert recent_terms("Okay, thank you, see you next week.", 6) == []
    assert recent_terms(text, 0) == []


def test_the_callers_hotwords_come_first_and_are_not_repeated() -> None:
    earlier = "So the Ventolin, how often? And any cough?"
    assert with_recalled("Ventolin, Spiriva", earlier, 6) == "Ventolin, Spiriva, cough"
    assert with_recalled(None, earlier, 6) == "Ventolin, cough"
    assert with_recalled("Spiriva", "Okay, see you.", 6) == "Spiriva"
    assert with_recalled(None, "Okay, see you.", 6) is None


@pytest.fixture(scope="module")
def tiny(asr_settings: asr.AsrSettings):
    return windows.WindowedWhisperModel(asr.resolve_model(TEST_MODEL, asr_settings).target, cpu_threads=1)


def recalling(limit: int = 6, **kw) -> Decoding:
    return Decoding(context_tokens=8, recall=lambda hotwords, text: with_recalled(hotwords, text, limit), **kw)


def test_a_window_is_prompted_with_the_clinical_words_before_it(tiny) -> None:
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(tiny.hf_tokenizer, False, task="transcribe", language="en")
    previous = tokenizer.encode(" Any wheezing at all? No. And the inhaler, do you use it every day? Yes.")
    recalled = tokenizer.encode(" wheezing, inhaler")
    with windows.decoding(recalling()):
        prompt = tiny.get_prompt(tokenizer, previous, without_timestamps=True)
        first = tiny.get_prompt(tokenizer, [], without_timestamps=True)  # a first window: no earlier text
    assert prompt[0] == tokenizer.sot_prev and prompt[1 : 1 + len(recalled)] == recalled
    assert prompt[1 + len(recalled) : 9 + len(recalled)] == previous[-8:]  # then the limited context
    assert first == tiny.get_prompt(tokenizer, [], without_timestamps=True)
    with windows.decoding(Decoding(context_tokens=8)):  # recall off: the context alone
        assert tiny.get_prompt(tokenizer, previous, without_timestamps=True)[1:9] == previous[-8:]


def test_the_initial_prompt_and_timestamps_are_not_recalled(tiny) -> None:
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(tiny.hf_tokenizer, False, task="transcribe", language="en")
    initial = tuple(tokenizer.encode(" Asthma clinic, Ventolin."))
    said = tokenizer.encode(" Any cough?")
    previous = [*initial, tokenizer.timestamp_begin, *said, tokenizer.timestamp_begin + 50]
    assert windows.recalled_hotwords(None, previous, tokenizer, recalling(initial_tokens=initial)) == "cough"
    assert windows.recalled_hotwords(None, list(initial), tokenizer, recalling(initial_tokens=initial)) is None


def test_only_english_transcription_recalls() -> None:
    state = recalling()
    german = SimpleNamespace(language_code="de", task=1, transcribe=1, eot=10**6, decode=lambda t: "Husten cough")
    assert windows.recalled_hotwords("Husten", [1, 2], german, state) == "Husten"
    translating = SimpleNamespace(language_code="en", task=2, transcribe=1, eot=10**6, decode=lambda t: "any cough")
    assert windows.recalled_hotwords(None, [1, 2], translating, state) is None
    english = SimpleNamespace(language_code="en", task=1, transcribe=1, eot=10**6, decode=lambda t: "any cough")
    assert windows.recalled_hotwords(None, [1, 2], english, state) == "cough"


def test_a_consultation_recalls_its_own_words(speech_dir: Path, asr_pool, asr_settings, monkeypatch) -> None:
    """The real engine on 60 s of a real consultation: later windows are prompted with clinical words the earlier
    text holds, and with nothing when the option is 0."""
    recording = speech_dir / "medical" / "RES0198.mp3"
    if not recording.is_file():
        pytest.skip(f"{recording} is absent")
    clip = asr.Audio.from_array(asr.decode(recording).samples[: 60 * RATE])
    seen: list[tuple[str | None, str | None]] = []
    original = windows.recalled_hotwords

    def spy(hotwords, previous, tokenizer, state):
        out = original(hotwords, previous, tokenizer, state)
        seen.append((hotwords, out))
        return out

    monkeypatch.setattr(windows, "recalled_hotwords", spy)
    for memory in (6, 0):
        seen.clear()
        options = asr.TranscribeOptions(model=TEST_MODEL, language="en", term_memory=memory)
        text = asr.transcribe(clip, options, pool=asr_pool, settings=asr_settings).text
        added = [out for own, out in seen if out != own]
        said = set(re.findall(r"[a-z'-]+", text.lower()))
        if memory:  # a window's recalled words were all said before it
            assert added and all({w.strip().lower() for w in out.split(",")} <= said for out in added)
        else:
            assert not added
