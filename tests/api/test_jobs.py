"""Jobs: accepted with 202, progress, results and files, cancellation, and surviving a server restart."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.server import Server, wait_for_job


def test_job_runs_reports_progress_and_serves_its_result_file(client: TestClient) -> None:
    texts = [f"sentence number {i} about a clinic appointment" for i in range(600)]
    accepted = client.post("/v1/embeddings/jobs", json={"input": texts})
    assert accepted.status_code == 202
    job_id = accepted.json()["id"]
    assert accepted.json()["url"] == f"/v1/jobs/{job_id}"
    job = wait_for_job(client, job_id)
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    assert job["started_at"] and job["finished_at"]
    assert job["result"]["count"] == 600
    vectors = client.get(job["result"]["files"]["embeddings"]).json()
    assert len(vectors) == 600 and len(vectors[0]) == 384
    listed = client.get("/v1/jobs", params={"kind": "nlp.embeddings"}).json()
    assert [j["id"] for j in listed] == [job_id]


def test_queued_job_can_be_cancelled(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a", job_workers=0)
    with TestClient(create_app(settings)) as client:
        job_id = client.post("/v1/embeddings/jobs", json={"input": ["a", "b"]}).json()["id"]
        cancelled = client.delete(f"/v1/jobs/{job_id}").json()
        assert cancelled["status"] == "cancelled"
        assert client.get(f"/v1/jobs/{job_id}").json()["status"] == "cancelled"


def test_unknown_job_and_file_are_404(client: TestClient) -> None:
    assert client.get("/v1/jobs/nope").status_code == 404
    assert client.delete("/v1/jobs/nope").status_code == 404
    assert client.get("/v1/jobs/nope/files/../../etc/passwd").status_code == 404


# -- restarts, with a real uvicorn server process -------------------------------------------


def test_queued_job_is_finished_after_a_crash(tmp_path: Path, servers: list[Server]) -> None:
    first = Server(tmp_path, job_workers=0)  # accepts but does not run jobs
    servers.append(first)
    job_id = first.client.post("/v1/embeddings/jobs", json={"input": ["survive", "the", "restart"]}).json()["id"]
    first.kill()

    second = Server(tmp_path, job_workers=1)
    servers.append(second)
    job = wait_for_job(second.client, job_id)
    assert job["status"] == "succeeded"
    assert job["result"]["count"] == 3


def test_job_running_during_a_crash_is_resumed_after_restart(tmp_path: Path, servers: list[Server]) -> None:
    first = Server(tmp_path, job_workers=1)
    servers.append(first)
    texts = [f"call {i}: the customer asked about a refund for order {i * 7}" for i in range(4000)]
    job_id = first.client.post("/v1/embeddings/jobs", json={"input": texts}).json()["id"]
    job = wait_for_job(first.client, job_id, until=("running",))
    deadline = time.monotonic() + 60
    while job["progress"] == 0 and time.monotonic() < deadline:
        job = first.client.get(f"/v1/jobs/{job_id}").json()
        time.sleep(0.05)
    assert 0 < job["progress"] < 100, f"expected the job mid-way, got {job}"
    first.kill()

    second = Server(tmp_path, job_workers=1)
    servers.append(second)
    job = wait_for_job(second.client, job_id, timeout=180)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    assert job["result"]["count"] == 4000
