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


def test_a_long_run_without_a_full_stop_is_cut_at_its_longest_pause() -> None:
    words = [Word(word=f" w{i}", start=i * 1.0, end=i * 1.0 + 0.8, probability=0.9) for i in range(12)]
    words += [Word(word=f" v{i}", start=14.0 + i, end=14.8 + i, probability=0.9) for i in range(10)]  # after 2.2 s
    runs = sentence_runs(words)
    assert [len(run) for run in runs] == [12, 10]  # 23.8 s: cut in the 2.2 s pause, not at 15 s
    assert all(run[-1].end - run[0].start <= 15 for run in runs)
    assert sentence_runs(words[:12]) == [words[:12]]  # 11.8 s: a sentence as written
