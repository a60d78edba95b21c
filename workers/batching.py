"""Dynamic micro-batching: concurrent single-item requests for one model become one batch call.

A batch closes when it holds `max_batch_size` items or `max_wait_ms` have passed since
its first item arrived, whichever comes first; it then runs as one task on the
model's executor at the most urgent priority among its items.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workers.errors import PoolClosed
from workers.spec import ModelSpec, Priority

if TYPE_CHECKING:
    from workers.config import PoolSettings


@dataclass
class _Pending:
    item: Any
    priority: int
    future: Future
    deadline: float | None = None  # its request's, from the pool's admission


RunBatch = Callable[[Sequence[Any], int, float | None], Future]


class MicroBatcher:
    def __init__(self, name: str, run_batch: RunBatch, max_batch_size: int, max_wait_ms: float) -> None:
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_ms / 1000.0
        self._run_batch = run_batch
        self._pending: list[_Pending] = []
        self._first_at = 0.0
        self._cond = threading.Condition()
        self._closed = False
        self.batches = 0
        self.items = 0
        self._thread = threading.Thread(target=self._loop, name=f"voxgate-batch-{name}", daemon=True)
        self._thread.start()

    def submit(self, item: Any, priority: int, deadline: float | None = None) -> Future:
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise PoolClosed("batcher is shut down")
            if not self._pending:
                self._first_at = time.monotonic()
            self._pending.append(_Pending(item, int(priority), future, deadline))
            self._cond.notify()
        return future

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed and not self._pending:
                    return
                while len(self._pending) < self.max_batch_size and not self._closed:
                    remaining = self._first_at + self.max_wait_s - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                batch = self._pending[: self.max_batch_size]
                self._pending = self._pending[self.max_batch_size :]
                if self._pending:
                    self._first_at = time.monotonic()
            self._dispatch(batch)

    def _dispatch(self, batch: list[_Pending]) -> None:
        self.batches += 1
        self.items += len(batch)
        try:
            deadlines = [p.deadline for p in batch if p.deadline is not None]
            done = self._run_batch(
                [p.item for p in batch], min(p.priority for p in batch), min(deadlines) if deadlines else None
            )
        except BaseException as exc:
            for pending in batch:
                pending.future.set_exception(exc)
            return
        done.add_done_callback(lambda f: _fan_out(f, batch))

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join()


def _fan_out(done: Future, batch: list[_Pending]) -> None:
    error = done.exception()
    if error is not None:
        for pending in batch:
            pending.future.set_exception(error)
        return
    results = done.result()
    if len(results) != len(batch):
        mismatch = RuntimeError(f"batch_fn returned {len(results)} results for {len(batch)} items")
        for pending in batch:
            pending.future.set_exception(mismatch)
        return
    for pending, result in zip(batch, results, strict=True):
        pending.future.set_result(result)


class BatchedInference:
    """`infer`, `infer_many` and the per-model micro-batchers, written once over a pool's own `submit`: the
    embedded pool and the Ray client batch the same way (on Ray, the batch forms on the gateway side)."""

    settings: PoolSettings
    _lock: threading.Lock
    _batchers: dict[str, MicroBatcher]

    def submit(self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL,
               **kwargs: Any) -> Future:  # fmt: skip
        raise NotImplementedError

    def infer(self, spec: ModelSpec, item: Any, priority: int = Priority.NORMAL) -> Future:
        if spec.batch_fn is None:
            raise ValueError(f"model {spec.id!r} has no batch_fn")
        batch_fn = spec.batch_fn
        if not (spec.batchable and self.settings.batching):
            return self.submit(spec, lambda model: batch_fn(model, [item])[0], priority=priority)
        deadline = self.admit(spec, priority)  # the batch is dispatched from the batcher's thread, outside the request
        return self._batcher_for(spec).submit(item, priority, deadline)

    def admit(self, spec: ModelSpec, priority: int = Priority.NORMAL) -> float | None:
        """Refuse (PoolBusy) a live request the pool is too busy for, else give its deadline; pools without an
        estimate admit all (None)."""
        return None

    def refuse_early(self, wait_budget_s: float | None = None) -> int | None:
        """Retry-After when a new live request would be refused now (None: admitted, or no estimate here)."""
        return None

    def _submit_batch(
        self, spec: ModelSpec, fn: Callable[[Any], Any], priority: int, deadline: float | None
    ) -> Future:  # fmt: skip
        """A micro-batch's call, queued by its earliest item's deadline where the pool orders by deadlines."""
        return self.submit(spec, fn, priority=priority)

    def infer_many(self, spec: ModelSpec, items: Sequence[Any], priority: int = Priority.NORMAL) -> list[Any]:
        """Known lists go straight through batch_fn in chunks, without waiting for stragglers."""
        if spec.batch_fn is None:
            raise ValueError(f"model {spec.id!r} has no batch_fn")
        size = spec.max_batch_size if spec.batchable else 1
        batch_fn = spec.batch_fn
        futures = [
            self.submit(
                spec, lambda model, chunk: list(batch_fn(model, chunk)), list(items[i : i + size]), priority=priority
            )
            for i in range(0, len(items), size)
        ]
        return [result for future in futures for result in future.result()]

    def _batcher_for(self, spec: ModelSpec) -> MicroBatcher:
        with self._lock:
            batcher = self._batchers.get(spec.id)
            if batcher is None:
                batch_fn = spec.batch_fn
                assert batch_fn is not None

                def run_batch(items: Sequence[Any], priority: int, deadline: float | None) -> Future:
                    return self._submit_batch(spec, lambda model: list(batch_fn(model, items)), priority, deadline)

                batcher = MicroBatcher(spec.id, run_batch, spec.max_batch_size, spec.max_wait_ms)
                self._batchers[spec.id] = batcher
            return batcher
