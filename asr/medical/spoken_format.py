"""Spoken-punctuation formatting of dictated text: spoken punctuation and commands, doses and units, vitals.

Rules, not a model: each one is a regular expression applied in order over the whole
text. Whisper often writes punctuation itself, so every spoken mark also swallows the
marks Whisper put around the spoken word ("comma, ." -> ",").
"""
# ruff: noqa: E501  (regular-expression tables read better unwrapped)

from __future__ import annotations

import re
from collections.abc import Callable

from asr.medical.numbers import NUMBER_PATTERN, to_digits

_NUM = rf"(?P<num>{NUMBER_PATTERN})"
_P = r"[ \t,.;:]*"  # the punctuation Whisper may already have put around a spoken mark

# "period" is also a word ("a period of two weeks", "menstrual period"): a mark only when not
# preceded by a determiner/modifier and not followed by "of".
_NOT_WORD_PERIOD = r"(?<!\ba )(?<!\bthe )(?<!\bthis )(?<!\bthat )(?<!\bmenstrual )(?<!\bher )(?<!\bmy )(?<!\btime )"
SPOKEN_MARKS: list[tuple[str, str]] = [
    (r"new paragraph|next paragraph", "\n\n"),
    (r"new line|next line", "\n"),
    (r"question mark", "?"),
    (r"exclamation (?:point|mark)", "!"),
    (r"semicolon|semi colon", ";"),
    (r"colon", ":"),
    (r"comma", ","),
    (rf"{_NOT_WORD_PERIOD}(?:full stop|period)(?!\s+of\b)", "."),
]

UNITS: dict[str, str] = {
    r"milligrams?|mgs?": "mg",
    r"micrograms?|mcgs?": "mcg",
    r"grams?": "g",
    r"kilograms?|kilos?": "kg",
    r"milliliters?|millilitres?|mls?|cc": "mL",
    r"liters?|litres?": "L",
    r"international units?": "IU",
    r"units?": "units",
    r"milliequivalents?": "mEq",
    r"millimeters? of mercury": "mmHg",
    r"millimeters?|millimetres?": "mm",
    r"centimeters?|centimetres?": "cm",
    r"percent|per cent": "%",
    r"beats per minute": "bpm",
    r"breaths per minute": "breaths/min",
    r"degrees? (?:celsius|centigrade)": "°C",
    r"degrees? fahrenheit": "°F",
    r"puffs?": "puffs",
    r"tablets?|tabs?": "tablets",
    r"capsules?": "capsules",
    r"drops?": "drops",
}
_UNIT = "|".join(UNITS)
_IS = r"(?:\s+(?:is|was|of|at|around|about)\b)?[\s,:]*"


def _digits(match: re.Match[str]) -> str:
    return to_digits(match.group("num")) or match.group("num")


def _unit(text: str) -> str:
    lowered = text.lower()
    for pattern, short in UNITS.items():
        if re.fullmatch(pattern, lowered):
            return short
    return text


def _dose(match: re.Match[str]) -> str:
    unit = _unit(match.group("unit"))
    value = _digits(match)
    if unit == "%":
        return f"{value}%"
    if unit in ("°C", "°F"):
        return f"{value} {unit}"
    if unit in ("puffs", "tablets", "capsules", "drops") and value == "1":
        unit = unit[:-1]
    return f"{value} {unit}"


def _vital(label: str, suffix: str = "") -> Callable[[re.Match[str]], str]:
    return lambda m: f"{label} {_digits(m)}{suffix}"


def _temperature(match: re.Match[str]) -> str:
    scale = (match.group("scale") or "").lower()
    unit = " °F" if scale == "fahrenheit" else " °C" if scale else ""
    return f"T {_digits(match)}{unit}"


def _blood_pressure(match: re.Match[str]) -> str:
    systolic = to_digits(match.group("sys")) or match.group("sys")
    diastolic = to_digits(match.group("dia")) or match.group("dia")
    return f"BP {systolic}/{diastolic}"


VITALS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            rf"\b(?:blood pressure|BP){_IS}(?P<sys>{NUMBER_PATTERN})\s*(?:over|/)\s*(?P<dia>{NUMBER_PATTERN})\b", re.I
        ),
        _blood_pressure,
    ),
    (
        re.compile(rf"\b(?:heart rate|pulse(?: rate)?|HR){_IS}{_NUM}(?:\s*(?:beats per minute|bpm))?\b", re.I),
        _vital("HR"),
    ),
    (re.compile(rf"\b(?:respiratory rate|resp rate|RR){_IS}{_NUM}(?:\s*breaths per minute)?\b", re.I), _vital("RR")),
    (
        re.compile(rf"\b(?:oxygen saturation|O2 sat(?:uration)?s?|sats|SpO2|sat){_IS}{_NUM}\s*(?:percent|%)?", re.I),
        _vital("SpO2", "%"),
    ),
    (
        re.compile(
            rf"\btemperature{_IS}{_NUM}(?:\s*degrees?(?:\s+(?P<scale>celsius|centigrade|fahrenheit))?)?\b", re.I
        ),
        _temperature,
    ),
]
DOSE_RE = re.compile(rf"\b{_NUM}[\s-]*(?P<unit>{_UNIT})\b", re.I)


def apply_spoken_marks(text: str) -> str:
    for words, mark in SPOKEN_MARKS:
        text = re.sub(rf"{_P}\b(?:{words})\b{_P}", _mark(mark), text, flags=re.I)
    return text


def _mark(mark: str) -> Callable[[re.Match[str]], str]:
    if mark.startswith("\n"):
        return lambda _m: "." + mark if mark == "\n\n" else mark
    return lambda _m: mark + " "


def _tidy(text: str) -> str:
    text = re.sub(r"\.\s*\.\n", ".\n", text)
    text = re.sub(r"[ \t]+([,.;:?!%])", r"\1", text)  # no space before a mark
    text = re.sub(r"([,;:])(?=[^\s\d])", r"\1 ", text)
    text = re.sub(r"([,;:.?!])\1+", r"\1", text)
    text = re.sub(r"^[.,;:\s]+", "", text)  # a paragraph break first leaves a stray mark
    text = re.sub(r"\n[ \t]*[.,;:]+[ \t]*", "\n", text)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    # Capital after a sentence end or a line break.
    text = re.sub(r"(^|[.?!]\s+|\n)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text.strip()


def format_dictation(text: str, *, spoken_punctuation: bool = True) -> str:
    """Clinical written form of dictated text; conversations use spoken_punctuation=False."""
    if spoken_punctuation:
        text = apply_spoken_marks(text)
    for pattern, replace in VITALS:
        text = pattern.sub(replace, text)
    text = DOSE_RE.sub(_dose, text)
    return _tidy(text)
