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
    batch_starvation_s: float = Field(
        default=10.0, gt=0, description="a batch task that has waited this long runs next when no batch task runs"
    )
    max_queue_wait_s: float = Field(
        default=30.0, ge=0,
        description="refuse a live request (503 pool_busy) when the oldest task it would queue behind has waited "
        "this long; 0: never (batch work is never refused)",
    )  # fmt: skip
    max_estimated_wait_s: float = Field(
        default=1.0, ge=0,
        description="refuse a live request (503 pool_busy) when the calls queued ahead of it and those running "
        "(timed by kind) would keep it waiting longer than this; 0: never",
    )  # fmt: skip
    max_admitted_wait_factor: float = Field(
        default=2.0, ge=0,
        description="refuse an admitted request (503 pool_busy) whose first model call has not started after this "
        "many times its wait budget (the estimate missed work it could not see); 0: never",
    )  # fmt: skip
    # One express thread, for urgent calls only by default (a dictation's final after stop: budget 0). Taking the
    # 0.5 s budgets too (dictation chunks, sentiment, translation) served 45% more answers on 2 cores (soak,
    # bench/results/soak.txt), the short routes 2.5x more, but took the cores from the long calls (TTS p95 3.3 ->
    # 4.1 s, transcription 4.1 -> 5.5): worth it where short requests dominate, or with cores to spare.
    cpu_express_threads: int = Field(
        default=1, ge=0,
        description="CPU threads beyond cpu_threads that take only live calls with a wait budget of express_budget_s "
        "or less (urgent ones, budget 0: a dictation's final after stop), so they need not wait for a long call",
    )  # fmt: skip
    express_budget_s: float = Field(default=0.0, ge=0, description="the longest wait budget the express threads take")
    cpu_thread_nice: int = Field(
        default=5, ge=0, le=19,
        description="nice increment of the CPU executor's threads and what they start (model runtimes' threads, "
        "Tesseract): the gateway's own work and its sidecars take the CPU first",
    )  # fmt: skip
    batching: bool = True

    # VOXGATE_POOL=ray (workers/ray): Serve deployments, each replica an EmbeddedPool with its own budget.
    ray_namespace: str = "voxgate"
    ray_local_cpus: int = Field(default=2, ge=1, description="CPUs of the Ray started in-process without an address")
    ray_interactive_replicas: int = Field(default=1, ge=1)
    ray_batch_replicas: int = Field(default=1, ge=1)
    ray_replica_cpus: float = Field(default=1.0, ge=0, description="Ray CPUs reserved by each replica")
    ray_replica_gpus: float = Field(default=0.0, ge=0, description="GPUs per replica; fractions share one GPU")
    ray_replica_memory_mb: int = Field(
        default=0, ge=0, description="each replica's model budget (and Ray memory resource); 0: VOXGATE_CPU_MEMORY_MB"
    )
    ray_replica_threads: int = Field(default=2, ge=1, description="model calls at once inside one replica")
    ray_max_queued: int = Field(default=64, ge=1, description="calls waiting per deployment before 503 pool_busy")
    ray_retries: int = Field(default=5, ge=0, description="retries of a call whose replica died")
    ray_retry_backoff_s: float = Field(default=0.5, gt=0)
    ray_report_interval_s: float = Field(default=1.0, gt=0, description="replicas report their state this often")
    ray_batch_nice: int = Field(
        default=10, ge=0, le=19, description="nice value of batch replicas: a shared node runs interactive work first"
    )
    ray_local_testing: bool = Field(default=False, description="Serve's local testing mode: in-process replicas")
