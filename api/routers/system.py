"""Health, metrics and the model pool's state."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from api.auth import require_api_key
from api.deps import get_pool
from api.errors import ApiError
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


@router.get("/metrics", tags=["system"], include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/models", response_model=PoolStatus, tags=["models"], dependencies=[Depends(require_api_key)])
def list_models(pool: ModelPool = Depends(get_pool)) -> PoolStatus:
    """What is loaded on which device, with memory estimates and measured RSS growth."""
    return pool.status()


@router.post("/v1/models/{model_id:path}/unload", tags=["models"], dependencies=[Depends(require_api_key)])
def unload_model(model_id: str, pool: ModelPool = Depends(get_pool)) -> dict[str, object]:
    status = pool.status()
    if not any(m.id == model_id for m in status.models):
        raise ApiError(404, f"model {model_id!r} is not loaded", code="model_not_loaded", param="model_id")
    if not pool.unload(model_id):
        raise ApiError(409, f"model {model_id!r} is in use; try again when its requests finish", code="model_in_use")
    return {"id": model_id, "unloaded": True}
