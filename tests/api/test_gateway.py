"""The gateway's common surface: health, docs, metrics, request ids, JSON errors, body limits, API keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.modules import MODULES, body_limit_prefixes
from api.settings import Settings


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error


def test_health_lists_mounted_modules(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert "nlp" in body["modules"]


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/jobs", "/v1/models", "/v1/embeddings"} <= set(paths)


def test_every_job_answer_links_to_reading_and_cancelling_the_job(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation_ids = {op["operationId"]: (path, method) for path, ops in document["paths"].items()
                     for method, op in ops.items() if isinstance(op, dict) and "operationId" in op}  # fmt: skip
    accepted = [op["responses"]["202"] for ops in document["paths"].values() for op in ops.values()
                if isinstance(op, dict) and "202" in op.get("responses", {})]  # fmt: skip
    assert len(accepted) >= 3  # embeddings, speech and calls jobs at least
    for response in accepted:
        links = response["links"]
        assert operation_ids[links["GetJob"]["operationId"]] == ("/v1/jobs/{job_id}", "get")
        assert operation_ids[links["CancelJob"]["operationId"]] == ("/v1/jobs/{job_id}", "delete")
    # Following the link as a client would: $response.body#/id fills {job_id}.
    created = client.post("/v1/embeddings/jobs", json={"input": ["a link to follow"]})
    assert created.status_code == 202, created.text
    job = client.get("/v1/jobs/{job_id}".replace("{job_id}", created.json()["id"]))
    assert job.status_code == 200 and job.json()["kind"] == "nlp.embeddings"


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    error = assert_json_error(client.get("/v1/nothing-here"), 404)
    assert "/v1/nothing-here" in error["message"]


def test_bad_query_parameter_names_the_parameter(client: TestClient) -> None:
    error = assert_json_error(client.get("/v1/jobs", params={"status": "sleeping"}), 422)
    assert error["param"] == "status"
    error = assert_json_error(client.get("/v1/jobs", params={"limit": -3}), 422)
    assert error["param"] == "limit"


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post("/v1/embeddings", content=b'{"input": ["a",', headers={"content-type": "application/json"})
    error = assert_json_error(response, 400)
    assert error["code"] == "malformed_json"


def test_schema_violation_is_a_422_naming_the_field(client: TestClient) -> None:
    error = assert_json_error(client.post("/v1/embeddings", json={"input": 42}), 422)
    assert error["param"].startswith("input")


def test_wrong_method_is_a_json_405(client: TestClient) -> None:
    assert_json_error(client.put("/healthz"), 405)


@pytest.fixture
def small_body_client(tmp_path: Path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", max_body_mb=0.001
    )  # about 1 kB
    with TestClient(create_app(settings)) as client:
        yield client


def test_oversized_body_is_refused_from_its_content_length(small_body_client: TestClient) -> None:
    body = b'{"input": "' + b"x" * 5000 + b'"}'
    error = assert_json_error(
        small_body_client.post("/v1/embeddings", content=body, headers={"content-type": "application/json"}), 413
    )
    assert error["code"] == "body_too_large"


def test_oversized_chunked_body_is_cut_off_while_streaming(small_body_client: TestClient) -> None:
    def chunks():
        yield b'{"input": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}'

    response = small_body_client.post("/v1/embeddings", content=chunks(), headers={"content-type": "application/json"})
    assert_json_error(response, 413)


def test_uploads_over_their_route_limit_are_413_before_any_module_reads_them(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        artifact_dir=tmp_path / "a",
        max_body_mb=1,
        max_audio_mb=0.01,  # about 10 kB
        max_document_mb=0.02,
        modules=["asr", "ocr"],
    )
    upload = {"file": ("big.bin", b"\0" * 30_000, "application/octet-stream")}
    with TestClient(create_app(settings)) as client:
        for route, data in [
            ("/v1/audio/transcriptions", {"model": "whisper-1"}),
            ("/v1/medical/transcriptions", {"type": "dictation"}),
            ("/v1/ocr", {}),
        ]:
            error = assert_json_error(client.post(route, files=upload, data=data), 413)
            assert error["code"] == "body_too_large", route
        # the same bytes under the limit reach the module, which names what is wrong with them
        small = {"file": ("small.bin", b"\0" * 5_000, "application/octet-stream")}
        assert client.post("/v1/audio/transcriptions", files=small, data={"model": "whisper-1"}).status_code == 400
        # a note asked of a gateway without the notes module: named, before any audio is read
        noted = client.post("/v1/medical/transcriptions", files=small, data={"note": "true"})
        assert assert_json_error(noted, 400)["code"] == "module_not_mounted"


def test_body_limits_are_per_route() -> None:
    settings = Settings(max_body_mb=1, max_audio_mb=100, max_document_mb=20)
    limits = dict(settings.body_limits(body_limit_prefixes(MODULES)))
    assert limits["/v1/audio/"] == 100 * 2**20
    assert limits["/v1/ocr"] == 20 * 2**20
    assert limits["/"] == 2**20


@pytest.fixture
def keyed_client(tmp_path: Path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", api_keys=["sk-right"]
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_api_keys_guard_v1_routes(keyed_client: TestClient) -> None:
    assert assert_json_error(keyed_client.get("/v1/jobs"), 401)["code"] == "missing_api_key"
    wrong = keyed_client.get("/v1/jobs", headers={"Authorization": "Bearer sk-wrong"})
    assert assert_json_error(wrong, 401)["code"] == "invalid_api_key"
    assert keyed_client.get("/v1/jobs", headers={"Authorization": "Bearer sk-right"}).status_code == 200
    assert keyed_client.get("/v1/models", headers={"Authorization": "Bearer sk-right"}).status_code == 200
    assert keyed_client.get("/healthz").status_code == 200, "health stays open for load balancers"


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/v1/jobs/abc")
    text = client.get("/metrics").text
    assert 'voxgate_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="/v1/jobs/{job_id}",status="404"' in text
    assert "voxgate_pool_memory_budget_mb" in text
    assert 'voxgate_jobs{status="queued"}' in text


def test_embeddings_are_openai_shaped_and_models_show_residency(client: TestClient) -> None:
    response = client.post("/v1/embeddings", json={"input": ["hello", "world"], "model": "all-MiniLM-L6-v2"})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert [d["index"] for d in body["data"]] == [0, 1]
    assert len(body["data"][0]["embedding"]) == 384
    models = client.get("/v1/models").json()
    assert [m["id"] for m in models["models"]] == ["all-MiniLM-L6-v2"]
    assert models["devices"][0]["used_mb"] == 300


def test_unknown_embedding_model_is_a_400(client: TestClient) -> None:
    error = assert_json_error(client.post("/v1/embeddings", json={"input": "hi", "model": "nope"}), 400)
    assert error["param"] == "model"


def test_unloading_a_model_frees_its_budget(client: TestClient) -> None:
    client.post("/v1/embeddings", json={"input": "hello"})
    assert client.post("/v1/models/all-MiniLM-L6-v2/unload").json()["unloaded"] is True
    assert client.get("/v1/models").json()["models"] == []
    assert_json_error(client.post("/v1/models/all-MiniLM-L6-v2/unload"), 404)


def test_rate_limit_answers_429_per_caller(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        artifact_dir=tmp_path / "a",
        api_keys=["sk-one", "sk-two"],
        rate_limit_per_minute=3,
    )
    with TestClient(create_app(settings)) as client:
        one = {"Authorization": "Bearer sk-one"}
        assert [client.get("/v1/jobs", headers=one).status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/v1/jobs", headers=one)
        error = assert_json_error(limited, 429)
        assert error["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/v1/jobs", headers={"Authorization": "Bearer sk-two"}).status_code == 200


def test_pool_failures_are_json_5xx_with_a_code(tmp_path: Path) -> None:
    from fastapi import APIRouter

    from workers import ModelLoadError, ModelTooLarge, PoolBusy

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", modules=[])
    app = create_app(settings)
    probe = APIRouter()
    failures = {"busy": PoolBusy("queue overloaded", retry_after_s=8), "large": ModelTooLarge("too big"),
                "load": ModelLoadError("x")}  # fmt: skip

    @probe.get("/probe/{kind}")
    def fail(kind: str) -> None:
        raise failures[kind]

    app.include_router(probe)
    with TestClient(app) as client:
        expected = {"busy": (503, "pool_busy"), "large": (507, "model_too_large"), "load": (503, "model_load_failed")}
        for kind, (status, code) in expected.items():
            assert assert_json_error(client.get(f"/probe/{kind}"), status)["code"] == code
        busy = client.get("/probe/busy")  # the pool's own estimate of when to come back
        assert busy.headers["retry-after"] == "8" and busy.json()["error"]["details"]["retry_after_s"] == 8
