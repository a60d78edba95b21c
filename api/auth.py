"""Optional API keys: off while no key is configured, then `Authorization: Bearer <key>` on every /v1 route."""

from __future__ import annotations

import hmac

from fastapi import Request

from api.errors import ApiError


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def require_api_key(request: Request) -> None:
    keys: list[str] = request.app.state.settings.api_keys
    if not keys:
        return
    presented = _presented_key(request)
    if presented is None:
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'", code="missing_api_key")
    if not any(hmac.compare_digest(presented.encode(), key.encode()) for key in keys):
        raise ApiError(401, "invalid API key", code="invalid_api_key")
    request.state.api_key = presented
