"""One executor per device: worker threads that take tasks from a priority queue.

Interactive tasks queued after batch tasks still run first; tasks of equal priority
run in arrival order. Ordering alone is not enough when batch tasks last minutes
(a long recording), so batch work may occupy at most `threads - reserved` threads:
the reserved threads stay free for interactive and normal requests. Ordering alone would also starve batch work
under a sustained stream of live requests (a soak with 32 clients never let a call-analytics job start its first
model call), so a batch task that has waited `batch_starvation_s` runs next when no batch task is running: jobs
always progress, on at most `threads - reserved` threads.

Overload: when the oldest task a new live request would queue behind has already waited `max_queue_wait_s`,
the queue is standing (arrivals outpace the threads), so the new request is refused at once with PoolBusy (the
gateway's 503 pool_busy with Retry-After) instead of joining a queue whose callers will time out. Only work
submitted inside `sheddable()` may be refused: the gateway marks each HTTP request so (its caller can retry), while
a live dictation or voice session's next chunk, a job (batch work, durable, waits its turn) and a micro-batch
(dispatched from the batcher's own thread; its items are cheap) always queue. The signal is CoDel's (time spent
queued, not queue length), so it holds whatever a task costs.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from workers.errors import PoolBusy, PoolClosed
from workers.spec import Priority

log = logging.getLogger(__name__)

_SHEDDABLE: ContextVar[bool] = ContextVar("voxgate_sheddable", default=False)


@contextmanager
def sheddable() -> Iterator[None]:
    """Pool work submitted inside (threads started with this context included) may be refused when overloaded."""
    token = _SHEDDABLE.set(True)
    try:
        yield
    finally:
        _SHEDDABLE.reset(token)


@dataclass(order=True)
class _Task:
    priority: int
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    future: Future = field(compare=False)
    queued_at: float = field(compare=False)

    @property
    def is_batch(self) -> bool:
        return self.priority >= Priority.BATCH


class DeviceExecutor:
    def __init__(
        self, device: str, threads: int = 1, reserved_for_interactive: int = 1, max_queue_wait_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic, batch_starvation_s: float = 10.0,
    ) -> None:  # fmt: skip
        self.device = device
        self.max_queue_wait_s = max_queue_wait_s  # 0: never refuse
        self.batch_starvation_s = batch_starvation_s
        self.shed = 0  # live tasks refused because the queue was standing
        self._clock = clock
        # With one thread nothing can be reserved: batch work must still make progress.
        self.batch_limit = max(1, threads - reserved_for_interactive)
        self._heap: list[_Task] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._busy = 0
        self._busy_batch = 0
        self._threads = [
            threading.Thread(target=self._work, name=f"voxgate-{device}-{i}", daemon=True) for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], Any], priority: int) -> Future:
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise PoolClosed(f"executor for {self.device} is shut down")
            now = self._clock()
            if self.max_queue_wait_s and priority < Priority.BATCH and _SHEDDABLE.get():
                waited = self._oldest_wait_locked(int(priority), now)
                if waited > self.max_queue_wait_s:
                    self.shed += 1
                    raise PoolBusy(
                        f"the {self.device} model queue is overloaded: the request ahead has waited {waited:.0f} s "
                        f"(limit {self.max_queue_wait_s:.0f} s); retry shortly",
                        retry_after_s=max(1, math.ceil(self.max_queue_wait_s / 4)),
                    )
            heapq.heappush(self._heap, _Task(int(priority), next(self._seq), fn, future, now))
            self._cond.notify_all()
        return future

    def _oldest_wait_locked(self, priority: int, now: float) -> float:
        """How long the oldest queued task that runs no later than one of `priority` has waited (0: none)."""
        ahead = [t.queued_at for t in self._heap if t.priority <= priority]
        return now - min(ahead) if ahead else 0.0

    def queued(self) -> int:
        with self._cond:
            return len(self._heap)

    def busy(self) -> int:
        return self._busy

    def _runnable_locked(self) -> bool:
        # The heap top is the most urgent task: if it is batch work, everything queued is.
        return bool(self._heap) and (not self._heap[0].is_batch or self._busy_batch < self.batch_limit)

    def _starved_batch_locked(self) -> int | None:
        """The heap index of the oldest batch task, when it has waited `batch_starvation_s` and none is running."""
        if self._busy_batch or self._heap[0].is_batch:
            return None
        waiting = [(t.queued_at, i) for i, t in enumerate(self._heap) if t.is_batch]
        if not waiting:
            return None
        queued_at, index = min(waiting)
        return index if self._clock() - queued_at >= self.batch_starvation_s else None

    def _next_task(self) -> _Task | None:
        with self._cond:
            while not self._runnable_locked():
                if self._closed and not self._heap:
                    return None
                self._cond.wait()
            starved = self._starved_batch_locked()
            if starved is None:
                task = heapq.heappop(self._heap)
            else:  # take it out of the heap and restore the heap's order
                task = self._heap[starved]
                self._heap[starved] = self._heap[-1]
                self._heap.pop()
                heapq.heapify(self._heap)
            self._busy += 1
            self._busy_batch += task.is_batch
            return task

    def _work(self) -> None:
        while True:
            task = self._next_task()
            if task is None:
                return
            try:
                if task.future.set_running_or_notify_cancel():
                    try:
                        task.future.set_result(task.fn())
                    except BaseException as exc:  # delivered to the caller through the future
                        task.future.set_exception(exc)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._busy_batch -= task.is_batch
                    self._cond.notify_all()

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking new work; queued tasks still run, then the threads end."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        if wait:
            for thread in self._threads:
                thread.join()
