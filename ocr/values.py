"""Normalised values of printed text: amounts as decimal strings, dates as ISO dates.

Dates on receipts come in many shapes (25/12/2018, 2018-03-23, 17-03-18, 12 MAR 2018, 20180304, 25032018 before a
time). A numeric date whose day and month could be swapped is read in `date_order` (DMY by default, as most of the
world prints it; MDY for US documents); a reading that is not a valid date falls back to the other order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

DateOrder = Literal["DMY", "MDY"]

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
            ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
            ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEP = r"[/\-.]"
DATE_PATTERNS = [
    # not glued to letters: "HD03-04-06" is a product code
    ("ymd", re.compile(r"(?<![\dA-Za-z])((?:19|20)\d\d)([/\-.])(\d{1,2})\2(\d{1,2})(?!\d)")),
    ("xyy", re.compile(r"(?<![\dA-Za-z])(\d{1,2})([/\-.])(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\d/\-])")),
    ("dmy_name", re.compile(rf"(?<!\d)(\d{{1,2}})[\s\-./]*({_MONTH})[a-z]*[\s\-./,]*((?:19|20)?\d\d)(?!\d)", re.I)),
    ("mdy_name", re.compile(
        rf"\b({_MONTH})[a-z]*[\s\-./]*(\d{{1,2}})(?:st|nd|rd|th)?[\s,\-./]+((?:19|20)\d\d)(?!\d)", re.I)),
    ("compact", re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")),
    # day and month first, run together (in date_order): only before a time ("25032018 13:11:54"), as eight digits
    # alone are often a number
    ("compact_xyy", re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|[12]\d|3[01])(20\d\d)(?=\s+\d{1,2}:\d\d)")),
]  # fmt: skip

# An amount: optional currency, digits with optional thousands separators, and exactly two decimals
# (a receipt prints money with cents; quantities and codes mostly do not); not a rate ("GST@6.00%").
AMOUNT = re.compile(r"(?<![\d.,])(?:RM|\$|€|£|USD|EUR|MYR)?\s?(-?\d{1,3}(?:,\d{3})*|\d+)[.,](\d{2})(?![\d]|\s?%)")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _make(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if 1990 <= found.year <= 2099 else None


def _numeric(first: int, second: int, year: int, order: DateOrder) -> date | None:
    day, month = (first, second) if order == "DMY" else (second, first)
    return _make(year, month, day) or _make(year, day, month)


def find_dates(text: str, order: DateOrder = "DMY") -> Iterator[tuple[str, date]]:
    """(text as printed, date) for each date in the text, in the order they appear."""
    found: list[tuple[int, str, date]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            a, b, c = (match.group(1), match.group(3), match.group(4)) if kind in ("ymd", "xyy") else match.groups()
            if kind in ("ymd", "compact"):
                value = _make(int(a), int(b), int(c))
            elif kind == "compact_xyy":
                value = _numeric(int(a), int(b), int(c), order)
            elif kind == "xyy":
                value = _numeric(int(a), int(b), _year(c), order)
            elif kind == "dmy_name":
                value = _make(_year(c), MONTHS[b.lower()], int(a))
            else:
                value = _make(_year(c), MONTHS[a.lower()], int(b))
            if value is not None:
                taken.append((match.start(), match.end()))
                found.append((match.start(), match.group(0), value))
    for _, printed, value in sorted(found, key=lambda f: f[0]):
        yield printed, value


def parse_date(text: str, order: DateOrder = "DMY") -> date | None:
    """The first date in the text, or None."""
    return next((value for _, value in find_dates(text, order)), None)


def find_amounts(text: str) -> list[tuple[str, Decimal]]:
    """(text as printed, amount) for each money amount (two decimals) in the text."""
    out = []
    for match in AMOUNT.finditer(text):
        whole = re.sub(r"[,\s]", "", match.group(1))  # a leading '-' stays: a negative amount
        try:
            value = Decimal(f"{whole}.{match.group(2)}")
        except InvalidOperation:
            continue
        out.append((match.group(0).strip(), value))
    return out


def parse_amount(text: str) -> Decimal | None:
    """The last money amount in the text (a row's amount is at its right end), or None."""
    amounts = find_amounts(text)
    return amounts[-1][1] if amounts else None
