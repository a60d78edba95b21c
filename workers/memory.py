"""Process memory readings, used to record what loading a model really cost."""

from __future__ import annotations

import gc
import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_pause_lock = threading.Lock()
_pausing_loads = 0
_resume_collection = False


def process_rss_mb() -> float:
    """Current resident set size of this process in MB (Linux /proc; peak RSS elsewhere)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's automatic garbage collection while a model loads, in every thread.

    A load's cost is read as the process RSS before and after it. A collection that the loader's allocations (or
    another thread's) set off mid-load frees earlier garbage and hides that cost, down to nothing. Pausing costs
    nothing; cyclic garbage made meanwhile waits for the next collection. Overlapping loads share one pause, and a
    collector someone else switched off stays off.
    """
    global _pausing_loads, _resume_collection
    with _pause_lock:
        if _pausing_loads == 0:
            _resume_collection = gc.isenabled()
            gc.disable()
        _pausing_loads += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pausing_loads -= 1
            if _pausing_loads == 0 and _resume_collection:
                gc.enable()
