"""Dates, times and names as people type them in a chat, and the clinic's opening hours. Standard library only."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# weekday index -> (open, close); Sunday closed
OPENING_HOURS: dict[int, tuple[time, time]] = {
    **{day: (time(8, 0), time(18, 0)) for day in range(5)},
    5: (time(9, 0), time(13, 0)),
}
WORD_HOURS = {"noon": 12, "midday": 12}
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    )
}


def parse_date(text: str, today: date) -> date | None:
    t = text.lower().strip()
    if "today" in t:
        return today
    if "day after tomorrow" in t:
        return today + timedelta(days=2)
    if "tomorrow" in t:
        return today + timedelta(days=1)
    m = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", t)
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = re.search(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b", t)
    if m:  # day/month[/year], European order
        year = int(m[3]) if m[3] else today.year
        year = year + 2000 if year < 100 else year
        return _roll_forward(_safe_date(year, int(m[2]), int(m[1])), today, bool(m[3]))
    month = next((i + 1 for i, name in enumerate(MONTHS) if re.search(rf"\b{name}[a-z]*\b", t)), None)
    if month:
        m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", t)
        if m:
            return _roll_forward(_safe_date(today.year, month, int(m[1])), today, False)
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name[:3]}[a-z]*\b", t):
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _roll_forward(value: date | None, today: date, explicit_year: bool) -> date | None:
    if value is not None and value < today and not explicit_year:
        return _safe_date(value.year + 1, value.month, value.day)
    return value


def parse_time(text: str) -> time | None:
    t = text.lower().strip().replace(".", ":")
    for word, hour in WORD_HOURS.items():
        if word in t:
            return time(hour, 0)
    m = re.search(r"half past (\w+)", t)
    if m:
        hour = _hour_word(m[1])
        return _as_daytime(hour, 30, "pm" in t or "afternoon" in t) if hour is not None else None
    m = re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a m|p m)?\b", t)
    if not m:
        hour = next((NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", t) if w in NUMBER_WORDS), None)
        return _as_daytime(hour, 0, "afternoon" in t or "pm" in t) if hour is not None else None
    hour, minute, meridiem = int(m[1]), int(m[2] or 0), (m[3] or "").replace(" ", "")
    if hour > 23 or minute > 59:
        return None
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and not m[2]:
        return _as_daytime(hour, 0, "afternoon" in t or "evening" in t)
    return time(hour, minute)


def _hour_word(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _as_daytime(hour: int, minute: int, afternoon: bool) -> time | None:
    """'3' in a clinic chat means 15:00: hours 1-7 without am/pm are afternoon hours."""
    if hour > 23:
        return None
    if hour < 12 and (afternoon or 1 <= hour <= 7):
        hour += 12
    return time(hour, minute)


def is_open(day: date, at: time) -> bool:
    hours = OPENING_HOURS.get(day.weekday())
    return hours is not None and hours[0] <= at < hours[1]


def clean_name(text: str) -> str | None:
    t = re.sub(r"^(?:my name is|my name's|name is|i am|i'm|it's|it is|this is|under)\s+", "", text.strip(), flags=re.I)
    t = re.sub(r"[^\w\s'.-]", "", t).strip().rstrip(".").strip()
    words = t.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in t):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)
