"""Overload through the gateway: a request the model pool is too busy for is answered 503 pool_busy with
Retry-After before any byte of its answer is sent, also on the streaming routes (speech, SSE transcription),
where a refusal once the 200 went out could only cut the stream short. Each route's wait budget comes from
VOXGATE_WAIT_BUDGETS by path prefix. The hog holding the pool is a stand-in task (plumbing only); the speech and
transcription engines are real."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import DEFAULT_WAIT_BUDGETS, Settings
from api.shedding import LoadShedMiddleware
from workers import EmbeddedPool, ModelSpec, PoolSettings, Priority

HOG = ModelSpec(id="stand-in-hog", loader=lambda device: object(), memory_mb=1)


@pytest.fixture
def busy_gateway(tmp_path: Path) -> Iterator[tuple[TestClient, threading.Event]]:
    """A gateway whose only pool thread is held, with a live call queued behind it past the standing limit."""
    only_thread = {"cpu_threads": 1, "cpu_express_threads": 0, "use_cuda": False}
    pool = EmbeddedPool(PoolSettings(**only_thread, max_queue_wait_s=0.3, max_estimated_wait_s=0), devices=["cpu"])
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'voxgate.db'}", artifact_dir=tmp_path / "artifacts", api_keys=[],
        modules=["tts", "asr"],
    )  # fmt: skip
    gate = threading.Event()
    try:
        with TestClient(create_app(settings, pool=pool)) as client:
            pool.submit(HOG, lambda model: gate.wait(60))
            time.sleep(0.05)
            pool.submit(HOG, lambda model: None, priority=Priority.INTERACTIVE)
            time.sleep(0.5)
            yield client, gate
    finally:
        gate.set()
        pool.shutdown()


def _assert_refused(response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.json()["error"]["code"] == "pool_busy"
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.slow
def test_streamed_answers_are_refused_before_the_stream_starts(busy_gateway) -> None:
    client, gate = busy_gateway
    second = io.BytesIO()
    sf.write(second, np.zeros(16000, dtype=np.float32), 16000, format="WAV")
    speech = {"model": "tts-1", "input": "Take one tablet twice a day.", "voice": "alloy", "response_format": "wav"}
    _assert_refused(client.post("/v1/audio/speech", json=speech))
    _assert_refused(client.post("/v1/speech", json={"text": "Hello.", "output_format": "mp3"}))
    upload = {"file": ("a.wav", second.getvalue())}
    _assert_refused(client.post("/v1/audio/transcriptions", files=upload, data={"model": "tiny.en", "stream": "true"}))
    gate.set()
    time.sleep(0.3)
    served = client.post("/v1/audio/speech", json=speech)
    assert served.status_code == 200 and served.content[:4] == b"RIFF" and len(served.content) > 10_000


def test_wait_budgets_by_longest_path_prefix() -> None:
    shed = LoadShedMiddleware(app=None, max_inflight=0, wait_budgets={"/v1/translate": 0.5, "/v1/translate/x": 3})
    assert shed.wait_budget("/v1/translate") == 0.5
    assert shed.wait_budget("/v1/translate/x/y") == 3
    assert shed.wait_budget("/v1/audio/speech") is None  # the pool's own VOXGATE_MAX_ESTIMATED_WAIT_S
    assert Settings(api_keys=[]).wait_budgets == DEFAULT_WAIT_BUDGETS


def test_wait_budgets_are_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("VOXGATE_WAIT_BUDGETS", '{"/v1/audio": 4}')
    assert Settings(api_keys=[]).wait_budgets == {"/v1/audio": 4}


def test_a_request_the_pool_would_refuse_is_refused_before_its_body_is_read(tmp_path: Path) -> None:
    """On the routes that answer from a model call at once, the gateway asks the pool's estimate first: an upload
    that is not even audio gets 503 pool_busy, not the 400 that reading it would give, while the pool is busy;
    routes that do not wait for a model (job lists, health) are served. Once the pool is free the same upload is
    read and gets its 400."""
    only_thread = {"cpu_threads": 1, "cpu_express_threads": 0, "use_cuda": False}
    pool = EmbeddedPool(PoolSettings(**only_thread, max_queue_wait_s=0, max_estimated_wait_s=0.5), devices=["cpu"])
    pool.run(HOG, lambda model: time.sleep(1.5))  # the pool now knows this kind of call takes ~1.5 s
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'voxgate.db'}", artifact_dir=tmp_path / "artifacts", api_keys=[],
        modules=["asr"],
    )  # fmt: skip
    gate = threading.Event()
    not_audio = {"file": ("notes.bin", b"this is not audio" * 100)}
    try:
        with TestClient(create_app(settings, pool=pool)) as client:
            pool.submit(HOG, lambda model: gate.wait(30))
            time.sleep(0.05)
            _assert_refused(client.post("/v1/audio/transcriptions", files=not_audio, data={"model": "tiny.en"}))
            assert client.get("/v1/jobs").status_code == 200 and client.get("/healthz").status_code == 200
            assert client.get("/v1/models").json()["devices"][0]["shed"] == 1
            gate.set()
            time.sleep(0.2)
            read = client.post("/v1/audio/transcriptions", files=not_audio, data={"model": "tiny.en"})
            assert read.status_code == 400, read.text
    finally:
        gate.set()
        pool.shutdown()
