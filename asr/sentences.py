"""Words grouped into sentences by the punctuation Whisper writes: one rule for every place that cuts a segment at
sentence ends with its words' times (pause-aligned clips in asr.engines.windows, conversation turns in
asr.medical.conversation), whatever type their words are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class _Spoken(Protocol):
    word: str
    start: float
    end: float


W = TypeVar("W", bound=_Spoken)

SENTENCE_ENDS = (".", "?", "!")
# A run longer than this is cut again at its longest pause between words: Whisper, decoding a clip without timestamp
# tokens, sometimes writes half a minute of talk with no full stop (tiny.en: a 22.8 s subtitle cue), and a cue or a
# speaker turn that long is useless. Subtitle guides keep a cue under ~7 s; a spoken sentence rarely runs past 15.
LONGEST_RUN_S = 15.0


def sentence_runs(words: Sequence[W]) -> list[list[W]]:
    """`words` in runs that each end a sentence (the last run ends with the words, ended or not); a run over
    `LONGEST_RUN_S` is cut at its longest pauses."""
    runs: list[list[W]] = []
    current: list[W] = []
    for word in words:
        current.append(word)
        if word.word.rstrip().endswith(SENTENCE_ENDS):
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [part for run in runs for part in _at_pauses(run)]


def _at_pauses(run: list[W]) -> list[list[W]]:
    """`run` cut at its longest pause between words until every part is within `LONGEST_RUN_S` (or one word)."""
    if len(run) < 2 or run[-1].end - run[0].start <= LONGEST_RUN_S:
        return [run]
    cut = max(range(1, len(run)), key=lambda i: run[i].start - run[i - 1].end)
    return _at_pauses(run[:cut]) + _at_pauses(run[cut:])
