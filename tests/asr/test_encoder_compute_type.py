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
    encoder = model.encoder_model
    assert encoder is not None and encoder is not model
    assert model.model.compute_type == "float32" and encoder.model.compute_type.startswith("int8")
    calls: list[int] = []
    encode = encoder.encode
    encoder.encode = lambda features: calls.append(1) or encode(features)  # count the windows it encodes
    audio = asr.decode(str(speech_dir / "general" / "jfk.flac"))
    segments, _ = model.transcribe(audio.samples, beam_size=3)
    text = " ".join(s.text.strip() for s in segments)
    assert calls, "the int8 encoder was never used"
    assert word_error_rate(JFK, text) <= 0.15, text


def test_a_window_keeps_the_second_copys_encoding(asr_settings: asr.AsrSettings, speech_dir: Path) -> None:
    """The soundalike check's kept encodings (asr.engines.windows.EncodingStore) come from the encoder in use."""
    from asr.engines import windows

    target = str(asr_settings.model_dir / "whisper" / TEST_MODEL)
    model = WhisperLoader(target, "int8", cpu_threads=1, cpu_encoder_compute_type="float32")("cpu")
    encoded: list[object] = []
    encode = model.encoder_model.encode
    model.encoder_model.encode = lambda features: encoded.append(out := encode(features)) or out
    audio = asr.decode(str(speech_dir / "general" / "jfk.flac"))
    store = windows.EncodingStore(keep=lambda text: "country" in text)
    with windows.decoding(windows.Decoding(context_tokens=None, encodings=store)):
        (first,) = [s for s in model.transcribe(audio.samples, language="en", without_timestamps=True)[0] if s.text]
    assert encoded and store.take(first) is encoded[-1]


def test_without_an_encoder_type_one_model_does_everything(asr_settings: asr.AsrSettings) -> None:
    target = str(asr_settings.model_dir / "whisper" / TEST_MODEL)
    for encoder_type in (None, "int8"):  # the same type as the model's: no second copy
        model = WhisperLoader(target, "int8", cpu_threads=1, cpu_encoder_compute_type=encoder_type)("cpu")
        assert model.encoder_model is None
