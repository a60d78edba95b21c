"""Rule and checksum recognizers for what presidio's defaults miss in call transcripts.

Each rule yields (type, start, end, score). Cards must pass the Luhn check; account-style numbers need a
context word ("account", "order", "member", "policy", ...) before them; addresses are a house number, up to
four words and a street suffix, optionally followed by a city/state/ZIP tail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[str, int, int, float]

_CARD = re.compile(r"(?<!\d)(?:\d[ ,.-]?){12,18}\d(?!\d)")  # ASR writes "4,859,383..." too
_ACCOUNT = re.compile(
    r"\b(?:account|acct|order|member(?:ship)?|policy|customer|reference|ref|routing|iban|case|ticket"
    r"|username|user name)"
    r"(?:\s+(?:number|no\.?|id|#|num))?\s*(?:is|:|was|#)?\s*(?:it's\s+)?"
    r"([A-Za-z]{0,3}[\d][\d ,.-]{3,22}\d|[a-z]+\d{2,})",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<!\d)(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_SPOKEN_EMAIL = re.compile(
    r"\b[a-z0-9._-]+(?:\s+\d+)?(?:\s+(?:dot|underscore)\s+[a-z0-9]+)*\s+at\s+[a-z0-9-]+"
    r"(?:\s+dot\s+|\.|\s+)(?:com|come|net|org|edu|gov|co|io)\b",
    re.IGNORECASE,
)
# "my email is ..." / "e-mail address: ...": the rest of the sentence is the address (ASR mangles them)
_EMAIL_CONTEXT = re.compile(
    r"\be-?mail(?:\s+address)?\s*(?:is|:)\s+([^.?!,;]*?[a-z0-9]+(?:\.(?:com|net|org))?)(?=[.?!,;]|$)", re.I
)
# any long digit run: phone when "phone"/"number"/"call"/"reach" is near before it, else an account-style id
_DIGITS = re.compile(r"(?<![\d,.])\+?\d(?:[ ,.()-]{0,2}\d){6,16}(?![\d])")
_NUM = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|double|triple)"
)
# numbers read out as words ("four five three nine ...", "three billion three hundred ..."): six or more
_SPOKEN_DIGITS = re.compile(r"\b" + _NUM + r"(?:[\s,-]+(?:and\s+)?" + _NUM + r"){5,}\b", re.IGNORECASE)
_CARD_CONTEXT = re.compile(r"\b(?:card|visa|mastercard|amex)\b[^.?!]{0,30}$", re.IGNORECASE)
_PHONE_CONTEXT = re.compile(r"\b(?:phone|cell|mobile|call|reach|text|fax)\b[^.?!]{0,30}$", re.IGNORECASE)
_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|circle|"
    r"parkway|pkwy|highway|hwy|square|sq)"
)
_ADDRESS = re.compile(
    r"\b\d{1,3}(?:,?\d{3})?\s+(?:[A-Za-z0-9]+\.?\s+){0,4}" + _STREET_SUFFIX + r"\b\.?"
    r"(?:\s*,?\s*(?:apt|apartment|suite|unit)\s*#?\s*\w+)?"
    r"(?:\s*,?\s*[A-Za-z]+(?:\s+[A-Za-z]+){0,2}\s*,?\s*[A-Za-z]{2}\s+\d{5}(?:-\d{4})?)?",
    re.IGNORECASE,
)
_ZIP_TAIL = re.compile(r"\b[A-Za-z]{2}\s+\d{5}(?:-\d{4})?\b")
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")


def luhn_ok(digits: str) -> bool:
    ds = [int(c) for c in digits if c.isdigit()]
    if not 13 <= len(ds) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(ds)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ASR sometimes breaks a read-out card number with a word ("... 9754 for 3,234"): the tail belongs to it
_CARD_TAIL = re.compile(r"\s*(?:for|and|dash|-|,)?\s*\d[\d ,.-]*\d")


def _card(text: str, start: int, end: int, score: float) -> Span:
    tail = _CARD_TAIL.match(text, end)
    return ("CREDIT_DEBIT_NUMBER", start, tail.end() if tail else end, score)


def find(text: str) -> Iterator[Span]:
    for m in _CARD.finditer(text):
        if luhn_ok(m.group()):
            yield _card(text, m.start(), m.end(), 0.95)
    for m in _ACCOUNT.finditer(text):
        value = m.group(1).rstrip(" -")
        if _PHONE.fullmatch(value) or luhn_ok(value):
            continue
        yield ("ACCOUNT_NUMBER", m.start(1), m.start(1) + len(value), 0.85)
    for m in _PHONE.finditer(text):
        yield ("PHONE", m.start(), m.end(), 0.9)
    for m in _EMAIL.finditer(text):
        yield ("EMAIL", m.start(), m.end(), 0.95)
    for m in _SPOKEN_EMAIL.finditer(text):
        yield ("EMAIL", m.start(), m.end(), 0.8)
    for m in _EMAIL_CONTEXT.finditer(text):
        yield ("EMAIL", m.start(1), m.end(1), 0.75)
    for m in _DIGITS.finditer(text):
        value = m.group()
        n = sum(c.isdigit() for c in value)
        if luhn_ok(value) and n >= 13:
            continue
        if n >= 12 and _CARD_CONTEXT.search(text[: m.start()]):
            # ASR dropped or split digits, so no Luhn check: the context says it is a card
            yield _card(text, m.start(), m.end(), 0.6)
        elif _PHONE_CONTEXT.search(text[: m.start()]) and 7 <= n <= 12:
            yield ("PHONE", m.start(), m.end(), 0.7)
        elif n >= 7:
            yield ("ACCOUNT_NUMBER", m.start(), m.end(), 0.6)
    for m in _SPOKEN_DIGITS.finditer(text):
        typ = "PHONE" if _PHONE_CONTEXT.search(text[: m.start()]) else "ACCOUNT_NUMBER"
        yield ("CREDIT_DEBIT_NUMBER" if _CARD_CONTEXT.search(text[: m.start()]) else typ, m.start(), m.end(), 0.6)
    for m in _ADDRESS.finditer(text):
        yield ("ADDRESS", m.start(), m.end(), 0.85)
    for m in _SSN.finditer(text):
        yield ("SSN", m.start(), m.end(), 0.9)


_NAME_CONTEXT = re.compile(
    r"\b(?:my name is|my name's|name is|this is|speaking with|talking to)\s+"
    r"((?:[A-Z][a-z'-]+)(?:\s+[A-Z][a-z'-]+){0,2})"
)


def find_names(text: str) -> Iterator[Span]:
    """Capitalised names right after an introduction ("my name is Crystal Minh")."""
    for m in _NAME_CONTEXT.finditer(text):
        yield ("NAME", m.start(1), m.end(1), 0.8)
