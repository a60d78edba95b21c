"""API keys: off while no key is configured, then required on every /v1 route and socket.

One way to present a key for HTTP and WebSocket alike: `Authorization: Bearer <key>`, or `?token=<key>` where a
client cannot set headers (a browser's WebSocket, a widget's socket.io). Keys are compared in constant time.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Iterable, Mapping

from fastapi import Request, WebSocket

from api.errors import ApiError

TOKEN_QUERY = "token"


def bearer_token(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The key a request or socket presents: the Authorization header first, else ?token=."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return query.get(TOKEN_QUERY) or None


def key_matches(presented: str | None, keys: Iterable[str]) -> bool:
    return presented is not None and any(hmac.compare_digest(presented.encode(), key.encode()) for key in keys)


def require_api_key(request: Request) -> None:
    keys: list[str] = request.app.state.settings.api_keys
    if not keys:
        return
    presented = bearer_token(request.headers, request.query_params)
    if presented is None:
        raise ApiError(
            401, f"missing API key: send 'Authorization: Bearer <key>' or ?{TOKEN_QUERY}=<key>", code="missing_api_key"
        )
    if not key_matches(presented, keys):
        raise ApiError(401, "invalid API key", code="invalid_api_key")
    request.state.api_key = presented


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
    if keys:
        if key is None:
            raise WebSocketRejected(
                f"missing API key: send 'Authorization: Bearer <key>' or ?{TOKEN_QUERY}=<key>", "missing_api_key"
            )
        if not key_matches(key, keys):
            raise WebSocketRejected("invalid API key", "invalid_api_key")
    caller = key if keys and key else (websocket.client.host if websocket.client else "unknown")
    buckets = getattr(state, "rate_limiter", None)
    if buckets is not None and (wait := buckets.take(caller)) > 0:
        raise WebSocketRejected(f"rate limit exceeded; retry in {math.ceil(wait)} s", "rate_limited")
    return caller
