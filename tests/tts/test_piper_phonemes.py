"""Piper speaks a sentence's phonemes as espeak gives them in context; words only share them out (for marks)."""

from __future__ import annotations

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
