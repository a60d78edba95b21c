"""Call analytics routes: category rules per tenant, batch analysis jobs, results, and the report page."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import calls
from api.compose.calls import JOB_KIND, redacted_audio_url, safe_call_name
from api.deps import get_engine, get_jobs, get_settings
from api.errors import ApiError, error_responses, validation_error
from api.jobs import JobAccepted, JobService
from api.settings import Settings
from api.stores.call_rules import CallRuleStore
from api.tenancy import DEFAULT_TENANT

STATIC = Path(__file__).resolve().parent.parent / "static" / "calls"

router = APIRouter(tags=["calls"])

NOT_FOUND = error_responses(404)
WAV = {200: {"description": "16 kHz 16-bit PCM WAV", "content": {"audio/wav": {"schema": {"type": "string",
                                                                                         "format": "binary"}}}}}


def allowed_roots(settings: Settings) -> list[Path]:
    return [Path(r).resolve() for r in settings.calls.allowed_roots]


# ---- category rules per tenant


def _tenant(request: Request, x_tenant: Annotated[str | None, Header()] = None) -> str:
    """The caller's tenant, as api.auth resolved it: its API key's; X-Tenant (checked there) only while keys are
    off. The header stays a parameter here so the OpenAPI document shows it."""
    return getattr(request.state, "tenant", DEFAULT_TENANT)


def _store(engine: Engine = Depends(get_engine)) -> CallRuleStore:
    return CallRuleStore(engine)


@router.get("/v1/calls/rules")
def list_rules(tenant: str = Depends(_tenant), store: CallRuleStore = Depends(_store)) -> dict[str, Any]:
    return {"tenant": tenant, "rules": [r.model_dump(exclude_none=True) for r in store.list(tenant)]}


@router.put("/v1/calls/rules/{name}")
def put_rule(
    name: str, rule: dict[str, Any], tenant: str = Depends(_tenant), store: CallRuleStore = Depends(_store)
) -> dict[str, Any]:
    try:
        parsed = calls.CategoryRule.model_validate({**rule, "name": name})
    except ValidationError as exc:
        raise validation_error(exc, code="invalid_rule", context=f"invalid rule {name!r}", where="rule") from exc
    store.put(tenant, parsed)
    return {"tenant": tenant, "rule": parsed.model_dump(exclude_none=True)}


@router.delete("/v1/calls/rules/{name}", responses=NOT_FOUND)
def delete_rule(name: str, tenant: str = Depends(_tenant), store: CallRuleStore = Depends(_store)) -> dict[str, Any]:
    if not store.delete(tenant, name):
        raise ApiError(404, f"tenant {tenant!r} has no rule {name!r}", code="not_found")
    return {"deleted": name}


# ---- batch analysis


def _resolve_source(source: str, settings: Settings) -> list[Path]:
    roots = allowed_roots(settings)
    if not roots:
        raise ApiError(
            403,
            "server-side paths are disabled: an admin must set VOXGATE_CALLS_ALLOWED_ROOTS",
            code="source_not_allowed",
            param="source",
        )
    base = Path(re.split(r"[*?\[]", source, maxsplit=1)[0] or "/").resolve()
    if not any(base == r or r in base.parents for r in roots):
        raise ApiError(
            403,
            f"{source} is outside the allowed roots ({', '.join(map(str, roots))})",
            code="source_not_allowed",
            param="source",
        )
    try:
        files = calls.list_calls(source)
    except calls.BatchInputError as exc:
        raise ApiError(400, str(exc), code="no_calls", param="source") from exc
    outside = [f for f in files if not any(r in f.resolve().parents for r in roots)]
    if outside:
        raise ApiError(
            403, f"{outside[0]} resolves outside the allowed roots", code="source_not_allowed", param="source"
        )
    return files


@router.post("/v1/calls/analyze", status_code=202, response_model=JobAccepted, responses=error_responses(403))
async def analyze_calls(
    files: Annotated[list[UploadFile] | None, File(description="call recordings")] = None,
    source: Annotated[str | None, Form(description="server-side directory or glob under an allowed root")] = None,
    options: Annotated[str | None, Form(description="CallOptions as JSON")] = None,
    tenant: str = Depends(_tenant),
    settings: Settings = Depends(get_settings),
    jobs: JobService = Depends(get_jobs),
    engine: Engine = Depends(get_engine),
) -> JobAccepted:
    if bool(files) == bool(source):
        raise ApiError(400, "give either uploaded files or a server-side source, not both or neither", param="files")
    try:
        opts = calls.CallOptions.model_validate_json(options) if options else calls.CallOptions()
    except ValidationError as exc:
        raise validation_error(exc, code="invalid_options", context="invalid options", where="options",
                               param="options") from exc  # fmt: skip
    opts.max_duration = min(opts.max_duration, settings.calls.max_seconds)
    rules = [r.model_dump(exclude_none=True) for r in CallRuleStore(engine).list(tenant)]
    params: dict[str, Any] = {
        "options": opts.model_dump(),
        "rules": rules,
        "tenant": tenant,
        "parallel": settings.calls.parallel,
    }
    inputs: dict[str, bytes] = {}
    if files:
        taken: set[str] = set()
        names = []
        for f in files:
            data = await f.read()
            name = safe_call_name(f.filename or "call", taken)
            if not data:
                # kept: the job reports it as a failed call, the rest of the batch goes on
                data = b""
            inputs[name] = data
            names.append(name)
        params["uploads"] = names
    else:
        params["paths"] = [str(p) for p in await asyncio.to_thread(_resolve_source, source or "", settings)]
    return await asyncio.to_thread(jobs.accept, JOB_KIND, params, inputs)


def _job_outputs(job_id: str, jobs: JobService) -> Path:
    try:
        record = jobs.get(job_id)
    except Exception as exc:
        raise ApiError(404, f"no job {job_id!r}", code="not_found") from exc
    if record.kind != JOB_KIND:
        raise ApiError(404, f"job {job_id!r} is not a call-analytics job", code="not_found")
    return jobs.job_dir(job_id) / "outputs"


@router.get("/v1/calls/schema")
def call_schema() -> dict[str, Any]:
    """The JSON Schema of the per-call document and of the batch summary, with their version."""
    return {
        "version": calls.CALL_SCHEMA_VERSION,
        "call": calls.CallResult.model_json_schema(),
        "summary": calls.BatchSummary.model_json_schema(),
    }


@router.get("/v1/calls/{job_id}/results", responses=NOT_FOUND)
def job_results(job_id: str, jobs: JobService = Depends(get_jobs)) -> dict[str, Any]:
    """The summary (once the batch is done) and every per-call document finished so far."""
    out = _job_outputs(job_id, jobs)
    record = jobs.get(job_id)
    summary, results = calls.load_results(out) if out.exists() else (None, [])
    if summary is None and results:
        summary = calls.summarize(results)
    for r in results:
        if r.redacted_audio is not None:
            r.redacted_audio.url = redacted_audio_url(job_id, r.call)
    return {
        "job": job_id,
        "status": str(getattr(record.status, "value", record.status)),
        "progress": record.progress,
        "summary": summary.model_dump() if summary else None,
        "calls": [r.model_dump() for r in results],
    }


@router.get("/v1/calls/{job_id}/audio/{call}", response_class=FileResponse, responses={**WAV, **NOT_FOUND})
def redacted_audio(job_id: str, call: str, jobs: JobService = Depends(get_jobs)) -> FileResponse:
    """The redacted recording of one call (jobs run with options.redact_audio), 16 kHz 16-bit PCM WAV."""
    out = _job_outputs(job_id, jobs).resolve()
    path = (out / calls.redacted_audio_name(call)).resolve()
    if out not in path.parents or not path.is_file():
        raise ApiError(
            404,
            f"job {job_id!r} has no redacted audio for call {call!r} (was redact_audio set, and is the call done?)",
            code="not_found",
            param="call",
        )
    return FileResponse(path, media_type="audio/wav", filename=Path(path).name)


async def calls_report_page(_request: Any) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


router.routes.append(Mount("/calls/static", StaticFiles(directory=STATIC, check_dir=False), name="calls_static"))
router.add_route("/calls/{job_id}", calls_report_page, methods=["GET"], name="calls_report")
