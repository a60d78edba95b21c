"""A receipt read twice (Tesseract psm 6 fused with RapidOCR, and RapidOCR alone): each AnalyzeExpense field taken
from the reading that reads it better, as counted on 300 public SROIE training receipts (bench/documents.py).

- the date and total from RapidOCR's own reading where it has them (SROIE tune half: total 0.96 against 0.88 on
  the fused reading, date 0.92 against 0.88), except a total where it read a gap inside the amount;
- the vendor's name from RapidOCR's reading (it reads large and styled shop names better: 27 names right only in
  it, 12 only in the fused), unless only the fused reading's ends in its legal form or RapidOCR's holds a web
  address (a slogan), spaced as the fused reading spaces it (RapidOCR runs words together: "ACMETRADING SDNBHD"),
  with the final full stop of a name written with dots that only the fused reading has;
- the address from the fused reading (63 right only in it, 20 only in RapidOCR's) unless RapidOCR's is the same
  with rows more before it, with the commas (and a final full stop) RapidOCR reads where the fused reading has
  none (300 tune receipts: address 0.517 to 0.533, none lost), or RapidOCR's where the fused reading took a row with
  no postcode or address word;
- a total derived from the amount paid only when neither reading has one by its label.
The second reading's letter-spaced words ("TR AD IN G": PP-OCRv6 reads styled type so) are made one word before its
fields are read (MIN_PIECES).
"""

from __future__ import annotations

import re
from decimal import Decimal
from difflib import SequenceMatcher

from ocr.address_words import WORD, address_fit, is_address_part
from ocr.expense import (
    LEGAL_FORM,
    POSTCODE,
    STREET_WORD,
    ExpenseDocument,
    ExpenseField,
    derived_total,
    expense_fields,
)
from ocr.layout import make_block, make_line, page_text
from ocr.models import BBox, Block, Document, Line, Word
from ocr.rows import page_rows
from ocr.values import DateOrder, find_amounts

WEB_ADDRESS = re.compile(r"\.(com|net|org|my)\b|\bwww\.", re.I)
SECOND_READER_FIELDS = ("INVOICE_RECEIPT_DATE", "TOTAL")
# PP-OCRv6 reads a letter-spaced (styled) word as pieces of one or two letters ("TR AD IN G", "M Y D IN"); no
# line among the first eight of the 626 public SROIE training receipts' ground truth has three such pieces in a row
MIN_PIECES = 3
MAX_PIECE_LETTERS = 2


def respaced(read: str, spaced: str) -> str:
    """`read` with a space wherever `spaced`, the same text read with its spaces, has one between two characters
    both readings share ("ACMETRADING SDNBHD" by "ACME TRADING SDN BHD"; "VIVOPACMARKETINGSDN BHD" by "OPAC
    MARKETING SDN BHD": "VIVOPAC MARKETING SDN BHD")."""
    mine = [(i, c) for i, c in enumerate(read) if not c.isspace()]
    theirs = [(i, c) for i, c in enumerate(spaced) if not c.isspace()]
    gaps = {k for k in range(1, len(theirs)) if theirs[k][0] - theirs[k - 1][0] > 1}  # a space before theirs[k]
    breaks = set()
    matcher = SequenceMatcher(None, [c.upper() for _, c in mine], [c.upper() for _, c in theirs], autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        breaks |= {mine[a + k][0] for k in range(1, size) if b + k in gaps}
    return "".join((" " if i in breaks and not read[i - 1].isspace() else "") + c for i, c in enumerate(read))


def _respaced_field(field: ExpenseField, like: ExpenseField) -> ExpenseField:
    spaced = {"text": respaced(field.text, like.text), "value": respaced(field.value, like.value)}
    return field.model_copy(update=spaced)


def _squashed(text: str) -> str:
    return re.sub(r"\W", "", text.upper())


def _vendor_of_two(fused: ExpenseField | None, second: ExpenseField | None) -> ExpenseField | None:
    if fused is None or second is None:
        return second or fused
    if re.sub(r"\s", "", fused.value.upper()) == re.sub(r"\s", "", second.value.upper()):
        return fused  # the same name: Tesseract's spacing
    if LEGAL_FORM.search(fused.value) and not LEGAL_FORM.search(second.value):
        return fused  # "MIZU MENTAI SDN. BHD." against "MIZUMENTAI"
    if WEB_ADDRESS.search(second.value) and not WEB_ADDRESS.search(fused.value):
        return fused  # "TQFORSHOPPING WITHmyNEWS.cOm": a slogan with the shop's web address, not its name
    chosen = _respaced_field(second, fused)
    last, theirs = chosen.value.split()[-1:], fused.value.split()[-1:]
    if last and theirs and theirs[0] == last[0] + "." and "." in chosen.value:
        return chosen.model_copy(update={"value": chosen.value + "."})  # "... SDN. BHD" read "... BHD." there
    return chosen


def _address_of_two(fused: ExpenseField | None, second: ExpenseField | None) -> ExpenseField | None:
    if fused is None or second is None:
        return fused or second
    mine, theirs = _squashed(fused.value), _squashed(second.value)
    if len(theirs) > len(mine) and theirs.endswith(mine):
        return _respaced_field(second, fused)
    if not _address_like(fused.value) and _address_like(second.value):
        return second  # the fused reading took an item row ("JIANYU STEEL RULER 30CM") for the address
    value = _marks_of_two(fused.value, second.value)
    theirs_fit, ours_fit = address_fit(second.value), address_fit(value)
    if theirs_fit > ours_fit:
        return second  # fewer misread words: "OFF JALAN PUDU" where the fused reading lost a letter ("PUD")
    if theirs_fit == ours_fit and POSTCODE.search(second.value) and not POSTCODE.search(value):
        return second  # as many, and only it reads the postcode ("JLN PJU 1A/4 47301" against "JLN PT ides")
    return fused.model_copy(update={"value": value}) if value != fused.value else fused


def _address_like(text: str) -> bool:
    return bool(POSTCODE.search(text) or STREET_WORD.search(text) or is_address_part(text))


def _marks_of_two(first: str, second: str) -> str:
    """`first` with the comma after a word, or the full stop after its last word, that `second` reads where `first`
    has none (Tesseract drops small marks that RapidOCR keeps: "Johor Bahru Johor" and "JohorBahru,Johor"), or
    where `first` ends in a comma (Tesseract reads a full stop as one)."""
    words = first.split()
    theirs = [w for w in re.split(r"(?<=,)|\s+", respaced(second, first)) if w]
    keys = [_squashed(w) for w in words], [_squashed(w) for w in theirs]
    out = list(words)
    for a, b, size in SequenceMatcher(None, *keys, autojunk=False).get_matching_blocks():
        for k in range(size):
            last = a + k == len(words) - 1
            mark = theirs[b + k][-1] if theirs[b + k][-1] in ",." else ""
            if mark and not words[a + k].endswith((",", ".")) and (mark == "," and not last or mark == "." and last):
                out[a + k] = words[a + k] + mark
            elif last and mark == "." and words[a + k].endswith(","):  # "JOHOR," and "JOHOR.": a full stop ends it
                out[a + k] = words[a + k][:-1] + mark
    return " ".join(out)


DIGIT_GAP = re.compile(r"(?<=\d) (?=\d)")  # "Total Payable: 3 3.05"


def _split_amount(read: ExpenseField, other: ExpenseField, reading: Document) -> bool:
    """Whether `read` is the end of `other` ("4.73" of "44.73"), RapidOCR having read a gap in the amount ("4 4.73")
    where `other` is printed elsewhere in its reading ("CASH : 44.73") or is that amount with the gap closed."""
    if other.value == read.value or not other.value.endswith(read.value):
        return False  # the reading is only searched in the rare case where the two totals end alike
    value = Decimal(other.value)
    rows = [DIGIT_GAP.sub("", r.text) for p in reading.pages for r in page_rows(p)]
    return any(v == value for text in rows for _, v in find_amounts(text))


def _piece(word: Word) -> bool:
    return word.text.isalpha() and len(word.text) <= MAX_PIECE_LETTERS


def _pieces_joined(line: Line) -> Line:
    """The line with each run of MIN_PIECES or more one- or two-letter pieces, one of them a single letter, made
    one word ("TR AD IN G" -> "TRADING")."""
    words: list[Word] = []
    run: list[Word] = []
    for word in [*line.words, None]:
        if word is not None and _piece(word):
            run.append(word)
            continue
        if len(run) >= MIN_PIECES and any(len(w.text) == 1 for w in run):
            joined = "".join(w.text for w in run)
            box, sure = BBox.union([w.bbox for w in run]), min(w.confidence for w in run)
            run = [run[0].model_copy(update={"text": joined, "bbox": box, "confidence": sure})]
        words += run + ([word] if word is not None else [])
        run = []
    return line if len(words) == len(line.words) else make_line(words)


def letter_spaced_joined(reading: Document) -> Document:
    """The second reader's reading with its letter-spaced words joined (MIN_PIECES)."""
    pages = []
    for page in reading.pages:
        blocks: list[Block] = []
        for block in page.blocks:
            lines = [_pieces_joined(line) for line in block.lines]
            blocks.append(block if lines == block.lines else make_block(block.id, lines))
        pages.append(page.model_copy(update={"blocks": blocks}))
    return reading.model_copy(update={"pages": pages})


def agreed_words(first: Document, second: Document) -> frozenset[str]:
    """The words (letters and digits, upper case) both readings read somewhere on the page."""

    def words(reading: Document) -> set[str]:
        return {w.upper() for page in reading.pages for w in WORD.findall(page_text(page.blocks))}

    return frozenset(words(first) & words(second))


def two_readings_fields(
    fused: Document, second: Document | None, order: DateOrder = "DMY", first: Document | None = None
) -> ExpenseDocument:
    """The fields of the fused reading, and of the second reader's own reading where it reads them better (see the
    module's docstring); without a second reading, the fused reading's alone. A word that the `first` reading
    (Tesseract's, before fusion) and the second both read stays as read in the address."""
    keep = agreed_words(first, second) if first is not None and second is not None else frozenset()
    result = expense_fields(fused, order, derive_total=second is None, keep=keep)
    if second is None:
        return result
    second = letter_spaced_joined(second)
    own = expense_fields(second, order, derive_total=False, keep=keep).fields
    total = result.fields.get("TOTAL")
    result.fields.update({name: own[name] for name in SECOND_READER_FIELDS if name in own})
    if total is not None and "TOTAL" in own and _split_amount(own["TOTAL"], total, second):
        result.fields["TOTAL"] = total
    for name, choose in (("VENDOR_NAME", _vendor_of_two), ("VENDOR_ADDRESS", _address_of_two)):
        chosen = choose(result.fields.get(name), own.get(name))
        if chosen is not None:
            result.fields[name] = chosen
    if "TOTAL" not in result.fields and (total := derived_total(own) or derived_total(result.fields)):
        result.fields["TOTAL"] = total
    return result
