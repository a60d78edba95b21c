"""The pieces of a dictation session, without the decoder: agreement, endpointing, audio, text, registry."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.vad import get_vad_model

import asr
from asr.dictation import DictationConfig, DictationError, DictationSession, SessionRegistry
from asr.dictation.agreement import LocalAgreement
from asr.dictation.audio import Pcm16Decoder
from asr.dictation.endpoint import WINDOW, Endpointer, StreamingVad
from asr.dictation.text import format_utterance, join_note


def test_local_agreement_confirms_shared_prefixes_and_never_takes_words_back() -> None:
    agreement = LocalAgreement()
    agreement.update(["the", "patient"])
    assert agreement.stable_text() == ""
    agreement.update(["the", "patient", "is"])
    assert agreement.stable_text() == "the patient"
    agreement.update(["the", "patient", "is", "stable", "today"])
    assert agreement.stable_text() == "the patient is"
    agreement.update(["a", "patient", "was", "stable"])  # a worse decode cannot undo confirmed words
    assert agreement.stable_text() == "the patient is"
    assert agreement.text().startswith("the patient is")


def test_endpointer_ends_an_utterance_after_the_silence_and_drops_clicks() -> None:
    points = Endpointer(threshold=0.5, min_silence=8 * WINDOW, min_speech=4 * WINDOW)
    probs = [0.0] * 5 + [0.9] * 20 + [0.1] * 8 + [0.9] * 2 + [0.1] * 10
    ended = [(i, e) for i, p in enumerate(probs) if (e := points.push(p, i * WINDOW)) is not None]
    assert len(ended) == 1  # the 2-window click after it is too short to be an utterance
    index, utterance = ended[0]
    assert utterance.speech_start == 5 * WINDOW and utterance.speech_end == 25 * WINDOW
    assert index == 32


def test_endpointer_cuts_a_long_utterance_in_its_longest_pause() -> None:
    points = Endpointer(threshold=0.5, min_silence=20 * WINDOW, min_speech=WINDOW)
    for i, p in enumerate([0.9] * 50 + [0.2] * 6 + [0.9] * 50 + [0.2] * 3 + [0.9] * 10):
        points.push(p, i * WINDOW)
    cut = points.cut(119 * WINDOW)
    assert cut.speech_start == 0 and cut.speech_end == 53 * WINDOW  # middle of the 6-window pause
    assert points.in_speech and points.speech_start == 53 * WINDOW


def test_streaming_vad_matches_one_call_on_the_whole_recording(data_dir: Path) -> None:
    samples = asr.decode(data_dir / "speech/general/clips/jfk.wav").samples
    usable = len(samples) // WINDOW * WINDOW
    whole = np.asarray(get_vad_model()(samples[:usable])).reshape(-1)
    vad = StreamingVad()
    chunked = np.concatenate([vad(samples[i : min(i + 1600 // WINDOW * WINDOW, usable)])
                              for i in range(0, usable, 1600 // WINDOW * WINDOW)])  # fmt: skip
    np.testing.assert_allclose(chunked, whole, atol=1e-4)
    assert (whole > 0.5).mean() > 0.5  # it is mostly speech, so the comparison means something


@pytest.mark.parametrize("rate", [8000, 44100, 48000])
def test_pcm16_is_resampled_to_16_khz_across_frames(rate: int) -> None:
    t = np.arange(rate) / rate
    tone = (np.sin(2 * np.pi * 440 * t) * 16000).astype("<i2").tobytes()
    decoder = Pcm16Decoder(rate)
    out = np.concatenate([decoder.decode(tone[i : i + 882]) for i in range(0, len(tone), 882)])
    assert abs(len(out) - 16000) <= 2
    spectrum = np.abs(np.fft.rfft(out[:16000]))
    assert abs(int(np.argmax(spectrum)) - 440) <= 2  # still a 440 Hz tone


def test_pcm16_refuses_half_samples() -> None:
    with pytest.raises(DictationError) as caught:
        Pcm16Decoder(16000).decode(b"\x00\x01\x02")
    assert caught.value.code == "invalid_audio"


def test_formatting_keeps_break_commands_at_utterance_edges() -> None:
    first = format_utterance("patient is a 45 year old man comma stable period new paragraph")
    second = format_utterance("Medications: aspirin eighty one milligrams daily.")
    assert first.endswith(".\n\n") and "," in first
    assert "81 mg" in second
    note = join_note([first, second, format_utterance("new line follow up in two weeks")])
    assert note.count("\n\n") == 1 and "\nFollow up" in note
    assert join_note(["One.", "Two."]) == "One. Two."


def test_sessions_reject_bad_settings_before_any_work() -> None:
    with pytest.raises(DictationError) as caught:
        DictationSession(DictationConfig(sample_rate=12345))
    assert caught.value.code == "invalid_sample_rate"
    with pytest.raises(DictationError) as caught:
        DictationSession(DictationConfig(model="no-such-model"))
    assert caught.value.code == "model_not_found"


def test_registry_limits_sessions_parks_dropped_ones_and_expires_them() -> None:
    registry = SessionRegistry(max_sessions=2, resume_window_s=0.2)
    a, b = DictationSession(DictationConfig(model="tiny.en")), DictationSession(DictationConfig(model="tiny.en"))
    registry.add(a)
    registry.add(b)
    with pytest.raises(DictationError) as caught:
        registry.add(DictationSession(DictationConfig(model="tiny.en")))
    assert caught.value.code == "too_many_sessions"
    registry.park(a)
    with pytest.raises(DictationError):
        registry.resume(b.id)  # still connected
    assert registry.resume(a.id) is a
    registry.park(a)
    time.sleep(0.3)
    assert registry.sweep() == 1 and a.closed
    with pytest.raises(DictationError) as caught:
        registry.resume(a.id)
    assert caught.value.code == "session_not_found"
    registry.remove(b)
    assert len(registry) == 0


def test_webm_opus_chunks_decode_as_they_arrive(data_dir: Path) -> None:
    import io

    import av

    from asr.dictation.audio import WebmDecoder

    samples = asr.decode(data_dir / "speech/general/clips/jfk.wav").samples
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as container:  # what MediaRecorder sends: WebM/Opus at 48 kHz
        stream = container.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        pcm = np.interp(np.arange(0, len(samples), 1 / 3), np.arange(len(samples)), samples).astype(np.float32)
        for i in range(0, len(pcm), 960):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + 960], format="flt", layout="mono")
            frame.sample_rate = 48000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    data = buffer.getvalue()
    decoded: list[np.ndarray] = []
    decoder = WebmDecoder(decoded.append)
    for i in range(0, len(data), 4000):
        decoder.feed(data[i : i + 4000])
    decoder.close()
    assert sum(len(d) for d in decoded) / 16000 == pytest.approx(11.0, abs=0.05)

    garbage = WebmDecoder(decoded.append)
    garbage.feed(b"definitely not a webm stream" * 100)
    with pytest.raises(DictationError) as caught:
        garbage.close()
    assert caught.value.code == "invalid_audio"
