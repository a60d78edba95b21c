"""Job records' times are RFC 3339 date-times with an offset (the schema says format: date-time) on every jobs
route, for a job read back from SQLite after it ran: created, started and finished. The job's handler is a
stand-in that only reports progress (this tests the record's plumbing, not a module)."""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.jobs import JobContext
from api.settings import Settings

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _noop(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    ctx.set_progress(50, "half way")
    return {"ok": True}


def test_job_times_are_rfc3339_on_every_jobs_route(settings: Settings) -> None:
    settings = settings.model_copy(update={"modules": []})
    app = create_app(settings)
    app.state.jobs.register("test.noop", _noop)
    with TestClient(app) as client:
        job_id = app.state.jobs.accept("test.noop", {}).id
        deadline = time.monotonic() + 30
        while client.get(f"/v1/jobs/{job_id}").json()["status"] != "succeeded":
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(0.05)
        records = [client.get(f"/v1/jobs/{job_id}").json(), client.get("/v1/jobs").json()[0],
                   client.delete(f"/v1/jobs/{job_id}").json()]  # fmt: skip
    for record in records:
        for field in ("created_at", "started_at", "finished_at"):
            assert RFC3339.match(record[field]), f"{field}={record[field]!r} is not an RFC 3339 date-time"
        assert record["created_at"] <= record["started_at"] <= record["finished_at"]
