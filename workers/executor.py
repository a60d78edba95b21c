"""One executor per device: worker threads that take tasks from a priority queue.

Interactive tasks queued after batch tasks still run first; tasks of equal priority
run in arrival order.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from workers.errors import PoolClosed

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Task:
    priority: int
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    future: Future = field(compare=False)


_STOP = object()


class DeviceExecutor:
    def __init__(self, device: str, threads: int = 1) -> None:
        self.device = device
        self._queue: queue.PriorityQueue[_Task] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._closed = False
        self._lock = threading.Lock()
        self._busy = 0
        self._threads = [
            threading.Thread(target=self._work, name=f"voxgate-{device}-{i}", daemon=True) for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], Any], priority: int) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise PoolClosed(f"executor for {self.device} is shut down")
            self._queue.put(_Task(int(priority), next(self._seq), fn, future))
        return future

    def queued(self) -> int:
        return self._queue.qsize()

    def busy(self) -> int:
        return self._busy

    def _work(self) -> None:
        while True:
            task = self._queue.get()
            if task.fn is _STOP:
                return
            if not task.future.set_running_or_notify_cancel():
                continue  # cancelled while waiting
            with self._lock:
                self._busy += 1
            try:
                task.future.set_result(task.fn())
            except BaseException as exc:  # delivered to the caller through the future
                task.future.set_exception(exc)
            finally:
                with self._lock:
                    self._busy -= 1

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for _ in self._threads:
                # Stop markers sort after every real task so queued work finishes first.
                self._queue.put(_Task(1 << 30, next(self._seq), _STOP, Future()))  # type: ignore[arg-type]
        if wait:
            for thread in self._threads:
                thread.join()
