"""The shared model pool: modules describe models as ModelSpecs and run work through a ModelPool."""

from __future__ import annotations

import functools

from workers.backend import DeviceInfo, LoadedModelInfo, ModelPool, PoolStatus
from workers.config import PoolSettings
from workers.devices import ct2_cpu_threads
from workers.embedded import EmbeddedPool
from workers.errors import ModelLoadError, ModelTooLarge, PoolBusy, PoolClosed, PoolError
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
    "ct2_cpu_threads",
    "default_pool",
    "make_pool",
]


def make_pool(settings: PoolSettings | None = None) -> ModelPool:
    """Build the configured backend. Ray Serve is the designed multi-machine backend."""
    settings = settings or PoolSettings()
    if settings.pool == "ray":
        raise PoolError(
            "VOXGATE_POOL=ray is not implemented yet: the Ray Serve backend will implement "
            "workers.ModelPool; use VOXGATE_POOL=embedded"
        )
    return EmbeddedPool(settings)


@functools.cache
def default_pool() -> ModelPool:
    """The process-wide pool for library and CLI use; the gateway passes its own explicitly."""
    return make_pool()
