"""Long conversations rolled into a new Rasa session.

Rasa rebuilds a conversation from every event of its current session on each message (the SQL tracker store reads
them back and deserialises each one; the rule policy replays them all to find the dialogue state), so a turn's cost
grows with the session's length: one sender's 200th turn takes ~1.2 s on an idle 2-core machine against 0.04 s for
a fresh one. A chat widget or a soak client that keeps one sender id for hundreds of turns (Rasa only starts a new
session after an hour of silence) would slow down without bound. So after `session_turns` turns the gateway starts a
new session for that sender, between two turns and never inside a form: the events Rasa's own session start would
write (its `action_session_start`, `session_started`, every slot's current value), then the last `CARRY_TURNS`
turns again (marked `voxgate_carried_over` in their metadata) so that the rules and memoization still see what was
just said. Nothing is lost: the earlier sessions stay in the tracker store (Rasa's full-tracker reads and exports
still have them)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

DEFAULT_SESSION_TURNS = 30  # a conversation's turns before it moves to a new session (VOXGATE_BOTS_SESSION_TURNS)
CARRY_TURNS = 2  # the rule and memoization policies look back a few states; two turns cover them
MAX_TRACKED_SENDERS = 10_000  # turn counts kept per sender (least recently used dropped: it just counts again)
CARRIED = "voxgate_carried_over"  # in a carried event's metadata
SESSION_EVENTS = {"session_started", "restart"}  # not carried, nor action_session_start: they would end the new one


def user_turns(events: list[dict[str, Any]]) -> int:
    return sum(1 for e in events if e.get("event") == "user")


def rollover_events(tracker: dict[str, Any], carry_turns: int = CARRY_TURNS) -> list[dict[str, Any]] | None:
    """The events that start a new session carrying the conversation's state over, for Rasa's append-events API;
    None while a form is active (its progress lives in the session). Timestamps are left out so that Rasa stamps
    them now, after the new session's start: its SQL store finds a session's events by timestamp."""
    if (tracker.get("active_loop") or {}).get("name"):
        return None
    events = tracker.get("events") or []
    starts = [i for i, e in enumerate(events) if e.get("event") == "user"]
    carried: list[dict[str, Any]] = []
    if starts and carry_turns > 0:
        first = starts[-carry_turns] if len(starts) >= carry_turns else starts[0]
        if first > 0 and events[first - 1].get("event") == "action":  # the action_listen the user answered
            first -= 1
        carried = [_carried(e) for e in events[first:] if not _ends_session(e)]
    slots = [{"event": "slot", "name": name, "value": value} for name, value in (tracker.get("slots") or {}).items()]
    return [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        *slots,
        *([] if carried and carried[0].get("name") == "action_listen" else [_listen()]),
        *carried,
    ]


def _listen() -> dict[str, Any]:
    return {"event": "action", "name": "action_listen"}


def _ends_session(event: dict[str, Any]) -> bool:
    return event.get("event") in SESSION_EVENTS or event.get("name") == "action_session_start"


def _carried(event: dict[str, Any]) -> dict[str, Any]:
    """A copy for the new session, marked so that exports of the whole history can leave the repeat out."""
    copy = {k: v for k, v in event.items() if k != "timestamp"}
    copy["metadata"] = {**(event.get("metadata") or {}), CARRIED: True}
    return copy


class TurnCounter:
    """Turns asked per conversation since its session last rolled over (in memory: after a gateway restart a long
    conversation counts again from zero, so it rolls over at most one `session_turns` later)."""

    def __init__(self, session_turns: int) -> None:
        self.session_turns = session_turns
        self._turns: OrderedDict[tuple[str, str], int] = OrderedDict()

    def due(self, bot: str, sender: str) -> bool:
        """Count one more turn; True when the conversation should be checked for a rollover before it."""
        if self.session_turns <= 0:
            return False
        key = (bot, sender)
        self._turns[key] = self._turns.pop(key, 0) + 1
        while len(self._turns) > MAX_TRACKED_SENDERS:
            self._turns.popitem(last=False)
        return self._turns[key] > self.session_turns

    def reset(self, bot: str, sender: str, turns: int) -> None:
        """The session now holds `turns` turns (after a rollover: the carried ones; else what the check found)."""
        self._turns[(bot, sender)] = turns
