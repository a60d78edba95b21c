"""Near misses of clinical phrases: "no test pain", "shortness of brap", "a steppy nose".

Whisper often hears one word of a two- to four-word clinical phrase as a word that sounds alike ("chest" as "test",
"breath" as "brap"), and the words around it are right. Every such n-gram of a transcript whose other words match a
phrase of the lexicon exactly (ICD-10-CM names and the curated spoken forms of asr.medical.terms) and whose odd word
sounds or is spelt like the phrase's word gives a candidate: the text with the phrase in its place. A candidate is
only a proposal: the engine keeps it when the acoustic model, scoring both texts on the same audio, finds it about
as likely as what it wrote (asr.engines.rescoring), so "a COVID test" never becomes "a COVID chest" (no phrase) and
"back pain" never becomes "chest pain" (a phrase already, and the words sound apart).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from asr.medical.correction import english_frequency, opposite, sound_key

MAX_WORDS = 4  # longer ICD-10 names are written, not said
MIN_SIMILARITY = 65.0  # rapidfuzz ratio (0-100) of spelling or of sound key between the odd word and the phrase's
MIN_ODD_LENGTH = 3  # "a", "an", "no", "in": too short to be a misheard term
MAX_ODD_ZIPF = 6.0  # wordfreq's frequency: "your", "any", "some" are function words, not misheard terms
MAX_CANDIDATES = 8  # per text: each costs one teacher-forced pass of the decoder
# ICD-10-CM names that open with one of these are coding frames ("other ascites", "contact with chicken", "history
# of falling"), not things said in a consultation: their first words would anchor any "other ..." or "... with ...".
ICD_FRAMES = frozenset({"other", "contact", "history", "personal", "family", "encounter", "exposure", "problems",
                        "underdosing", "poisoning", "adverse", "unspecified", "sequelae", "presence"})  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@dataclass(frozen=True)
class Candidate:
    text: str  # the whole text with the phrase in place
    start: int  # where the odd word is in the original text (characters)
    end: int
    old: str  # the word as written
    new: str  # the phrase's word
    phrase: str
    similarity: float


@functools.cache
def _index() -> tuple[frozenset[tuple[str, ...]], dict[tuple[int, tuple[str, ...]], tuple[str, ...]], frozenset[str]]:
    """The phrases; for each (position, the phrase without that word) the words that complete it; their words."""
    from asr.medical import lexicon

    phrases = {k for k in lexicon.conditions() if 2 <= len(k) <= MAX_WORDS and all(w.isalpha() for w in k)
               and k[0] not in ICD_FRAMES}  # fmt: skip
    index: dict[tuple[int, tuple[str, ...]], set[str]] = {}
    for phrase in phrases:
        for j, word in enumerate(phrase):
            if len(word) >= MIN_ODD_LENGTH:
                index.setdefault((j, phrase[:j] + phrase[j + 1 :]), set()).add(word)
    return frozenset(phrases), {k: tuple(sorted(v)) for k, v in index.items()}, frozenset(w for p in phrases for w in p)


def _similarity(old: str, new: str) -> float:
    from rapidfuzz import fuzz

    return max(fuzz.ratio(old, new), fuzz.ratio(sound_key(old), sound_key(new)))


def _common(word: str) -> bool:
    frequency = english_frequency(word)
    return frequency is not None and frequency >= MAX_ODD_ZIPF


def _inflection(old: str, new: str) -> bool:
    """ "ache" and "aches": the phrase list holds one number of a word, Whisper heard the other."""
    short, long = sorted((old, new), key=len)
    return long.startswith(short) and long[len(short) :] in ("s", "es", "ing", "ed", "d")


def candidates(text: str) -> list[Candidate]:
    """Texts with one near-missed clinical phrase put right, best first (at most one per word of `text`)."""
    phrases, index, vocabulary = _index()
    spans = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    words = [w for *_, w in spans]
    best: dict[int, Candidate] = {}  # by the odd word's position in `words`
    for n in range(2, MAX_WORDS + 1):
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            if gram in phrases:
                continue
            for j, old in enumerate(gram):
                # A word of the phrases' own vocabulary was heard as itself: "neck pain" is no misheard "back pain".
                if len(old) < MIN_ODD_LENGTH or old in vocabulary or _common(old):
                    continue
                for new in index.get((j, gram[:j] + gram[j + 1 :]), ()):
                    similarity = _similarity(old, new)
                    if similarity < MIN_SIMILARITY or opposite(old, new) or _inflection(old, new):
                        continue
                    if i + j in best and best[i + j].similarity >= similarity:
                        continue
                    start, end, _ = spans[i + j]
                    written = text[start:end]
                    replacement = new.capitalize() if written[0].isupper() else new
                    phrase = " ".join(gram[:j] + (new,) + gram[j + 1 :])
                    best[i + j] = Candidate(text[:start] + replacement + text[end:], start, end, written, replacement,
                                            phrase, similarity)  # fmt: skip
    return sorted(best.values(), key=lambda c: -c.similarity)[:MAX_CANDIDATES]
