"""The in-process pool: one executor and one residency per device, batchers for batchable models."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext
from typing import Any

from workers.backend import DeviceInfo, LoadedModelInfo, PoolStatus
from workers.batching import BatchedInference, MicroBatcher
from workers.config import PoolSettings
from workers.devices import available_devices, candidate_devices
from workers.errors import ModelTooLarge, PoolClosed
from workers.executor import DeviceExecutor
from workers.memory import process_rss_mb
from workers.residency import DeviceResidency
from workers.spec import ModelSpec, Priority

log = logging.getLogger(__name__)


def _cost_key(spec: ModelSpec, priority: int) -> str:
    """Batch calls (whole recordings) and live ones (a clip, a sentence) of one model cost differently."""
    return f"{spec.id}|{'batch' if priority >= Priority.BATCH else 'live'}"


def _gpu_budget_mb(device: str, configured: int) -> int:
    if configured > 0:
        return configured
    import torch  # only reached when torch reported a CUDA device

    index = int(device.split(":")[1])
    return int(torch.cuda.get_device_properties(index).total_memory / 2**20 * 0.9)


class EmbeddedPool(BatchedInference):
    def __init__(self, settings: PoolSettings | None = None, devices: list[str] | None = None) -> None:
        self.settings = settings or PoolSettings()
        self.devices = devices or available_devices(self.settings.use_cuda)
        self._residency: dict[str, DeviceResidency] = {}
        self._executors: dict[str, DeviceExecutor] = {}
        for device in self.devices:
            is_cpu = device == "cpu"
            budget = self.settings.cpu_memory_mb if is_cpu else _gpu_budget_mb(device, self.settings.gpu_memory_mb)
            self._residency[device] = DeviceResidency(device, budget, self.settings.model_wait_timeout_s)
            threads = self.settings.cpu_threads if is_cpu else self.settings.gpu_threads
            self._executors[device] = DeviceExecutor(
                device, threads, self.settings.interactive_reserved_threads, self.settings.max_queue_wait_s,
                batch_starvation_s=self.settings.batch_starvation_s,
                max_estimated_wait_s=self.settings.max_estimated_wait_s,
                max_admitted_wait_factor=self.settings.max_admitted_wait_factor,
                thread_nice=self.settings.cpu_thread_nice if is_cpu else 0,
                express_threads=self.settings.cpu_express_threads if is_cpu else 0,
                express_budget_s=self.settings.express_budget_s,
            )  # fmt: skip
        self._specs: dict[str, ModelSpec] = {}
        self._placement: dict[str, str] = {}
        self._batchers: dict[str, MicroBatcher] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._reaper = threading.Thread(target=self._reap_idle, name="voxgate-reaper", daemon=True)
        self._reaper.start()

    # -- registration and placement ---------------------------------------
    def register(self, spec: ModelSpec) -> None:
        self._device_for(spec)

    def _device_for(self, spec: ModelSpec) -> str:
        with self._lock:
            if self._closed.is_set():
                raise PoolClosed("the model pool is shut down")
            known = self._specs.get(spec.id)
            if known is not None and known is not spec and known != spec:
                log.info("model %s re-registered with a new spec", spec.id)
            self._specs[spec.id] = spec
            placed = self._placement.get(spec.id)
            if placed is not None:
                return placed
            for device in candidate_devices(spec.device, self.devices):
                if spec.memory_mb <= self._residency[device].budget_mb:
                    self._placement[spec.id] = device
                    return device
        raise ModelTooLarge(f"model {spec.id!r} ({spec.memory_mb} MB) fits no device budget")

    # -- running ----------------------------------------------------------
    def submit(
        self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL, **kwargs: Any
    ) -> Future:
        return self._submit(spec, lambda model: fn(model, *args, **kwargs), priority, None)

    def _submit_batch(
        self, spec: ModelSpec, fn: Callable[[Any], Any], priority: int, deadline: float | None
    ) -> Future:  # fmt: skip
        return self._submit(spec, fn, priority, deadline)

    def _submit(
        self, spec: ModelSpec, call: Callable[[Any], Any], priority: int, deadline: float | None
    ) -> Future:  # fmt: skip
        device = self._device_for(spec)
        residency = self._residency[device]
        executor = self._executors[device]
        cost_key = _cost_key(spec, priority)

        def task() -> Any:
            # A model load is no overload: no first call is refused as late while one runs (see the executor).
            with executor.loading() if not residency.is_resident(spec.id) else nullcontext():
                resident = residency.acquire(spec)
            started = time.monotonic()  # after loading: the estimate is of the call, not of a cold start
            try:
                return call(resident.model)
            finally:
                executor.observe(cost_key, time.monotonic() - started)
                residency.release(spec.id)

        return executor.submit(task, priority, cost_key, deadline)

    def refuse_early(self, wait_budget_s: float | None = None) -> int | None:
        """Retry-After when every device would refuse a new live request with this budget now, else None."""
        answers = {device: executor.would_refuse(wait_budget_s) for device, executor in self._executors.items()}
        if not answers or None in answers.values():
            return None
        device = min(answers, key=lambda d: answers[d] or 0)  # the device that frees up first counts the refusal
        self._executors[device].record_shed()
        return answers[device]

    def admit(self, spec: ModelSpec, priority: int = Priority.NORMAL) -> float | None:
        return self._executors[self._device_for(spec)].admit(priority)

    def run(
        self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL, **kwargs: Any
    ) -> Any:
        return self.submit(spec, fn, *args, priority=priority, **kwargs).result()

    @contextmanager
    def lease(self, spec: ModelSpec) -> Iterator[Any]:
        device = self._device_for(spec)
        residency = self._residency[device]
        resident = residency.acquire(spec)
        try:
            yield resident.model
        finally:
            residency.release(spec.id)

    # -- housekeeping -----------------------------------------------------
    def unload(self, model_id: str) -> bool:
        return any(residency.unload(model_id) for residency in self._residency.values())

    def _reap_idle(self) -> None:
        ttl = self.settings.model_idle_ttl_s
        while not self._closed.wait(min(max(ttl / 4, 0.05), 30.0)):
            for residency in self._residency.values():
                residency.unload_idle(ttl)

    def status(self) -> PoolStatus:
        now = time.monotonic()
        models = [
            LoadedModelInfo(
                id=m.spec.id,
                device=m.device,
                memory_estimate_mb=m.spec.memory_mb,
                measured_rss_mb=round(m.measured_mb, 1),
                in_use=m.refcount,
                uses=m.uses,
                load_seconds=round(m.load_seconds, 3),
                idle_seconds=round(now - m.last_used, 1),
                batchable=m.spec.batchable,
                batches=self._batchers[m.spec.id].batches if m.spec.id in self._batchers else 0,
                batched_items=self._batchers[m.spec.id].items if m.spec.id in self._batchers else 0,
                labels=dict(m.spec.labels),
            )
            for residency in self._residency.values()
            for m in residency.resident()
        ]
        devices = [
            DeviceInfo(
                device=device,
                budget_mb=self._residency[device].budget_mb,
                used_mb=self._residency[device].used_mb(),
                queued=self._executors[device].queued(),
                busy=self._executors[device].busy(),
                evictions=self._residency[device].evictions,
                shed=self._executors[device].shed,
                estimated_wait_s=round(self._executors[device].estimated_wait(Priority.INTERACTIVE), 3),
                admitted_wait_p95_s=round(self._executors[device].recent_admitted_wait_p95(), 3),
            )
            for device in self.devices
        ]
        return PoolStatus(
            backend="embedded",
            devices=devices,
            models=models,
            registered=sorted(self._specs),
            process_rss_mb=round(process_rss_mb(), 1),
        )

    def shutdown(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        for batcher in list(self._batchers.values()):
            batcher.shutdown()
        for executor in self._executors.values():
            executor.shutdown(wait=True)
        for residency in self._residency.values():
            residency.clear()
        self._reaper.join(timeout=5)
