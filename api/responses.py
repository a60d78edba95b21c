"""Response helpers shared by the routers."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from api.jobs import JobAccepted


def accepted(job: JobAccepted) -> JSONResponse:
    """202 with the job's id, status and URL, for routes that answer at once or with a job."""
    return JSONResponse(job.model_dump(mode="json"), status_code=202)
