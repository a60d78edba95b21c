"""Start-up work that fills a cache or loads a model in the background (the modules' start-up hooks), so the gateway
answers at once and the first request finds the work done.

The work belongs to the app that started it: the gateway's shutdown tells it to stop and waits for it. Work left
running past its app (a pool the app does not own keeps serving it) would still be inside a model's native code when
the interpreter exits, which aborts the process ("terminate called without an active exception")."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from workers import PoolClosed

log = logging.getLogger(__name__)
IDLE_POLL_S = 0.25
JOIN_TIMEOUT_S = 30.0  # one unit of start-up work (a prompt spoken, a model loaded) ends well within this


class BackgroundWork:
    """The start-up work of one app, each piece on a daemon thread, all stopped together by `stop` and `join`."""

    def __init__(self) -> None:
        self.stopping = threading.Event()  # the work checks it between its units
        self._threads: list[threading.Thread] = []

    def start(self, name: str, work: Callable[[threading.Event], str]) -> threading.Thread:
        """Run `work(stopping)` on a daemon thread named `name` and log what it reports. A stop asked for, or a pool
        closed by the gateway's shutdown, ends it quietly (nothing is lost); any other failure is logged, never
        raised: the requests it prepares for report their own errors."""

        def run() -> None:
            try:
                done = work(self.stopping)
            except PoolClosed:
                log.info("%s stopped: the gateway is shutting down", name)
            except Exception:
                log.exception("%s failed", name)
            else:
                log.info("%s: %s", name, done)

        thread = threading.Thread(target=run, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def stop(self) -> None:
        """Ask every piece of work to stop after its current unit."""
        self.stopping.set()

    def join(self, timeout_s: float = JOIN_TIMEOUT_S) -> list[str]:
        """Stop the work and wait for it (`timeout_s` in all); the names of the threads still running after it."""
        self.stop()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        left = [t.name for t in self._threads if t.is_alive()]
        if left:
            log.warning("start-up work still running at shutdown: %s", ", ".join(left))
        return left


def pool_idle(pool: Any) -> bool:
    """Whether the model pool runs and queues no call on any device. A backend that cannot say counts as idle: start-up
    work is never held back for good."""
    try:
        devices = pool.status().devices
    except Exception:  # a closed or remote pool: the work's own call will say what is wrong
        return True
    return all(device.busy == 0 and device.queued == 0 for device in devices)


def wait_for_idle_pool(pool: Any, poll_s: float = IDLE_POLL_S, stop: threading.Event | None = None) -> bool:
    """Block until the pool is idle (True) or `stop` is set (False): start-up work that is made of many small calls
    (the voice bots' prompts) waits between them for requests to finish. Batch priority alone orders the queue; it
    does not keep a call that starts between two of a request's calls from sharing the cores with them (a recording
    that arrived right after /readyz took 20.7 s against 16.6 s for the next one, the bots' prompts still being
    spoken)."""
    stop = stop or threading.Event()  # none given: one that is never set, so the wait is a plain sleep
    while not pool_idle(pool):
        if stop.wait(poll_s):
            return False
    return not stop.is_set()
