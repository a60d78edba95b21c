"""Speakers by voice (asr/speakers.py, the Resemblyzer encoder installed from its PyPI wheel): features,
two voices told apart, one voice kept whole, and mono conversations labelled by voice end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import asr
from asr import speakers
from asr.medical import MedicalOptions, transcribe_medical
from tests.asr.conftest import TEST_MODEL, word_error_rate
from workers import EmbeddedPool


@pytest.fixture(scope="module", autouse=True)
def encoder_installed(asr_settings: asr.AsrSettings) -> None:
    if not speakers.available(asr_settings):
        where = speakers.model_path(asr_settings)
        pytest.skip(f"speaker encoder not installed at {where}: run scripts/install_models.py")


def clip(speech_dir: Path, name: str) -> np.ndarray:
    return asr.decode(speech_dir / "general" / "clips" / name).samples


def test_mel_frames_have_the_encoder_shape() -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    mels = speakers.mel_frames(tone)
    assert mels.shape == (101, 40) and (mels >= 0).all()
    assert mels[50].argmax() == mels[50:52].argmax(axis=1)[0]  # one steady tone, one band lit
    assert mels[50, mels[50].argmax()] > 100 * np.median(mels[50])


def test_two_voices_are_told_apart_and_one_is_kept_whole(speech_dir: Path, asr_pool: EmbeddedPool) -> None:
    left, right = clip(speech_dir, "stereo_left.wav"), clip(speech_dir, "stereo_right.wav")
    audio = np.concatenate([left[:40000], right[:40000], left[40000:]])  # speaker A, B, A again
    spans = [(0.0, 2.5), (2.5, 5.0), (5.0, 7.5)]
    vectors = speakers.embeddings(audio, spans, pool=asr_pool)
    assert vectors.shape == (3, 256) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    voices = speakers.two_speakers(vectors)
    assert voices.tolist() == [0, 1, 0] and not speakers.one_voice(vectors, voices)

    jfk = clip(speech_dir, "jfk.wav")
    vectors = speakers.embeddings(jfk, [(0.0, 3.5), (3.5, 7.5), (7.5, 11.0)], pool=asr_pool)
    assert speakers.one_voice(vectors, speakers.two_speakers(vectors))


def test_a_mono_conversation_is_labelled_by_voice(
    speech_dir: Path, clips: dict[str, str], asr_pool: EmbeddedPool
) -> None:
    left, right = clip(speech_dir, "stereo_left.wav"), clip(speech_dir, "stereo_right.wav")
    mono = np.concatenate([left, np.zeros(8000, np.float32), right[:40000]])
    options = MedicalOptions(type="conversation", model=TEST_MODEL)
    result = transcribe_medical(asr.Audio.from_array(mono), options, pool=asr_pool)
    assert result.speaker_method == "voice" and sorted(result.speakers) == ["clinician", "patient"]
    by_speaker = {s: " ".join(x.text for x in result.segments if x.speaker == s) for s in result.speakers}
    first, second = result.segments[0].speaker, result.segments[-1].speaker
    assert first != second
    assert word_error_rate(clips["stereo_left.wav"], by_speaker[first]) < 0.3
    assert word_error_rate(clips["stereo_right.wav"], by_speaker[second]) < 0.3
