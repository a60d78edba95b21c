"""Start-up work that fills a cache or loads a model in the background (the modules' start-up hooks), so the gateway
answers at once and the first request finds the work done."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from workers import PoolClosed

log = logging.getLogger(__name__)


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
