"""Job status, listing and cancellation. Modules create jobs; this router only reads and cancels them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from api.deps import get_jobs
from api.errors import ApiError, error_responses
from api.jobs import JobNotFound, JobRecord, JobService, JobStatus

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

NOT_FOUND = error_responses(404)
ANY_FILE = {200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}, "description": "the file"}}


@router.get("", response_model=list[JobRecord])
def list_jobs(
    status: JobStatus | None = None,
    kind: str | None = None,
    limit: int = Query(50, ge=1, le=1000),
    jobs: JobService = Depends(get_jobs),
) -> list[JobRecord]:
    """The caller's tenant's jobs (its API key's tenant), newest first."""
    return jobs.list(status=status, kind=kind, limit=limit)


@router.get("/{job_id}", response_model=JobRecord, responses=NOT_FOUND)
def get_job(job_id: str, jobs: JobService = Depends(get_jobs)) -> JobRecord:
    try:
        return jobs.get(job_id)
    except JobNotFound:
        raise ApiError(404, f"no job {job_id!r}", code="job_not_found", param="job_id") from None


@router.delete("/{job_id}", response_model=JobRecord, responses=NOT_FOUND)
def cancel_job(job_id: str, jobs: JobService = Depends(get_jobs)) -> JobRecord:
    """Cancel a queued job at once, or ask a running one to stop at its next progress report."""
    try:
        return jobs.cancel(job_id)
    except JobNotFound:
        raise ApiError(404, f"no job {job_id!r}", code="job_not_found", param="job_id") from None


@router.get("/{job_id}/files/{name}", response_class=FileResponse, responses={**ANY_FILE, **NOT_FOUND})
def get_job_file(job_id: str, name: str, jobs: JobService = Depends(get_jobs)) -> FileResponse:
    """A file a finished job wrote (its result names them)."""
    try:
        outputs = (jobs.owned_dir(job_id) / "outputs").resolve()
    except JobNotFound:
        raise ApiError(404, f"no job {job_id!r}", code="job_not_found", param="job_id") from None
    path = (outputs / name).resolve()
    if path.parent != outputs or not path.is_file():
        raise ApiError(404, f"job {job_id!r} has no file {name!r}", code="file_not_found", param="name")
    return FileResponse(path)
