"""Redacted copies of call recordings: the times where PII was said, silenced or bleeped on the speaker's channel.

Times come from the ASR word timings of each PII span (padded by ``PAD`` seconds each side, since Whisper's word
edges are approximate). Every sample outside the redacted intervals is written unchanged (16 kHz, 16-bit PCM,
the decoded channel layout of the call).
"""

from __future__ import annotations

import os
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from calls.signal import SAMPLE_RATE, Interval, union

BLEEP_HZ = 1000.0
BLEEP_LEVEL = 0.25  # about -15 dBFS peak, -18 dBFS RMS: audible, not painful
FADE = 0.005  # the tone ramps in and out over 5 ms inside the interval (no clicks)
PAD = 0.12


def word_span_times(
    words: Sequence[tuple[int, int, float, float]], start: int, end: int, fallback: Interval
) -> Interval:
    """The time range of the words that overlap characters [start, end); `fallback` when none do."""
    hit = [(a, b) for c0, c1, a, b in words if c0 < end and c1 > start]
    if not hit:
        return fallback
    return min(a for a, _ in hit), max(b for _, b in hit)


def redact_samples(
    channels: np.ndarray, spans: Sequence[tuple[int, float, float]], mode: str, rate: int = SAMPLE_RATE
) -> tuple[np.ndarray, dict[int, list[Interval]]]:
    """Copy of (channels, n) float samples with each (channel, start, end) silenced or replaced by a 1 kHz tone.

    Returns the samples and the merged intervals per channel actually written (clipped to the recording)."""
    if mode not in ("silence", "bleep"):
        raise ValueError(f"redact_audio must be 'silence' or 'bleep', not {mode!r}")
    out = np.array(channels, dtype=np.float32, copy=True)
    n = out.shape[1]
    duration = n / rate
    done: dict[int, list[Interval]] = {}
    for ch in sorted({c for c, _, _ in spans}):
        merged = union([(max(0.0, a), min(duration, b)) for c, a, b in spans if c == ch and b > a])
        done[ch] = []
        for a, b in merged:
            i, j = int(round(a * rate)), int(round(b * rate))
            if j <= i:
                continue
            if mode == "silence":
                out[ch, i:j] = 0.0
            else:
                t = np.arange(j - i) / rate
                tone = BLEEP_LEVEL * np.sin(2 * np.pi * BLEEP_HZ * t)
                ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / FADE)
                out[ch, i:j] = (tone * ramp).astype(np.float32)
            done[ch].append((i / rate, j / rate))
    return out, done


def write_wav(path: Path, channels: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """(channels, n) float samples as 16-bit PCM WAV, written atomically."""
    pcm = np.clip(np.round(channels.T * 32768.0), -32768, 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(channels.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)
