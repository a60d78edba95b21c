"""One executor per device: worker threads that take tasks from a priority queue.

Interactive tasks queued after batch tasks still run first; tasks of equal priority
run in arrival order. Ordering alone is not enough when batch tasks last minutes
(a long recording), so batch work may occupy at most `threads - reserved` threads:
the reserved threads stay free for interactive and normal requests.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from workers.errors import PoolClosed
from workers.spec import Priority

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Task:
    priority: int
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    future: Future = field(compare=False)

    @property
    def is_batch(self) -> bool:
        return self.priority >= Priority.BATCH


class DeviceExecutor:
    def __init__(self, device: str, threads: int = 1, reserved_for_interactive: int = 1) -> None:
        self.device = device
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
            heapq.heappush(self._heap, _Task(int(priority), next(self._seq), fn, future))
            self._cond.notify_all()
        return future

    def queued(self) -> int:
        with self._cond:
            return len(self._heap)

    def busy(self) -> int:
        return self._busy

    def _runnable_locked(self) -> bool:
        # The heap top is the most urgent task: if it is batch work, everything queued is.
        return bool(self._heap) and (not self._heap[0].is_batch or self._busy_batch < self.batch_limit)

    def _next_task(self) -> _Task | None:
        with self._cond:
            while not self._runnable_locked():
                if self._closed and not self._heap:
                    return None
                self._cond.wait()
            task = heapq.heappop(self._heap)
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
