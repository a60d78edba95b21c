"""A session with the real decoder, fed 100 ms at a time: when a final comes, measured in audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import asr
from asr.config import DictationSettings
from asr.dictation import DictationConfig, DictationSession, FinalEvent
from workers import ModelPool

CHUNK = 1600  # 100 ms at 16 kHz


def final_delay(settings: DictationSettings, samples: np.ndarray, pool: ModelPool) -> tuple[float, str]:
    """Seconds of audio after the end of speech that the session had received when it gave the final."""
    session = DictationSession(DictationConfig(model="tiny.en"), settings=settings, pool=pool)
    for i in range(0, len(samples), CHUNK):
        session.feed_samples(samples[i : i + CHUNK])
        finals = [e for e in session.step() if isinstance(e, FinalEvent)]
        if finals:
            return (i + CHUNK) / 16000 - finals[0].end, finals[0].text
    pytest.fail("no final before the audio ran out")


def test_a_finished_sentence_is_final_after_a_short_pause(data_dir: Path, dictation_pool: ModelPool) -> None:
    speech = asr.decode(data_dir / "speech/general/clips/goforward.wav").samples
    samples = np.concatenate([speech, np.zeros(16000, np.float32)])
    early, early_text = final_delay(DictationSettings(), samples, dictation_pool)
    waited, text = final_delay(DictationSettings(sentence_end_silence_s=0), samples, dictation_pool)
    assert text.endswith(".") and early_text == text  # the same decode, only sooner
    assert early <= 0.45 < DictationSettings().min_silence_s <= waited, (early, waited)


def test_medical_finals_are_term_corrected_and_partials_and_bot_sessions_are_not(
    data_dir: Path, dictation_pool: ModelPool, marking_correction: str
) -> None:
    """Finals get the term post-correction file transcription gives (the setting, English, entities on); partials
    stay raw; a session without entities (voice bots) is never corrected. A stand-in correction marks what it is
    given."""
    mark = marking_correction
    speech = asr.decode(data_dir / "speech/general/clips/goforward.wav").samples
    samples = np.concatenate([speech, np.zeros(16000, np.float32)])

    def events(config: DictationConfig, asr_settings: asr.AsrSettings | None = None) -> list:
        session = DictationSession(config, asr_settings=asr_settings, pool=dictation_pool)
        session.warm_up()
        got = []
        for i in range(0, len(samples), CHUNK):
            session.feed_samples(samples[i : i + CHUNK])
            got += session.step()
        return got + session.finish()

    medical = events(DictationConfig(model="tiny.en", format=False))
    finals = [e for e in medical if isinstance(e, FinalEvent)]
    assert finals and all(f.raw.endswith(mark) and mark in f.text for f in finals)
    partials = [e for e in medical if e.type == "partial"]
    assert partials and not any(mark in p.text for p in partials)
    assert mark in medical[-1].text  # the done event's note
    for config, settings in ((DictationConfig(model="tiny.en", format=False, entities=False), None),
                             (DictationConfig(model="tiny.en", format=False),
                              asr.AsrSettings(correct_terms=False))):  # fmt: skip
        finals = [e for e in events(config, settings) if isinstance(e, FinalEvent)]
        assert finals and not any(mark in f.raw for f in finals)


def test_a_looping_final_is_decoded_again_without_the_prompt_or_dropped(
    data_dir: Path, dictation_pool: ModelPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full-window decodes (the finals) that loop are decoded once more as the engine's loop guard would (no prompt,
    temperature fallback, guard on), and dropped when that loops too; short partials are never retried. A stand-in
    decoder loops on demand (the engine's own guard: tests/asr/test_loop_guard.py); the audio and endpointing are
    real."""
    from types import SimpleNamespace

    from asr.dictation.text import loops
    from asr.schemas import TEMPERATURE_FALLBACK

    assert loops(". " * 223) and loops("No. " * 112) and not loops("No. No, not really. Four days ago.")
    speech = asr.decode(data_dir / "speech/general/clips/goforward.wav").samples
    samples = np.concatenate([speech, np.zeros(16000, np.float32)])

    def run(retry_text: str) -> tuple[list[FinalEvent], list]:
        calls = []

        def fake_transcribe(audio, options, **_):
            calls.append(options)
            if options.short_context_pad_s:
                return SimpleNamespace(text="go forward")
            return SimpleNamespace(text=retry_text if options.loop_guard else ". " * 100)

        monkeypatch.setattr(asr, "transcribe", fake_transcribe)
        session = DictationSession(DictationConfig(model="tiny.en", format=False, entities=False), pool=dictation_pool)
        events = []
        for i in range(0, len(samples), CHUNK):
            session.feed_samples(samples[i : i + CHUNK])
            events += session.step()
        events += session.finish()
        return [e for e in events if isinstance(e, FinalEvent)], calls

    finals, calls = run("Go forward ten meters.")
    assert [f.raw for f in finals] == ["Go forward ten meters."]
    retries = [c for c in calls if c.loop_guard]
    assert retries and all(c.prompt == "" and c.temperature == TEMPERATURE_FALLBACK for c in retries)
    assert not any(c.loop_guard for c in calls if c.short_context_pad_s)
    finals, _ = run("No. " * 50)  # still a loop: nothing reliable was heard
    assert finals == []
