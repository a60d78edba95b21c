"""Start-up work that fills a cache or loads a model in the background (the modules' start-up hooks), so the gateway
answers at once and the first request finds the work done."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from workers import PoolClosed

log = logging.getLogger(__name__)
IDLE_POLL_S = 0.25


def in_background(name: str, work: Callable[[], str]) -> None:
    """Run `work` in a daemon thread named `name` and log what it reports. A pool closed by the gateway's shutdown
    stops it quietly (nothing is lost); any other failure is logged, never raised: the requests it prepares for
    report their own errors."""

    def run() -> None:
        try:
            done = work()
        except PoolClosed:
            log.info("%s stopped: the gateway is shutting down", name)
        except Exception:
            log.exception("%s failed", name)
        else:
            log.info("%s: %s", name, done)

    threading.Thread(target=run, name=name, daemon=True).start()


def pool_idle(pool: Any) -> bool:
    """Whether the model pool runs and queues no call on any device. A backend that cannot say counts as idle: start-up
    work is never held back for good."""
    try:
        devices = pool.status().devices
    except Exception:  # a closed or remote pool: the work's own call will say what is wrong
        return True
    return all(device.busy == 0 and device.queued == 0 for device in devices)


def wait_for_idle_pool(pool: Any, poll_s: float = IDLE_POLL_S) -> None:
    """Block until the pool is idle: start-up work that is made of many small calls (the voice bots' prompts) waits
    between them for requests to finish. Batch priority alone orders the queue; it does not keep a call that starts
    between two of a request's calls from sharing the cores with them (a recording that arrived right after
    /readyz took 20.7 s against 16.6 s for the next one, the bots' prompts still being spoken)."""
    while not pool_idle(pool):
        time.sleep(poll_s)
