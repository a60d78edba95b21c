"""API keys: off while no key is configured, then required on every route but the public ones (api.auth.PUBLIC).

One way to present a key for HTTP and WebSocket alike: `Authorization: Bearer <key>`, or `?token=<key>` where a
client cannot set headers (a browser's WebSocket, a widget's socket.io). Keys are compared in constant time
against every configured key. The key decides the caller's tenant (api.tenancy), which the check records on
`request.state.tenant` and in the tenant context variable the stores and jobs read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from fastapi import Request, WebSocket

from api.errors import ApiError
from api.tenancy import DEFAULT_TENANT, TENANT_HEADER, TENANT_RE, key_tenants, match_key, set_tenant

TOKEN_QUERY = "token"

# Paths served without a key even when keys are on: liveness/readiness for orchestrators, the web pages and
# their static files (HTML/JS/CSS only: every API call the pages make needs a key, which they ask the user for),
# and the API documentation. /metrics joins them when VOXGATE_METRICS_PUBLIC is set.
# tests/api/test_auth_routes.py walks app.routes and fails for any other route that answers without a key.
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
PUBLIC_PAGES = (
    "/dictate", "/dictate/static", "/calls/static", "/calls/{job_id}", "/notes", "/notes/static/notes.js", "/music",
    "/music/static", "/talk/static/{name}", "/talk/{bot}", "/widget.js", "/widget/{name}",
)  # fmt: skip


def bearer_token(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The key a request or socket presents: the Authorization header first, else ?token=."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return query.get(TOKEN_QUERY) or None


def key_matches(presented: str | None, keys: Iterable[str]) -> bool:
    """Whether the presented key is one of `keys` (entries may be `tenant:key`); constant time over all of them."""
    return match_key(presented, key_tenants(keys)) is not None


class Refused(Exception):
    """A caller the key check turns away: the HTTP status, message and error code to answer with."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def resolve_tenant(keys: list[str], presented: str | None, header: str | None) -> str:
    """The caller's tenant, or Refused: no key, a wrong key, or an X-Tenant header naming another tenant (or, with
    keys off, no valid tenant name). Shared by requests, WebSockets and the bots' socket.io channel."""
    if not keys:
        tenant = header or DEFAULT_TENANT
        if not TENANT_RE.match(tenant):
            raise Refused(400, "X-Tenant must be 1-64 letters, digits, '.', '_' or '-'", "invalid_tenant")
        return tenant
    if presented is None:
        raise Refused(401, f"missing API key: send 'Authorization: Bearer <key>' or ?{TOKEN_QUERY}=<key>",
                       "missing_api_key")  # fmt: skip
    tenant = match_key(presented, key_tenants(keys))
    if tenant is None:
        raise Refused(401, "invalid API key", "invalid_api_key")
    if header and header != tenant:
        raise Refused(403, "X-Tenant names another tenant than this API key's", "tenant_mismatch")
    return tenant


async def require_api_key(request: Request) -> None:
    """The gateway's key check (a router dependency). Async on purpose: it runs in the request's own task, so the
    tenant it sets in the context variable is the one the endpoint (and its worker threads) see."""
    keys: list[str] = request.app.state.settings.api_keys
    presented = bearer_token(request.headers, request.query_params)
    try:
        tenant = resolve_tenant(keys, presented, request.headers.get(TENANT_HEADER))
    except Refused as exc:
        param = None if exc.status == 401 else "X-Tenant"
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        raise ApiError(exc.status, exc.message, code=exc.code, param=param, headers=headers) from None
    if keys:
        request.state.api_key = presented
    request.state.tenant = tenant
    set_tenant(tenant)


class WebSocketRejected(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def authorize_websocket(websocket: WebSocket) -> str:
    """Keys and rate limits for a socket, checked once on connect (FastAPI gives WebSocket routes no Request
    dependencies). Returns the caller's identity: its key, or its address when keys are off."""
    state = websocket.app.state
    keys: list[str] = state.settings.api_keys
    key = bearer_token(websocket.headers, websocket.query_params)
    try:
        tenant = resolve_tenant(keys, key, websocket.headers.get(TENANT_HEADER))
    except Refused as exc:
        raise WebSocketRejected(exc.message, exc.code) from None
    set_tenant(tenant)
    caller = key if keys and key else (websocket.client.host if websocket.client else "unknown")
    buckets = getattr(state, "rate_limiter", None)
    if buckets is not None and (wait := buckets.take(caller)) > 0:
        raise WebSocketRejected(f"rate limit exceeded; retry in {math.ceil(wait)} s", "rate_limited")
    return caller


async def require_metrics_key(request: Request) -> None:
    """/metrics: public when VOXGATE_METRICS_PUBLIC is set, else behind the keys like the API."""
    if not request.app.state.settings.metrics_public:
        await require_api_key(request)
