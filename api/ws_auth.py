"""API keys and rate limits for WebSocket routes.

`api.auth.require_api_key` and `api.ratelimit.enforce_rate_limit` take a `Request`, which FastAPI
does not give to WebSocket dependencies, and a browser cannot set an Authorization header on a
WebSocket. So a socket presents its key as `Authorization: Bearer <key>` or as `?token=<key>`,
and is checked here once, on connect, against the same keys and the same buckets.
"""

from __future__ import annotations

import hmac
import math

from fastapi import WebSocket


class WebSocketRejected(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def presented_key(websocket: WebSocket) -> str | None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return websocket.query_params.get("token") or None


def authorize_websocket(websocket: WebSocket) -> str:
    """The caller's identity (its key, or its address when keys are off); raises WebSocketRejected."""
    state = websocket.app.state
    keys: list[str] = state.settings.api_keys
    key = presented_key(websocket)
    if keys:
        if key is None:
            raise WebSocketRejected(
                "missing API key: send 'Authorization: Bearer <key>' or ?token=<key>", "missing_api_key"
            )
        if not any(hmac.compare_digest(key.encode(), k.encode()) for k in keys):
            raise WebSocketRejected("invalid API key", "invalid_api_key")
    caller = key if keys and key else (websocket.client.host if websocket.client else "unknown")
    buckets = getattr(state, "rate_limiter", None)
    if buckets is not None and (wait := buckets.take(caller)) > 0:
        raise WebSocketRejected(f"rate limit exceeded; retry in {math.ceil(wait)} s", "rate_limited")
    return caller
