"""Rare words of a transcript that sound like a common clinical word: "weasings" (wheezing), "swap" (swab), "coffin"
(coughing).

Whisper's beam search can lose a clinical word split into rare tokens to a like-sounding word, and scoring the two
texts afterwards does not undo it (teacher-forced, the model prefers what it wrote: bench/results/asr_soundalikes.txt).
What does undo it is decoding the segment again with the few clinical words it might hold as hotwords: the decoder
then keeps the clinical word where the audio carries it. This module proposes those words and takes, from the second
decode, only the proposals it confirms, word for word in the same place; every other difference between the two
decodes is ignored, so a biased decode can never drop, add or echo text.

A word is a candidate only when it is rare in English (wordfreq), no word of the medical lexicon, and its sound
(espeak-ng's phonemes) is close to a word of the curated spoken forms (asr.medical.terms): clinicians' and
patients' everyday clinical vocabulary, not any recording's errors.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass

from asr.medical import terms
from asr.medical.correction import english_frequency, is_medical_word, sound_key

MIN_SIMILARITY = 70.0  # rapidfuzz ratio (0-100) of the two words' phonemes
MAX_ZIPF = 4.5  # wordfreq's frequency: more common words ("cost", "call", "speed") are heard as themselves
MIN_LENGTH = 3
MAX_HOTWORDS = 3  # per segment: more dilute the bias (and each costs decoder time)
SHARED_PREFIX = 4  # "smoked"/"smoking", "surgeries"/"surgery": an inflection, not a mishearing
# Words of the curated forms too general to be what a rare word was ("blood test" -> "test").
GENERAL = frozenset({"test", "high", "blood", "type", "with", "nose", "back", "shot", "work", "your", "over", "than"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_ESPEAK_MARKS = re.compile(r"[ˈˌː\s]")


@dataclass(frozen=True)
class Change:
    start: int  # characters of the written word in the text
    end: int
    old: str
    new: str


@functools.cache
def vocabulary() -> tuple[str, ...]:
    """Single words (4+ letters) of the curated spoken forms: conditions, medicines, tests, procedures."""
    tables = (terms.CONDITION_SYNONYMS, terms.CONDITION_VARIANTS, terms.MEDICATION_EXTRA, terms.BRAND_EXTRA,
              terms.TESTS, terms.PROCEDURES)  # fmt: skip
    words = {w for table in tables for phrase in table for w in re.findall(r"[a-z]+", phrase.lower()) if len(w) >= 4}
    return tuple(sorted(words - GENERAL))


@functools.lru_cache(maxsize=8192)
def phonemes(word: str) -> str:
    """espeak-ng's IPA for `word` (stress and length marks dropped), or the rough spelling key without espeak-ng."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return sound_key(word)
    try:
        found = subprocess.run([espeak, "-q", "--ipa", "-v", "en-us", word], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):  # a lookup never fails a transcription
        return sound_key(word)
    return _ESPEAK_MARKS.sub("", found.stdout) or sound_key(word)


def _rare(word: str) -> bool:
    frequency = english_frequency(word)
    return frequency is not None and frequency < MAX_ZIPF


def proposals(text: str) -> dict[str, tuple[str, ...]]:
    """Each candidate word of `text` (lower case) with the clinical words it sounds like, closest first."""
    from rapidfuzz import fuzz

    found: dict[str, tuple[str, ...]] = {}
    vocabulary_words = vocabulary()
    for word in {w.lower() for w in _WORD.findall(text)}:
        if len(word) < MIN_LENGTH or word in vocabulary_words or not _rare(word) or is_medical_word(word):
            continue
        sound = phonemes(word)
        others = (v for v in vocabulary_words if v[:SHARED_PREFIX] != word[:SHARED_PREFIX])
        scored = [(fuzz.ratio(sound, phonemes(v)), v) for v in others]
        close = sorted(((s, v) for s, v in scored if s >= MIN_SIMILARITY), reverse=True)
        if close:
            found[word] = tuple(v for _, v in close)
    return found


def hotwords(found: dict[str, tuple[str, ...]]) -> str:
    """The few clinical words to bias a second decode to: the closest proposal of each word first."""
    ranked: list[str] = []
    for depth in range(max((len(v) for v in found.values()), default=0)):
        for word in sorted(found):
            if depth < len(found[word]) and found[word][depth] not in ranked:
                ranked.append(found[word][depth])
    return " ".join(ranked[:MAX_HOTWORDS])


def confirmed(text: str, heard: str, found: dict[str, tuple[str, ...]]) -> list[Change]:
    """The proposals the second decode `heard` confirms: where the two decodes differ by words one for one, a
    candidate word of `text` whose counterpart in `heard` is one of its clinical words (or that word inflected)."""
    import difflib

    written = list(_WORD.finditer(text))
    second = _WORD.findall(heard)
    matcher = difflib.SequenceMatcher(None, [m.group().lower() for m in written], [w.lower() for w in second],
                                      autojunk=False)  # fmt: skip
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or i2 - i1 != j2 - j1:
            continue
        for match, new in zip(written[i1:i2], second[j1:j2], strict=True):
            old = match.group()
            options = found.get(old.lower(), ())
            if not any(new.lower().startswith(v) and len(new) - len(v) <= 3 for v in options):
                continue
            new = new.capitalize() if old[0].isupper() else new.lower()
            changes.append(Change(match.start(), match.end(), old, new))
    return changes
