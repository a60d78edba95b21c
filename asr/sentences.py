"""Words grouped into sentences by the punctuation Whisper writes: one rule for every place that cuts a segment at
sentence ends with its words' times (pause-aligned clips in asr.engines.windows, conversation turns in
asr.medical.conversation), whatever type their words are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class _Spoken(Protocol):
    word: str


W = TypeVar("W", bound=_Spoken)

SENTENCE_ENDS = (".", "?", "!")


def sentence_runs(words: Sequence[W]) -> list[list[W]]:
    """`words` in runs that each end a sentence (the last run ends with the words, ended or not)."""
    runs: list[list[W]] = []
    current: list[W] = []
    for word in words:
        current.append(word)
        if word.word.rstrip().endswith(SENTENCE_ENDS):
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs
