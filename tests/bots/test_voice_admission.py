"""A live voice conversation is admitted by the model pool once, at its first model call, as a dictation is: when
the pool is overloaded a new conversation gets `pool_busy` with `retry_after_s` and close 1013 before it starts.
No Rasa server is needed for that (sidecars off); the hog holding the pool is a stand-in task (plumbing only), the
speech recogniser the real one."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from workers import EmbeddedPool, ModelSpec, PoolSettings


def test_an_overloaded_pool_refuses_a_new_voice_conversation_then_admits_one(settings: Settings) -> None:
    only_thread = {"cpu_threads": 1, "cpu_express_threads": 0, "use_cuda": False}
    pool = EmbeddedPool(PoolSettings(**only_thread, max_queue_wait_s=0, max_estimated_wait_s=0.5), devices=["cpu"])
    hog = ModelSpec(id="stand-in-hog", loader=lambda device: object(), memory_mb=1)
    pool.run(hog, lambda model: time.sleep(2.0))  # the pool now knows this kind of call takes ~2 s
    settings = settings.model_copy(update={"modules": ["asr", "tts", "bots", "voicebots"]})
    gate = threading.Event()
    try:
        with TestClient(create_app(settings, pool=pool)) as client:
            pool.submit(hog, lambda model: gate.wait(30))  # holds the only thread, ~2 s expected
            time.sleep(0.05)
            with client.websocket_connect("/v1/bots/clinic/voice") as refused:
                refused.send_json({"type": "start", "sample_rate": 16000})
                error = refused.receive_json()
                assert error["type"] == "error" and error["code"] == "pool_busy" and error["retry_after_s"] >= 1
                closed = refused.receive()
                assert closed["type"] == "websocket.close" and closed["code"] == 1013
            assert client.get("/v1/models").json()["devices"][0]["shed"] == 1
            gate.set()
            time.sleep(0.2)
            with client.websocket_connect("/v1/bots/clinic/voice") as admitted:
                admitted.send_json({"type": "start", "sample_rate": 16000})
                assert admitted.receive_json()["type"] == "ready"
                admitted.send_json({"type": "stop"})
    finally:
        gate.set()
        pool.shutdown()
