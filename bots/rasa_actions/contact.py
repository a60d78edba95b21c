"""Contact-centre assistant actions: order status by order number, complaints with escalation, handoff."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import store

BOT = "contact-centre"
# Words that send a complaint straight to a supervisor.
ESCALATE = re.compile(
    r"\b(lawyer|legal|solicitor|court|ombudsman|unacceptable|disgrace|third time|again and again|cancel my account"
    r"|manager|supervisor|fraud|dangerous|injur\w*|weeks?)\b",
    re.I,
)
STATUS_TEXT = {
    "processing": "is being prepared in our warehouse",
    "shipped": "has shipped",
    "delivered": "was delivered",
    "cancelled": "was cancelled",
}


def _engine():  # noqa: ANN202 - an SQLAlchemy Engine, created once per process
    if not hasattr(_engine, "cached"):
        _engine.cached = store.connect()
    return _engine.cached


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = store.canonical_order_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(text="That doesn't look like an order number (4 to 10 digits, like ORD-10452).")
        return {"order_number": number}


class ActionOrderStatus(Action):
    def name(self) -> str:
        return "action_order_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        number = tracker.get_slot("order_number")
        order = store.find_order(_engine(), number) if number else None
        if order is None:
            dispatcher.utter_message(
                text=f"I couldn't find order {number}. Please check the number in your confirmation email, "
                "or ask for an agent.",
                buttons=[{"title": "Talk to an agent", "payload": "/human_handoff"}],
            )
        else:
            text = f"Order {number} {STATUS_TEXT.get(order['status'], order['status'])}"
            if order["carrier"]:
                text += f" with {order['carrier']}"
            if order["eta"] and order["status"] in ("processing", "shipped"):
                text += f"; expected delivery {order['eta']}"
            dispatcher.utter_message(text=text + ".")
        return [SlotSet("order_number", None)]


class ActionLogComplaint(Action):
    def name(self) -> str:
        return "action_log_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        details = str(tracker.get_slot("complaint_details") or "")
        opening = next((e.get("text") for e in tracker.events if e.get("event") == "user"), "") or ""
        escalated = bool(ESCALATE.search(details) or ESCALATE.search(opening))
        ref = store.add_ticket(
            _engine(),
            bot=BOT,
            sender_id=tracker.sender_id,
            kind="complaint",
            priority="escalated" if escalated else "normal",
            summary=details[:2000],
        )
        if escalated:
            text = f"I've escalated your complaint to a supervisor (ticket {ref}); they will call you within 4 hours."
        else:
            text = f"Thank you, your complaint is logged as ticket {ref}. Our team replies within 2 working days."
        dispatcher.utter_message(text=text, json_message={"ticket": ref, "escalated": escalated})
        return [SlotSet("complaint_details", None)]


class ActionContactHandoff(Action):
    def name(self) -> str:
        return "action_contact_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        last = tracker.latest_message.get("text") or "asked for an agent"
        ref = store.add_ticket(
            _engine(), bot=BOT, sender_id=tracker.sender_id, kind="handoff", priority="normal", summary=last[:1000]
        )
        dispatcher.utter_message(
            text=f"I'm connecting you to an agent (ticket {ref}). The current wait is about 5 minutes.",
            json_message={"handoff": True, "ticket": ref},
        )
        return []
