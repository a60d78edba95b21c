"""Health, metrics and the model pool's state."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from api.auth import require_api_key
from api.deps import get_pool
from api.errors import ApiError, error_responses
from workers import ModelPool, PoolStatus

router = APIRouter()


class Health(BaseModel):
    status: str
    version: str
    modules: list[str]
    uptime_s: float


@router.get("/healthz", response_model=Health, tags=["system"])
def healthz(request: Request) -> Health:
    state = request.app.state
    return Health(
        status="ok",
        version=request.app.version,
        modules=state.modules,
        uptime_s=round(time.monotonic() - state.started_at, 1),
    )


@router.get("/metrics", tags=["system"], include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/v1/models", response_model=PoolStatus, tags=["models"], dependencies=[Depends(require_api_key)],
    responses=error_responses(401),
)
def list_models(pool: ModelPool = Depends(get_pool)) -> PoolStatus:
    """What is loaded on which device, with memory estimates and measured RSS growth."""
    return pool.status()


class Unloaded(BaseModel):
    id: str
    unloaded: bool


@router.post(
    "/v1/models/{model_id:path}/unload", response_model=Unloaded, tags=["models"],
    dependencies=[Depends(require_api_key)], responses=error_responses(401, 404, 409, 422),
)
def unload_model(model_id: str, pool: ModelPool = Depends(get_pool)) -> dict[str, object]:
    status = pool.status()
    if not any(m.id == model_id for m in status.models):
        raise ApiError(404, f"model {model_id!r} is not loaded", code="model_not_loaded", param="model_id")
    if not pool.unload(model_id):
        raise ApiError(409, f"model {model_id!r} is in use; try again when its requests finish", code="model_in_use")
    return {"id": model_id, "unloaded": True}
