"""Misread words of a Malaysian postal address mended against the words such addresses are made of
(ocr/address_words.txt, built by bench/address_words.py): "Jaian" -> "Jalan", "SCLANGOR" -> "SELANGOR",
"Perirndustrian" -> "Perindustrian", "Ja1an" -> "Jalan", "lpoh" -> "Ipoh".

A read word is changed only when it is not itself a known word (the list, and words of one training address,
which are never a mend's target) and either one look-alike swap makes it a listed
word (a digit read for a letter, or one digit twice: "1OT", "MA11", "4LAM"; l and I taken for each other) or,
for words of five or more letters, exactly one listed word of five or more letters is one edit away (for eight
or more letters, two edits: "PETALINCI"); four-letter place words are too close to each other to tell apart
(BATU, SATU, JAYA, RAYA)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

WORDS_FILE = Path(__file__).with_name("address_words.txt")
# the line after which the file lists known words, never a mend's target (bench/address_words.py writes it)
ONCE_MARK = "# words of one address: left as read, never a mend's target"
MIN_EDITED = 5  # letters of a read word, and of the listed word, for a mend by an edit
# ... by two edits ("PETALINCI" for PETALING): a list built without the 300 read training receipts and scored on
# them gave address 0.567 to 0.570 with 8 letters, and lost with 7
MIN_TWICE_EDITED = 8
# digits Tesseract reads for letters inside a word ("ANG5A", "Ja1an"): one such digit, or one digit twice
DIGIT_FOR_LETTER = {"0": "O", "1": "IL", "4": "A", "5": "S", "8": "B", "6": "G"}
WORD = re.compile(r"[A-Za-z0-9]+")
# the states and federal territories and the country: a word both readers read one letter from one of these is
# still mended (mend_address)
STATES = frozenset({
    "JOHOR", "KEDAH", "KELANTAN", "MELAKA", "MALACCA", "NEGERI", "SEMBILAN", "PAHANG", "PERAK", "PERLIS", "PENANG",
    "PULAU", "PINANG", "SABAH", "SARAWAK", "SELANGOR", "TERENGGANU", "KUALA", "LUMPUR", "PUTRAJAYA", "LABUAN",
    "MALAYSIA",
})  # fmt: skip
# place names of two words whose first names the second: in the 626 public SROIE training addresses SHAH is followed
# by ALAM in 25 of 27, PETALING by JAYA in 27 of 28, KELANA by JAYA in 6 of 6. The second word is four letters, too
# short to mend alone (MIN_EDITED); after its first, one letter off is it misread ("SHAH ALAN", even where both
# readers read it so)
PLACE_PAIRS = {"SHAH": "ALAM", "PETALING": "JAYA", "KELANA": "JAYA"}
PLACE_PAIR = re.compile(r"\b(" + "|".join(PLACE_PAIRS) + r")(\W{1,2})([A-Za-z]{4})\b", re.I)
# a thin letter read as a mark inside a word of letters ("JA:AN", "SE_ANGOR"); an apostrophe ("D'SARA") is printed
THIN_LETTERS = "LIJT"
MARK_FOR_LETTER = re.compile(r"(?<![\w.:_|!;])([A-Za-z]{2,})([:_|!;])([A-Za-z]{2,})(?![\w:_|!;])")
LETTERS = re.compile(r"[A-Za-z]{3,}")


@lru_cache(maxsize=1)
def _word_lists() -> tuple[frozenset[str], frozenset[str]]:
    targets: set[str] = set()
    once: set[str] = set()
    into = targets
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if line == ONCE_MARK:
            into = once
        elif line.strip() and not line.startswith("#"):
            into.add(line.strip())
    return frozenset(targets), frozenset(targets | once)


def address_words() -> frozenset[str]:
    """The words a misread word may be mended to."""
    return _word_lists()[0]


def known_words() -> frozenset[str]:
    """Those and the words of a single training address: left as read, never a mend's target."""
    return _word_lists()[1]


def _lookalikes(word: str) -> set[str]:
    """The upper-case word with its look-alike digits (one, or one digit twice: "MA11") read as each letter they
    may be, or, without a digit, with one I read for an L or an L for an I."""
    digits = [i for i, c in enumerate(word) if c.isdigit()]
    if digits:
        readings = {""}
        for c in word:
            readings = {r + letter for r in readings for letter in (DIGIT_FOR_LETTER.get(c, "") if c.isdigit() else c)}
        return readings
    swaps = {"I": "L", "L": "I"}
    return {word[:i] + swaps[c] + word[i + 1 :] for i, c in enumerate(word) if c in swaps}


def _cased(found: str, read: str) -> str:
    if read[:1].isupper() and read[1:].islower():
        return found.capitalize()
    return found.lower() if read.islower() else found


def _mended(read: str) -> str:
    word = read.upper()
    letters = sum(c.isalpha() for c in word)
    digits = {c for c in word if c.isdigit()}
    if letters < 2 or len(word) < 3 or word in known_words():
        return read  # a number, a code ("U3", "B-F-11", "1851-A"), or a listed word
    if letters + 1 < len(word) and not (len(digits) == 1 and letters + 2 == len(word) >= 4):
        return read  # more digits than a misread word has ("SS21", "PT17920"); one digit twice is "MA11"
    hits = _lookalikes(word) & address_words()
    if len(hits) == 1:
        return _cased(hits.pop(), read)
    if not word.isalpha() or len(word) < MIN_EDITED:
        return read  # "UPTOWN3": a digit no letter looks like
    near = [w for w in address_words() if len(w) >= MIN_EDITED and abs(len(w) - len(word)) <= 1
            and Levenshtein.distance(w, word, score_cutoff=1) <= 1]  # fmt: skip
    if not near and len(word) >= MIN_TWICE_EDITED:
        near = [w for w in address_words() if len(w) >= MIN_TWICE_EDITED and abs(len(w) - len(word)) <= 2
                and Levenshtein.distance(w, word, score_cutoff=2) <= 2]  # fmt: skip
    return _cased(near[0], read) if len(near) == 1 else read


def _letter_for_mark(match: re.Match[str]) -> str:
    """A word with one thin letter read as a mark ("JA:AN", "SE_ANGOR"), as the one address word such a letter there
    makes; as read when none or several do."""
    before, after = match.group(1), match.group(3)
    hits = {f"{before}{c}{after}".upper() for c in THIN_LETTERS} & address_words()
    return _cased(hits.pop(), before + after) if len(hits) == 1 else match.group(0)


def _kept_or_mended(read: str, keep: frozenset[str]) -> str:
    mended = _mended(read)
    if mended == read or read.upper() not in keep or not read.isalpha() or mended.upper() in STATES:
        return mended
    if mended.upper() in _lookalikes(read.upper()):
        return mended  # an I read for an L ("Jaian"): both engines take one for the other alike
    long_and_near = len(read) >= MIN_TWICE_EDITED and Levenshtein.distance(read.upper(), mended.upper()) <= 1
    return mended if long_and_near else read


def _pair_mended(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(3)
    place = PLACE_PAIRS[first.upper()]
    if second.upper() == place or len(second) != len(place) or Levenshtein.distance(second.upper(), place) != 1:
        return match.group(0)
    return first + match.group(2) + _cased(place, second)


def mend_address(text: str, keep: frozenset[str] = frozenset()) -> str:
    """The address with its misread place and street words mended; every other word as read, and so are the words
    in `keep` (upper case), those two engines read alike on the page: two readers agreeing on a word one letter from
    a listed street or place word read it as printed ("Jalan Batai" is not "Balai"). Still mended where both can be
    wrong alike: a digit read in a word ("J1n", "4lam"), a state's name (no place is named one letter from one:
    "SCLANGOR" is SELANGOR, which nearly every address prints), a word of MIN_TWICE_EDITED letters or more one
    letter from a listed one ("PERTNDUSTRIAN")."""
    text = PLACE_PAIR.sub(_pair_mended, text)
    return WORD.sub(lambda m: _kept_or_mended(m.group(0), keep), MARK_FOR_LETTER.sub(_letter_for_mark, text))


def address_fit(text: str) -> int:
    """How well `text` reads as an address: its words of three or more letters that are known address words, less
    those that are not. Of two readings of one address, the one that fits better has fewer misread words ("JALAN
    PUDU" against "JALAN PUD", "JALAN KANCIL" against "JALANKANCIL")."""
    return sum(1 if w.upper() in known_words() else -1 for w in LETTERS.findall(text))


def is_address_part(text: str) -> bool:
    """Whether at least half the words of four or more letters of `text` are address words, once mended
    ("KUALA LUMPUR", "Selangor, Malaysia"; not "CST elee", a misread label)."""
    words = [m.group(0) for m in WORD.finditer(text) if sum(c.isalpha() for c in m.group(0)) >= 4]
    return bool(words) and 2 * sum(_mended(w).upper() in known_words() for w in words) >= len(words)
