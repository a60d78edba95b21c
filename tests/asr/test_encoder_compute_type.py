"""An encoder in its own compute type (WhisperLoader.cpu_encoder_compute_type): the beam search runs on the main
model, every window is encoded by the second copy, and the transcript stays right."""

from __future__ import annotations

from pathlib import Path

import asr
from asr.models import WhisperLoader
from tests.asr.conftest import TEST_MODEL, word_error_rate

JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


def test_an_int8_encoder_under_a_float32_decoder(asr_settings: asr.AsrSettings, speech_dir: Path) -> None:
    target = str(asr_settings.model_dir / "whisper" / TEST_MODEL)
    model = WhisperLoader(target, "float32", cpu_threads=1, cpu_encoder_compute_type="int8")("cpu")
    encoder = model.encode.__self__
    assert encoder is not model
    assert model.model.compute_type == "float32" and encoder.model.compute_type.startswith("int8")
    calls: list[int] = []
    encode = encoder.encode
    model.encode = lambda features: calls.append(1) or encode(features)  # count the windows it encodes
    audio = asr.decode(str(speech_dir / "general" / "jfk.flac"))
    segments, _ = model.transcribe(audio.samples, beam_size=3)
    text = " ".join(s.text.strip() for s in segments)
    assert calls, "the int8 encoder was never used"
    assert word_error_rate(JFK, text) <= 0.15, text


def test_without_an_encoder_type_one_model_does_everything(asr_settings: asr.AsrSettings) -> None:
    target = str(asr_settings.model_dir / "whisper" / TEST_MODEL)
    for encoder_type in (None, "int8"):  # the same type as the model's: no second copy
        model = WhisperLoader(target, "int8", cpu_threads=1, cpu_encoder_compute_type=encoder_type)("cpu")
        assert model.encode.__self__ is model
