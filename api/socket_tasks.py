"""A live socket's receiver and processor, run together until both end."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


async def run_until_both_end(receiver: Coroutine[Any, Any, Any], processor: Coroutine[Any, Any, Any]) -> None:
    """The receiver usually returns on `stop` and the processor then finishes; the first exception from either is
    raised, and whichever is still running then is cancelled and awaited."""
    tasks = [asyncio.create_task(receiver), asyncio.create_task(processor)]
    try:
        while tasks:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                tasks.remove(task)
                task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
