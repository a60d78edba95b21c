"""The assistants as a service: their Rasa servers (sidecars, or servers run elsewhere) and one call to ask a
bot. Transport-free: the gateway's REST and socket.io channels, keys and CORS sit on top of this."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from bots.channel import to_rest
from bots.projects import list_projects
from bots.sessions import DEFAULT_SESSION_TURNS, TurnCounter, rollover_events, user_turns
from bots.sidecar import BotSidecars, BotStatus, SidecarConfig

RASA_TIMEOUT_S = 30.0

log = logging.getLogger(__name__)


def _tracker_url(url: str, rasa_sender: str) -> str:
    """Rasa's HTTP API address of one conversation's tracker."""
    return f"{url}/conversations/{quote(rasa_sender, safe='')}/tracker"


class BotUnavailable(Exception):
    """The bot's Rasa server cannot answer now (starting, restarting, down); the message says why."""


class BotService:
    """`namespace()` names the caller's conversation namespace (the gateway passes its tenant; None = the shared
    one): Rasa keeps one tracker per sender id, so the same sender id in two namespaces must be two conversations,
    or one tenant could read and steer another's. The namespace never shows in what callers get back.

    A sidecar's conversation longer than `session_turns` turns is rolled into a new Rasa session (bots/sessions.py;
    0 = never); a server run elsewhere keeps its own session settings (its API token is not ours)."""

    def __init__(
        self,
        sidecars: SidecarConfig,
        external_urls: dict[str, str] | None = None,
        namespace: Callable[[], str | None] | None = None,
        session_turns: int = DEFAULT_SESSION_TURNS,
    ) -> None:
        self.namespace = namespace or (lambda: None)
        self.turns = TurnCounter(session_turns)
        self._rolling: set[tuple[str, str]] = set()  # conversations being moved now (one move, not one per request)
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
        rasa_sender = self.rasa_sender(sender)
        if bot not in self.external_urls and self.turns.due(bot, rasa_sender):
            await self._roll_over_if_long(bot, url, rasa_sender)
        body: dict[str, Any] = {"sender": rasa_sender, "message": message}
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
            response = await self.http.get(_tracker_url(url, self.rasa_sender(sender)), params=params)
        except httpx.HTTPError as exc:
            raise BotUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            raise BotUnavailable(f"Rasa tracker answered {response.status_code}")
        tracker = response.json()
        return {**tracker, "sender_id": sender} if isinstance(tracker, dict) and "sender_id" in tracker else tracker

    async def _roll_over_if_long(self, bot: str, url: str, rasa_sender: str) -> None:
        """Start a new session for a long conversation, unless a form is in progress (checked again next turn).
        Housekeeping: a failure is logged and the user's turn goes on in the old session."""
        if (bot, rasa_sender) in self._rolling:
            return
        self._rolling.add((bot, rasa_sender))
        path = _tracker_url(url, rasa_sender)
        token = {"token": self.sidecars.api_token}
        try:
            response = await self.http.get(path, params={**token, "include_events": "AFTER_RESTART"})
            response.raise_for_status()
            tracker = response.json()
            turns = user_turns(tracker.get("events") or [])
            if turns <= self.turns.session_turns:  # a session Rasa started itself (an hour's silence) is short
                self.turns.reset(bot, rasa_sender, turns)
                return
            events = rollover_events(tracker)
            if events is None:
                return
            appended = await self.http.post(f"{path}/events", params={**token, "include_events": "NONE"}, json=events)
            appended.raise_for_status()
            self.turns.reset(bot, rasa_sender, user_turns(events))
        except (httpx.HTTPError, ValueError, AttributeError) as exc:  # also a reply that is not a tracker
            log.warning("bots: %s: no new session for a long conversation (%s)", bot, exc)
            self.turns.reset(bot, rasa_sender, 0)
        finally:
            self._rolling.discard((bot, rasa_sender))

    def rasa_sender(self, sender: str) -> str:
        """The sender id Rasa sees: the caller's, prefixed with its namespace when there is one."""
        namespace = self.namespace()
        return f"{namespace}~{sender}" if namespace else sender

    async def close(self) -> None:
        await asyncio.to_thread(self.sidecars.stop)
        await self.http.aclose()
