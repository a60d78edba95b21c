"""Near-miss drug and condition names: fixed only where the decoder doubted the word, the word is no common word
and one lexicon name is clearly closest. A small lexicon stands in for the real one (which takes seconds to load)."""

from __future__ import annotations

import pytest

from asr.medical import correction
from asr.schemas import Segment, Word

NAMES = ("ventolin", "atorvastatin", "metformin", "metoprolol", "salbutamol", "asthma")


@pytest.fixture(autouse=True)
def small_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    index: dict[tuple[str, int], tuple[str, ...]] = {}
    for name in NAMES:
        index[(name[0], len(name))] = (*index.get((name[0], len(name)), ()), name)
    monkeypatch.setattr(correction, "_names", lambda: index)


def segment(*words: tuple[str, float]) -> Segment:
    ws = [Word(word=" " + w, start=i, end=i + 1, probability=p) for i, (w, p) in enumerate(words)]
    return Segment(id=0, start=0, end=len(ws), text=" ".join(w for w, _ in words), confidence=0.8, words=ws)


def never_common(word: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("word", "expected"),
    [("ventilin", "ventolin"), ("metforman", "metformin"), ("ventolin", None), ("cough", None), ("zzzzzzzz", None)],
)
def test_candidate(word: str, expected: str | None) -> None:
    assert correction.candidate(word) == expected


def test_low_confidence_near_miss_is_fixed_and_sure_words_are_kept() -> None:
    seg = segment(("I", 0.9), ("use", 0.9), ("Ventilin,", 0.3), ("and", 0.9), ("metforman", 0.95))
    [fixed], changes = correction.correct_segments([seg], never_common)
    assert changes == [("Ventilin", "Ventolin")]  # metforman was said with confidence: left alone
    assert fixed.text == "I use Ventolin, and metforman"
    assert [w.word for w in fixed.words or []][2] == " Ventolin,"


def test_common_words_are_never_changed() -> None:
    seg = segment(("ventilin", 0.1))
    assert correction.correct_segments([seg], lambda w: True)[1] == []


def test_whisper_vocabulary_tells_common_words(tmp_path) -> None:
    assert correction.whisper_common_words(str(tmp_path))("anything") is False  # no tokenizer: nothing is common
