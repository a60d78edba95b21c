"""Rasa's socket.io channel events through the gateway, with a real python-socketio client."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from tests.bots.conftest import requires_rasa

pytestmark = [requires_rasa, pytest.mark.slow]


async def converse(
    url: str, bot: str, session_id: str, messages: list[str], headers: dict[str, str] | None = None
) -> tuple[str, list[list[dict]]]:
    client = socketio.AsyncClient()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    inbox: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    client.on("bot_uttered", inbox.put_nowait)
    await client.connect(url, socketio_path=f"/v1/bots/{bot}/socket.io", transports=["websocket"], headers=headers)
    await client.emit("session_request", {"session_id": session_id})
    sid = await asyncio.wait_for(confirmed, 10)
    turns: list[list[dict]] = []
    for message in messages:
        await client.emit("user_uttered", {"message": message, "session_id": sid})
        turn = [await asyncio.wait_for(inbox.get(), 60)]
        await asyncio.sleep(0.5)  # replies with several parts arrive as several events
        while not inbox.empty():
            turn.append(inbox.get_nowait())
        turns.append(turn)
    await client.disconnect()
    return sid, turns


def test_socketio_conversation(bots_gateway) -> None:
    session_id = f"sio-{uuid.uuid4().hex}"
    sid, turns = asyncio.run(converse(bots_gateway.url, "contact-centre", session_id, ["hi", "/billing_question"]))
    assert sid == session_id
    greeting = turns[0][0]
    assert "customer service assistant" in greeting["text"]
    assert {"content_type": "text", "title": "Where is my order?", "payload": "/order_status"} in greeting[
        "quick_replies"
    ]
    assert "billing" in turns[1][0]["text"].lower()


def test_socketio_conversations_are_per_tenant(bots_gateway) -> None:
    """The same session id under two tenants (X-Tenant, keys off) is two Rasa conversations."""
    session_id = f"sio-shared-{uuid.uuid4().hex}"

    def turns_as(tenant: str, messages: list[str]) -> str:
        _, turns = asyncio.run(converse(bots_gateway.url, "clinic", session_id, messages, {"X-Tenant": tenant}))
        return " | ".join(part.get("text", "") for part in turns[-1]).lower()

    assert "name" in turns_as("sio-a", ["I'd like to book an appointment with a doctor"])
    assert "day" not in turns_as("sio-b", ["my name is Jane Smith"])
    assert "day" in turns_as("sio-a", ["my name is Jane Smith"])


def test_socketio_refuses_a_tenant_name_the_gateway_would(bots_gateway) -> None:
    """The socket.io channel runs the gateway's own tenant check: with keys off, X-Tenant must be a valid name."""

    async def attempt() -> None:
        client = socketio.AsyncClient()
        await client.connect(bots_gateway.url, socketio_path="/v1/bots/clinic/socket.io", transports=["polling"],
                             headers={"X-Tenant": "not a tenant!"})  # fmt: skip

    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(attempt())


def test_socketio_rejects_unknown_bot(bots_gateway) -> None:
    async def attempt() -> None:
        client = socketio.AsyncClient()
        await client.connect(bots_gateway.url, socketio_path="/v1/bots/nope/socket.io", transports=["polling"])

    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(attempt())
