"""One model pool for the sentiment, PII and calls tests (each model loads once per session); WAV checks."""

from __future__ import annotations

import functools
import importlib.util
import wave
from pathlib import Path

import numpy as np

from api.settings import REPO_ROOT
from workers import ModelPool, make_pool


@functools.cache
def shared_pool() -> ModelPool:
    return make_pool()


def make_calls_module():
    """bench/make_calls.py (the test-call generator), loaded from its file."""
    spec = importlib.util.spec_from_file_location("make_calls", REPO_ROOT / "bench" / "make_calls.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_wav(path: Path) -> np.ndarray:
    """(channels, n) int16 samples of a 16-bit PCM WAV."""
    with wave.open(str(path)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return pcm.reshape(-1, w.getnchannels()).T.astype(np.int32)


def check_redacted(original: Path, redacted: np.ndarray, result, truth: dict, mode: str) -> None:
    """Within every redacted span the speaker's channel is silent (or a 1 kHz tone), everything else is the
    original sample for sample, and every planted PII turn is (partly) covered on the customer's channel."""
    from calls.audio_redact import BLEEP_HZ

    sr = 16000
    orig = read_wav(original)
    assert redacted.shape == orig.shape
    spans = result.redacted_audio.spans
    assert spans and {s.speaker for s in spans} == {"customer"} and {s.channel for s in spans} == {1}
    touched = np.zeros(orig.shape, dtype=bool)
    for s in spans:
        i, j = round(s.start * sr), round(s.end * sr)
        touched[s.channel, i:j] = True
        seg = redacted[s.channel, i:j].astype(np.float64) / 32768
        was = orig[s.channel, i:j].astype(np.float64) / 32768
        assert np.sqrt(np.mean(was**2)) > 10 ** (-40 / 20), f"nothing was said at {s}"
        if mode == "silence":
            assert not seg.any(), s
        else:
            spec = np.abs(np.fft.rfft(seg)) ** 2
            freqs = np.fft.rfftfreq(len(seg), 1 / sr)
            near = spec[np.abs(freqs - BLEEP_HZ) <= 20].sum()
            assert near / spec.sum() > 0.95, s  # the tone, not the voice
            assert -24 < 20 * np.log10(np.sqrt(np.mean(seg**2))) < -12, s
    # the rest, both channels, is unchanged sample for sample
    assert np.array_equal(redacted[~touched], orig[~touched])
    for p in truth["pii"]:
        [turn] = [t for t in truth["turns"] if t["text"] == p["turn_text"]]
        a, b = round(turn["start"] * sr), round(turn["end"] * sr)
        covered = touched[1, a:b].mean()
        assert 0.2 < covered < 0.95, (p, covered)  # the value is gone, the lead-in words ("my name is") are not
