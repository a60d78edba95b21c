"""Post-correction of near-miss drug and condition names: a word the decoder itself doubted (low word
probability), that is no common word (Whisper's vocabulary spells common words as one token), and that is
spelt almost like exactly one single-word drug or condition name of the lexicon, becomes that name.

Off unless asked (`MedicalOptions.correct_terms`): bench/asr.py measures what it fixes and what it breaks.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable

from asr.medical import lexicon
from asr.schemas import Segment, Word

LOW_PROBABILITY = 0.5  # words the decoder was at least this sure of are left alone
MIN_SIMILARITY = 0.84  # difflib ratio to the lexicon name
MIN_MARGIN = 0.04  # ... and clearly closer to it than to the next candidate
MIN_LENGTH = 5
WORD_RE = re.compile(r"^(\W*)([A-Za-z][A-Za-z'-]*[A-Za-z])(\W*)$")


@functools.cache
def _names() -> dict[tuple[str, int], tuple[str, ...]]:
    """Single-word drug and condition names, indexed by first letter and length."""
    found: set[str] = set()
    for table in (lexicon.medications(), lexicon.conditions()):
        found |= {k[0] for k in table if len(k) == 1 and len(k[0]) >= MIN_LENGTH and k[0].isalpha()}
    index: dict[tuple[str, int], list[str]] = {}
    for name in found:
        index.setdefault((name[0], len(name)), []).append(name)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def candidate(word: str) -> str | None:
    """The lexicon name `word` is a near miss of, or None (already a name, too short, no clear match)."""
    w = word.lower()
    index = _names()
    if len(w) < MIN_LENGTH or w in index.get((w[0], len(w)), ()):
        return None
    scored = sorted(
        ((difflib.SequenceMatcher(None, w, name).ratio(), name)
         for size in range(len(w) - 2, len(w) + 3) for name in index.get((w[0], size), ())),
        reverse=True,
    )  # fmt: skip
    if not scored or scored[0][0] < MIN_SIMILARITY:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < MIN_MARGIN:
        return None
    return scored[0][1]


def correct_segments(
    segments: list[Segment], is_common: Callable[[str], bool]
) -> tuple[list[Segment], list[tuple[str, str]]]:
    """Segments with near-miss names replaced in their words and text, and the (old, new) pairs.
    `is_common(word)`: whether the word is an everyday word (one token of the model's vocabulary)."""
    changes: list[tuple[str, str]] = []
    out: list[Segment] = []
    for segment in segments:
        if not segment.words:
            out.append(segment)
            continue
        words: list[Word] = []
        text = segment.text
        for w in segment.words:
            m = WORD_RE.match(w.word.strip())
            new = None
            if m and w.probability < LOW_PROBABILITY and not is_common(m.group(2)):
                new = candidate(m.group(2))
            if new is None:
                words.append(w)
                continue
            name = new.capitalize() if m.group(2)[0].isupper() else new
            changes.append((m.group(2), name))
            words.append(w.model_copy(update={"word": w.word.replace(m.group(2), name)}))
            text = re.sub(rf"\b{re.escape(m.group(2))}\b", name, text, count=1)
        out.append(segment.model_copy(update={"words": words, "text": text}))
    return out, changes


@functools.cache
def whisper_common_words(model_dir: str) -> Callable[[str], bool]:
    """An `is_common` from a Whisper model's tokenizer.json: a word is common when " word" (or " Word") is one
    token; without the file, no word is (every low-probability near miss is a candidate)."""
    from pathlib import Path

    path = Path(model_dir) / "tokenizer.json"
    if not path.is_file():
        return lambda word: False
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))

    def is_common(word: str) -> bool:
        return any(len(tokenizer.encode(" " + form, add_special_tokens=False).ids) == 1
                   for form in (word.lower(), word.capitalize()))  # fmt: skip

    return is_common
