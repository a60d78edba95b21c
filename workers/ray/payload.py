"""What crosses between the gateway and a replica: one call (spec, fn, arguments) as cloudpickle bytes.

Modules hand the pool closures and lambdas (`lambda device: _load(path, device)`, bound engine methods); cloudpickle
carries them by value, and functions of importable modules by reference (every node runs the same voxgate).
The gateway pickles explicitly, so Serve's local testing mode copies a call exactly as a real cluster does.

Callables among the arguments (ASR's segment callback, music's progress, also as values of a dict argument) are
callbacks into the caller: they cannot cross machines, so they travel as `Relay` placeholders. In the replica a
placeholder becomes a function that streams `(index, args, kwargs)` back; the gateway calls the real callback with
them, in order. A relayed callback's return value does not reach the replica (callbacks return None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cloudpickle

from workers.errors import PoolError
from workers.spec import ModelSpec


@dataclass(frozen=True)
class Relay:
    index: int


@dataclass
class Call:
    spec: ModelSpec
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    priority: int


def _is_callback(value: Any) -> bool:
    return callable(value) and not isinstance(value, type)


def extract_callbacks(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple, dict, list[Callable]]:
    """Replace callables in the arguments (top level, and values of dict/list/tuple arguments) by Relays."""
    found: list[Callable] = []

    def swap(value: Any, depth: int) -> Any:
        if _is_callback(value):
            found.append(value)
            return Relay(len(found) - 1)
        if depth == 0:
            return value
        if isinstance(value, dict):
            return {k: swap(v, depth - 1) for k, v in value.items()}
        if type(value) in (list, tuple):
            return type(value)(swap(v, depth - 1) for v in value)
        return value

    new_args = tuple(swap(a, 1) for a in args)
    new_kwargs = {k: swap(v, 1) for k, v in kwargs.items()}
    return new_args, new_kwargs, found


def restore_callbacks(args: tuple, kwargs: dict, make: Callable[[int], Callable]) -> tuple[tuple, dict]:
    """In the replica: each Relay becomes `make(index)`."""

    def swap(value: Any, depth: int) -> Any:
        if isinstance(value, Relay):
            return make(value.index)
        if depth == 0:
            return value
        if isinstance(value, dict):
            return {k: swap(v, depth - 1) for k, v in value.items()}
        if type(value) in (list, tuple):
            return type(value)(swap(v, depth - 1) for v in value)
        return value

    return tuple(swap(a, 1) for a in args), {k: swap(v, 1) for k, v in kwargs.items()}


def dump_call(call: Call) -> bytes:
    try:
        return cloudpickle.dumps(call)
    except Exception as exc:  # an argument that cannot leave the process (a lock, an open socket)
        raise PoolError(f"model {call.spec.id!r}: the call cannot be sent to a Ray replica: {exc}") from exc


def load_call(data: bytes) -> Call:
    return cloudpickle.loads(data)


def dump_outcome(ok: bool, value: Any) -> bytes:
    """A result, or the exception the call raised (re-raised in the gateway with its own type)."""
    try:
        return cloudpickle.dumps((ok, value))
    except Exception as exc:
        if ok:
            return cloudpickle.dumps((False, PoolError(f"the result cannot be sent back from the replica: {exc}")))
        return cloudpickle.dumps((False, PoolError(f"{type(value).__name__}: {value}")))


def load_outcome(data: bytes) -> Any:
    ok, value = cloudpickle.loads(data)
    if ok:
        return value
    raise value
