"""Sentiment: the shipped model through the pool, the label rules, and POST /v1/sentiment."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from nlp.sentiment import detect_sentiment
from nlp.sentiment.service import NEUTRAL_BAND, clauses, combine
from tests.calls.shared import shared_pool


def test_combine_neutral_band_and_mixed() -> None:
    # a polar class under the band becomes NEUTRAL
    assert combine([0.1, 0.4, NEUTRAL_BAND - 0.06], []).label == "NEUTRAL"
    assert combine([0.05, 0.1, 0.85], []).label == "POSITIVE"
    # one clause clearly positive and another clearly negative -> MIXED, scores still sum to 1
    r = combine([0.45, 0.1, 0.45], [[0.02, 0.03, 0.95], [0.9, 0.05, 0.05]])
    assert r.label == "MIXED" and r.scores.Mixed == pytest.approx(0.9)
    assert sum(r.scores.model_dump().values()) == pytest.approx(1.0)


def test_clause_split() -> None:
    assert clauses("The food was great but the service was awful.") == ["The food was great", "the service was awful."]
    assert clauses("Fine.") == []


def test_real_model_labels() -> None:
    texts = [
        "Thank you so much, you have been incredibly helpful!",
        "This is ridiculous, I have been waiting for three weeks and nobody helps me.",
        "My account number is 4471 2290.",
        "The order was placed on the sixth of November.",
        "The agent was lovely but the product arrived broken and useless.",
    ]
    labels = [r.label for r in detect_sentiment(texts, pool=shared_pool())]
    assert labels[0] == "POSITIVE"
    assert labels[1] == "NEGATIVE"
    assert labels[2] == "NEUTRAL" and labels[3] == "NEUTRAL"
    assert labels[4] == "MIXED"


def test_rejects_empty_text() -> None:
    with pytest.raises(ValueError, match="text 1 is empty"):
        detect_sentiment(["ok", "  "], pool=shared_pool())


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from api.app import create_app
    from api.settings import Settings

    tmp = tmp_path_factory.mktemp("sentiment-api")
    settings = Settings(database_url=f"sqlite:///{tmp / 'db.sqlite'}", artifact_dir=tmp / "artifacts", api_keys=[])
    with TestClient(create_app(settings, pool=shared_pool())) as client:
        yield client


def test_http_sentiment_shape(api: TestClient) -> None:
    res = api.post("/v1/sentiment", json={"texts": ["I love it", "my zip code is 75227"], "language": "en"})
    assert res.status_code == 200, res.text
    results = res.json()["results"]
    assert [r["label"] for r in results] == ["POSITIVE", "NEUTRAL"]
    assert set(results[0]["scores"]) == {"Positive", "Negative", "Neutral", "Mixed"}


@pytest.mark.parametrize(
    ("body", "status"),
    [({"texts": [], "language": "en"}, 422), ({"texts": ["hola"], "language": "es"}, 400), ({"texts": [""]}, 400)],
)
def test_http_sentiment_bad_input(api: TestClient, body: dict, status: int) -> None:
    res = api.post("/v1/sentiment", json=body)
    assert res.status_code == status and "error" in res.json()
