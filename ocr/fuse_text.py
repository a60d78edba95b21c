"""Two readings of one page made one for its text: RapidOCR's lines (PP-OCRv6), with what Tesseract reads better.

Why (issue 15): with the PP-OCRv6 recogniser RapidOCR writes spaces and most punctuation, and alone it reads more
true words of a receipt than Tesseract-led fusion (ocr.fuse): 300 public SROIE training receipts (tune), ground-truth
word recall Tesseract psm 6 0.74, RapidOCR 0.89, Tesseract-led fusion 0.81 (Tesseract's dotted leaders and stray
marks stay in it). Tesseract still reads two things better, which are taken from it where both read the same
letters and digits:
- a comma or full stop at a word's end that RapidOCR read none for ("JALAN DEDAP 13," read "JALAN DEDAP 13");
- a space RapidOCR left out: after a comma both read ("27,JALAN" for "27, JALAN"), or between two words of three or
  more letters or digits ("SDNBHD" for "SDN BHD").
Tesseract's lines RapidOCR found no text on are kept where Tesseract is sure of them (ocr.fuse.NOISE_CONFIDENCE).
The expense fields are still read from the Tesseract-led fusion and RapidOCR's own reading (ocr.two_readings), which
read more fields right than this text as their base (35 of the 300 training receipts: 0.800 against 0.786)."""

from __future__ import annotations

from difflib import SequenceMatcher

from ocr.engines.rapid import writes_word_spaces
from ocr.fuse import MIN_SIMILARITY, NOISE_CONFIDENCE, fuse_blocks, on_line
from ocr.layout import lines_to_blocks, make_line, split_line_into_words
from ocr.models import BBox, Block, Line, Word

MARKS = ",."


def _alnum_run(text: str, index: int, step: int) -> int:
    """How many letters and digits run from `index` in direction `step`."""
    count = 0
    while 0 <= index < len(text) and text[index].isalnum():
        count += 1
        index += step
    return count


def _words_of_three(text: str, left: int, right: int) -> bool:
    """Whether the words ending at `left` and starting at `right` have three letters or digits each (Tesseract
    splits a word at a narrow letter now and then: "TO TAL")."""
    return _alnum_run(text, left, -1) >= 3 and _alnum_run(text, right, 1) >= 3


def _glued_after_mark(text: str, index: int) -> bool:
    """A word glued after the mark at index + 1, where the two sides are not digits (a decimal point: "35.00")."""
    following = text[index + 2 : index + 3]
    return following.isalnum() and not (text[index].isdigit() and following.isdigit())


def second_led_text(rapid: str, tesseract: str) -> str:
    """RapidOCR's line with Tesseract's word-end commas and full stops and the spaces it read (module docstring)."""
    r_at = [i for i, c in enumerate(rapid) if c.isalnum()]
    t_at = [i for i, c in enumerate(tesseract) if c.isalnum()]
    a = "".join(rapid[i] for i in r_at).upper()
    b = "".join(tesseract[i] for i in t_at).upper()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if not a or not b or matcher.ratio() < MIN_SIMILARITY:
        return rapid
    after: dict[int, str] = {}  # rapid index -> text to insert after it
    pairs = [(r_at[i + k], t_at[j + k]) for i, j, size in matcher.get_matching_blocks() for k in range(size)]
    for (rp, tp), (rq, tq) in zip(pairs, [*pairs[1:], (-1, -1)], strict=True):
        mark, next_r = tesseract[tp + 1 : tp + 2], rapid[rp + 1 : rp + 2]
        word_end = tesseract[tp + 2 : tp + 3] in ("", " ")
        if mark and mark in MARKS and word_end and (not next_r or next_r not in MARKS):
            after[rp] = mark + (" " if next_r.isalnum() else "")  # "13" -> "13,"; "BAHRU.JOHOR" keeps RapidOCR's
        elif next_r in tuple(MARKS) and _glued_after_mark(rapid, rp) and tesseract[tp + 1 : tp + 3] == next_r + " ":
            after[rp + 1] = " "  # "27,JALAN" -> "27, JALAN"
        elif rq == rp + 1 and tesseract[tp + 1 : tq] == " " and _words_of_three(tesseract, tp, tq):
            after[rp] = " "  # "SDNBHD" -> "SDN BHD"
    return "".join(c + after.get(i, "") for i, c in enumerate(rapid))


def _led_line(line: Line, words: list[Word]) -> Line:
    if not words:
        return line
    tesseract = " ".join(w.text for w in sorted(words, key=lambda w: w.bbox.left))
    text = second_led_text(line.text, tesseract)
    if text == line.text:
        return line
    tokens = text.split()
    if len(tokens) == len(line.words):
        return make_line([w.model_copy(update={"text": t}) for w, t in zip(line.words, tokens, strict=True)])
    return make_line(split_line_into_words(text, BBox.union([w.bbox for w in line.words]), line.confidence))


def second_led_blocks(tesseract: list[Block], rapid: list[Block]) -> list[Block]:
    """RapidOCR's lines, each with what Tesseract read better on it, and Tesseract's sure lines RapidOCR found no
    text on, grouped into blocks."""
    tesseract_words = [w for block in tesseract for line in block.lines for w in line.words]
    lines = [_led_line(line, [w for w in tesseract_words if on_line(line, w)])
             for block in rapid for line in block.lines]  # fmt: skip
    rapid_words = [w for block in rapid for line in block.lines for w in line.words]
    lines += [line for block in tesseract for line in block.lines
              if line.confidence >= NOISE_CONFIDENCE and not any(on_line(line, w) for w in rapid_words)]  # fmt: skip
    return lines_to_blocks(sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.left)))


def text_blocks(tesseract: list[Block], rapid: list[Block]) -> list[Block]:
    """The blocks of a receipt's text, from Tesseract's and RapidOCR's readings: RapidOCR-led where its recogniser
    writes the spaces between words (PP-OCRv6 installed), else Tesseract-led (ocr.fuse: PP-OCRv4 runs words
    together)."""
    return second_led_blocks(tesseract, rapid) if writes_word_spaces() else fuse_blocks(tesseract, rapid)
