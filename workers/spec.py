"""What a model is to the pool: how to load it, how big it is, where it prefers to run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Priority(IntEnum):
    """Lower runs first. Live dictation and chat are interactive; analytics jobs are batch."""

    INTERACTIVE = 0
    NORMAL = 5
    BATCH = 10


class DevicePreference:
    AUTO = "auto"  # a GPU when there is one, else the CPU
    CPU = "cpu"
    CUDA = "cuda"


@dataclass(frozen=True)
class ModelSpec:
    """A model the pool can load.

    `loader(device)` builds the model object on a device string ("cpu", "cuda:0").
    `memory_mb` is the estimate the pool budgets with; the pool also records what
    loading really cost in process memory.
    Priority orders the queue but cannot slow work already running; `cpu_nice` can (see below).
    A batchable spec gives `batch_fn(model, items) -> results` (same length, same
    order); the pool then groups concurrent `infer` calls into one `batch_fn` call.
    """

    id: str
    loader: Callable[[str], Any]
    memory_mb: int
    device: str = DevicePreference.AUTO
    batchable: bool = False
    batch_fn: Callable[[Any, Sequence[Any]], Sequence[Any]] | None = None
    max_batch_size: int = 32
    max_wait_ms: float = 10.0
    unloader: Callable[[Any], None] | None = None
    # Nice value of the thread that runs the loader on the CPU. Engines that start their own worker threads
    # at load (CTranslate2) pass it on to them, so a batch-only instance yields the cores to live requests.
    cpu_nice: int = 0
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if self.batchable and self.batch_fn is None:
            raise ValueError(f"model {self.id!r} is batchable but has no batch_fn")
        if not 0 <= self.cpu_nice <= 19:
            raise ValueError("cpu_nice must be between 0 and 19")
        if self.memory_mb < 0:
            raise ValueError("memory_mb must be >= 0")
