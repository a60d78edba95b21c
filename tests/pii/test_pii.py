"""PII detection with the real presidio + spaCy analyzer and the rules: planted values must be found."""

from __future__ import annotations

import pytest

from nlp.pii import detect_pii, luhn_ok, redact
from tests.calls.shared import shared_pool

pytest.importorskip("presidio_analyzer")

PLANTED = [
    ("My name is Maria Garcia and I need help.", "NAME", "Maria Garcia"),
    ("You can email me at maria.g77@example.com please.", "EMAIL", "maria.g77@example.com"),
    ("my email is sara12 at gmail dot com", "EMAIL", "sara12 at gmail dot com"),
    ("Call me back on (415) 555-2671 after five.", "PHONE", "(415) 555-2671"),
    ("The card number is 4539 1488 0343 6467.", "CREDIT_DEBIT_NUMBER", "4539 1488 0343 6467"),
    ("My account number is 80231977.", "ACCOUNT_NUMBER", "80231977"),
    ("The order ID is 3348917502.", "ACCOUNT_NUMBER", "3348917502"),
    ("I live at 6821 1st Ave, San Mateo, NY 75227.", "ADDRESS", "6821 1st Ave, San Mateo, NY 75227"),
    ("Send it to 42 Maple Road please.", "ADDRESS", "42 Maple Road"),
]


def test_luhn() -> None:
    assert luhn_ok("4539 1488 0343 6467")
    assert not luhn_ok("4539 1488 0343 6468")
    assert not luhn_ok("1234")


def test_planted_pii_is_found_with_its_type() -> None:
    found = detect_pii([t for t, _, _ in PLANTED], pool=shared_pool())
    for (text, typ, value), ents in zip(PLANTED, found, strict=True):
        hits = [e for e in ents if e.type == typ and value in text[e.start : e.end]]
        assert hits, f"{typ} {value!r} not found in {text!r}: {ents}"


def test_non_luhn_digits_are_not_a_card_and_plain_text_is_untouched() -> None:
    found = detect_pii(
        ["The code 4539 1488 0343 6468 is wrong.", "The jeans were too small for me."], pool=shared_pool()
    )
    assert all(e.type != "CREDIT_DEBIT_NUMBER" for e in found[0])
    assert found[1] == []


def test_redaction_replaces_spans_and_keeps_the_rest() -> None:
    [r] = redact(["Hi, I'm calling about my card 4539 1488 0343 6467, thanks."], pool=shared_pool())
    assert r.text == "Hi, I'm calling about my card [CREDIT_DEBIT_NUMBER], thanks."
    assert r.entities[0].text == "4539 1488 0343 6467"
