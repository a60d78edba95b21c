"""CPU seconds per stage of one page read, for the bench (Page.cpu_seconds). A stage opened inside another
(an engine's second reading inside "recognize") is counted on its own and not again in the outer one."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar

_CURRENT: ContextVar[Stages | None] = ContextVar("ocr_stages", default=None)


def cpu_now() -> float:
    """CPU seconds of this process and its finished children (the Tesseract subprocesses)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Stages:
    """With pages read side by side in one process, the children's share is approximate."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._inner: list[float] = []  # per open stage: seconds spent in stages opened inside it

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = cpu_now()
        self._inner.append(0.0)
        token = _CURRENT.set(self)
        try:
            yield
        finally:
            _CURRENT.reset(token)
            total = cpu_now() - start
            inner = self._inner.pop()
            self.seconds[name] = round(self.seconds.get(name, 0.0) + total - inner, 3)
            if self._inner:
                self._inner[-1] += total


def stage(name: str) -> AbstractContextManager[None]:
    """A stage of the page being read, when one is (an engine called on its own records nothing)."""
    current = _CURRENT.get()
    return current(name) if current is not None else nullcontext()
