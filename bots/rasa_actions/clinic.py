"""Clinic assistant actions: form validation, book / move / cancel appointments, handoff to reception."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import store
from .parse import OPENING_HOURS, clean_name, is_open, parse_date, parse_time

BOT = "clinic"
Slots = dict[str, Any]


def _engine():  # noqa: ANN202 - an SQLAlchemy Engine, created once per process
    if not hasattr(_engine, "cached"):
        _engine.cached = store.connect()
    return _engine.cached


class _DateTimeValidation:
    """Date and time checks shared by the booking and moving forms."""

    def validate_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        day = parse_date(str(value or ""), date.today())
        if day is None:
            dispatcher.utter_message(text="Sorry, I didn't get the date. Try 'tomorrow', 'Friday' or '14 March'.")
            return {"date": None}
        if day < date.today():
            dispatcher.utter_message(text="That date has passed; please pick a future day.")
            return {"date": None}
        if day.weekday() not in OPENING_HOURS:
            dispatcher.utter_message(text="We're closed on Sundays. Which other day would suit you?")
            return {"date": None}
        return {"date": day.isoformat()}

    def validate_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        at = parse_time(str(value or ""))
        if at is None:
            dispatcher.utter_message(text="Sorry, I didn't get the time. Try '10am' or '14:30'.")
            return {"time": None}
        day_text = tracker.get_slot("date")
        if day_text and not is_open(date.fromisoformat(day_text), at):
            opens, closes = OPENING_HOURS[date.fromisoformat(day_text).weekday()]
            dispatcher.utter_message(
                text=f"We're not open then; that day we see patients {opens:%H:%M}-{closes:%H:%M}. What time instead?"
            )
            return {"time": None}
        return {"time": at.strftime("%H:%M")}


class ValidateAppointmentForm(_DateTimeValidation, FormValidationAction):
    def name(self) -> str:
        return "validate_appointment_form"

    def validate_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        name = clean_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(text="Please tell me your first and last name.")
        return {"name": name}

    def validate_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        reason = str(value or "").strip()
        if len(reason) < 3:
            dispatcher.utter_message(text="A few words about the reason help the doctor prepare.")
            return {"reason": None}
        return {"reason": reason[:500]}


class ValidateMoveForm(_DateTimeValidation, FormValidationAction):
    def name(self) -> str:
        return "validate_move_form"

    def validate_appointment_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return _existing_ref(value, dispatcher)


class ValidateCancelForm(FormValidationAction):
    def name(self) -> str:
        return "validate_cancel_form"

    def validate_appointment_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return _existing_ref(value, dispatcher)


def _existing_ref(value: Any, dispatcher: CollectingDispatcher) -> Slots:
    text = str(value or "").strip().upper().replace(" ", "")
    digits = "".join(ch for ch in text if ch.isalnum())
    ref = f"A-{digits[1:]}" if digits.startswith("A") else f"A-{digits}"
    found = store.find_appointment(_engine(), ref)
    if found is None or found["status"] == "cancelled":
        dispatcher.utter_message(text=f"I can't find an active appointment with the reference {ref}. Please check it.")
        return {"appointment_ref": None}
    return {"appointment_ref": ref}


class ActionBookAppointment(Action):
    def name(self) -> str:
        return "action_book_appointment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slots = {key: tracker.get_slot(key) for key in ("name", "date", "time", "reason")}
        ref = store.add_appointment(_engine(), bot=BOT, sender_id=tracker.sender_id, **slots)
        when = date.fromisoformat(slots["date"]).strftime("%A %d %B %Y")
        dispatcher.utter_message(
            text=f"Booked: {slots['name']} on {when} at {slots['time']} ({slots['reason']}). Your reference is {ref}."
        )
        return [AllSlotsReset()]


class ActionMoveAppointment(Action):
    def name(self) -> str:
        return "action_move_appointment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ref, day, at = (tracker.get_slot(key) for key in ("appointment_ref", "date", "time"))
        if store.update_appointment(_engine(), ref, date=day, time=at, status="moved"):
            when = date.fromisoformat(day).strftime("%A %d %B %Y")
            dispatcher.utter_message(text=f"Done: appointment {ref} is now on {when} at {at}.")
        else:
            dispatcher.utter_message(text=f"I couldn't move {ref}; it may have been cancelled.")
        return [AllSlotsReset()]


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ref = tracker.get_slot("appointment_ref")
        if store.update_appointment(_engine(), ref, status="cancelled"):
            dispatcher.utter_message(text=f"Appointment {ref} is cancelled. Thank you for letting us know.")
        else:
            dispatcher.utter_message(text=f"Appointment {ref} was already cancelled.")
        return [AllSlotsReset()]


class ActionClinicHandoff(Action):
    def name(self) -> str:
        return "action_clinic_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        last = tracker.latest_message.get("text") or "asked for a person"
        ref = store.add_ticket(
            _engine(), bot=BOT, sender_id=tracker.sender_id, kind="handoff", priority="normal", summary=last[:1000]
        )
        dispatcher.utter_message(
            text=f"I've asked our reception team to pick up this conversation (ticket {ref}). "
            "During opening hours someone will reply within a few minutes.",
            json_message={"handoff": True, "ticket": ref},
        )
        return [AllSlotsReset()]
