"""Load shedding: past a number of HTTP requests in flight the gateway answers 503 with Retry-After at once,
rather than queueing every request until all of them time out.

A request in flight holds a worker thread or waits for the model pool; on a small machine the pool serves a few
at a time, so a queue of hundreds only turns every caller's answer into a timeout. The limit is per process
(VOXGATE_MAX_INFLIGHT_REQUESTS, 0 turns it off). Liveness, readiness and metrics are never shed, so an
orchestrator still sees a busy gateway as alive. The job queue has its own limit (VOXGATE_MAX_QUEUED_JOBS, in
JobService.submit); per-caller rates are api/ratelimit.py (429).

The second guard is the model pool's: every HTTP request runs inside `workers.sheddable(budget)`, so when it
would wait for a model longer than its route's budget (VOXGATE_WAIT_BUDGETS by path prefix, else
VOXGATE_MAX_ESTIMATED_WAIT_S; estimated from the calls queued and running, each timed by kind), or the device queue
is standing (its oldest task has queued past VOXGATE_MAX_QUEUE_WAIT_S), the pool refuses it at once with 503
pool_busy and Retry-After (workers/executor.py); on the routes that answer from a model call at once
(SYNC_MODEL_ROUTES) the same estimate is asked before the body is read (`ModelPool.refuse_early`). Requests in
flight are a poor proxy for overload on a small machine
(32 clients stayed under 64 while transcriptions timed out); time spent waiting is not.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from api.errors import error_body
from api.middleware import send_json_error
from workers import ModelPool, request_ended, sheddable

NEVER_SHED = ("/healthz", "/readyz", "/metrics")
# Routes that answer from a model call at once (not a job, not a bot turn): refused before their body is read
# and decoded when the pool would refuse them anyway, so an overloaded gateway spends no CPU on what it sheds.
SYNC_MODEL_ROUTES = frozenset({
    "/v1/audio/transcriptions", "/v1/audio/translations", "/v1/audio/speech", "/v1/speech", "/v1/ocr",
    "/translate", "/detect", "/v1/translate", "/v1/sentiment", "/v1/embeddings",
})  # fmt: skip


def route_wait_budget(budgets: dict[str, float], path: str) -> float | None:
    """The wait budget of the longest prefix of `path` in VOXGATE_WAIT_BUDGETS (so "/v1/translate/jobs" could be
    given its own apart from "/v1/translate"); None: the pool's VOXGATE_MAX_ESTIMATED_WAIT_S."""
    matches = [prefix for prefix in budgets if path.startswith(prefix)]
    return budgets[max(matches, key=len)] if matches else None


def socket_admission(websocket: WebSocket) -> AbstractContextManager[None]:
    """A live session's one admission (dictation, voice conversation), with its route's wait budget: refused at its
    first model call when the pool is overloaded, else never (its turns are `workers.new_turn`)."""
    return sheddable(route_wait_budget(websocket.app.state.settings.wait_budgets, websocket.url.path))


class LoadShedMiddleware:
    def __init__(
        self, app: ASGIApp, max_inflight: int, retry_after_s: int = 1, wait_budgets: dict[str, float] | None = None,
        pool: ModelPool | None = None,
    ) -> None:  # fmt: skip
        self.app = app
        self.pool = pool
        self.max_inflight = max_inflight
        self.retry_after_s = retry_after_s
        self.wait_budgets = wait_budgets or {}
        self.inflight = 0  # one event loop: no lock needed
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NEVER_SHED:
            return await self.app(scope, receive, send)
        if self.max_inflight and self.inflight >= self.max_inflight:
            self.shed += 1
            await self._refuse(scope, send)
            return
        budget = self.wait_budget(scope["path"])
        if self.pool is not None and scope["method"] == "POST" and scope["path"] in SYNC_MODEL_ROUTES:
            retry_after = self.pool.refuse_early(budget)
            if retry_after is not None:
                await self._refuse_busy(scope, send, retry_after)
                return
        self.inflight += 1

        async def send_then_end(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                request_ended()  # the client may send its next request before this one's handler returns

        try:
            with sheddable(budget):
                await self.app(scope, receive, send_then_end)
        finally:
            self.inflight -= 1

    def wait_budget(self, path: str) -> float | None:
        return route_wait_budget(self.wait_budgets, path)

    async def _refuse_busy(self, scope: Scope, send: Send, retry_after: int) -> None:
        message = f"the model pool is overloaded: a new request would wait past its budget; retry in {retry_after} s"
        await _send_503(scope, send, message, "pool_busy", retry_after, {})

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = (
            f"the gateway is overloaded ({self.inflight} requests in flight, limit {self.max_inflight}); "
            f"retry in {self.retry_after_s} s"
        )
        details = {"inflight": self.inflight, "limit": self.max_inflight}
        await _send_503(scope, send, message, "overloaded", self.retry_after_s, details)


async def _send_503(scope: Scope, send: Send, message: str, code: str, retry_after: int, details: dict) -> None:
    """Refused before the route ran: a JSON 503 naming why, with Retry-After in the header and the body."""
    request_id = scope.get("state", {}).get("request_id")
    payload = error_body(503, message, request_id, code=code, details={"retry_after_s": retry_after, **details})
    await send_json_error(send, 503, payload, headers=((b"retry-after", str(retry_after).encode()),))
