"""The gateway's ASR start-up (AsrSettings.prewarm): the default model's instance for recordings and the clinical
word lists are loaded in the background, so the first recording does not wait for them."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

import asr
from api.app import create_app
from api.settings import Settings
from tests.asr.conftest import TEST_MODEL


def _loaded(client: TestClient) -> list[str]:
    return [m["id"] for m in client.get("/v1/models").json()["models"]]


def test_the_gateway_loads_the_default_model_and_word_lists_at_start_up(
    settings: Settings, asr_settings: asr.AsrSettings, monkeypatch
) -> None:
    from asr.engines import faster_whisper

    warmed: list[bool] = []
    warm_checks = faster_whisper.warm_checks
    monkeypatch.setattr(faster_whisper, "warm_checks", lambda *on: warm_checks(*on) or warmed.append(on))
    on = asr_settings.model_copy(update={"prewarm": True, "default_model": TEST_MODEL})
    expected = asr.resolve_model(TEST_MODEL, on).spec(on, long_form=True).id  # what a recording runs on
    with TestClient(create_app(settings.model_copy(update={"modules": ["asr"], "asr": on}))) as client:
        deadline = time.monotonic() + 120
        while not (expected in _loaded(client) and warmed) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert expected in _loaded(client), "the default model was not loaded at start-up"
        assert warmed == [(True, True, True)], "the clinical word lists were not built at start-up"


def test_without_prewarm_nothing_loads_before_a_request(settings: Settings, asr_settings: asr.AsrSettings) -> None:
    off = asr_settings.model_copy(update={"prewarm": False, "default_model": TEST_MODEL})
    with TestClient(create_app(settings.model_copy(update={"modules": ["asr"], "asr": off}))) as client:
        time.sleep(1.0)  # a start-up load would have begun by now (the model loads in well under a second)
        assert not [m for m in _loaded(client) if m.startswith("whisper:")]
