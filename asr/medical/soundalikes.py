"""Rare words of a transcript that sound like a common clinical word: "weasings" (wheezing), "swap" (swab), "coffin"
(coughing).

Whisper's beam search can lose a clinical word split into rare tokens to a like-sounding word, and scoring the two
texts afterwards does not undo it (teacher-forced, the model prefers what it wrote: bench/results/asr_soundalikes.txt).
What does undo it is decoding the segment again with the few clinical words it might hold as hotwords: the decoder
then keeps the clinical word where the audio carries it. This module proposes those words and takes, from the second
decode, only the proposals it confirms in the same place (the same word of a stretch where the two decodes differ);
every other difference between the two decodes is ignored, so a biased decode can never drop, add or echo text.

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
        # A clinical word the written word holds whole ("retired": "tired") is no mishearing: the decoder wrote the
        # sounds of it and more.
        others = (v for v in vocabulary_words if v[:SHARED_PREFIX] != word[:SHARED_PREFIX] and v not in word)
        scored = [(fuzz.ratio(sound, phonemes(v)), v) for v in others]
        close = sorted(((s, v) for s, v in scored if s >= MIN_SIMILARITY), reverse=True)
        if close:
            found[word] = tuple(v for _, v in close)
    return found


def last_candidate_end(text: str, found: dict[str, tuple[str, ...]]) -> int:
    """Where (characters into `text`) its last candidate word ends: a second decode needs to reach no further."""
    return max((m.end() for m in _WORD.finditer(text) if m.group().lower() in found), default=len(text))


def hotwords(found: dict[str, tuple[str, ...]]) -> str:
    """The few clinical words to bias a second decode to: the closest proposal of each word first."""
    ranked: list[str] = []
    for depth in range(max((len(v) for v in found.values()), default=0)):
        for word in sorted(found):
            if depth < len(found[word]) and found[word][depth] not in ranked:
                ranked.append(found[word][depth])
    return " ".join(ranked[:MAX_HOTWORDS])


def confirmed(text: str, heard: str, found: dict[str, tuple[str, ...]]) -> list[Change]:
    """The proposals the second decode `heard` confirms: where the two decodes differ, a candidate word of `text`
    whose counterpart in `heard` is one of its clinical words (or that word inflected). Counterparts pair one for one
    where the differing stretches are as long; where they are not ("no, no, weasings" against "no wheezing"), a
    stretch that holds one candidate pairs it with the one clinical word of the other stretch, if there is exactly
    one."""
    import difflib

    written = list(_WORD.finditer(text))
    second = _WORD.findall(heard)
    matcher = difflib.SequenceMatcher(None, [m.group().lower() for m in written], [w.lower() for w in second],
                                      autojunk=False)  # fmt: skip
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        if i2 - i1 == j2 - j1:
            pairs = list(zip(written[i1:i2], second[j1:j2], strict=True))
        else:
            pairs = _stretch_pair(written[i1:i2], second[j1:j2], found)
        for match, new in pairs:
            old = match.group()
            if not _is_option(new, found.get(old.lower(), ())):
                continue
            new = new.capitalize() if old[0].isupper() else new.lower()
            changes.append(Change(match.start(), match.end(), old, new))
    return changes


def _is_option(word: str, options: tuple[str, ...]) -> bool:
    """Whether `word` is one of the clinical words proposed, or one inflected ("wheeze" -> "wheezes")."""
    return any(word.lower().startswith(v) and len(word) - len(v) <= 3 for v in options)


def _stretch_pair(written: list[re.Match[str]], second: list[str], found: dict[str, tuple[str, ...]]
                  ) -> list[tuple[re.Match[str], str]]:  # fmt: skip
    """The (candidate, clinical word) pair of two differing stretches of unequal length: only where the written
    stretch holds exactly one candidate and the heard stretch exactly one of its clinical words."""
    candidates = [m for m in written if m.group().lower() in found]
    if len(candidates) != 1:
        return []
    options = found[candidates[0].group().lower()]
    heard = [w for w in second if _is_option(w, options)]
    return [(candidates[0], heard[0])] if len(heard) == 1 else []
