"""Liveness (/healthz), readiness (/readyz), metrics and the model pool's state."""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from api.auth import require_api_key, require_metrics_key
from api.deps import get_pool
from api.errors import ApiError, error_responses
from api.modules import MODULES, ModuleSpec, resolve
from workers import ModelPool, PoolStatus

router = APIRouter()


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when a mounted module cannot serve (see unhealthy)")
    version: str
    modules: list[str]
    uptime_s: float
    unhealthy: dict[str, str] = Field(
        default_factory=dict, description="module -> why it cannot serve (a model file missing or corrupt)"
    )
    storage: str | None = Field(default=None, description="why the database could not be written at start-up")


@router.get("/healthz", response_model=Health, tags=["system"])
def healthz(request: Request) -> Health:
    state = request.app.state
    unhealthy = dict(state.unhealthy)
    storage = state.jobs.storage_error
    return Health(
        status="degraded" if unhealthy or storage else "ok",
        version=request.app.version,
        modules=state.modules,
        uptime_s=round(time.monotonic() - state.started_at, 1),
        unhealthy=unhealthy,
        storage=storage,
    )


class ModuleReadiness(BaseModel):
    ready: bool
    reason: str | None = None  # why the module cannot serve now, when not ready


class Readiness(BaseModel):
    status: str  # "ready" or "not_ready"
    modules: dict[str, ModuleReadiness]


async def _not_ready(app: Any, spec: ModuleSpec) -> str | None:
    """Why a mounted module cannot serve: its readiness check now, else what its start-up check found (a corrupt
    model file: api/health.py, also on /healthz)."""
    return await _readiness(app, spec.readiness) or app.state.unhealthy.get(spec.name)


async def _readiness(app: Any, reference: str | None) -> str | None:
    if not reference:
        return None
    check = resolve(reference)
    try:
        if inspect.iscoroutinefunction(check):
            return await check(app)
        return await asyncio.to_thread(check, app)
    except Exception as exc:  # a check that fails is a module that cannot serve; say what failed
        return f"readiness check failed: {type(exc).__name__}: {exc}"


@router.get(
    "/readyz",
    response_model=Readiness,
    tags=["system"],
    responses={503: {"model": Readiness, "description": "a mounted module cannot serve yet; each says why"}},
)
async def readyz(request: Request) -> JSONResponse:
    """Ready only when every mounted module can serve (models present, binaries installed, bot servers answering):
    for load balancers and orchestrators. 503 names each module that is not ready and why. /healthz is liveness."""
    mounted = [spec for spec in MODULES if spec.name in request.app.state.modules]
    reasons = await asyncio.gather(*(_not_ready(request.app, spec) for spec in mounted))
    modules = {
        spec.name: ModuleReadiness(ready=reason is None, reason=reason)
        for spec, reason in zip(mounted, reasons, strict=True)
    }
    ready = all(m.ready for m in modules.values())
    body = Readiness(status="ready" if ready else "not_ready", modules=modules)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", tags=["system"], include_in_schema=False, dependencies=[Depends(require_metrics_key)])
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/v1/models",
    response_model=PoolStatus,
    tags=["models"],
    dependencies=[Depends(require_api_key)],
    responses=error_responses(401),
)
def list_models(pool: ModelPool = Depends(get_pool)) -> PoolStatus:
    """What is loaded on which device, with memory estimates and measured RSS growth."""
    return pool.status()


class Unloaded(BaseModel):
    id: str
    unloaded: bool


@router.post(
    "/v1/models/{model_id:path}/unload",
    response_model=Unloaded,
    tags=["models"],
    dependencies=[Depends(require_api_key)],
    responses=error_responses(401, 404, 409, 422),
)
def unload_model(model_id: str, pool: ModelPool = Depends(get_pool)) -> dict[str, object]:
    status = pool.status()
    if not any(m.id == model_id for m in status.models):
        raise ApiError(404, f"model {model_id!r} is not loaded", code="model_not_loaded", param="model_id")
    if not pool.unload(model_id):
        raise ApiError(409, f"model {model_id!r} is in use; try again when its requests finish", code="model_in_use")
    return {"id": model_id, "unloaded": True}
