"""Tenants: who owns a job, a glossary, a lexicon, a call rule or an AWS task.

The model: each API key belongs to one tenant. `VOXGATE_API_KEYS` entries are `tenant:key`, or a bare `key` for
the tenant `default`. With keys on, the key decides the tenant; an `X-Tenant` header naming another tenant is
refused (403). With keys off there is no identity to check: `X-Tenant` (default `default`) only names a namespace
(a convenience for one trusted site, not a security boundary). AWS clients get theirs from
`VOXGATE_AWS_TENANTS` (access key id -> tenant). Job workers run a job under the tenant that submitted it.

The caller's tenant travels in a context variable set by the auth check (api.auth), so the stores and
JobService read it without every route passing it along; `tenant_scope` sets it explicitly (job workers, tests).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEFAULT_TENANT = "default"
TENANT_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TENANT_HEADER = "x-tenant"

_current: ContextVar[str] = ContextVar("voxgate_tenant", default=DEFAULT_TENANT)


class KeyEntryError(ValueError):
    pass


def parse_key(entry: str) -> tuple[str, str]:
    """`tenant:key` -> (tenant, key); a bare `key` -> ("default", key)."""
    tenant, sep, key = entry.partition(":")
    if not sep:
        return DEFAULT_TENANT, entry
    if not TENANT_RE.match(tenant) or not key:
        raise KeyEntryError(f"API key entry {tenant + ':…'!r}: expected 'tenant:key' with a tenant of 1-64 "
                            "letters, digits, '.', '_' or '-'")  # fmt: skip
    return tenant, key


def key_tenants(entries: Iterable[str]) -> list[tuple[str, str]]:
    """(key, tenant) for every configured entry."""
    return [(key, tenant) for tenant, key in map(parse_key, entries)]


def match_key(presented: str | None, keys: list[tuple[str, str]]) -> str | None:
    """The tenant of the presented key, or None. Compares against EVERY key in constant time per key (no early
    exit), so the time taken does not tell which key, or how much of one, matched."""
    if presented is None:
        return None
    given = presented.encode()
    found: str | None = None
    for key, tenant in keys:
        if hmac.compare_digest(given, key.encode()) and found is None:
            found = tenant
    return found


def current_tenant() -> str:
    return _current.get()


def set_tenant(tenant: str) -> None:
    _current.set(tenant)


@contextmanager
def tenant_scope(tenant: str) -> Iterator[None]:
    token = _current.set(tenant)
    try:
        yield
    finally:
        _current.reset(token)
