"""Two readings of one page made one: Tesseract's lines, words, spacing and punctuation, with the letters and
digits RapidOCR (PP-OCR) read differently in the same place.

Why (issue 15, tune half of the SROIE receipts, bench/documents.py): on thermal-printed receipts PP-OCR's
recogniser misreads fewer letters and digits than Tesseract ("AECN"/"AEON", "KPB 4"/"KPB 6", "$$"/"SS",
"D.1.¥."/"D.I.Y."), but drops spaces and commas and often writes "0" for "O", and its boxes run neighbouring
words together; Tesseract keeps the line structure and punctuation the expense rules read. So each Tesseract
line is aligned, character by character (spaces aside), with the RapidOCR words found on it, and a character is
taken from RapidOCR only where both read a letter or digit at the same place:
- a substitution of equal length, letter or digit for letter or digit (or for a symbol Tesseract writes for one:
  $, ¥); "O" against "0" is settled by the rest of the word (all letters: O; all digits: 0);
- a stretch one character longer or shorter, where Tesseract read no punctuation;
- one character more inside a word, never at a word's end and never inside an amount ("9.60" read "9.600"
  by RapidOCR, whose box took in a neighbour's digit, would change a total);
- one or two letters or digits fewer in a longer word (Tesseract's "KPB 64" where RapidOCR read "KPB6"), again
  never inside an amount;
- a slash between two letters or digits that Tesseract lost or read as a thin letter ("SR 19", "25IC" for "SR 1/9",
  "25/C": on 288 public SROIE training receipts RapidOCR's slash was in the ground truth 10 times of 11).
Punctuation, spacing, extra characters at a word's end and lines that do not look alike (under
MIN_SIMILARITY of each other) stay Tesseract's: the fused reading is never built from RapidOCR alone. The one
exception at a word's ends: letters RapidOCR read before or after a word of Tesseract's letters in the same place
("tem" and "Item", "Tota" and "Total": Tesseract loses a faint first or last glyph; ocr.lexicon.completed). Nor does a
word of Tesseract's that is a word of the page's language become a non-word ("PHARMACY" read "PIIARMACY" by RapidOCR:
ocr.lexicon; on 208 public SROIE training receipts Tesseract's word was the true one 80 times of 85 such changes).
A word both engines read alike gets AGREED_CONFIDENCE at least (Tesseract's confidence alone called true text on
thermal prints unsure, and the expense rules skip unsure rows: on 60 public SROIE training receipts fields 0.742 ->
0.754, the shared tune half unchanged); an unsure line RapidOCR found no text on is left out (NOISE_CONFIDENCE).
Tried and not kept: letting the words' confidences decide each disagreement (RapidOCR's character only where
Tesseract's word is under 90 and RapidOCR's at 90 or more, or Tesseract's under 60). Judged one by one on the tune
receipts, Tesseract's surest words were right more often than RapidOCR, but the gate read fewer true words
(ground-truth word recall 0.834 against 0.837 ungated, psm 6 alone 0.789) and fewer fields (0.80 against 0.82).
Nor a third reading as tie-breaker (Tesseract psm 4, or psm 6 on the page upscaled twice: recall 0.833-0.836,
fields unchanged; GNU Ocrad reads thermal receipts as noise), nor RapidOCR's recogniser on Tesseract's line boxes
instead of its own detector (recall the same, fields 0.79, and no cheaper: recognition is most of its time).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from ocr.layout import make_block, make_line, page_text, split_line_into_words
from ocr.lexicon import completed, languages, same_place, word_beats
from ocr.models import BBox, Block, Line, Page, Word

# Thin letters Tesseract reads where a slash is printed between letters or digits ("25IC" for "25/C")
SLASH_LOOKALIKES = "Il|"
# Lines whose letters and digits agree less than this are different text (a box from a neighbouring column).
MIN_SIMILARITY = 0.5
# Characters that are Tesseract's call: RapidOCR drops or swaps them ("," for "." and none at all).
# "|" too: on receipts it is mostly a printed column rule, which the expense rules read as one.
PUNCTUATION = frozenset(".,:;-/&()[]'\"#%*+!?_~=<>|")
AMOUNT = re.compile(r"\d[.,]\d")
# A line only Tesseract read, with a mean word confidence under this, is not text: a barcode, a logo, a
# handwritten mark or the grain of a scan read as letters ("PREM RTR TR RTA", "WAM MUTANT"). On the tune receipts
# (psm 6), 37 Tesseract lines had no RapidOCR word on them, all under 63 and 4 of their 110 words in the ground
# truth (one-letter chance matches); RapidOCR's detector finds no text there.
NOISE_CONFIDENCE = 65.0
# A word both engines read alike is at least this sure (RapidOCR's own confidence is 94-98 on nearly every word).
AGREED_CONFIDENCE = 90.0


def _letterlike(char: str) -> bool:
    """A letter, a digit, or a symbol Tesseract writes for one ($ for S, ¥ for Y)."""
    return char.isalnum() or (not char.isspace() and char not in PUNCTUATION)


def _alnum(text: str) -> bool:
    return bool(text) and all(c.isalnum() for c in text)


def _word_at(text: str, index: int) -> tuple[int, int]:
    start = text.rfind(" ", 0, index) + 1
    end = text.find(" ", index)
    return start, len(text) if end < 0 else end


def _o_or_zero(tesseract: str, rapid: str, text: str, index: int) -> str:
    """ "O" against "0": the one that fits the rest of its word; RapidOCR's when the word is mixed."""
    start, end = _word_at(text, index)
    others = [c for i, c in enumerate(text[start:end], start) if i != index and c.isalnum()]
    if others and all(c.isalpha() for c in others):
        return tesseract if tesseract.isalpha() else rapid
    if others and all(c.isdigit() for c in others):
        return tesseract if tesseract.isdigit() else rapid
    return rapid


def _replace(ours: str, theirs: str, text: str, positions: list[int]) -> str:
    """The text for a stretch Tesseract (`ours`, at `positions` of `text`) and RapidOCR read differently."""
    if not theirs:
        return ours
    if ours[0] in PUNCTUATION and theirs[0].isalnum():  # punctuation at an end is Tesseract's; look again inside
        return ours[0] + _replace(ours[1:], theirs, text, positions[1:]) if ours[1:] else ours
    if ours[-1] in PUNCTUATION and theirs[-1].isalnum():
        return (_replace(ours[:-1], theirs, text, positions[:-1]) if ours[:-1] else "") + ours[-1]
    if len(ours) == len(theirs):
        out = []
        for k, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            if other == "/" and mine in SLASH_LOOKALIKES and _inside_word(text, positions[k]):
                out.append(other)  # "25IC" read "25/C": a slash Tesseract took for a thin letter
            elif mine == other or not (_letterlike(mine) and other.isalnum()):
                out.append(mine)
            elif {mine.upper(), other.upper()} == {"O", "0"}:
                out.append(_o_or_zero(mine, other, text, positions[k]))
            else:
                out.append(other)
        return "".join(out)
    if abs(len(ours) - len(theirs)) == 1 and all(_letterlike(c) for c in ours) and _alnum(theirs):
        return theirs
    return ours


def _inside_word(text: str, position: int) -> bool:
    """Whether the character at `position` has a letter or digit on both sides."""
    return 0 < position < len(text) - 1 and text[position - 1].isalnum() and text[position + 1].isalnum()


def _insertable(text: str, left: int, right: int, extra: str) -> bool:
    """One letter or digit RapidOCR read between two adjacent characters of a Tesseract word, not in an amount; or
    a slash between two letters or digits ("SR 19" read "SR 1/9": Tesseract loses thin slashes in street codes)."""
    slash = extra == "/" and text[left].isalnum() and text[right].isalnum()
    if len(extra) != 1 or not (extra.isalnum() or slash) or right != left + 1:
        return False
    start, end = _word_at(text, left)
    return not AMOUNT.search(text[start:end])


def _droppable(text: str, positions: list[int]) -> bool:
    """Whether letters or digits only Tesseract read go: one or two of them in a longer word (a speck read as a
    "4" after "KPB 6"), never a whole word, never inside an amount. Judged one by one on the tune receipts, such
    deletions brought the line closer to the truth 32 times of 33 (longer ones and punctuation are kept: a comma
    RapidOCR lacks was Tesseract's right one 11 times of 12)."""
    start, end = _word_at(text, positions[0])
    word = text[start:end]
    together = positions[-1] - positions[0] == len(positions) - 1 and positions[-1] < end
    return together and len(positions) <= 2 and _letters_and_digits(word) > len(positions) and not AMOUNT.search(word)


def _letters_and_digits(word: str) -> int:
    return sum(c.isalnum() for c in word)


def fuse_text(tesseract: str, rapid: str) -> str:
    """Tesseract's line text with RapidOCR's letters and digits where they differ (see the module's rules)."""
    rapid = unicodedata.normalize("NFKC", rapid).replace(" ", "")  # PP-OCR writes fullwidth brackets
    index = [i for i, c in enumerate(tesseract) if c != " "]
    ours = "".join(tesseract[i] for i in index)
    if not rapid or SequenceMatcher(None, ours.upper(), rapid.upper(), autojunk=False).ratio() < MIN_SIMILARITY:
        return tesseract
    chars = list(tesseract)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ours, rapid, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "delete":  # the letters and digits of the stretch may go, its punctuation stays ("64," -> "6,")
            letters = [p for p in index[i1:i2] if tesseract[p].isalnum()]
            for position in letters if letters and _droppable(tesseract, letters) else ():
                chars[position] = ""
            continue
        if op == "insert":
            if 0 < i1 < len(index) and _insertable(tesseract, index[i1 - 1], index[i1], rapid[j1:j2]):
                chars[index[i1]] = rapid[j1:j2] + chars[index[i1]]
            continue
        positions = index[i1:i2]
        new = _replace(ours[i1:i2], rapid[j1:j2], tesseract, positions)
        if len(new) == len(positions):
            for position, char in zip(positions, new, strict=True):
                chars[position] = char
        else:  # one character fewer or more: it stands where the letters are ("|S" read "3": the S's place)
            keep = positions[-1] if not ours[i1].isalnum() else positions[0]
            for position in positions:
                chars[position] = new if position == keep else ""
    return " ".join("".join(chars).split())


def on_line(line: Line, word: Word) -> bool:
    """Whether a RapidOCR word sits on a Tesseract line: half its height shared, its middle within the line."""
    a, b = line.bbox, word.bbox
    shared = max(0, min(a.bottom, b.bottom) - max(a.top, b.top)) / max(1, min(a.height, b.height))
    middle = b.left + b.width / 2
    return shared >= 0.5 and a.left - a.height <= middle <= a.right + a.height


def _squashed(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).upper() if c.isalnum())


def _agreed(words: list[Word], rapid: str) -> list[Word]:
    """Words both engines read alike (letters and digits) are as sure as the surer reading: two independent
    readers agreeing is better evidence than Tesseract's confidence alone. A word of one letter or digit must be a
    whole word of RapidOCR's too (a lone "6" is inside nearly any line's digits): "JALAN KPB 6," read "6," at 42 by
    Tesseract and at 100 by RapidOCR was trimmed from the address as a speck."""
    theirs = _squashed(rapid)
    their_words = {_squashed(word) for word in rapid.split()}

    def read_alike(text: str) -> bool:
        squashed = _squashed(text)
        return squashed in their_words if len(squashed) == 1 else len(squashed) >= 2 and squashed in theirs

    return [
        w.model_copy(update={"confidence": max(w.confidence, AGREED_CONFIDENCE)}) if read_alike(w.text) else w
        for w in words
    ]


def _fused_line(line: Line, words: list[Word], langs: tuple[str, ...]) -> Line:
    if not words:  # nothing of RapidOCR's on this line: Tesseract's reading as it is
        return line
    rapid = " ".join(w.text for w in sorted(words, key=lambda w: w.bbox.left))
    text = fuse_text(line.text, rapid)
    tokens = text.split()
    if text == line.text:
        fused = line.words
    elif len(tokens) == len(line.words):  # the usual case: Tesseract's word boxes and confidences kept
        fused = [w.model_copy(update={"text": w.text if word_beats(w.text, t, langs) else t})
                 for w, t in zip(line.words, tokens, strict=True)]  # fmt: skip
    else:
        fused = split_line_into_words(text, BBox.union([w.bbox for w in line.words]), line.confidence)
    fused = [_completed(fused, k, words, langs) for k in range(len(fused))]
    return make_line(_agreed(fused, rapid))


def _completed(line: list[Word], k: int, rapid: list[Word], langs: tuple[str, ...]) -> Word:
    """The line's k-th word with the letters RapidOCR read before or after it in the same place
    (ocr.lexicon.completed)."""
    word = line[k]
    previous = line[k - 1].text if k > 0 else ""
    following = line[k + 1].text if k + 1 < len(line) else ""
    there = [w for w in rapid if same_place(word.bbox, w.bbox)]
    text = completed(word.text, there, langs, previous, following)
    return word if text == word.text else word.model_copy(update={"text": text})


def fuse_blocks(tesseract: list[Block], rapid: list[Block], langs: tuple[str, ...] = ()) -> list[Block]:
    """Tesseract's blocks with each line fused with the RapidOCR words (a reading of the same image) on it; a line
    RapidOCR found no text on, read unsurely by Tesseract (under NOISE_CONFIDENCE), is left out as noise. A word of
    Tesseract's that is a word of `langs` (wordfreq codes) stays as Tesseract read it where fusion would make it a
    non-word (ocr.lexicon)."""
    words = [w for block in rapid for line in block.lines for w in line.words]
    blocks = []
    for block in tesseract:
        lines = []
        for line in block.lines:
            read_there = [w for w in words if on_line(line, w)]
            if read_there or line.confidence >= NOISE_CONFIDENCE:
                lines.append(_fused_line(line, read_there, langs))
        if lines:
            blocks.append(make_block(block.id, lines))
    return blocks


def fuse_pages(tesseract: Page, rapid: Page) -> Page:
    """`tesseract` with each line fused with the words of `rapid` (a reading of the same image) on it."""
    blocks = fuse_blocks(tesseract.blocks, rapid.blocks, languages(tesseract.lang))
    return tesseract.model_copy(
        update={"blocks": blocks, "text": page_text(blocks), "engine": f"{tesseract.engine}+{rapid.engine}"}
    )
