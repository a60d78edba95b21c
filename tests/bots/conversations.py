"""Whole conversations with the clinic bot and what each reply must say, shared by the tests and the soak."""

from __future__ import annotations

# Greeting, a question, a booking through the form, goodbye: (message, a phrase its reply must hold)
CLINIC_BOOKING: list[tuple[str, str]] = [
    ("hello", "clinic assistant"),
    ("what are your opening hours?", "open"),
    ("I would like to book an appointment", "name"),
    ("Jane Smith", "day"),
    ("next Tuesday", "time"),
    ("10:30", "reason"),
    ("a check-up", "Booked: Jane Smith"),
    ("thank you, goodbye", "goodbye"),
]
