"""The assistants as a service: their Rasa servers (sidecars, or servers run elsewhere) and one call to ask a
bot. Transport-free: the gateway's REST and socket.io channels, keys and CORS sit on top of this."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from bots.channel import to_rest
from bots.projects import list_projects
from bots.sidecar import BotSidecars, BotStatus, SidecarConfig

RASA_TIMEOUT_S = 30.0


class BotUnavailable(Exception):
    """The bot's Rasa server cannot answer now (starting, restarting, down); the message says why."""


class BotService:
    """`namespace()` names the caller's conversation namespace (the gateway passes its tenant; None = the shared
    one): Rasa keeps one tracker per sender id, so the same sender id in two namespaces must be two conversations,
    or one tenant could read and steer another's. The namespace never shows in what callers get back."""

    def __init__(
        self,
        sidecars: SidecarConfig,
        external_urls: dict[str, str] | None = None,
        namespace: Callable[[], str | None] | None = None,
    ) -> None:
        self.namespace = namespace or (lambda: None)
        self.external_urls = dict(external_urls or {})
        self.sidecars = BotSidecars(sidecars)
        self.names = [p.name for p in list_projects()]
        self.http = httpx.AsyncClient(timeout=RASA_TIMEOUT_S)

    def start(self) -> None:
        """Start the sidecars (blocking; the gateway runs it off its event loop)."""
        self.sidecars.start()

    def rasa_url(self, bot: str) -> str | None:
        """Where the bot answers now: a configured external server, else its sidecar once ready."""
        return self.external_urls.get(bot) or self.sidecars.url(bot)

    def configured_url(self, bot: str) -> str | None:
        """The bot's server address whether or not it is ready (for benchmarks and debugging)."""
        return self.external_urls.get(bot) or self.sidecars.urls.get(bot)

    def status(self, bot: str) -> BotStatus:
        status = self.sidecars.status(bot)
        if bot in self.external_urls:
            status.state = "ready"
        return status

    async def ask(self, bot: str, sender: str, message: str, metadata: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The bot's replies to one user message; BotUnavailable when its Rasa server cannot answer."""
        url = self.rasa_url(bot)
        if url is None:
            raise BotUnavailable(self.sidecars.status(bot).state)
        body: dict[str, Any] = {"sender": self.rasa_sender(sender), "message": message}
        if metadata:
            body["metadata"] = metadata
        try:
            response = await self.http.post(f"{url}/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            raise BotUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            raise BotUnavailable(f"Rasa answered {response.status_code}")
        replies = to_rest(response.json())
        return [{**r, "recipient_id": sender} if "recipient_id" in r else r for r in replies]

    async def tracker(self, bot: str, sender: str) -> dict[str, Any]:
        """Rasa's tracker for one conversation (slots, the latest message's intent ranking, the active form), from
        the sidecar's HTTP API; BotUnavailable when it cannot answer (a server run elsewhere needs no token here)."""
        url = self.rasa_url(bot)
        if url is None:
            raise BotUnavailable(self.sidecars.status(bot).state)
        params = {} if bot in self.external_urls else {"token": self.sidecars.api_token}
        try:
            path = f"{url}/conversations/{quote(self.rasa_sender(sender), safe='')}/tracker"
            response = await self.http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise BotUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            raise BotUnavailable(f"Rasa tracker answered {response.status_code}")
        tracker = response.json()
        return {**tracker, "sender_id": sender} if isinstance(tracker, dict) and "sender_id" in tracker else tracker

    def rasa_sender(self, sender: str) -> str:
        """The sender id Rasa sees: the caller's, prefixed with its namespace when there is one."""
        namespace = self.namespace()
        return f"{namespace}~{sender}" if namespace else sender

    async def close(self) -> None:
        await asyncio.to_thread(self.sidecars.stop)
        await self.http.aclose()
