"""ASGI middleware: request ids, request-body limits, Prometheus request metrics."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from api.metrics import RequestMetrics


async def send_json_error(
    send: Send, status: int, payload: dict, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """An error answered by a middleware, before any route: the gateway's JSON error body with its length."""
    body = json.dumps(payload).encode()
    start_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start_headers})
    await send({"type": "http.response.body", "body": body})


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID (or makes one), exposes it as request.state.request_id, echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:128]
        request_id = incoming or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class HeaderLimitMiddleware:
    """Answers 431 to a request whose headers are too many or too large in all, before any route reads them
    (uvicorn's httptools parser has no limit of its own; h11's is 16 kB of header bytes)."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_count: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_count = max_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = scope.get("headers") or []
        size = sum(len(name) + len(value) + 4 for name, value in headers)
        if len(headers) <= self.max_count and size <= self.max_bytes:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":  # refused at the handshake (the ASGI server answers 403)
            await send({"type": "websocket.close", "code": 1008, "reason": "request headers too large"})
            return
        message = (
            f"request headers too large: {len(headers)} headers, {size} bytes "
            f"(at most {self.max_count} headers and {self.max_bytes} bytes)"
        )
        await send_json_error(send, 431, error_body(431, message, None, code="headers_too_large"))


class BodyLimitMiddleware:
    """Answers 413 when Content-Length exceeds the route's limit, before reading the body;
    for chunked bodies, stops reading as soon as the count passes the limit. A body that stalls (no bytes for
    `read_timeout` seconds) or trickles in (slower than `min_rate` bytes a second on average once `read_timeout`
    has passed: slowloris) is answered 408, so a slow client cannot hold a worker and its buffers for ever."""

    def __init__(
        self, app: ASGIApp, limits: list[tuple[str, int]], read_timeout: float = 30.0, min_rate: float = 1024.0
    ) -> None:
        self.app = app
        self.limits = limits
        self.read_timeout = read_timeout
        self.min_rate = min_rate

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.limits if path.startswith(prefix)), self.limits[-1][1])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            request_id = scope.get("state", {}).get("request_id")
            message = f"request body of {int(declared)} bytes exceeds the {limit} byte limit for {scope['path']}"
            await send_json_error(send, 413, error_body(413, message, request_id, code="body_too_large"))
            return

        received = 0
        complete = False
        started = time.monotonic()

        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:  # the body is in; a later receive() waits for the disconnect, as long as it likes
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except TimeoutError:
                raise HTTPException(
                    408, f"the request body stalled: no bytes for {self.read_timeout:g} s after {received} bytes"
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > limit:
                    # FastAPI re-raises HTTPException from body parsing, so this reaches the error handler.
                    raise HTTPException(413, f"request body exceeds the {limit} byte limit for {scope['path']}")
                elapsed = time.monotonic() - started
                if not complete and elapsed > self.read_timeout and received < self.min_rate * elapsed:
                    raise HTTPException(
                        408,
                        f"the request body arrives too slowly: {received} bytes in {elapsed:.0f} s "
                        f"(at least {self.min_rate:g} bytes a second)",
                    )
            return message

        await self.app(scope, counting_receive, send)


class MetricsMiddleware:
    """Counts requests and their latency per route template (not per raw path, to bound label cardinality)."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], template, str(status)).inc()
            self.metrics.latency.labels(scope["method"], template).observe(time.perf_counter() - started)
