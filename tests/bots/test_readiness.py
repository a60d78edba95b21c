"""/readyz with the real Rasa sidecars: not ready (503, each bot's state) while they start, though /healthz already
answers; ready (200) once every bot's server answers, and then a bot turn is served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bots.conftest import requires_rasa, say
from tests.server import Server


@pytest.fixture
def starting_gateway(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path, modules='["bots"]')  # returns as soon as /healthz answers
    yield server
    server.process.terminate()  # a clean stop, so the sidecars it started stop too
    server.process.wait(60)
    server.client.close()
    server.log.close()


@requires_rasa
def test_not_ready_while_the_sidecars_start(starting_gateway: Server) -> None:
    assert starting_gateway.client.get("/healthz").status_code == 200
    response = starting_gateway.client.get("/readyz")
    assert response.status_code == 503, response.text
    reason = response.json()["modules"]["bots"]["reason"]
    assert "clinic: starting" in reason and "contact-centre: starting" in reason


@requires_rasa
def test_ready_once_every_bot_answers(bots_gateway: Server) -> None:
    response = bots_gateway.client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["modules"]["bots"] == {"ready": True, "reason": None}
    assert say(bots_gateway.client, "clinic", "readyz", "hello")
