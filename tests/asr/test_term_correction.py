"""Near-miss drug and condition names: a word is changed only when it is no English word, no word of the medical
lists (nor is its stem), and one name is both spelt and sounds almost like it. A small lexicon stands in for the
real one except in the slow test, which uses the real lists and wordfreq's real English list."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from asr.medical import correction
from asr.schemas import Segment, TranscribeOptions, Word

NAMES = ["ventolin", "atorvastatin", "metformin", "metoprolol", "salbutamol", "asthma", "keppra", "orthopnea",
         "spiriva", "spirulina", "hyperlipidemia", "xanthomax"]  # fmt: skip
KNOWN = ["xanthoma", "hypolipidemia", "asplenia"]  # words of the lists' longer entries


@pytest.fixture
def small_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(correction, "_names", lambda: correction.names_of(NAMES, KNOWN))
    correction.candidate.cache_clear()
    yield
    correction.candidate.cache_clear()


def test_sound_key_joins_spellings_of_one_sound() -> None:
    assert correction.sound_key("Ventilin") == correction.sound_key("ventolin")
    assert correction.sound_key("kepra") == correction.sound_key("keppra")
    assert correction.sound_key("fosfate") == correction.sound_key("phosphate")
    assert correction.sound_key("metformin") != correction.sound_key("metoprolol")


@pytest.mark.usefixtures("small_lexicon")
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ventilin", "ventolin"),  # one vowel off: same sound
        ("Kepra", "keppra"),
        ("metforman", "metformin"),
        ("ventolin", None),  # already a name
        ("cough", None),  # an English word
        ("swap", None),  # an English word, even where "swab" was said
        ("zzzzzzzz", None),  # like nothing
        ("metfo", None),  # too far from metformin
        ("kepr", None),  # too short to judge
        ("hypolipidemia", None),  # a known word of the lists, though one letter from a name
        ("hypolipidaemia", None),  # not known, but the near name turns hypo- into hyper-
        ("xanthomas", None),  # its stem "xanthoma" is known: a plural, not a misspelt "xanthomax"
        ("asplenic", None),  # stem "asplenia"
        ("metFORman", None),  # capitals inside: a coined form or an abbreviation
    ],
)
def test_candidate(word: str, expected: str | None) -> None:
    assert correction.candidate(word) == expected


@pytest.mark.usefixtures("small_lexicon")
def test_ambiguous_near_miss_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(correction, "_names", lambda: correction.names_of(["ventolin", "ventilan"]))
    correction.candidate.cache_clear()
    assert correction.candidate("ventilin") is None  # as close to both: no choice is safe


@pytest.mark.usefixtures("small_lexicon")
def test_segment_text_and_words_are_corrected_alike() -> None:
    words = ["I", "use", "Ventilin,", "and", "metforman", "daily"]
    timed = [Word(word=" " + w, start=i, end=i + 1, probability=0.9) for i, w in enumerate(words)]
    seg = Segment(id=0, start=0, end=6, text=" ".join(words), confidence=0.8, words=timed)
    fixed, changes = correction.correct_segment(seg)
    assert changes == [("Ventilin", "Ventolin"), ("metforman", "metformin")]
    assert fixed.text == "I use Ventolin, and metformin daily"
    assert [w.word for w in fixed.words or []] == [" I", " use", " Ventolin,", " and", " metformin", " daily"]


@pytest.mark.usefixtures("small_lexicon")
def test_a_sentence_of_english_words_is_never_changed() -> None:
    text = "Okay, so any fevers, chills, or shortness of breath? No, just the cough and some swap of the medicine."
    assert correction.correct_text(text) == (text, [])


@pytest.mark.slow
def test_real_lexicon_fixes_misspelt_names_and_keeps_english() -> None:
    correction.candidate.cache_clear()
    text, changes = correction.correct_text("I take Kepra for my epilepsy and the Ventilin puffer, any orthopnea?")
    assert text == "I take Keppra for my epilepsy and the Ventolin puffer, any orthopnea?"
    assert changes == [("Kepra", "Keppra"), ("Ventilin", "Ventolin")]
    plain = "She had a swab for covid and some reflux after the flu, and the wheezing settled."
    assert correction.correct_text(plain) == (plain, [])


class _FakeWhisper:
    """Stands in for faster-whisper's model: one window decoded to fixed segments, in the language asked for."""

    model = SimpleNamespace(is_multilingual=True)

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def transcribe(self, samples: np.ndarray, **kwargs):
        segments = [SimpleNamespace(start=i, end=i + 1.0, text=" " + t, avg_logprob=-0.2, compression_ratio=1.3,
                                    no_speech_prob=0.01, words=None, seek=0, tokens=[], temperature=0.0)
                    for i, t in enumerate(self.texts)]  # fmt: skip
        info = SimpleNamespace(language=kwargs["language"], language_probability=1.0, duration=len(samples) / 16000)
        return iter(segments), info


@pytest.mark.usefixtures("small_lexicon")
@pytest.mark.parametrize(
    ("language", "correct", "expected"),
    [("en", True, "I take Keppra. And Ventolin."), ("en", False, "I take Kepra. And Ventilin."),
     ("de", True, "I take Kepra. And Ventilin.")],  # the lexicon and the word list are English
)  # fmt: skip
def test_the_engine_corrects_english_transcripts_when_asked(
    monkeypatch: pytest.MonkeyPatch, language: str, correct: bool, expected: str
) -> None:
    from asr.engines import faster_whisper

    monkeypatch.setattr(faster_whisper, "_speech", lambda samples, **_: [{"start": 0, "end": len(samples)}])
    options = TranscribeOptions(language=language, vad=False, loop_guard=False, correct_terms=correct)
    result = faster_whisper.FasterWhisperEngine().transcribe(
        _FakeWhisper(["I take Kepra.", "And Ventilin."]), np.zeros(16000 * 2, np.float32), options
    )
    assert result.text == expected
    assert " ".join(s.text for s in result.segments) == expected


def test_names_are_read_from_the_model_directory_once_built(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    built: list[int] = []

    def small() -> dict[str, list[str]]:
        built.append(1)
        return {"names": ["keppra", "ventolin"], "known": ["xanthoma"]}

    monkeypatch.setattr(correction, "lexicon_names", small)
    monkeypatch.setenv("VOXGATE_ASR_MODEL_DIR", str(tmp_path))
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "correction-names-0000.json").write_text("{}")  # an earlier version's lists
    correction._names.cache_clear()
    try:
        assert correction._names().names == ("keppra", "ventolin")
        assert [p.name for p in (tmp_path / "terms").iterdir()] == [correction.names_file(tmp_path).name]
        correction._names.cache_clear()
        assert correction._names().known == {"keppra", "ventolin", "xanthoma"} and len(built) == 1  # read back
    finally:
        correction._names.cache_clear()


def test_a_read_only_model_directory_still_corrects(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(correction, "lexicon_names", lambda: {"names": ["keppra"], "known": []})
    monkeypatch.setattr(correction, "build_names_file", lambda model_dir: (_ for _ in ()).throw(OSError("read-only")))
    monkeypatch.setenv("VOXGATE_ASR_MODEL_DIR", str(tmp_path))
    correction._names.cache_clear()
    try:
        assert correction._names().names == ("keppra",)
    finally:
        correction._names.cache_clear()
