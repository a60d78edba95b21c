"""Load shedding: past a number of HTTP requests in flight the gateway answers 503 with Retry-After at once,
rather than queueing every request until all of them time out.

A request in flight holds a worker thread or waits for the model pool; on a small machine the pool serves a few
at a time, so a queue of hundreds only turns every caller's answer into a timeout. The limit is per process
(VOXGATE_MAX_INFLIGHT_REQUESTS, 0 turns it off). Liveness, readiness and metrics are never shed, so an
orchestrator still sees a busy gateway as alive. The job queue has its own limit (VOXGATE_MAX_QUEUED_JOBS, in
JobService.submit); per-caller rates are api/ratelimit.py (429).

The second guard is the model pool's: every HTTP request runs inside `workers.sheddable()`, so when the device
queue it would wait in is standing (its oldest task has queued past VOXGATE_MAX_QUEUE_WAIT_S) the pool refuses it
at once with 503 pool_busy and Retry-After (workers/executor.py). Requests in flight are a poor proxy for overload
on a small machine (32 clients stayed under 64 while transcriptions timed out); time spent queued is not.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_body
from api.middleware import send_json_error
from workers import sheddable

NEVER_SHED = ("/healthz", "/readyz", "/metrics")


class LoadShedMiddleware:
    def __init__(self, app: ASGIApp, max_inflight: int, retry_after_s: int = 1) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.retry_after_s = retry_after_s
        self.inflight = 0  # one event loop: no lock needed
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NEVER_SHED:
            return await self.app(scope, receive, send)
        if self.max_inflight and self.inflight >= self.max_inflight:
            self.shed += 1
            await self._refuse(scope, send)
            return
        self.inflight += 1
        try:
            with sheddable():
                await self.app(scope, receive, send)
        finally:
            self.inflight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        request_id = scope.get("state", {}).get("request_id")
        message = (
            f"the gateway is overloaded ({self.inflight} requests in flight, limit {self.max_inflight}); "
            f"retry in {self.retry_after_s} s"
        )
        details = {"retry_after_s": self.retry_after_s, "inflight": self.inflight, "limit": self.max_inflight}
        payload = error_body(503, message, request_id, code="overloaded", details=details)
        await send_json_error(send, 503, payload, headers=((b"retry-after", str(self.retry_after_s).encode()),))
