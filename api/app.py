"""The gateway: create_app() wires settings, the model pool, the database, jobs and one router per module."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import Depends, FastAPI

from api.auth import require_api_key
from api.db import create_tables, make_engine
from api.errors import install_error_handlers
from api.jobs import JobService
from api.metrics import PoolCollector, RequestMetrics, make_registry
from api.middleware import BodyLimitMiddleware, MetricsMiddleware, RequestIdMiddleware
from api.ratelimit import TokenBuckets, enforce_rate_limit
from api.routers import jobs as jobs_router
from api.routers import system
from api.settings import Settings
from workers import ModelPool, make_pool

log = logging.getLogger(__name__)
VERSION = "0.1.0"

# Capability modules and the router that serves each; a router is mounted when its REQUIRES import.
MODULE_ROUTERS: dict[str, str] = {
    "asr": "api.routers.asr",
    "dictation": "api.routers.dictation",
    "tts": "api.routers.tts",
    "ocr": "api.routers.ocr",
    "nlp": "api.routers.nlp",
    "translate": "api.routers.translate",
    "calls": "api.routers.calls",
    "bots": "api.routers.bots",
    "music": "api.routers.music",
}


def _installed_router(name: str, path: str) -> ModuleType | None:
    if importlib.util.find_spec(path) is None:
        return None
    router_module = importlib.import_module(path)
    missing = [req for req in getattr(router_module, "REQUIRES", ()) if importlib.util.find_spec(req) is None]
    if missing:
        log.warning("module %s not mounted: missing %s (install voxgate[%s])", name, ", ".join(missing), name)
        return None
    return router_module


def create_app(settings: Settings | None = None, pool: ModelPool | None = None) -> FastAPI:
    settings = settings or Settings()
    owns_pool = pool is None
    pool = pool or make_pool(settings.pool_settings())
    engine = make_engine(settings.database_url)
    settings.artifact_dir.mkdir(parents=True, exist_ok=True)
    jobs = JobService(engine, settings.artifact_dir, pool, workers=settings.job_workers)

    mounted: list[ModuleType] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        # Router modules may manage sidecars (e.g. the Rasa servers) through startup(app)/shutdown(app).
        for router_module in mounted:
            if hasattr(router_module, "startup"):
                await router_module.startup(app)
        try:
            yield
        finally:
            for router_module in reversed(mounted):
                if hasattr(router_module, "shutdown"):
                    await router_module.shutdown(app)
            jobs.stop()
            if owns_pool:
                pool.shutdown()
            engine.dispose()

    app = FastAPI(
        title="voxgate",
        version=VERSION,
        description="Self-hosted speech and language service. OpenAI-compatible audio routes under /v1/audio.",
        lifespan=lifespan,
    )
    registry = make_registry()
    registry.register(PoolCollector(pool, jobs.counts))
    app.state.settings = settings
    app.state.pool = pool
    app.state.engine = engine
    app.state.jobs = jobs
    app.state.metrics_registry = registry
    app.state.started_at = time.monotonic()
    app.state.modules = []
    app.state.rate_limiter = TokenBuckets(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    guarded = [Depends(require_api_key), Depends(enforce_rate_limit)]

    install_error_handlers(app)
    # Outermost first: request ids must exist before the limit or metrics answer.
    app.add_middleware(BodyLimitMiddleware, limits=settings.body_limits())
    app.add_middleware(MetricsMiddleware, metrics=RequestMetrics(registry))
    app.add_middleware(RequestIdMiddleware)

    app.include_router(system.router)
    app.include_router(jobs_router.router, dependencies=guarded)
    for name, path in MODULE_ROUTERS.items():
        if settings.modules is not None and name not in settings.modules:
            continue
        router_module = _installed_router(name, path)
        if router_module is None:
            continue
        app.include_router(router_module.router, dependencies=guarded)
        for kind, handler in getattr(router_module, "JOB_KINDS", {}).items():
            jobs.register(kind, handler)
        app.state.modules.append(name)
        mounted.append(router_module)

    create_tables(engine)  # after routers imported, so every module's tables are on the metadata
    return app
