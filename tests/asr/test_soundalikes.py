"""Rare words that sound like clinical words: what asr.medical.soundalikes proposes, what a second decode confirms,
and the engine's _confirm_terms on the real tiny.en model."""

from __future__ import annotations

from dataclasses import replace

import pytest

import asr
from asr.medical import soundalikes
from tests.asr.conftest import TEST_MODEL


def test_a_rare_word_that_sounds_like_a_clinical_word_is_proposed() -> None:
    assert "wheezing" in soundalikes.proposals("No, no weasings.")["weasings"]
    assert "swab" in soundalikes.proposals("We'll do a COVID swap.")["swap"]


def test_common_words_clinical_words_and_inflections_are_left() -> None:
    assert soundalikes.proposals("The cost of the call was high.") == {}  # common words are heard as themselves
    assert soundalikes.proposals("Any wheezing, sputum or fever?") == {}  # the clinical words themselves
    assert soundalikes.proposals("Any dyspnea or orthopnea?") == {}  # words of the medical lexicon
    found = soundalikes.proposals("He smoked.")  # "smoking" shares its stem: no mishearing
    assert "smoking" not in found.get("smoked", ())
    assert "tired" not in soundalikes.proposals("Are you retired?").get("retired", ())  # held whole: said as written


def test_hotwords_are_few_and_the_closest_of_each_word_first() -> None:
    found = {"weasings": ("wheezing", "wheeze"), "swap": ("swab",), "coffin": ("coughing", "cough")}
    assert soundalikes.hotwords(found) == "coughing swab wheezing"
    assert soundalikes.hotwords({}) == ""


def test_only_a_proposed_word_confirmed_in_its_place_is_taken() -> None:
    found = {"weasings": ("wheezing",), "swap": ("swab",)}
    text = "No weasings. Weasings, and then the swap."
    heard = "Know wheezing. Wheezing and then a swab."  # "No" and "the" differ too: never taken
    changes = soundalikes.confirmed(text, heard, found)
    assert [(c.old, c.new) for c in changes] == [("weasings", "wheezing"), ("Weasings", "Wheezing"), ("swap", "swab")]
    assert all(text[c.start : c.end] == c.old for c in changes)
    # A second decode that drops or adds words around it confirms nothing there, and another word is no confirmation.
    assert soundalikes.confirmed("No weasings today.", "No today.", found) == []
    assert soundalikes.confirmed("No weasings today.", "No wheelchairs today.", found) == []


def test_a_stretch_of_another_length_confirms_its_one_candidate_only_by_one_clinical_word() -> None:
    found = {"weasings": ("wheezing",), "swap": ("swab",)}
    text = "How about breathing? No, no, no, weasings. Okay."
    changes = soundalikes.confirmed(text, "How about wheezing? No, no wheezing. Okay.", found)
    assert [(c.old, c.new) for c in changes] == [("weasings", "wheezing")]
    assert text[changes[0].start : changes[0].end] == "weasings"
    # Two clinical words heard for the stretch, or two candidates in it: no way to tell which is which.
    assert soundalikes.confirmed("It was weasings.", "It was wheezing, wheezing.", found) == []
    assert soundalikes.confirmed("A weasings swap today.", "A wheezing today.", found) == []
    # A stretch whose clinical word is not one the candidate sounds like confirms nothing.
    assert soundalikes.confirmed("No, no, weasings.", "No swab.", found) == []


def test_without_espeak_the_spelling_key_stands_in(monkeypatch) -> None:
    from asr.medical.correction import sound_key

    def broken(*args, **kwargs):
        raise OSError("espeak-ng could not start")

    soundalikes.phonemes.cache_clear()
    monkeypatch.setattr(soundalikes.subprocess, "run", broken)
    try:
        assert soundalikes.phonemes("weasings") == sound_key("weasings")  # no error reaches the transcription
    finally:
        soundalikes.phonemes.cache_clear()


@pytest.fixture(scope="module")
def misheard_segment(asr_settings: asr.AsrSettings, jfk_bytes: bytes):
    """tiny.en's segment of "ask not what your country can do for you", with "country" written as a word Whisper
    never wrote: what a second decode must put right when the word is proposed."""
    from asr.engines.windows import WindowedWhisperModel

    model = WindowedWhisperModel(asr.resolve_model(TEST_MODEL, asr_settings).target, cpu_threads=1)
    samples = asr.decode(jfk_bytes).samples
    segments, _ = model.transcribe(samples, language="en", word_timestamps=True)
    raw = next(s for s in segments if "country" in s.text)
    words = [replace(w, word=w.word.replace("country", "cuntree")) for w in raw.words]
    return model, samples, replace(raw, text=raw.text.replace("country", "cuntree"), words=words)


def test_the_engine_takes_a_proposal_only_where_the_biased_decode_writes_it(misheard_segment, monkeypatch) -> None:
    from asr.engines.faster_whisper import _confirm_terms

    model, samples, raw = misheard_segment
    kwargs = {"language": "en", "task": "transcribe", "beam_size": 5}
    monkeypatch.setattr(soundalikes, "proposals", lambda text: {"cuntree": ("country",)} if "cuntree" in text else {})
    fixed = _confirm_terms(model, samples, raw, kwargs)
    assert "cuntree" not in fixed.text and "country" in fixed.text
    assert "".join(w.word for w in fixed.words) == fixed.text  # the words follow the text
    assert [w.start for w in fixed.words] == [w.start for w in raw.words]
    # A proposal the audio does not carry is not written, whatever the bias.
    monkeypatch.setattr(soundalikes, "proposals", lambda text: {"cuntree": ("zebra",)} if "cuntree" in text else {})
    assert _confirm_terms(model, samples, raw, kwargs).text == raw.text


def test_a_kept_window_encoding_serves_the_second_decode(misheard_segment, monkeypatch) -> None:
    from asr.engines import faster_whisper as engine
    from asr.engines import windows

    model, samples, misheard = misheard_segment
    store = windows.EncodingStore(keep=lambda text: "country" in text)
    with windows.decoding(windows.Decoding(context_tokens=None, encodings=store)):
        (first,) = [s for s in model.transcribe(samples, language="en", without_timestamps=True)[0] if s.text]
    encoding = store.take(first)
    assert encoding is not None and store.take(first) is None, "taken once, then dropped"
    raw = replace(misheard, tokens=first.tokens)

    def encoded_again(*args, **kwargs):
        raise AssertionError("the kept encoder output was not used")

    monkeypatch.setattr(engine, "_decode_alone", encoded_again)
    monkeypatch.setattr(soundalikes, "proposals", lambda text: {"cuntree": ("country",)} if "cuntree" in text else {})
    kwargs = {"language": "en", "task": "transcribe", "beam_size": 5}
    fixed = engine._confirm_terms(model, samples, raw, kwargs, encoding)
    assert "cuntree" not in fixed.text and "country" in fixed.text
    monkeypatch.setattr(soundalikes, "proposals", lambda text: {"cuntree": ("zebra",)} if "cuntree" in text else {})
    assert engine._confirm_terms(model, samples, raw, kwargs, encoding).text == raw.text


def test_the_second_decode_reaches_the_last_candidate_and_stops_soon_after(misheard_segment) -> None:
    from asr.engines import faster_whisper as engine
    from asr.engines import windows

    model, samples, misheard = misheard_segment
    found = {"cuntree": ("country",)}
    assert soundalikes.last_candidate_end(misheard.text, found) == misheard.text.index("cuntree") + len("cuntree")
    assert soundalikes.last_candidate_end("no candidate here", found) == len("no candidate here")
    store = windows.EncodingStore(keep=lambda text: True)
    with windows.decoding(windows.Decoding(context_tokens=None, encodings=store)):
        (first,) = [s for s in model.transcribe(samples, language="en", without_timestamps=True)[0] if s.text]
    encoding = store.take(first)
    whole = engine._decode_encoding(model, encoding, "country", 5)
    upto = first.text[: first.text.index("Americans") + len("Americans")]
    short = engine._decode_encoding(model, encoding, "country", 5, upto)

    def words(text: str) -> list[str]:  # a beam cut short may rank casing and commas otherwise
        return [w.strip(".,?!").lower() for w in text.split()]

    assert len(words(whole)) > len(words(short)) >= len(words(upto))  # reached what it must, not the end
    assert words(whole)[: len(words(short))] == words(short)
    assert words(short)[: len(words(upto))] == words(upto)
    assert engine._decode_encoding(model, encoding, "country", 5, first.text) == whole  # reaching the end: all of it


def test_windows_of_the_same_tokens_waiting_at_once_keep_no_encoding() -> None:
    from types import SimpleNamespace

    from asr.engines.windows import EncodingStore

    store = EncodingStore(keep=lambda text: True)
    store.put([1, 2, 3], "first window")
    store.put([4, 5], "other window")
    store.put([1, 2, 3], "second window")  # which window's would a segment of these tokens take?
    assert store.take(SimpleNamespace(tokens=[1, 2, 3])) is None
    assert store.take(SimpleNamespace(tokens=[4, 5])) == "other window"
    assert store.kept == {}


def test_the_engine_decodes_a_pause_aligned_clip_again_from_its_kept_encoding(
    asr_pool, asr_settings: asr.AsrSettings, jfk_bytes: bytes, monkeypatch
) -> None:
    from asr.engines import faster_whisper as engine

    taken: list[bool] = []
    check = engine._confirm_terms

    def recording(model, samples, raw, kwargs, encoding=None):
        taken.append(encoding is not None)
        return check(model, samples, raw, kwargs, encoding)

    def encoded_again(*args, **kwargs):
        raise AssertionError("a pause-aligned clip was encoded again")

    monkeypatch.setattr(engine, "_confirm_terms", recording)
    monkeypatch.setattr(engine, "_decode_alone", encoded_again)
    monkeypatch.setattr(soundalikes, "proposals", lambda text: {"country": ("county",)} if "country" in text else {})
    options = asr.TranscribeOptions(model=TEST_MODEL, language="en", pause_windows=True, confirm_terms=True,
                                    loop_guard=False)  # fmt: skip
    transcript = asr.transcribe(jfk_bytes, options, pool=asr_pool, settings=asr_settings)
    assert "country" in transcript.text.lower()  # "county" is not what the audio says: nothing changed
    assert taken and all(taken)
