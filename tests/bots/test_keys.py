"""Per-bot API keys and browser origins, from settings (or VOXGATE_BOT_* JSON in the environment)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

WEBHOOK = "/v1/bots/clinic/webhooks/rest/webhook"
HELLO = {"sender": "s", "message": "hello"}


def test_bot_keys_and_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXGATE_BOT_API_KEYS", '{"clinic": ["k1", "k2"]}')
    monkeypatch.setenv("VOXGATE_BOT_CORS_ORIGINS", '{"clinic": ["https://clinic.example"]}')
    monkeypatch.setenv("VOXGATE_BOTS_URLS", '{"contact-centre": "http://10.0.0.5:5005"}')
    settings = Settings()
    assert settings.bots.api_keys == {"clinic": ["k1", "k2"]}
    assert settings.bots.cors_origins == {"clinic": ["https://clinic.example"]}
    assert settings.bots.urls == {"contact-centre": "http://10.0.0.5:5005"}


def test_a_bot_with_keys_and_origins_refuses_others(settings: Settings) -> None:
    bots = settings.bots.model_copy(
        update={"api_keys": {"clinic": ["k1"]}, "cors_origins": {"clinic": ["https://clinic.example"]}}
    )
    settings = settings.model_copy(update={"modules": ["bots"], "bots": bots})
    with TestClient(create_app(settings)) as client:
        origin = {"Origin": "https://clinic.example"}
        no_key = client.post(WEBHOOK, json=HELLO, headers=origin)
        assert no_key.status_code == 401 and no_key.json()["error"]["code"] == "invalid_bot_key"
        wrong_key = client.post(WEBHOOK, json=HELLO, headers={**origin, "Authorization": "Bearer k9"})
        assert wrong_key.status_code == 401
        elsewhere = client.post(
            WEBHOOK, json=HELLO, headers={"Origin": "https://evil.example", "Authorization": "Bearer k1"}
        )
        assert elsewhere.status_code == 403 and elsewhere.json()["error"]["code"] == "origin_not_allowed"
        # Key and origin accepted: the request reaches the bot, whose Rasa server is not running here.
        passed = client.post(WEBHOOK, json=HELLO, headers={**origin, "Authorization": "Bearer k1"})
        assert passed.status_code == 503
        by_query = client.post(WEBHOOK + "?token=k1", json=HELLO, headers=origin)
        assert by_query.status_code == 503
        # A bot without keys of its own follows the gateway's rules (open here).
        open_bot = client.post("/v1/bots/contact-centre/webhooks/rest/webhook", json=HELLO)
        assert open_bot.status_code == 503
