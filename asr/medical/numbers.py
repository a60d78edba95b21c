"""Spoken numbers to digits: "five hundred" -> 500, "two point five" -> 2.5, "one twenty" -> 120."""

from __future__ import annotations

import re

ONES = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
_WORD = "|".join([*ONES, *TENS, "hundred(?:\\s+and)?", "thousand(?:\\s+and)?"])
_TOKEN = rf"(?:\d+(?:\.\d+)?|(?:{_WORD}))\b"
# A run of number words or digits; "and" only after hundred/thousand, "point" between two parts.
NUMBER_PATTERN = rf"{_TOKEN}(?:(?:[\s-]+|\s+point\s+){_TOKEN})*"
NUMBER_RE = re.compile(rf"\b{NUMBER_PATTERN}\b", re.IGNORECASE)


def _groups(tokens: list[str]) -> list[int] | None:
    """Split into spoken groups: "one twenty" -> [1, 20], "one hundred twenty" -> [120]."""
    groups: list[int] = []
    current: int | None = None
    for token in tokens:
        if token.isdigit():
            if current is not None:
                groups.append(current)
            groups.append(int(token))
            current = None
        elif token in SCALES:
            current = (current or 1) * SCALES[token] if token == "hundred" else (current or 1) * 1000
            if token == "thousand":
                groups.append(current)
                current = None
        elif token in TENS:
            if current is not None and (current % 100 != 0 or current == 0):
                groups.append(current)
                current = None
            current = (current or 0) + TENS[token]
        elif token in ONES:
            value = ONES[token]
            if current is None:
                current = value
            elif (
                current % 100 == 0
                and current >= 100
                and value < 100
                or current % 10 == 0
                and current % 100 >= 20
                and value < 10
            ):
                current += value
            else:
                groups.append(current)
                current = value
        else:
            return None
    if current is not None:
        groups.append(current)
    # Thousands then hundreds belong together: [2000, 500] -> [2500].
    merged: list[int] = []
    for value in groups:
        if merged and merged[-1] >= 1000 and merged[-1] % 1000 == 0 and value < 1000:
            merged[-1] += value
        else:
            merged.append(value)
    return merged


def _integer(tokens: list[str]) -> str | None:
    groups = _groups(tokens)
    if not groups:
        return None
    if len(groups) == 1:
        return str(groups[0])
    # Digit-wise speech, as in vitals: "one twenty" = 120, "one oh five" = 105.
    return "".join(str(g) for g in groups)


def to_digits(phrase: str) -> str | None:
    """Digits for a spoken number phrase, or None when it is not one."""
    tokens = [t for t in re.split(r"[\s-]+", phrase.lower().strip()) if t and t != "and"]
    if not tokens:
        return None
    if "point" in tokens:
        cut = tokens.index("point")
        whole = _integer(tokens[:cut]) if cut else "0"
        decimals = tokens[cut + 1 :]
        if whole is None or not decimals or any(t not in ONES or ONES[t] > 9 for t in decimals if not t.isdigit()):
            return None
        return whole + "." + "".join(t if t.isdigit() else str(ONES[t]) for t in decimals)
    if len(tokens) == 1 and re.fullmatch(r"\d+(\.\d+)?", tokens[0]):
        return tokens[0]
    return _integer(tokens)
