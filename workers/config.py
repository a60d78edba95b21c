"""Pool configuration, read from VOXGATE_* environment variables."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _physical_memory_mb() -> int:
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)


class PoolSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_", extra="ignore")

    pool: Literal["embedded", "ray"] = "embedded"
    ray_address: str | None = None
    cpu_memory_mb: int = Field(default_factory=lambda: int(_physical_memory_mb() * 0.6))
    gpu_memory_mb: int = 0  # 0: 90% of each GPU's memory
    cpu_threads: int = Field(default=2, ge=1, description="concurrent model calls on the CPU executor")
    gpu_threads: int = Field(default=1, ge=1, description="concurrent model calls per GPU executor")
    interactive_reserved_threads: int = Field(
        default=1, ge=0, description="threads per device that batch work may not occupy (kept for live requests)"
    )
    use_cuda: bool = True
    model_idle_ttl_s: float = Field(default=900.0, gt=0)
    model_wait_timeout_s: float = Field(default=300.0, gt=0)
    batching: bool = True
