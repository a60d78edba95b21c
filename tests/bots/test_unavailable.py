"""Rasa down: clear 503s to the widget, the rest of the gateway keeps serving. Restart-on-death of sidecars."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from bots.sidecar import ManagedProcess, free_port


def test_rasa_missing_gives_clear_503(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOXGATE_RASA_VENV", str(tmp_path / "no-rasa-here"))
    with TestClient(create_app(settings.model_copy(update={"modules": ["bots"], "bots_sidecars": True}))) as client:
        bots = client.get("/v1/bots").json()
        assert {b["state"] for b in bots} <= {"unavailable", "untrained"} and not any(b["ready"] for b in bots)
        reply = client.post("/v1/bots/clinic/webhooks/rest/webhook", json={"sender": "s", "message": "hello"})
        assert reply.status_code == 503
        assert reply.json()["error"]["message"] == "the assistant is unavailable, try again"
        assert reply.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 200  # the gateway itself keeps serving


def test_managed_process_restarts_after_death(tmp_path: Path) -> None:
    port = free_port()
    process = ManagedProcess(
        "http",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        tmp_path,
        dict(os.environ),
        f"http://127.0.0.1:{port}/",
        tmp_path / "http.log",
    )
    process.start()
    try:
        wait_for(lambda: process.ready, 20)
        first = process.pid
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: process.restarts == 1 and process.ready, 20)
        assert process.pid != first
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        process.stop()
    assert process.state == "stopped" and process.process.poll() is not None


def wait_for(condition, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)
