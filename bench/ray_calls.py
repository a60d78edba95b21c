"""Short generated calls for the Ray pool's batch tests and bench: stereo (agent left, customer right), a reason
for calling, a name and a phone number (PII), a closing; distinct per index. Spoken by the flite voices of
bench/make_calls.py (fast to synthesise), about 15 s each."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

REASONS = [
    "I want to return a jacket, it arrived damaged.",
    "I was charged twice for the same order.",
    "My parcel never arrived and the tracking has not moved.",
    "I would like to cancel my subscription please.",
    "The blender I bought stopped working after a week.",
    "I need to change the delivery address of my order.",
]
CLOSINGS = [
    "I have issued a full refund to your card.",
    "I am sorry about that, the duplicate charge is now reversed.",
    "I have sent a replacement, it will arrive in three days.",
    "Your subscription is cancelled, you will not be charged again.",
]
NAMES = ["Maria Garcia", "David Chen", "Sara Patel", "John Lopez", "Anna Brown", "Ahmed Johnson"]


def _make_calls_module():
    import importlib.util

    path = Path(__file__).resolve().parent / "make_calls.py"
    spec = importlib.util.spec_from_file_location("make_calls", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def short_calls(folder: Path, n: int, seed: int = 7) -> list[Path]:
    """Write n calls into folder (call00.wav ...); an existing file is kept (same seed, same audio)."""
    mk = _make_calls_module()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        path = folder / f"call{k:02d}.wav"
        paths.append(path)
        if path.exists():
            continue
        rng = random.Random(seed * 1000 + k)
        phone = f"{rng.randint(201, 989)} {rng.randint(201, 989)} {rng.randint(1000, 9999)}"
        lines = [
            ("agent", "Thank you for calling, how can I help you today?"),
            ("customer", REASONS[k % len(REASONS)]),
            ("agent", "Can I have your name and phone number please?"),
            ("customer", f"My name is {NAMES[k % len(NAMES)]} and my phone number is {phone}."),
            ("agent", CLOSINGS[k % len(CLOSINGS)]),
            ("customer", rng.choice(["Thanks a lot for your help.", "Okay, that is fine I suppose."])),
        ]
        parts = [(0 if who == "agent" else 1, mk.synth(text, mk.VOICES[who])) for who, text in lines]
        gap = 12000  # 0.75 s at 16 kHz
        stereo = np.zeros((2, sum(len(x) for _, x in parts) + (len(parts) + 1) * gap), dtype=np.float32)
        t = gap
        for channel, x in parts:
            stereo[channel, t : t + len(x)] = x
            t += len(x) + gap
        mk.write_wav(path, stereo)
    return paths
