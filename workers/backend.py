"""The interface every pool backend implements; modules only ever see this."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from workers.spec import ModelSpec, Priority


class LoadedModelInfo(BaseModel):
    id: str
    device: str
    memory_estimate_mb: int
    measured_rss_mb: float
    in_use: int
    uses: int
    load_seconds: float
    idle_seconds: float
    batchable: bool
    batches: int = 0  # micro-batches run so far (batchable models)
    batched_items: int = 0
    labels: dict[str, str] = {}
    replica: str | None = None  # the Ray pool: which replica holds it, on which node
    node: str | None = None


class ReplicaInfo(BaseModel):
    """One replica of the Ray pool: its lane (deployment), its node, what its EmbeddedPool holds."""

    replica: str
    lane: str
    node: str
    node_address: str
    pid: int
    calls: int
    models: int
    used_mb: int
    budget_mb: int
    process_rss_mb: float


class DeviceInfo(BaseModel):
    device: str
    budget_mb: int
    used_mb: int
    queued: int
    busy: int
    evictions: int
    shed: int = 0  # live tasks refused: the queue was standing or the estimated wait too long (workers/executor.py)
    estimated_wait_s: float = 0.0  # how long a new live request would wait now
    admitted_wait_p95_s: float = 0.0  # how long recent admitted requests' first calls really queued (p95)


class PoolStatus(BaseModel):
    backend: str
    devices: list[DeviceInfo]
    models: list[LoadedModelInfo]
    registered: list[str]
    process_rss_mb: float
    replicas: list[ReplicaInfo] = []
    retries: int = 0  # calls sent again because their replica died
    backpressure: int = 0  # calls refused with pool_busy because every replica's queue was full


@runtime_checkable
class ModelPool(Protocol):
    """Run work next to a model. A Ray Serve backend implements the same calls."""

    def register(self, spec: ModelSpec) -> None: ...

    def submit(
        self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL, **kwargs: Any
    ) -> Future:
        """Run `fn(model, *args, **kwargs)` on the model's device; the model stays loaded while it runs."""
        ...

    def run(
        self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL, **kwargs: Any
    ) -> Any: ...

    def infer(self, spec: ModelSpec, item: Any, priority: int = Priority.NORMAL) -> Future:
        """One item through a batchable model's batch_fn, grouped with concurrent callers."""
        ...

    def infer_many(self, spec: ModelSpec, items: Sequence[Any], priority: int = Priority.NORMAL) -> list[Any]: ...

    def refuse_early(self, wait_budget_s: float | None = None) -> int | None:
        """Retry-After seconds when a new live request with this wait budget would be refused now, else None."""
        ...

    def admit(self, spec: ModelSpec, priority: int = Priority.NORMAL) -> float | None:
        """Raise PoolBusy when the current (sheddable) request should not wait for this model now; else its
        deadline where the pool orders by deadlines."""
        ...

    def lease(self, spec: ModelSpec) -> AbstractContextManager[Any]:
        """Hold the model in the calling thread (for streaming loops); it is not unloaded meanwhile."""
        ...

    def status(self) -> PoolStatus: ...

    def unload(self, model_id: str) -> bool: ...

    def shutdown(self) -> None: ...
