"""Piper speaks a sentence's phonemes as espeak gives them in context; words only share them out (for marks)."""

from __future__ import annotations

import pytest

from tts.engines.piper import align_groups


def g(*words: str) -> list[list[str]]:
    return [list(w) for w in words]


def test_joined_words_keep_context_phonemes() -> None:
    # espeak phonemises "in the morning" as two groups: ɪnðə mˈɔːɹnɪŋ; alone "in" is stressed (ˈɪn)
    groups, alone = g("ɪnðə", "mˈɔːɹnɪŋ."), g("ˈɪn", "ðə", "mˈɔːɹnɪŋ")
    shared = align_groups(groups, alone)
    assert ["".join(p) for p in shared] == ["ɪn", "ðə", "mˈɔːɹnɪŋ."]
    assert [p for w in shared for p in w] == [p for w in groups for p in w]  # what is spoken is unchanged


def test_split_word_and_one_to_one() -> None:
    # "IV" as espeak reads it: two groups for one word
    groups, alone = g("ɡˈɪv", "ɹˌoʊmən", "fˈɔːɹ", "ˈɛvɹi"), g("ɡˈɪv", "ɹˌoʊmənfˈɔːɹ", "ˈɛvɹi")
    assert ["".join(p) for p in align_groups(groups, alone)] == ["ɡˈɪv", "ɹˌoʊmənfˈɔːɹ", "ˈɛvɹi"]
    same = g("a", "b")
    assert align_groups(same, same) == same


@pytest.mark.parametrize("n_groups", [1, 2, 5])
def test_every_word_gets_a_share(n_groups: int) -> None:
    alone = g("ab", "cd", "ef", "gh")
    groups = g(*(["abcdefgh"[i * 8 // n_groups : (i + 1) * 8 // n_groups] for i in range(n_groups)]))
    shared = align_groups(groups, alone)
    assert len(shared) == len(alone)
    assert "".join("".join(w) for w in shared) == "abcdefgh"
