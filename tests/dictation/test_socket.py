"""WS /v1/medical/dictation with the real engine (tiny.en): finals, the note, bad input, resume, keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from asr.dictation import DictationSettings
from tests.dictation.helpers import frames, pcm16, reference, wer
from workers import ModelPool

URL = "/v1/medical/dictation"
START = {"type": "start", "sample_rate": 16000, "language": "en", "model": "tiny.en"}


def until(ws: Any, *types: str) -> tuple[dict, list[dict]]:
    """Messages up to and including the first of `types` (or an error)."""
    seen: list[dict] = []
    while True:
        message = ws.receive_json()
        seen.append(message)
        if message["type"] in types or message["type"] == "error":
            return message, seen


def expect_error_and_close(ws: Any, code: str) -> dict:
    message = ws.receive_json()
    assert message["type"] == "error", message
    assert message["code"] == code, message
    assert message["message"]
    closed = ws.receive()
    assert closed["type"] == "websocket.close"
    return message


def test_recording_gives_finals_close_to_the_reference_and_stop_gives_the_note(
    gateway: TestClient, data_dir: Path
) -> None:
    audio = pcm16(data_dir / "speech/general/clips/jfk.wav")
    with gateway.websocket_connect(URL) as ws:
        ws.send_json(START)
        ready, _ = until(ws, "ready")
        assert ready["type"] == "ready" and ready["model"] == "tiny.en"
        for frame in frames(audio, 0.1):  # faster than real time: within the burst allowance
            ws.send_bytes(frame)
        ws.send_json({"type": "stop"})
        done, seen = until(ws, "done")
    assert done["type"] == "done", done
    finals = [m for m in seen if m["type"] == "final"]
    assert len(finals) >= 2  # JFK pauses between phrases: more than one utterance
    assert [f["index"] for f in finals] == list(range(len(finals)))
    assert all(a["end"] <= b["start"] for a, b in zip(finals, finals[1:], strict=False))
    text = " ".join(f["text"] for f in finals)
    assert wer(reference(data_dir, "jfk.wav"), text) <= 0.15, text
    assert done["text"] == text  # the note is the finals, joined
    assert [f["text"] for f in done["finals"]] == [f["text"] for f in finals]
    assert done["duration"] == pytest.approx(11.0, abs=0.1)


@pytest.mark.parametrize(
    ("first", "code"),
    [
        ("this is not json", "invalid_json"),
        ('{"sample_rate": 16000}', "invalid_message"),
        ('{"type": "start", "sample_rate": 12345}', "invalid_sample_rate"),
        ('{"type": "start", "sample_rate": "fast"}', "invalid_start"),
        ('{"type": "start", "model": "../../etc/passwd"}', "model_not_found"),
        ('{"type": "start", "model": "tiny.en", "language": "fr"}', "unsupported_language"),
        ('{"type": "hello"}', "invalid_request"),
        (b"\x00\x01" * 800, "start_expected"),
    ],
)
def test_bad_start_gets_an_error_and_a_clean_close(gateway: TestClient, first: str | bytes, code: str) -> None:
    with gateway.websocket_connect(URL) as ws:
        ws.send_bytes(first) if isinstance(first, bytes) else ws.send_text(first)
        expect_error_and_close(ws, code)
    assert gateway.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (b"\x01\x02\x03", "invalid_audio"),  # half a sample: garbage framing
        ("{not json", "invalid_json"),
        ('{"type": "pause"}', "invalid_request"),
    ],
)
def test_bad_message_mid_session_gets_an_error_and_a_clean_close(
    gateway: TestClient, message: str | bytes, code: str
) -> None:
    with gateway.websocket_connect(URL) as ws:
        ws.send_json(START)
        until(ws, "ready")
        ws.send_bytes(b"\x00\x00" * 1600)
        ws.send_bytes(message) if isinstance(message, bytes) else ws.send_text(message)
        expect_error_and_close(ws, code)


def test_a_flood_faster_than_real_time_is_refused(tmp_path: Path, dictation_pool: ModelPool) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'voxgate.db'}", artifact_dir=tmp_path / "artifacts", api_keys=[],
        modules=["dictation"], dictation=DictationSettings(burst_s=2, max_speed=2),
    )  # fmt: skip
    with TestClient(create_app(settings, pool=dictation_pool)) as strict:
        with strict.websocket_connect(URL) as ws:
            ws.send_json(START)
            until(ws, "ready")
            # Past the head start in one frame, so the refusal does not depend on how fast a busy machine moves
            # frames (the pace over time is tested on a clock in tests/api/test_audio_pace.py).
            ws.send_bytes(b"\x00\x00" * 16000 * 5)
            error = expect_error_and_close(ws, "too_fast")
        assert "real time" in error["message"]
        # the server is unaffected: it answers, and the next session starts
        assert strict.get("/healthz").status_code == 200
        with strict.websocket_connect(URL) as ws:
            ws.send_json(START)
            assert until(ws, "ready")[0]["type"] == "ready"
            ws.send_json({"type": "stop"})
            assert until(ws, "done")[0]["text"] == ""


def test_a_dropped_session_resumes_without_losing_finals(gateway: TestClient, data_dir: Path) -> None:
    audio = frames(pcm16(data_dir / "speech/general/clips/jfk.wav"), 0.1)
    with gateway.websocket_connect(URL) as ws:
        ws.send_json(START)
        ready, _ = until(ws, "ready")
        for frame in audio[:45]:  # "And so my fellow Americans, ask not": at least one utterance ends
            ws.send_bytes(frame)
        first, _ = until(ws, "final")
        assert first["type"] == "final"
    # The socket dropped without `stop`: the session waits for its client.
    with gateway.websocket_connect(URL) as ws:
        ws.send_json({"type": "resume", "session_id": ready["session_id"], "last_final": -1})
        resumed, _ = until(ws, "ready")
        assert resumed["resumed"] is True and resumed["finals"] >= 1
        again = ws.receive_json()
        assert again == first  # finals the client may have missed are sent again
        for frame in audio[45:]:
            ws.send_bytes(frame)
        ws.send_json({"type": "stop"})
        done, _ = until(ws, "done")
    assert done["type"] == "done", done
    assert done["finals"][0] == first
    assert wer(reference(data_dir, "jfk.wav"), done["text"]) <= 0.15, done["text"]
    # Stopped sessions are gone: resuming now fails cleanly.
    with gateway.websocket_connect(URL) as ws:
        ws.send_json({"type": "resume", "session_id": ready["session_id"], "last_final": 0})
        expect_error_and_close(ws, "session_not_found")


def test_api_keys_apply_to_the_socket(tmp_path: Path, dictation_pool: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", api_keys=["s3cret"],
        modules=["dictation"],
    )  # fmt: skip
    with TestClient(create_app(settings, pool=dictation_pool)) as client:
        assert client.get("/dictate").status_code == 200  # the page is public; it asks for the key
        with client.websocket_connect(URL) as ws:
            expect_error_and_close(ws, "missing_api_key")
        with client.websocket_connect(URL + "?token=wrong") as ws:
            expect_error_and_close(ws, "invalid_api_key")
        with client.websocket_connect(URL, headers={"Authorization": "Bearer s3cret"}) as ws:
            ws.send_json(START)
            assert until(ws, "ready")[0]["type"] == "ready"
            ws.send_json({"type": "stop"})
            assert until(ws, "done")[0]["text"] == ""
        with client.websocket_connect(URL + "?token=s3cret") as ws:
            ws.send_json(START)
            assert until(ws, "ready")[0]["type"] == "ready"


def test_a_full_server_says_when_to_come_back(tmp_path: Path, dictation_pool: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Past the session limit a new dictation is refused the WebSocket way of a 503 with Retry-After: an error with
    `retry_after_s`, then close 1013 (try again later); the session already open is unaffected."""
    monkeypatch.setenv("VOXGATE_DICTATION_MAX_SESSIONS", "1")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", api_keys=[],
                        modules=["dictation"])  # fmt: skip
    with TestClient(create_app(settings, pool=dictation_pool)) as client, client.websocket_connect(URL) as first:
        first.send_json(START)
        assert until(first, "ready")[0]["type"] == "ready"
        with client.websocket_connect(URL) as second:
            second.send_json(START)
            error = second.receive_json()
            assert error["code"] == "too_many_sessions" and error["retry_after_s"] > 0, error
            closed = second.receive()
            assert closed["type"] == "websocket.close" and closed["code"] == 1013
        first.send_json({"type": "stop"})
        assert until(first, "done")[0]["type"] == "done"


def test_an_overloaded_pool_refuses_a_new_session_but_serves_the_one_admitted(tmp_path: Path) -> None:
    """A session is admitted once, at its first model call (the warm-up): when that call would wait past the
    budget a new dictation gets `pool_busy` with `retry_after_s` and close 1013, while the session admitted before
    keeps being served (its calls are never refused) and finishes. The hog is a stand-in task (plumbing only)."""
    import threading
    import time

    from workers import EmbeddedPool, ModelSpec, PoolSettings

    settings = PoolSettings(
        cpu_threads=1, cpu_express_threads=0, use_cuda=False, max_queue_wait_s=0, max_estimated_wait_s=0.5
    )
    pool = EmbeddedPool(settings, devices=["cpu"])
    hog = ModelSpec(id="stand-in-hog", loader=lambda device: object(), memory_mb=1)
    pool.run(hog, lambda model: time.sleep(2.0))  # the pool now knows this kind of call takes ~2 s
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", api_keys=[],
                        modules=["dictation"])  # fmt: skip
    gate = threading.Event()
    try:
        with TestClient(create_app(settings, pool=pool)) as client, client.websocket_connect(URL) as first:
            first.send_json(START)
            assert until(first, "ready")[0]["type"] == "ready"
            pool.submit(hog, lambda model: gate.wait(30))  # holds the only thread, ~2 s expected
            time.sleep(0.05)
            first.send_bytes(b"\x00\x00" * 16000)  # a second of silence: the admitted session queues a call
            with client.websocket_connect(URL) as second:
                second.send_json(START)
                error = second.receive_json()
                assert error["code"] == "pool_busy" and error["retry_after_s"] >= 1, error
                closed = second.receive()
                assert closed["type"] == "websocket.close" and closed["code"] == 1013
            gate.set()
            first.send_json({"type": "stop"})
            assert until(first, "done")[0]["type"] == "done"
    finally:
        gate.set()
        pool.shutdown()
