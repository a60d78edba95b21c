"""bench/asr.py scores both sides through one normaliser: a reference's curly apostrophe or filler "oh" must not
count as an error against a transcript that spells them the usual way."""

from __future__ import annotations

import pytest

pytest.importorskip("medwer", reason="the [asr] extra is not installed")

from bench.asr import normalize, normalizer  # noqa: E402


def test_curly_and_straight_apostrophes_score_alike() -> None:
    norm = normalizer()
    assert normalize("[D-1] D: I don’t know, I’m fine.", norm) == normalize("I don't know, I'm fine.", norm)
    assert normalize("I’ve had it", norm) == ["i", "have", "had", "it"]


def test_the_filler_oh_is_dropped_not_read_as_zero() -> None:
    norm = normalizer()
    assert normalize("Oh, no. Uh, okay.", norm) == ["no", "ok"]
    assert "0" not in normalize("oh I see, oh well", norm)
