"""The one sentence rule both segment splitters use (asr.sentences)."""

from asr.medical.conversation import split_sentences
from asr.schemas import Segment, Word
from asr.sentences import sentence_runs


def _words(*texts: str) -> list[Word]:
    return [Word(word=t, start=float(i), end=i + 0.5, probability=0.9) for i, t in enumerate(texts)]


def test_runs_end_at_sentence_punctuation_and_keep_an_unended_tail() -> None:
    runs = sentence_runs(_words(" Any", " pain?", " Yes.", " Since", " Monday"))
    assert [[w.word for w in run] for run in runs] == [[" Any", " pain?"], [" Yes."], [" Since", " Monday"]]
    assert sentence_runs([]) == []


def test_conversation_split_keeps_times_and_renumbers() -> None:
    segment = Segment(id=7, start=0.0, end=5.0, text="Any pain? Yes.", confidence=0.9,
                      words=_words(" Any", " pain?", " Yes."))
    parts = split_sentences([segment])
    assert [(p.id, p.text, p.start, p.end) for p in parts] == [(0, "Any pain?", 0.0, 1.5), (1, "Yes.", 2.0, 2.5)]
