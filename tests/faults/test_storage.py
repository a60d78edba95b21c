"""The disk full, or the database read-only: a clear 503 naming the reason, no corrupted jobs, no orphaned files.

Each gateway runs in its own mount namespace (unshare) over a real file system: a 2 MB tmpfs that the uploads
fill, or a read-only bind mount of a folder an earlier gateway wrote. No root on the host is needed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.faults.conftest import job_folders, mount_namespace_prefix, noise_png
from tests.server import Server, wait_for_job

OCR_NLP = '["ocr", "nlp"]'


def _storage_env(store: Path) -> dict[str, str]:
    return {"VOXGATE_DATABASE_URL": f"sqlite:///{store / 'voxgate.db'}", "VOXGATE_ARTIFACT_DIR": str(store / "art")}


def _submit(server: Server, seed: int) -> object:
    return server.client.post(
        "/v1/ocr", files={"file": (f"page{seed}.png", noise_png(seed=seed), "image/png")}, data={"async": "true"}
    )


def test_disk_full_answers_503_and_keeps_accepted_jobs(tmp_path: Path, servers: list[Server]) -> None:
    store = tmp_path / "store"
    store.mkdir()
    prefix = mount_namespace_prefix(f"mount -t tmpfs -o size=2m tmpfs {store}")
    server = Server(tmp_path, job_workers=0, modules=OCR_NLP, env=_storage_env(store), prefix=prefix)
    servers.append(server)
    accepted: list[str] = []
    for seed in range(12):  # ~530 kB each: the 2 MB disk is full after three or four
        response = _submit(server, seed)
        if response.status_code != 202:
            break
        accepted.append(response.json()["id"])
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "storage_full", error
    assert "space" in error["message"] or "full" in error["message"], error
    assert int(response.headers["Retry-After"]) > 0
    assert 1 <= len(accepted) < 12

    # The jobs accepted before are whole and still queued; reads and the health check keep working.
    for job_id in accepted:
        record = server.client.get(f"/v1/jobs/{job_id}")
        assert record.status_code == 200 and record.json()["status"] == "queued", record.text
    assert server.client.get("/healthz").status_code == 200
    assert server.client.post("/v1/sentiment", json={"texts": ["fine"]}).status_code == 200
    # No orphaned files: the refused upload's folder went with it (seen inside the gateway's namespace).
    inside = Path(f"/proc/{server.process.pid}/root") / str(store).lstrip("/") / "art"
    assert job_folders(inside) == set(accepted)


@pytest.mark.faults  # three gateways one after the other: make test-faults
def test_read_only_database_answers_503_and_the_jobs_survive(tmp_path: Path, servers: list[Server]) -> None:
    store = tmp_path / "store"
    store.mkdir()
    env = _storage_env(store)
    first = Server(tmp_path, job_workers=0, modules=OCR_NLP, env=env)
    servers.append(first)
    jobs = [_submit(first, seed).json()["id"] for seed in range(2)]
    first.kill()
    with sqlite3.connect(store / "voxgate.db") as db:  # one job was running when the process died
        db.execute("UPDATE jobs SET status = 'running', attempts = 1 WHERE id = ?", (jobs[0],))
    before = sqlite3.connect(store / "voxgate.db").execute("SELECT id, status FROM jobs ORDER BY id").fetchall()

    prefix = mount_namespace_prefix(f"mount --bind {store} {store} && mount -o remount,bind,ro {store}")
    second = Server(tmp_path, job_workers=1, modules=OCR_NLP, env=env, prefix=prefix)
    servers.append(second)
    health = second.client.get("/healthz").json()
    assert health["status"] == "degraded" and "read-only" in health["storage"], health
    response = _submit(second, 7)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "storage_read_only"
    assert "read-only" in response.json()["error"]["message"]
    assert "Retry-After" in response.headers
    assert second.client.get(f"/v1/jobs/{jobs[1]}").json()["status"] == "queued"
    assert second.client.post("/v1/sentiment", json={"texts": ["fine"]}).status_code == 200
    second.kill()

    # Nothing changed on disk; a gateway with writable storage runs both jobs to the end.
    assert sqlite3.connect(store / "voxgate.db").execute("SELECT id, status FROM jobs ORDER BY id").fetchall() == before
    assert job_folders(store / "art") == set(jobs)
    third = Server(tmp_path, job_workers=1, modules=OCR_NLP, env=env)
    servers.append(third)
    for job_id in jobs:
        assert wait_for_job(third.client, job_id, timeout=300)["status"] == "succeeded"
