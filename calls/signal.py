"""Signal measures on 16 kHz float samples: voice activity by energy, loudness, and timing analytics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from calls.schema import Interruption, Party, Silence

SAMPLE_RATE = 16000
FRAME = 480  # 30 ms
Interval = tuple[float, float]


def frame_db(samples: np.ndarray) -> np.ndarray:
    n = len(samples) // FRAME
    if n == 0:
        return np.zeros(0)
    frames = samples[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def activity(samples: np.ndarray, min_gap: float = 0.35, min_speech: float = 0.12) -> list[Interval]:
    """Speech intervals of one channel: frames above max(noise floor + 15 dB, peak - 45 dB, -55 dBFS),
    gaps shorter than `min_gap` bridged, blips shorter than `min_speech` dropped."""
    db = frame_db(samples)
    if not len(db):
        return []
    floor = float(np.percentile(db, 10))
    thr = max(floor + 15.0, float(db.max()) - 45.0, -55.0)
    on = db > thr
    out: list[list[float]] = []
    step = FRAME / SAMPLE_RATE
    i = 0
    while i < len(on):
        if on[i]:
            j = i
            while j < len(on) and on[j]:
                j += 1
            a, b = i * step, j * step
            if out and a - out[-1][1] < min_gap:
                out[-1][1] = b
            else:
                out.append([a, b])
            i = j
        else:
            i += 1
    return [(a, b) for a, b in out if b - a >= min_speech]


def union(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def total(intervals: Sequence[Interval]) -> float:
    return float(sum(b - a for a, b in intervals))


def silences(talk: dict[str, list[Interval]], duration: float, threshold: float) -> list[Silence]:
    """Gaps where nobody talks, at least `threshold` long (leading and trailing silence included)."""
    speech = union([iv for ivs in talk.values() for iv in ivs])
    out, last = [], 0.0
    for a, b in [*speech, (duration, duration)]:
        if a - last >= threshold:
            out.append(Silence(start=round(last, 2), end=round(a, 2), duration=round(a - last, 2)))
        last = max(last, b)
    return out


def interruptions(talk: dict[str, list[Interval]], min_overlap: float) -> list[Interruption]:
    """A party starting to talk while the other is talking, overlapping by at least `min_overlap`."""
    out = []
    for by, other in (("agent", "customer"), ("customer", "agent")):
        for a, b in talk.get(by, []):
            for c, d in talk.get(other, []):
                if c < a < d:  # the other was mid-speech when `by` started
                    overlap = min(b, d) - a
                    if overlap >= min_overlap:
                        out.append(_interruption(by, other, a, overlap))
                    break
    return sorted(out, key=lambda i: i.at)


def _interruption(by: str, other: str, at: float, overlap: float) -> Interruption:
    p_by: Party = "agent" if by == "agent" else "customer"
    p_other: Party = "agent" if other == "agent" else "customer"
    return Interruption(by=p_by, interrupted=p_other, at=round(at, 2), duration=round(overlap, 2))


def loudness(samples: np.ndarray, start: float, end: float) -> float:
    seg = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    if len(seg) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(seg.astype(np.float64) ** 2)))
    return round(20 * np.log10(max(rms, 1e-6)), 1)
