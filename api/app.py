"""The gateway: create_app() wires settings, the model pool, the database, jobs and one router per module
(the modules are those api.modules.MODULES declares and whose extras are installed)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.auth import require_api_key
from api.db import create_tables, make_engine
from api.errors import COMMON_ERRORS, install_error_handlers
from api.health import run_checks
from api.jobs import JobService
from api.metrics import PoolCollector, RequestMetrics, make_registry
from api.middleware import BodyLimitMiddleware, HeaderLimitMiddleware, MetricsMiddleware, RequestIdMiddleware
from api.modules import body_limit_prefixes, installed, job_handlers, resolve
from api.openapi import extend_openapi
from api.prewarm import BackgroundWork
from api.ratelimit import TokenBuckets, enforce_rate_limit
from api.routers import jobs as jobs_router
from api.routers import system
from api.security import SecurityHeadersMiddleware
from api.settings import Settings
from api.shedding import LoadShedMiddleware
from workers import ModelPool, make_pool

log = logging.getLogger(__name__)
VERSION = "0.1.0"


def create_app(settings: Settings | None = None, pool: ModelPool | None = None) -> FastAPI:
    settings = settings or Settings()
    owns_pool = pool is None
    pool = pool or make_pool(settings.workers)
    engine = make_engine(settings.database_url)
    settings.artifact_dir.mkdir(parents=True, exist_ok=True)
    jobs = JobService(
        engine,
        settings.artifact_dir,
        pool,
        workers=settings.job_workers,
        settings=settings,
        max_queued=settings.max_queued_jobs,
    )

    modules = installed(settings.modules)
    background = BackgroundWork()  # the modules' start-up work (api.prewarm), stopped with the app

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A route's blocking work (asyncio.to_thread) holds a thread while it waits for the model pool. asyncio's
        # default of cpu+4 threads (6 on 2 cores) queued requests before the pool, out of its admission's sight:
        # under load a sentiment request waited seconds for a thread, not for its model. One per request admitted.
        request_threads = ThreadPoolExecutor(
            max_workers=max(32, settings.max_inflight_requests + 8), thread_name_prefix="voxgate-request"
        )
        asyncio.get_running_loop().set_default_executor(request_threads)
        app.state.unhealthy = await asyncio.to_thread(run_checks, modules, settings)
        jobs.start()
        # Modules may manage sidecars (e.g. the Rasa servers): their startup/shutdown hooks from the registry.
        for spec in modules:
            if spec.startup:
                await resolve(spec.startup)(app)
        try:
            yield
        finally:
            background.stop()  # start-up work stops after its current unit, before the pool it uses closes
            for spec in reversed(modules):
                if spec.shutdown:
                    await resolve(spec.shutdown)(app)
            jobs.stop()
            if owns_pool:
                pool.shutdown()
            await asyncio.to_thread(background.join)
            engine.dispose()
            request_threads.shutdown(wait=False)

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
    app.state.background = background
    app.state.metrics_registry = registry
    app.state.started_at = time.monotonic()
    app.state.modules = [spec.name for spec in modules]
    app.state.unhealthy = {}  # module -> reason, from the start-up checks (api/health.py)
    app.state.rate_limiter = TokenBuckets(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    guarded = [Depends(require_api_key), Depends(enforce_rate_limit)]

    install_error_handlers(app)
    # Outermost first: request ids must exist before the limit or metrics answer.
    app.add_middleware(BodyLimitMiddleware, limits=settings.body_limits(body_limit_prefixes(modules)),
                       read_timeout=settings.body_read_timeout_s, min_rate=settings.body_min_bytes_per_s)  # fmt: skip
    app.add_middleware(
        LoadShedMiddleware, max_inflight=settings.max_inflight_requests, wait_budgets=settings.wait_budgets, pool=pool
    )
    app.add_middleware(MetricsMiddleware, metrics=RequestMetrics(registry))
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(
        HeaderLimitMiddleware, max_bytes=int(settings.max_header_kb * 1024), max_count=settings.max_headers
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every answer, the middlewares' own 413/431s included

    app.include_router(system.router)
    # Every guarded route declares the errors any of them can answer (COMMON_ERRORS); routes add their own.
    app.include_router(jobs_router.router, dependencies=guarded, responses=COMMON_ERRORS)
    for spec in modules:
        app.include_router(resolve(spec.router).router, dependencies=guarded, responses=COMMON_ERRORS)
        for kind, handler in job_handlers(spec).items():
            jobs.register(kind, handler)

    extend_openapi(app, [resolve(spec.openapi) for spec in modules if spec.openapi])
    create_tables(engine)  # after routers imported, so every module's tables are on the metadata
    return app
