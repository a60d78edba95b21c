"""A short stereo test call made with the project's TTS (bench/make_calls.py), and one batch run over it."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from tests.calls.shared import make_calls_module

DIALOGUE = {
    "original": [
        ["agent", "Thank you for calling, how can I help you today?"],
        ["customer", "Hi, I need to return a jacket, it arrived damaged."],
        ["agent", "I am sorry to hear that, let me look into the order for you right now."],
        ["customer", "Okay, thank you so much."],
        ["agent", "I have issued a full refund to your card, you will receive it in five days."],
        ["customer", "That is great, thanks a lot for your help."],
    ]
}


@pytest.fixture(scope="session")
def test_call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    pytest.importorskip("tts")
    mk = make_calls_module()
    folder = tmp_path_factory.mktemp("calls")
    stereo, truth = mk.make_call(DIALOGUE, random.Random(3), max_turns=20, silence=5.0, overlap=1.0)
    path = folder / "good.wav"
    mk.write_wav(path, stereo)
    (folder / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" + bytes(range(256)) * 8)
    (folder / "truth.json").write_text(json.dumps(truth))
    return path, truth


@pytest.fixture(scope="session")
def batch_run(test_call: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory):
    from calls import CallOptions, CategoryRule, run_batch
    from tests.calls.shared import shared_pool

    path, _ = test_call
    out = tmp_path_factory.mktemp("results")
    rules = [
        CategoryRule(name="refund", phrases='"refund" OR "money back"', party="agent"),
        CategoryRule(name="damaged item", phrases='"damaged" AND NOT "undamaged"', party="customer", first_seconds=30),
        CategoryRule(name="never matches", phrases='"cancel my subscription"'),
    ]
    t0 = time.monotonic()
    summary = run_batch(
        [path, path.parent / "corrupt.wav"],
        out,
        CallOptions(silence_threshold=3.0, redact_audio="silence"),
        rules,
        pool=shared_pool(),
    )
    return out, summary, time.monotonic() - t0
