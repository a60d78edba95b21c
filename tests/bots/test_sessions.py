"""Long conversations rolled into a new Rasa session (bots/sessions.py): the events written, and through the real
gateway and Rasa sidecar, that a long conversation keeps answering right with a bounded session."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from bots.sessions import CARRIED, MAX_TRACKED_SENDERS, TurnCounter, rollover_events, user_turns
from tests.bots.conftest import requires_rasa, say, texts
from tests.bots.conversations import CLINIC_BOOKING


def turn(intent: str, text: str, bot_action: str, reply: str, at: float) -> list[dict]:
    """One turn as Rasa's tracker API lists it: the listen the user answered, the user, the bot's action and words."""
    return [
        {"event": "action", "name": "action_listen", "timestamp": at},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}, "timestamp": at + 0.1},
        {"event": "action", "name": bot_action, "timestamp": at + 0.2},
        {"event": "bot", "text": reply, "timestamp": at + 0.3},
    ]


def tracker(turns: int, active_loop: str | None = None) -> dict:
    events = [{"event": "action", "name": "action_session_start"}, {"event": "session_started", "timestamp": 1.0}]
    for i in range(turns):
        events += turn("greet", f"hello {i}", "utter_greet", f"hi {i}", 10.0 + i)
    events.append({"event": "action", "name": "action_listen", "timestamp": 99.0})
    return {
        "sender_id": "s",
        "slots": {"name": "Jane Smith", "date": None},
        "active_loop": {"name": active_loop} if active_loop else {},
        "events": events,
    }


def test_a_new_session_carries_the_slots_and_the_last_two_turns() -> None:
    events = rollover_events(tracker(12))
    assert events[:2] == [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"name": "Jane Smith", "date": None}  # every slot, unset ones too: the state exactly
    carried = [e for e in events if (e.get("metadata") or {}).get(CARRIED)]
    assert [e["text"] for e in carried if e["event"] == "user"] == ["hello 10", "hello 11"]
    assert carried[0]["name"] == "action_listen"  # the turn starts where the user was listened to
    assert carried[-1]["name"] == "action_listen"  # and the session ends waiting for the user, as it was
    assert user_turns(events) == 2
    # Rasa stamps them as it appends them, after the new session's start (its SQL store finds a session by time)
    assert not any("timestamp" in e for e in events)
    assert not any(e["event"] == "session_started" for e in events[2:])


def test_no_new_session_inside_a_form() -> None:
    assert rollover_events(tracker(40, active_loop="appointment_form")) is None


def test_a_short_session_is_carried_whole() -> None:
    events = rollover_events(tracker(1))
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello 0"]
    listens = [i for i, e in enumerate(events) if e.get("name") == "action_listen"]
    assert events[listens[0] + 1]["event"] == "user"  # exactly one listen before the carried user turn


def test_turns_are_counted_per_conversation_and_bounded() -> None:
    counter = TurnCounter(session_turns=3)
    assert [counter.due("clinic", "a") for _ in range(4)] == [False, False, False, True]
    assert not counter.due("clinic", "b") and not counter.due("contact-centre", "a")
    counter.reset("clinic", "a", 2)
    assert [counter.due("clinic", "a") for _ in range(2)] == [False, True]
    for i in range(MAX_TRACKED_SENDERS + 5):
        counter.due("clinic", f"many-{i}")
    assert len(counter._turns) == MAX_TRACKED_SENDERS
    assert not any(TurnCounter(0).due("clinic", "a") for _ in range(100))  # 0: never


@requires_rasa
def test_a_long_conversation_moves_to_new_sessions_and_still_answers_right(bots_gateway) -> None:
    """Five bookings in one conversation (40 turns, the default 30 a session): every reply is the right one, no
    form is cut, the current session stays short, and the whole history is still in Rasa's tracker store."""
    client, sender = bots_gateway.client, f"long-{uuid.uuid4().hex}"
    for cycle in range(5):
        for message, expected in CLINIC_BOOKING:
            reply = texts(say(client, "clinic", sender, message))
            assert expected.lower() in reply.lower(), (cycle, message, reply)

    db = Path(bots_gateway.tmp) / "bots" / "clinic-tracker.db"  # type: ignore[attr-defined]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    sessions = [i for i, (kind, _) in enumerate(rows) if kind == "session_started"]
    assert len(sessions) >= 2, "a 40-turn conversation should have moved to a new session"
    last_session = rows[sessions[-1] :]
    assert user_turns([{"event": kind} for kind, _ in last_session]) <= 30 + 2
    users = [json.loads(data) for kind, data in rows if kind == "user"]
    fresh = [u for u in users if not (u.get("metadata") or {}).get(CARRIED)]
    assert [u["text"] for u in fresh] == [m for m, _ in CLINIC_BOOKING] * 5  # history whole, the repeats marked
