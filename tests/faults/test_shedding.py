"""Load shedding: past the in-flight limit, or with the job queue full, the gateway answers 503 with Retry-After
at once instead of letting every request wait until it times out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.server import Server


def test_overload_is_shed_with_503_and_retry_after(tmp_path: Path, servers: list[Server]) -> None:
    limits = {"VOXGATE_MAX_INFLIGHT_REQUESTS": "2", "VOXGATE_MAX_QUEUED_JOBS": "2"}
    server = Server(tmp_path, job_workers=0, modules='["nlp"]', env=limits)
    servers.append(server)

    def sentiment(i: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return client.post("/v1/sentiment", json={"texts": [f"I am very happy with call {i}"]})

    with ThreadPoolExecutor(24) as threads:  # the first calls also load the model: seconds with 2 in flight
        responses = list(threads.map(sentiment, range(24)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 2 and statuses.count(503) >= 1, statuses
    for shed in (r for r in responses if r.status_code == 503):
        assert shed.json()["error"]["code"] == "overloaded"
        assert shed.headers["Retry-After"] == "1"
        assert shed.elapsed.total_seconds() < 5  # answered at once, not after waiting its turn
    assert server.client.get("/healthz").status_code == 200  # never shed

    # The job queue (no job worker here, so jobs stay queued): two accepted, the third shed.
    for _ in range(2):
        assert server.client.post("/v1/embeddings/jobs", json={"input": ["a"]}).status_code == 202
    full = server.client.post("/v1/embeddings/jobs", json={"input": ["a"]})
    assert full.status_code == 503, full.text
    assert full.json()["error"]["code"] == "job_queue_full" and int(full.headers["Retry-After"]) >= 1
    assert len(server.client.get("/v1/jobs").json()) == 2  # the refused job left no record
