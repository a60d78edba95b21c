"""One model pool for the sentiment, PII and calls tests, so each model loads once per test session."""

from __future__ import annotations

import functools

from workers import ModelPool, make_pool


@functools.cache
def shared_pool() -> ModelPool:
    return make_pool()
