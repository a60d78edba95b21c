"""The clinical words a recording has used so far, which the decoder is prompted with for the windows after them.

Whisper hears a clinical word more readily when its prompt holds clinical words. Fixed lists held there cost words
elsewhere: six respiratory hotwords raised base's WER (asr.medical.vocabulary), a clinical initial prompt did not pay
(bench/results/asr_prompt.txt). What is prompted here is the recording's own: the last few distinct clinical words of
the text before a window, ahead of that text (faster-whisper's hotwords slot), so "no, no, we think" after "any
wheezing?" reads "no, no wheezing". The words come from the curated spoken forms (asr.medical.terms, via
asr.medical.soundalikes.vocabulary) and the lexicon's single-word drug and condition names; nothing is added that the
recording did not say first. Measured in bench/results/asr.txt.
"""

from __future__ import annotations

import functools
import re

from asr.medical.correction import is_name
from asr.medical.soundalikes import vocabulary

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


@functools.cache
def _spoken_forms() -> frozenset[str]:
    return frozenset(vocabulary())


def is_clinical(word: str) -> bool:
    """Whether `word` is a curated clinical word or a drug or condition name of the lexicon."""
    lowered = word.lower()
    return lowered in _spoken_forms() or is_name(lowered)


def recent_terms(text: str, limit: int) -> list[str]:
    """The last `limit` distinct clinical words of `text`, oldest first, each as last written."""
    found: list[str] = []
    seen: set[str] = set()
    for word in reversed(WORD.findall(text)):
        if len(found) >= limit:
            break
        if word.lower() not in seen and is_clinical(word):
            seen.add(word.lower())
            found.append(word)
    return found[::-1]


def with_recalled(hotwords: str | None, earlier_text: str, limit: int) -> str | None:
    """The caller's hotwords, then the clinical words of `earlier_text` they do not hold already (comma-separated);
    `hotwords` as given when there are none."""
    own = {w.lower() for w in WORD.findall(hotwords or "")}
    recalled = [w for w in recent_terms(earlier_text, limit) if w.lower() not in own]
    if not recalled:
        return hotwords
    own_text = (hotwords or "").strip()
    return ", ".join([own_text, *recalled] if own_text else recalled)
