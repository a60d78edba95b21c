"""Rasa down: clear 503s to the widget, the rest of the gateway keeps serving. Restart-on-death of sidecars."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from bots.sidecar import ManagedProcess, free_port
from tests.bots.conftest import READY_TIMEOUT_S, requires_rasa, say, texts
from tests.bots.test_socketio import converse

UNAVAILABLE = "the assistant is unavailable, try again"


def test_rasa_missing_gives_clear_503(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOXGATE_RASA_VENV", str(tmp_path / "no-rasa-here"))
    settings = settings.model_copy(update={"modules": ["bots"], "bots": Settings().bots})  # read the variable
    assert settings.bots.rasa_venv == tmp_path / "no-rasa-here" and settings.bots.sidecars
    with TestClient(create_app(settings)) as client:
        bots = client.get("/v1/bots").json()
        assert {b["state"] for b in bots} <= {"unavailable", "untrained"} and not any(b["ready"] for b in bots)
        reply = client.post("/v1/bots/clinic/webhooks/rest/webhook", json={"sender": "s", "message": "hello"})
        assert reply.status_code == 503
        assert reply.json()["error"]["message"] == "the assistant is unavailable, try again"
        assert reply.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 200  # the gateway itself keeps serving


@requires_rasa
@pytest.mark.slow
def test_rasa_killed_mid_conversation(bots_gateway) -> None:
    """A real Rasa server dies (SIGKILL) in the middle of a conversation: the widget's channels get the clear
    'unavailable' answer, the gateway and the other bot keep serving, and the sidecar comes back by itself."""
    client = bots_gateway.client
    assert "customer service assistant" in texts(say(client, "contact-centre", "crash-test", "hi"))
    before = next(b for b in client.get("/v1/bots").json() if b["name"] == "contact-centre")
    os.kill(before["pid"], signal.SIGKILL)

    reply = client.post("/v1/bots/contact-centre/webhooks/rest/webhook", json={"sender": "crash-test", "message": "hi"})
    assert reply.status_code == 503 and reply.json()["error"]["message"] == UNAVAILABLE
    _, turns = asyncio.run(converse(bots_gateway.url, "contact-centre", "crash-sio", ["where is my order?"]))
    assert turns[0][0] == {"text": UNAVAILABLE, "error": "bot_unavailable"}
    assert client.get("/healthz").status_code == 200
    assert say(client, "clinic", "crash-test-clinic", "hello")  # the other bot has its own Rasa server

    def back() -> bool:
        bot = next(b for b in client.get("/v1/bots").json() if b["name"] == "contact-centre")
        return bot["ready"] and bot["restarts"] == before["restarts"] + 1 and bot["pid"] != before["pid"]

    wait_for(back, READY_TIMEOUT_S)
    assert "customer service assistant" in texts(say(client, "contact-centre", "crash-test", "hi"))


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


GATEWAY = """
import os, sys, time
from pathlib import Path
from bots.sidecar import ManagedProcess, free_port
port = free_port()
tmp = Path(sys.argv[1])
p = ManagedProcess("http", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], tmp,
                   dict(os.environ), f"http://127.0.0.1:{port}/", tmp / "http.log")
p.start()
while not p.ready:
    time.sleep(0.1)
print(p.pid, flush=True)
time.sleep(600)
"""


def test_a_killed_gateway_leaves_no_sidecar_behind(tmp_path: Path) -> None:
    # A stand-in gateway process runs one sidecar; SIGKILL it as a crash or the OOM killer would.
    gateway = subprocess.Popen([sys.executable, "-c", GATEWAY, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        child = int(gateway.stdout.readline())
        assert _alive(child)
        os.kill(gateway.pid, signal.SIGKILL)
        gateway.wait(10)
        wait_for(lambda: not _alive(child), 10)
    finally:
        gateway.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in every way that matters; only its exit status waits for a parent to read it.
    status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] if Path(f"/proc/{pid}").exists() else "X"
    return status not in ("Z", "X")


def wait_for(condition, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)
