"""A live socket's receiver and processor, run together until both end."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

# How often a task that has not ended is cancelled again: asyncio.wait_for on Python 3.11 can swallow a
# cancellation that arrives as its inner wait completes, and a processor looping on wait_for would then run on,
# holding the socket open with its error never sent.
RECANCEL_S = 0.5


async def run_until_both_end(receiver: Coroutine[Any, Any, Any], processor: Coroutine[Any, Any, Any]) -> None:
    """The receiver usually returns on `stop` and the processor then finishes; the first exception from either is
    raised, and whichever is still running then is cancelled (again until it ends) and awaited."""
    tasks = {asyncio.create_task(receiver), asyncio.create_task(processor)}
    try:
        while tasks:
            done, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
    finally:
        await cancel_until_ended(tasks)


async def cancel_until_ended(tasks: set[asyncio.Task]) -> None:
    while tasks:
        for task in tasks:
            task.cancel()
        done, tasks = await asyncio.wait(tasks, timeout=RECANCEL_S)
        for task in done:  # retrieved, so asyncio does not log them as never retrieved
            if not task.cancelled():
                task.exception()
