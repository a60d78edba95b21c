"""Near-missed clinical phrases: what asr.medical.phrases proposes, and the acoustic check that decides
(asr.engines.rescoring, the engine's _check_phrases) on the real tiny.en model."""

from __future__ import annotations

import pytest

import asr
from asr.medical import phrases
from tests.asr.conftest import TEST_MODEL


def proposals(text: str) -> list[tuple[str, str, str]]:
    return [(c.old, c.new, c.phrase) for c in phrases.candidates(text)]


def test_one_misheard_word_of_a_clinical_phrase_is_proposed() -> None:
    assert proposals("No, no test pain.") == [("test", "chest", "chest pain")]
    assert proposals("So how is your shortness of brap?") == [("brap", "breath", "shortness of breath")]
    candidate = phrases.candidates("Any steppy nose?")[0]
    assert candidate.text == "Any stuffy nose?" and (candidate.start, candidate.end) == (4, 10)


def test_right_phrases_function_words_inflections_and_coding_frames_are_left() -> None:
    assert proposals("I have back pain and chest pain.") == []  # phrases already
    assert proposals("Did your friend get a COVID test done?") == []  # "COVID chest" is no phrase
    assert proposals("Any muscle ache?") == []  # "muscle aches" is the list's number, not another word
    assert proposals("Any pain in your arm?") == []  # "your" is a function word, not a misheard "arm"
    assert proposals("Other symptoms?") == []  # ICD-10's "other ascites" is a coding frame, not speech


def test_a_capital_stays_where_the_word_had_one() -> None:
    assert phrases.candidates("Test pain? No.")[0].text == "Chest pain? No."


@pytest.fixture(scope="module")
def jfk_segment(asr_settings: asr.AsrSettings, jfk_bytes: bytes):
    from asr.engines.windows import WindowedWhisperModel

    model = WindowedWhisperModel(asr.resolve_model(TEST_MODEL, asr_settings).target, cpu_threads=1)
    samples = asr.decode(jfk_bytes).samples
    segments, _ = model.transcribe(samples, language="en", word_timestamps=True)
    raw = next(s for s in segments if "country" in s.text)
    return model, samples, raw


def test_the_model_scores_what_was_said_above_other_words(jfk_segment) -> None:
    from asr.engines.rescoring import sequence_logprobs

    model, samples, raw = jfk_segment
    said, other = sequence_logprobs(model, samples, raw.start, raw.end,
                                    [raw.text, "Completely different words about the weather today."])  # fmt: skip
    assert said > other + 10


def test_a_proposal_is_kept_only_within_its_cost_and_the_words_follow(jfk_segment, monkeypatch) -> None:
    from asr.engines.faster_whisper import _check_phrases

    model, samples, raw = jfk_segment
    start = raw.text.index("country")
    changed = raw.text[:start] + "county" + raw.text[start + len("country") :]
    proposal = phrases.Candidate(changed, start, start + len("country"), "country", "county", "county x", 90.0)
    monkeypatch.setattr(phrases, "candidates", lambda text: [proposal] if text == raw.text else [])
    assert _check_phrases(model, samples, raw, 0.0, "en").text == raw.text  # the model wrote what it finds likelier
    kept = _check_phrases(model, samples, raw, 50.0, "en")
    assert kept.text == changed and "".join(w.word for w in kept.words) == changed
    assert [w.start for w in kept.words] == [w.start for w in raw.words]
