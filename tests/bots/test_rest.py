"""Whole conversations through the gateway's Rasa REST channel, against the real Rasa servers and action server."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bots.rasa_actions import store
from tests.bots.conftest import requires_rasa, say, texts

pytestmark = [requires_rasa, pytest.mark.slow]


def next_weekday(start: date) -> date:
    day = start + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_list_bots(bots_gateway) -> None:
    bots = {b["name"]: b for b in bots_gateway.client.get("/v1/bots").json()}
    assert set(bots) == {"clinic", "contact-centre"}
    assert bots["clinic"]["ready"] and bots["clinic"]["rest_url"] == "/v1/bots/clinic/webhooks/rest/webhook"


def test_greeting_has_buttons(bots_gateway) -> None:
    replies = say(bots_gateway.client, "clinic", f"t-{uuid.uuid4().hex}", "hello there")
    assert replies[0]["recipient_id"].startswith("t-")
    titles = [b["title"] for b in replies[0]["buttons"]]
    assert "Book an appointment" in titles


def test_book_an_appointment_end_to_end(bots_gateway, bots_db) -> None:
    client, sender = bots_gateway.client, f"book-{uuid.uuid4().hex}"
    assert "name" in texts(say(client, "clinic", sender, "I'd like to book an appointment with a doctor")).lower()
    assert "day" in texts(say(client, "clinic", sender, "my name is Jane Smith")).lower()
    day = next_weekday(date.today())
    assert "time" in texts(say(client, "clinic", sender, day.strftime("%d %B %Y"))).lower()
    assert "reason" in texts(say(client, "clinic", sender, "10:30")).lower()
    confirmation = texts(say(client, "clinic", sender, "a sore throat for a week"))
    assert "Booked: Jane Smith" in confirmation, confirmation
    with bots_db.connect() as conn:
        row = conn.execute(select(store.appointments).where(store.appointments.c.sender_id == sender)).mappings().one()
    assert (row["name"], row["date"], row["time"], row["status"]) == ("Jane Smith", day.isoformat(), "10:30", "booked")
    assert row["reason"] == "a sore throat for a week" and row["ref"] in confirmation

    # then cancel it by its reference, in a new conversation
    other = f"cancel-{uuid.uuid4().hex}"
    assert "reference" in texts(say(client, "clinic", other, "I need to cancel my appointment")).lower()
    assert "cancelled" in texts(say(client, "clinic", other, row["ref"])).lower()
    assert store.find_appointment(bots_db, row["ref"])["status"] == "cancelled"


def test_booking_rejects_sunday_and_closed_hours(bots_gateway) -> None:
    client, sender = bots_gateway.client, f"closed-{uuid.uuid4().hex}"
    say(client, "clinic", sender, "can I make an appointment")
    say(client, "clinic", sender, "Ahmed Khan")
    assert "closed on sundays" in texts(say(client, "clinic", sender, "sunday")).lower()


def test_order_status_with_a_number(bots_gateway, bots_db) -> None:
    store.put_order(bots_db, "ORD-48151", "shipped", "DHL", "2030-02-01")
    replies = say(bots_gateway.client, "contact-centre", f"o-{uuid.uuid4().hex}", "where is my order ORD-48151?")
    assert "Order ORD-48151 has shipped with DHL" in texts(replies)


def test_order_status_without_a_number_asks_for_it(bots_gateway, bots_db) -> None:
    store.put_order(bots_db, "ORD-62342", "processing", None, "2030-03-01")
    client, sender = bots_gateway.client, f"o-{uuid.uuid4().hex}"
    assert "order number" in texts(say(client, "contact-centre", sender, "has my parcel shipped yet")).lower()
    reply = texts(say(client, "contact-centre", sender, "it's 62342"))
    assert "ORD-62342 is being prepared" in reply, reply
    unknown = texts(say(client, "contact-centre", sender, "where is order ORD-99999"))
    assert "couldn't find order ORD-99999" in unknown


def test_complaint_is_escalated_and_stored(bots_gateway, bots_db) -> None:
    client, sender = bots_gateway.client, f"c-{uuid.uuid4().hex}"
    say(client, "contact-centre", sender, "I want to make a complaint")
    reply = texts(say(client, "contact-centre", sender, "third time the parcel came broken, I will call my lawyer"))
    assert "escalated" in reply
    with bots_db.connect() as conn:
        ticket = conn.execute(select(store.tickets).where(store.tickets.c.sender_id == sender)).mappings().one()
    assert (ticket["kind"], ticket["priority"], ticket["bot"]) == ("complaint", "escalated", "contact-centre")


def test_bad_input_gets_clear_errors(bots_gateway) -> None:
    client = bots_gateway.client
    url = "/v1/bots/clinic/webhooks/rest/webhook"
    unknown = client.post("/v1/bots/nope/webhooks/rest/webhook", json={"sender": "a", "message": "hi"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_bot"
    empty = client.post(url, json={"sender": "a", "message": ""})
    assert empty.status_code == 422 and empty.json()["error"]["param"] == "message"
    huge = client.post(url, json={"sender": "a", "message": "x" * 100_000})
    assert huge.status_code == 422 and "message" in huge.json()["error"]["message"]
    broken = client.post(url, content=b'{"sender": "a", "message": ', headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "malformed_json"
    assert say(client, "clinic", "a", "hello")  # and the bot still answers


def test_cors_preflight_and_widget_script(bots_gateway) -> None:
    client = bots_gateway.client
    pre = client.options(
        "/v1/bots/clinic/webhooks/rest/webhook",
        headers={"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "https://clinic.example"
    script = client.get("/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "webhooks/rest/webhook" in script.text


def test_conversations_are_per_tenant(bots_gateway) -> None:
    """The same sender id under two tenants is two conversations: one tenant's open form is not another's."""
    client, sender = bots_gateway.client, f"shared-{uuid.uuid4().hex}"

    def say_as(tenant: str, message: str) -> list[dict]:
        response = client.post(
            "/v1/bots/clinic/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers={"X-Tenant": tenant},
        )
        assert response.status_code == 200, response.text
        return response.json()

    opened = say_as("clinic-a", "I'd like to book an appointment with a doctor")
    assert "name" in texts(opened).lower()
    assert all(r["recipient_id"] == sender for r in opened)  # the namespace never shows
    # Tenant b's conversation with the same id has no booking form open: its name is not taken as the answer.
    assert "day" not in texts(say_as("clinic-b", "my name is Jane Smith")).lower()
    assert "day" in texts(say_as("clinic-a", "my name is Jane Smith")).lower()
