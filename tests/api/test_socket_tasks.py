"""run_until_both_end: the first error wins and the other task ends, even one that swallows a cancellation."""

from __future__ import annotations

import asyncio

import pytest

from api.socket_tasks import run_until_both_end


class Refused(Exception):
    pass


async def refuse_soon() -> None:
    await asyncio.sleep(0.05)
    raise Refused("too fast")


def test_the_receivers_error_is_raised_and_a_stubborn_processor_still_ends() -> None:
    swallowed = 0
    ended = asyncio.Event()

    async def processor() -> None:  # swallows the first cancellation, as wait_for can on Python 3.11
        nonlocal swallowed
        try:
            while True:
                try:
                    await asyncio.sleep(0.01)
                except asyncio.CancelledError:
                    if swallowed:
                        raise
                    swallowed += 1
        finally:
            ended.set()

    async def scenario() -> None:
        with pytest.raises(Refused):
            await asyncio.wait_for(run_until_both_end(refuse_soon(), processor()), 5)
        assert ended.is_set() and swallowed == 1

    asyncio.run(scenario())


def test_both_ending_normally_returns() -> None:
    order: list[str] = []

    async def receiver() -> None:
        order.append("stop received")

    async def processor() -> None:
        await asyncio.sleep(0.05)
        order.append("note sent")

    asyncio.run(run_until_both_end(receiver(), processor()))
    assert order == ["stop received", "note sent"]


def test_the_processors_error_is_raised_and_the_receiver_is_cancelled() -> None:
    cancelled = asyncio.Event()

    async def receiver() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def scenario() -> None:
        with pytest.raises(Refused):
            await run_until_both_end(receiver(), refuse_soon())
        assert cancelled.is_set()

    asyncio.run(scenario())
