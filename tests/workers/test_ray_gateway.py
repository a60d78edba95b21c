"""The gateway on the Ray pool (Serve's local testing mode): VOXGATE_POOL=ray selects it, /v1/models and /metrics
show replicas, a real model (MiniLM embeddings) gives the same vectors as on the embedded pool, and saturated
replicas answer 503 pool_busy."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from workers import EmbeddedPool, ModelSpec, PoolBusy, PoolSettings, Priority

pytest.importorskip("ray.serve", reason="the Ray backend needs voxgate[ray]")
nlp = pytest.importorskip("nlp", reason="the embeddings test needs voxgate[nlp]")


@pytest.fixture
def ray_settings(settings: Settings) -> Settings:
    pool = PoolSettings(
        pool="ray", ray_local_testing=True, use_cuda=False, ray_replica_threads=1, ray_max_queued=2, cpu_threads=1
    )
    return settings.model_copy(update={"workers": pool, "modules": ["nlp"]})


@pytest.fixture
def ray_client(ray_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(ray_settings)) as test_client:
        yield test_client


def test_voxgate_pool_ray_serves_the_gateway_with_replicas_per_lane(ray_client: TestClient) -> None:
    status = ray_client.get("/v1/models").json()
    assert status["backend"] == "ray-local-testing"
    assert sorted(r["lane"] for r in status["replicas"]) == ["batch", "interactive"]
    metrics = ray_client.get("/metrics").text
    assert 'voxgate_pool_replicas{lane="batch",node="local"} 1.0' in metrics
    assert "voxgate_pool_retries_total 0.0" in metrics


def test_embeddings_through_ray_equal_the_embedded_pool(ray_client: TestClient) -> None:
    texts = ["my card was charged twice", "the parcel never arrived"]
    embedded = EmbeddedPool(PoolSettings(use_cuda=False), devices=["cpu"])
    try:
        expected = nlp.embed(texts, embedded, Priority.INTERACTIVE)
    finally:
        embedded.shutdown()
    answer = ray_client.post("/v1/embeddings", json={"input": texts})
    assert answer.status_code == 200, answer.text
    got = [row["embedding"] for row in answer.json()["data"]]
    assert got == expected
    models = ray_client.get("/v1/models").json()["models"]
    assert models and all(m["replica"] and m["device"].startswith("interactive/") for m in models)


def test_saturated_replicas_answer_503_pool_busy(ray_client: TestClient) -> None:
    pool = ray_client.app.state.pool
    spec = ModelSpec(id="slow", loader=lambda device: None, memory_mb=1)
    held = []
    with pytest.raises(PoolBusy):
        for _ in range(50):
            held.append(pool.submit(spec, lambda model: time.sleep(0.5), priority=Priority.INTERACTIVE))
    answer = ray_client.post("/v1/embeddings", json={"input": "hello"})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "pool_busy"
    for future in held:
        future.result(30)
    assert ray_client.post("/v1/embeddings", json={"input": "hello"}).status_code == 200
