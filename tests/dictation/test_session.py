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
