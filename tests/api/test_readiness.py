"""GET /readyz: ready only when every mounted module can serve, 503 naming each module that cannot and why;
/healthz stays liveness (200 while the process answers). The real gateway app, each case on its own settings."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


def _client(settings: Settings, **update: object) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=update)))


def test_ready_when_every_mounted_module_can_serve(settings: Settings) -> None:
    with _client(settings, modules=["nlp", "translate", "ocr"]) as client:
        response = client.get("/readyz")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ready"
        assert set(body["modules"]) == {"nlp", "translate", "ocr"}
        assert all(m["ready"] and m["reason"] is None for m in body["modules"].values())


def test_a_missing_speech_model_makes_asr_not_ready_and_names_it(settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    asr = settings.asr.model_copy(update={"model_dir": empty})
    with _client(settings, modules=["asr", "nlp"], asr=asr) as client:
        assert client.get("/healthz").status_code == 200  # alive...
        response = client.get("/readyz")  # ...but not ready
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["status"] == "not_ready"
        assert body["modules"]["nlp"] == {"ready": True, "reason": None}
        reason = body["modules"]["asr"]["reason"]
        assert body["modules"]["asr"]["ready"] is False
        assert "'base'" in reason and "not installed" in reason and str(empty) in reason


def test_bots_without_their_servers_are_not_ready(settings: Settings) -> None:
    """The test settings turn the Rasa sidecars off: the bots cannot answer, and /readyz says so per bot."""
    with _client(settings, modules=["bots", "translate"]) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["modules"]["translate"]["ready"] is True
        reason = body["modules"]["bots"]["reason"]
        assert "clinic" in reason and "contact-centre" in reason and "sidecars are off" in reason


def test_readyz_is_in_the_openapi_with_its_503(settings: Settings) -> None:
    with _client(settings, modules=["nlp"]) as client:
        operation = client.get("/openapi.json").json()["paths"]["/readyz"]["get"]
        assert {"200", "503"} <= set(operation["responses"])
