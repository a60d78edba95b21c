"""The shared model pool: modules describe models as ModelSpecs and run work through a ModelPool."""

from __future__ import annotations

import functools

from workers.backend import DeviceInfo, LoadedModelInfo, ModelPool, PoolStatus, ReplicaInfo
from workers.config import PoolSettings
from workers.devices import cpu_int8_is_exact, ct2_cpu_threads
from workers.embedded import EmbeddedPool
from workers.errors import ModelLoadError, ModelTooLarge, PoolBusy, PoolClosed, PoolError
from workers.executor import admit_unchecked, admitted, drop_optional, new_turn, optional, request_ended, sheddable
from workers.spec import DevicePreference, ModelSpec, Priority

__all__ = [
    "DeviceInfo",
    "DevicePreference",
    "EmbeddedPool",
    "LoadedModelInfo",
    "ModelLoadError",
    "ModelPool",
    "ModelSpec",
    "ModelTooLarge",
    "PoolBusy",
    "PoolClosed",
    "PoolError",
    "PoolSettings",
    "PoolStatus",
    "Priority",
    "ReplicaInfo",
    "admit_unchecked",
    "admitted",
    "cpu_int8_is_exact",
    "ct2_cpu_threads",
    "drop_optional",
    "default_pool",
    "make_pool",
    "new_turn",
    "optional",
    "pool_parallelism",
    "request_ended",
    "sheddable",
]


def make_pool(settings: PoolSettings | None = None) -> ModelPool:
    """Build the configured backend: in-process (embedded) or Ray Serve replicas across machines (ray)."""
    settings = settings or PoolSettings()
    if settings.pool == "ray":
        try:
            from workers.ray import RayPool
        except ImportError as exc:
            raise PoolError(f"VOXGATE_POOL=ray needs Ray: install voxgate[ray] ({exc})") from exc
        return RayPool(settings)
    return EmbeddedPool(settings)


def pool_parallelism(pool: ModelPool, priority: int) -> int | None:
    """How many calls at this priority the pool can run at once, where it knows (the Ray pool, from the
    cluster's replicas); None for pools that leave it to the caller."""
    sized = getattr(pool, "parallelism", None)
    return sized(priority) if callable(sized) else None


@functools.cache
def default_pool() -> ModelPool:
    """The process-wide pool for library and CLI use; the gateway passes its own explicitly."""
    return make_pool()
