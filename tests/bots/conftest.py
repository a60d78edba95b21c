"""One real gateway with the real Rasa servers for the whole test session (Rasa takes tens of seconds to start)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from bots.projects import list_projects
from bots.rasa_actions import store
from bots.train import train
from tests.server import Server

RASA_VENV = Settings().bots.rasa_venv  # VOXGATE_RASA_VENV, or .venv-rasa

READY_TIMEOUT_S = 300


def rasa_installed() -> bool:
    return (RASA_VENV / "bin" / "rasa").exists()


requires_rasa = pytest.mark.skipif(
    not rasa_installed(), reason=f"Rasa venv not found at {RASA_VENV} (run bots/setup_rasa.sh; make test does)"
)


@pytest.fixture(scope="session")
def bots_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not rasa_installed():
        pytest.skip(f"Rasa venv not found at {RASA_VENV} (run bots/setup_rasa.sh; make test does)")
    for project in list_projects():
        train(project, RASA_VENV)  # no-op when the model matches the training data
    tmp = tmp_path_factory.mktemp("bots-gateway")
    server = Server(tmp, modules='["bots", "voicebots"]')
    server.tmp = tmp  # type: ignore[attr-defined]
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        bots = server.client.get("/v1/bots").json()
        if all(b["ready"] for b in bots) and not any(b["detail"] for b in bots):
            break
        time.sleep(1)
    else:
        server.kill()
        raise AssertionError(f"Rasa sidecars not ready in {READY_TIMEOUT_S} s: {bots}; logs in {tmp / 'bots'}")
    yield server
    server.process.terminate()
    server.process.wait(30)
    server.client.close()
    server.log.close()


@pytest.fixture(scope="session")
def bots_db(bots_gateway: Server):  # noqa: ANN201 - an SQLAlchemy Engine on the gateway's database
    return store.connect(f"sqlite:///{Path(bots_gateway.tmp) / 'voxgate.db'}")  # type: ignore[attr-defined]


def say(client: httpx.Client, bot: str, sender: str, message: str) -> list[dict]:
    response = client.post(f"/v1/bots/{bot}/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert response.status_code == 200, response.text
    return response.json()


def texts(replies: list[dict]) -> str:
    return " | ".join(r.get("text", "") for r in replies)
