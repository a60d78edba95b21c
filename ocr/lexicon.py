"""Whether a read word is a word of the page's languages, to settle two readings of one word: a misreading is rarely
a word ("Jalau", "Chuian", "PIIARMACY", "Adjustiment"), so a dictionary word read by one engine beats a non-word
read by the other in the same place (ocr.fuse).

Words are looked up in wordfreq's frequency lists (by language; Zipf scale: MIN_ZIPF is once in a million words,
which leaves out the noise a web-crawled list holds) and in the Malaysian address words (ocr.address_words). Only
words of MIN_LETTERS letters or more are judged: shorter ones are abbreviations and codes ("AMT" read "ANT", "QTY"
read "aly") that no list settles. Without wordfreq installed, or for a language it has no list for, no word is
judged and the readings stand as they are."""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache

from rapidfuzz.distance import Levenshtein

from ocr.address_words import known_words
from ocr.layout import _h_overlap, _v_overlap, make_block, make_line
from ocr.models import BBox, Block, Word

log = logging.getLogger(__name__)

MIN_LETTERS = 4
MIN_ZIPF = 3.0
MAX_EDITS = 2  # letters a non-word may differ by from the other reading's word that replaces it (one added or lost)
MIN_OVERLAP = 0.5  # of the smaller box's width and height, for two readings of a word to be in the same place
MIN_COMPLETED = 2  # letters of a word another reading may add letters to the end of
LETTER_MARKS = frozenset("]|![")  # marks Tesseract reads for a thin letter at a word's end or start
# Tesseract's language codes and wordfreq's for the languages wordfreq lists (ISO 639-2 to 639-1)
WORDFREQ_CODES = {
    "eng": "en", "msa": "ms", "ind": "id", "deu": "de", "fra": "fr", "spa": "es", "ita": "it", "por": "pt",
    "nld": "nl", "dan": "da", "swe": "sv", "nor": "nb", "fin": "fi", "pol": "pl", "ces": "cs", "slk": "sk",
    "slv": "sl", "hun": "hu", "ron": "ro", "tur": "tr", "vie": "vi", "cat": "ca", "lit": "lt", "lav": "lv",
    "isl": "is", "tgl": "fil", "fil": "fil",
}  # fmt: skip
EDGE_MARKS = re.compile(r"^\W+|\W+$")


@cache
def _wordfreq():  # type: ignore[no-untyped-def]
    try:
        import wordfreq
    except ImportError:
        log.warning("wordfreq is not installed: two readings of a word are not settled by a dictionary")
        return None
    return wordfreq


def languages(lang: str | None) -> tuple[str, ...]:
    """wordfreq's codes for the Tesseract languages a page was read with ("eng+msa" -> ("en", "ms")); those it has
    no list for are left out. A page read with 'auto' or none named is taken as English."""
    codes = [c for c in (lang or "eng").split("+") if c != "auto"] or ["eng"]
    return tuple(dict.fromkeys(WORDFREQ_CODES[c] for c in codes if c in WORDFREQ_CODES))


@lru_cache(maxsize=65536)
def _frequent(word: str, language: str) -> bool:
    lists = _wordfreq()
    return lists is not None and lists.zipf_frequency(word, language) >= MIN_ZIPF


def judged(text: str) -> str | None:
    """The letters of a read word with its marks trimmed ("Jalan," -> "Jalan") when it is all letters and long
    enough to judge; else None (a number, a code, a short word)."""
    core = EDGE_MARKS.sub("", text)
    return core if core.isalpha() and len(core) >= MIN_LETTERS else None


def is_word(word: str, langs: tuple[str, ...]) -> bool:
    """Whether `word` (letters only) is a listed word of one of `langs` or a Malaysian address word."""
    return word.upper() in known_words() or any(_frequent(word.lower(), language) for language in langs)


def can_judge(langs: tuple[str, ...]) -> bool:
    """Whether there is a list to judge words of `langs` by."""
    return bool(langs) and _wordfreq() is not None


def word_beats(kept: str, other: str, langs: tuple[str, ...]) -> bool:
    """Whether reading `kept` beats reading `other` of the same word: both all letters (marks at the ends aside)
    and long enough to judge, `kept` a word of `langs` and `other` not. On 208 public SROIE training receipts, where
    fusion had put RapidOCR's letters into a word of Tesseract's, Tesseract's word was the one in the ground truth
    80 times when this held and RapidOCR's 5 times."""
    first, second = judged(kept), judged(other)
    if first is None or second is None or first.upper() == second.upper() or not can_judge(langs):
        return False
    return is_word(first, langs) and not is_word(second, langs)


def same_place(a: BBox, b: BBox) -> bool:
    """Whether two boxes are two readings of one word: each overlapping the other by MIN_OVERLAP of the smaller."""
    return _h_overlap(a, b) >= MIN_OVERLAP and _v_overlap(a, b) >= MIN_OVERLAP


def completed(read: str, others: list[Word], langs: tuple[str, ...], previous: str = "", following: str = "") -> str:
    """`read` (one engine's word, letters with marks at its ends) with the letters the other engine read before its
    start or after its end in the same place (`others`, words with boxes in the same pixels as `read`'s box):
    Tesseract loses a word's first or last glyph where it is faint or touches a mark ("Tota", "PUD,", "tem" for
    "Item", "OREMON" for "DOREMON"), or reads it as a mark ("SER]" for "SERI": the mark goes). One letter more is
    taken as it is, two only where they make a word of `langs`; never letters that are the word before or after it
    on the line (`previous`, `following`: "Se langor" read apart is not "Se Selangor"). On 144 public SROIE
    training receipts, where RapidOCR read one letter more at the end of a word of two or more letters, its word
    was the true one 26 times and Tesseract's once (6 neither), one more at the start 36 times against once (8
    neither); two more that make a word, 7 against 0 (two more that make no word were mostly two words run
    together: "FaxNo", "ofGST")."""
    core = EDGE_MARKS.sub("", read)
    if len(core) < MIN_COMPLETED or not core.isalpha():
        return read
    at = read.find(core)
    before, after = read[:at], read[at + len(core) :]
    for other in others:
        theirs = EDGE_MARKS.sub("", other.text)
        extra = len(theirs) - len(core)
        if not theirs.isalpha() or extra not in (1, 2):
            continue
        if extra == 2 and not (can_judge(langs) and is_word(theirs, langs)):
            continue
        if theirs.upper().startswith(core.upper()):
            added = theirs[len(core) :]
            if following.upper().startswith(added.upper()):
                continue
            return before + core + added + (after[1:] if after[:1] in LETTER_MARKS else after)
        if theirs.upper().endswith(core.upper()):
            added = theirs[:extra]
            if previous.upper().endswith(added.upper()):
                continue
            return (before[:-1] if before[-1:] in LETTER_MARKS else before) + added + core + after
    return read


def _mended_word(word: Word, others: list[Word], langs: tuple[str, ...]) -> Word:
    read = judged(word.text)
    if read is None or is_word(read, langs):
        return word
    found = []
    for other in others:
        theirs = judged(other.text)
        if theirs is None or abs(len(theirs) - len(read)) > 1 or not same_place(word.bbox, other.bbox):
            continue  # a word two letters longer or shorter is another word ("GARDENIA", a brand, and "GARDEN")
        if not is_word(theirs, langs):
            continue
        edits = Levenshtein.distance(read.upper(), theirs.upper(), score_cutoff=MAX_EDITS)
        if edits <= MAX_EDITS:
            found.append((edits, theirs))
    if not found:
        return word
    start = word.text.find(read)
    text = word.text[:start] + min(found)[1] + word.text[start + len(read) :]  # the marks at its ends as read
    return word.model_copy(update={"text": text})


def mended_by(blocks: list[Block], other: list[Block], langs: tuple[str, ...]) -> list[Block]:
    """One engine's reading (`blocks`) with each word that is not a word of `langs` replaced by the other engine's
    reading of the same place (`other`), where that is a word MAX_EDITS letters or fewer away ("Jalau" by "Jalan",
    "buardian" by "Guardian"); the marks at its ends stay as read. On 208 public SROIE training receipts, RapidOCR's
    non-words so replaced by Tesseract's words: Tesseract's word in the ground truth 116 times, RapidOCR's 4."""
    if not can_judge(langs):
        return blocks
    others = [w for block in other for line in block.lines for w in line.words]
    out = []
    for block in blocks:
        lines = []
        for line in block.lines:
            words = [_mended_word(w, others, langs) for w in line.words]
            lines.append(line if words == line.words else make_line(words))
        out.append(block if lines == block.lines else make_block(block.id, lines))
    return out
