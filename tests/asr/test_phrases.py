"""Near-missed clinical phrases: what asr.medical.phrases proposes, and the acoustic check that decides
(asr.engines.rescoring, the engine's _check_phrases) on the real tiny.en model."""

from __future__ import annotations

import math

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


def test_a_kept_encoding_is_scored_as_the_audio_encoded_again(jfk_segment, monkeypatch) -> None:
    from faster_whisper.audio import pad_or_trim

    from asr.engines import rescoring

    model, samples, raw = jfk_segment
    texts = [raw.text, raw.text.replace("country", "county")]
    again = rescoring.sequence_logprobs(model, samples, raw.start, raw.end, texts)
    piece = samples[max(0, int(raw.start * rescoring.RATE)) : math.ceil(raw.end * rescoring.RATE)]  # as it slices
    kept = model.encode(pad_or_trim(model.feature_extractor(piece)))

    def encoded_again(*args, **kwargs):
        raise AssertionError("the kept encoder output was not used")

    monkeypatch.setattr(model, "encode", encoded_again)
    scores = rescoring.sequence_logprobs(model, samples, raw.start, raw.end, texts, encoded=kept)
    assert scores == pytest.approx(again, abs=1e-3)
    assert scores[0] > scores[1]


def test_the_engine_scores_a_pause_aligned_clips_phrases_on_its_kept_encoding(
    asr_pool, asr_settings: asr.AsrSettings, jfk_bytes: bytes, monkeypatch
) -> None:
    from asr.engines import faster_whisper as engine

    taken: list[bool] = []
    check = engine._check_phrases

    def recording(model, samples, raw, max_cost, language, encoding=None):
        taken.append(encoding is not None)
        return check(model, samples, raw, max_cost, language, encoding)

    def proposal(text: str) -> list[phrases.Candidate]:
        if "country" not in text:
            return []
        start = text.index("country")
        changed = text[:start] + "county" + text[start + len("country") :]
        return [phrases.Candidate(changed, start, start + len("country"), "country", "county", "county x", 90.0)]

    monkeypatch.setattr(engine, "_check_phrases", recording)
    monkeypatch.setattr(phrases, "candidates", proposal)
    options = asr.TranscribeOptions(model=TEST_MODEL, language="en", pause_windows=True, check_phrases=True,
                                    confirm_terms=False, loop_guard=False)  # fmt: skip
    transcript = asr.transcribe(jfk_bytes, options, pool=asr_pool, settings=asr_settings)
    assert "country" in transcript.text.lower()  # the audio says "country": the proposal is not kept
    assert taken and all(taken)
