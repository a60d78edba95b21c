"""Which models are resident on one device: a memory budget, LRU eviction, idle TTL, reference counts.

A model that is in use (reference count above zero) is never unloaded. When room is
needed, idle models are evicted least recently used first; if every resident model is
in use, the caller waits for a release up to a timeout.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from workers.devices import raise_thread_nice
from workers.errors import ModelLoadError, ModelTooLarge, PoolBusy
from workers.memory import collection_paused, process_rss_mb
from workers.spec import ModelSpec

log = logging.getLogger(__name__)


@dataclass
class ResidentModel:
    spec: ModelSpec
    model: Any
    device: str
    loaded_at: float
    last_used: float
    load_seconds: float
    measured_mb: float
    refcount: int = 0
    uses: int = 0


@dataclass
class _Loading:
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class DeviceResidency:
    def __init__(self, device: str, budget_mb: int, wait_timeout_s: float = 300.0) -> None:
        self.device = device
        self.budget_mb = budget_mb
        self.wait_timeout_s = wait_timeout_s
        self._models: OrderedDict[str, ResidentModel] = OrderedDict()  # LRU order: oldest first
        self._loading: dict[str, _Loading] = {}
        self._reserved_mb = 0  # estimates of models being loaded right now
        self._cond = threading.Condition()
        self.evictions = 0

    # -- accounting -------------------------------------------------------
    def used_mb(self) -> int:
        with self._cond:
            return self._used_mb_locked()

    def _used_mb_locked(self) -> int:
        return sum(m.spec.memory_mb for m in self._models.values()) + self._reserved_mb

    def resident(self) -> list[ResidentModel]:
        with self._cond:
            return list(self._models.values())

    def is_resident(self, model_id: str) -> bool:
        with self._cond:
            return model_id in self._models

    # -- acquire / release ------------------------------------------------
    def acquire(self, spec: ModelSpec) -> ResidentModel:
        """Return the resident model with its reference count raised, loading it if needed."""
        if spec.memory_mb > self.budget_mb:
            raise ModelTooLarge(
                f"model {spec.id!r} needs about {spec.memory_mb} MB; {self.device} has a budget of {self.budget_mb} MB"
            )
        deadline = time.monotonic() + self.wait_timeout_s
        while True:
            with self._cond:
                resident = self._models.get(spec.id)
                if resident is not None:
                    resident.refcount += 1
                    resident.uses += 1
                    resident.last_used = time.monotonic()
                    self._models.move_to_end(spec.id)
                    return resident
                loading = self._loading.get(spec.id)
                if loading is None:
                    self._make_room_locked(spec, deadline)
                    loading = _Loading()
                    self._loading[spec.id] = loading
                    self._reserved_mb += spec.memory_mb
                    i_load = True
                else:
                    i_load = False
            if i_load:
                self._load(spec, loading)
            else:
                remaining = deadline - time.monotonic()
                if not loading.done.wait(max(0.0, remaining)):
                    raise PoolBusy(f"timed out waiting for {spec.id!r} to load on {self.device}")
                if loading.error is not None:
                    raise ModelLoadError(f"loading {spec.id!r} failed: {loading.error}") from loading.error

    def release(self, model_id: str) -> None:
        with self._cond:
            resident = self._models.get(model_id)
            if resident is None:
                return
            resident.refcount = max(0, resident.refcount - 1)
            resident.last_used = time.monotonic()
            self._cond.notify_all()

    def _load(self, spec: ModelSpec, loading: _Loading) -> None:
        started = time.monotonic()
        try:
            with collection_paused():
                rss_before = process_rss_mb()
                model = self._run_loader(spec)
                measured_mb = max(0.0, process_rss_mb() - rss_before)
        except BaseException as exc:  # the loader is user code: report any failure to every waiter
            with self._cond:
                self._reserved_mb -= spec.memory_mb
                self._loading.pop(spec.id, None)
                loading.error = exc
                loading.done.set()
                self._cond.notify_all()
            log.exception("loading %s on %s failed", spec.id, self.device)
            raise ModelLoadError(f"loading {spec.id!r} failed: {exc}") from exc
        now = time.monotonic()
        with self._cond:
            self._reserved_mb -= spec.memory_mb
            self._models[spec.id] = ResidentModel(
                spec=spec,
                model=model,
                device=self.device,
                loaded_at=now,
                last_used=now,
                load_seconds=now - started,
                measured_mb=measured_mb,
            )
            self._loading.pop(spec.id, None)
            loading.done.set()
            self._cond.notify_all()
        log.info("loaded %s on %s in %.2fs", spec.id, self.device, now - started)

    def _run_loader(self, spec: ModelSpec) -> Any:
        if not (spec.cpu_nice and self.device == "cpu" and hasattr(os, "setpriority")):
            return spec.loader(self.device)
        # A fresh thread, so the caller's own priority is untouched (lowering nice again needs privileges);
        # threads the loader starts inherit the nice value.
        box: dict[str, Any] = {}

        def load_nicely() -> None:
            try:
                raise_thread_nice(spec.cpu_nice)  # never below the pool thread's own
                box["model"] = spec.loader(self.device)
            except BaseException as exc:  # re-raised in the calling thread
                box["error"] = exc

        thread = threading.Thread(target=load_nicely, name=f"voxgate-load-{spec.id}", daemon=True)
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["model"]

    def _make_room_locked(self, spec: ModelSpec, deadline: float) -> None:
        """Evict idle models (LRU first) until `spec` fits; wait for releases if all are busy."""
        while self._used_mb_locked() + spec.memory_mb > self.budget_mb:
            idle = next((m for m in self._models.values() if m.refcount == 0), None)
            if idle is not None:
                self._unload_locked(idle)
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PoolBusy(
                    f"no room for {spec.id!r} on {self.device}: {self._used_mb_locked()} of "
                    f"{self.budget_mb} MB held by models in use"
                )
            self._cond.wait(timeout=min(remaining, 1.0))

    def _unload_locked(self, resident: ResidentModel) -> None:
        assert resident.refcount == 0, "never unload a model in use"
        del self._models[resident.spec.id]
        self.evictions += 1
        if resident.spec.unloader is not None:
            try:
                resident.spec.unloader(resident.model)
            except Exception:  # an unloader failing must not wedge the pool
                log.exception("unloader of %s failed", resident.spec.id)
        log.info("unloaded %s from %s", resident.spec.id, self.device)

    # -- housekeeping -----------------------------------------------------
    def unload_idle(self, ttl_s: float) -> list[str]:
        """Unload models unused for longer than ttl_s; returns their ids."""
        now = time.monotonic()
        with self._cond:
            stale = [m for m in self._models.values() if m.refcount == 0 and now - m.last_used > ttl_s]
            for resident in stale:
                self._unload_locked(resident)
            if stale:
                self._cond.notify_all()
            return [m.spec.id for m in stale]

    def unload(self, model_id: str) -> bool:
        """Unload one model now if it is idle; False if absent or in use."""
        with self._cond:
            resident = self._models.get(model_id)
            if resident is None or resident.refcount > 0:
                return False
            self._unload_locked(resident)
            self._cond.notify_all()
            return True

    def clear(self) -> None:
        with self._cond:
            for resident in [m for m in self._models.values() if m.refcount == 0]:
                self._unload_locked(resident)
