"""Per-caller rate limits: a token bucket per API key (or per client address when keys are off)."""

from __future__ import annotations

import math
import threading
import time

from fastapi import Request

from api.errors import ApiError


class TokenBuckets:
    def __init__(self, per_minute: int, burst: int | None = None) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst or per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, updated at)
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """Take one token; returns 0 when allowed, else the seconds until a token is free."""
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - updated) * self.rate)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1 - tokens) / self.rate


def enforce_rate_limit(request: Request) -> None:
    buckets: TokenBuckets | None = request.app.state.rate_limiter
    if buckets is None:
        return
    caller = getattr(request.state, "api_key", None) or (request.client.host if request.client else "unknown")
    wait = buckets.take(caller)
    if wait > 0:
        raise ApiError(
            429,
            f"rate limit of {request.app.state.settings.rate_limit_per_minute} requests a minute exceeded; "
            f"retry in {math.ceil(wait)} s",
            code="rate_limited",
            details={"retry_after_s": math.ceil(wait)},
            headers={"Retry-After": str(math.ceil(wait))},
        )
