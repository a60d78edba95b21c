"""Text read on a receipt, mended as read: the misreadings OCR makes of names, addresses, labels and dates
(look-alike letters and digits, specks read as marks, a comma read as a dot, a gap read inside a date), each fix
a pattern that holds for any receipt, not a list of known shops. ocr.expense applies them; tests/ocr/
test_expense_rules.py shows each on the reading that called for it."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from ocr.address_words import mend_address
from ocr.lexicon import is_word

# Tesseract's usual misreadings of the Malaysian company form "SDN BHD" (SON BHD, SIN BHD, SDN BND, SDN 3HD)
SDN_BHD = re.compile(r"\b(S[DOI0]N|5DN)(\.?\s*)(B[HN]\s?[DZ]|[83R]HD)\b", re.I)  # and "SDN BH D": a gap read


SPECK_MARKS = "—–_|~'‘’`\"“”*·•"  # marks a speck or a rule is read as; no name prints one alone


def _name_words(words: list[str]) -> list[str]:
    """A name's words without specks read around them: marks between words ("SIX — ENTERPRISE"), a number
    tag before it ("#000002"), and, in a name printed in capitals, words with small letters at either end ("Pe 99
    SPEED MART S/B", "BILLION SIX ENTERPRISE a"): a logo or a smudge read as letters."""
    words = [w for w in words if w.strip(SPECK_MARKS)]
    while words and words[0].startswith("#"):
        words = words[1:]
    lettered = [w for w in words if any(c.isalpha() for c in w)]
    if len(lettered) >= 3 and sum(w == w.upper() for w in lettered) >= 0.75 * len(lettered):
        while len(words) > 1 and any(c.islower() for c in words[0]):
            words = words[1:]
        while len(words) > 1 and any(c.islower() for c in words[-1]):
            words = words[:-1]
    if words:
        words[0] = words[0].lstrip("-—_*.,:;|~")
    return [w for w in words if w]


# words that say what kind of business a name is: a word of a name one letter from one of them that is no word
# itself is it misread ("PHARHACY", "HARDWAKE", "99 SPEED NART")
BUSINESS_WORDS = frozenset((
    "ENTERPRISE", "ENTERPRISES", "TRADING", "TRADERS", "STATIONERS", "PRINTERS", "BAKERS", "SUPPLIERS",
    "RESTAURANT", "RESTAURANTS", "RESTORAN", "HOTEL", "MART", "MARKET", "SUPERMARKET", "HYPERMARKET", "MINIMARKET",
    "STORE", "STORES", "SHOP", "PHARMACY", "KEDAI", "STATIONERY", "HARDWARE", "BAKERY", "CAFE", "BOOKSTORE",
    "BOOKS", "SERVICE", "SERVICES", "INDUSTRIES", "HOLDINGS", "GROUP", "PERNIAGAAN", "SYARIKAT", "MARKETING",
    "ELECTRICAL", "MACHINERY", "FURNITURE", "KITCHEN", "STATION", "SUPPLY", "SUPPLIES", "PRINTING", "TRAVEL",
    "CLINIC", "OPTICAL", "CORPORATION", "COMPANY", "LIMITED", "BERHAD", "SENDIRIAN", "INTERNATIONAL", "MANAGEMENT",
    "ENGINEERING", "EMPORIUM", "BOUTIQUE", "CATERING", "LAUNDRY", "TAILORING", "CONFECTIONERY", "BAKERIES",
    "DISTRIBUTOR", "DISTRIBUTORS", "RESOURCES", "PRODUCTS", "SOLUTIONS", "ELECTRONICS", "AUTOMOBILE", "PETROLEUM",
))  # fmt: skip
MIN_TWICE_MENDED = 8  # letters of a read word that may be two letters off a business word
NAME_LANGUAGES = ("en", "ms")  # a receipt's name is judged as English or Malay


def _business_mended(word: str) -> str:
    core = word.strip(".,:;'\"()")
    if len(core) < 4 or not core.isalpha() or core.upper() in BUSINESS_WORDS or is_word(core, NAME_LANGUAGES):
        return word
    edits = 2 if len(core) >= MIN_TWICE_MENDED else 1  # "HARIWAKE", "HARUWARL": two letters off a long word
    apart = {b: Levenshtein.distance(b, core.upper()) for b in BUSINESS_WORDS if abs(len(b) - len(core)) <= 1}
    least = min(apart.values(), default=edits + 1)
    near = [b for b, d in apart.items() if d == least]
    if least > edits or len(near) != 1 or (least == 1 and len(near[0]) != len(core) and len(core) < MIN_TWICE_MENDED):
        return word  # a short word one letter longer or shorter is often another word ("MARTS", "SHOPE")
    mended = near[0] if core.isupper() else near[0].title() if core.istitle() else near[0].lower()
    return word.replace(core, mended)


def name_text(text: str) -> str:
    """A vendor's name as read, mended: SDN BHD misread ("SDN 3HD"), braces and a j read for brackets ("AEON CO.
    {M) BHD", "(Mj"), an underscore for a space, a lone opening bracket, an I read for an l inside a lower-case word
    ("WorId"), a dot read between a name and its legal form ("INTERNATIONAL.SDN BHD"), a colon or comma after it,
    and a full stop after it unless the name is written with dots ("SDN. BHD.", "CO.", "S.H.H."; 23 of 626 SROIE
    keys end in a dot, all such)."""
    text = unicodedata.normalize("NFKC", text)  # full-width forms RapidOCR reads ("（M)") are ASCII
    text = text.replace("{", "(").replace("}", ")").replace("_", " ").replace("’", "'").replace("¥", "Y")
    # "SDN.BHD" read run together is "SDN. BHD" (23 of 25 SROIE training keys with the dot have the space), "SDNBHD"
    # is "SDN BHD" (none of the 626 keys runs it together)
    text = SDN_BHD.sub(lambda m: "SDN" + (". " if m.group(2) == "." else m.group(2) or " ") + "BHD", text)
    text = re.sub(r"(?<=\s)[S5]/[B8D]$", "S/B", text)  # "99 SPEED MART 5/B", "S/D": Sendirian Berhad's S/B
    text = re.sub(r"(?<=[A-Za-z]):(?=\s+[A-Za-z])", "", text)  # "THE: TOAST": no name has a colon inside
    text = re.sub(r"\((M)[j\]|]", r"(\1)", text)  # "(Mj", "(M]": the (M) of a Malaysian company
    if text.startswith("(") and ")" not in text:
        text = text[1:]  # "(TONYMOLY SHOP": a speck read as a bracket
    text = re.sub(r"\(([A-Z]{1,3})[Il1|](?=\s|$)(?![^(]*\))", r"(\1)", text)  # "(KLI SDN BHD": its ) read as an I
    # a name never ends in Sendirian without Berhad: "SDN D", "SDN 11." are BHD misread, or it was lost
    text = re.sub(r"\bSDN(\.?)(\s+(?!BHD\b)\S{1,3})?$", lambda m: "SDN. BHD." if m.group(1) else "SDN BHD", text)
    text = re.sub(r"(?<=[a-z])I(?=[a-z]|\b)", "l", text)
    text = re.sub(r"\b([A-Z])0(?=\.|\b)", r"\1O", text)  # "AEON C0. (M) BHD"
    text = re.sub(r"\s*\(?\d{4,}-?[A-Z]\)?$", "", text)  # a registration number glued on: "...SDNBHD(1248717-W)"
    text = re.sub(r"\s+\(\d{2,3}[.\s]\d{3}\s?-?\s?[A-Z]\)$", "", text)  # ... read with a dot or a gap: "(139.386 X)"
    text = re.sub(r"(?<=[A-Za-z]{2})\.(?=(SDN|S/B)\b)", " ", text, flags=re.I)
    text = " ".join(_business_mended(w) for w in _name_words(text.split())).rstrip(" :;,")
    if text.endswith(".") and "." not in text[:-1]:
        text = text[:-1]
    return text


# A full stop read after a street number or a word of four or more letters, with more of the address after it:
# a comma read as a dot (in the 626 public SROIE training addresses such a word is followed by a comma 1,686
# times and by a full stop 20 times, by a colon never); abbreviations ("NO.", "JLN.", "D.E", "NO: 28") and
# "122.124" are left alone. After a number the same holds glued to a word ("SS21/60.DAMANSARA": a comma 714 times
# in the keys, a full stop 7), and after a code ending in a letter ("U3/G. SUBANG": a comma 107 times, a full stop
# never).
DOT_FOR_COMMA = re.compile(
    r"(?<=[A-Za-z]{4})[.:](?=\s*[A-Za-z0-9])|(?<=\d)\.(?=\s+[A-Za-z0-9]|[A-Za-z]{3})|(?<=[\d/][A-Z])\.(?=\s+[A-Za-z])"
)
STRAY_QUOTE = re.compile(r"(?<!\S)[‘’“”\"'`]+(?=\w)")  # a speck read as a quote before a word: "‘Tampoi"


# a five-character token with three or more digits and look-alike letters for the rest: a misread postcode
POSTCODE_FIRST_B = re.compile(r"(?<![\w/.-])B(?=\d{4}(?![\w/.-]))")
POSTCODE_MISREAD = re.compile(r"(?<![\w/.-])(?=(?:[^\d\s]*\d){3})[\dOoDQSIl]{5}(?![\w/.-])")


# The address's first word, before its number, read one letter off LOT ("Loi 3", "Eot 3", "LO1 1851-A", "1.ot 3"):
# LOT begins 180 of the 625 public SROIE training addresses, and no key begins with another word one letter from it.
FIRST_WORD_BEFORE_NUMBER = re.compile(r"^(\S{2,4})(?=\s+\d)")


def _lot_first(text: str) -> str:
    match = FIRST_WORD_BEFORE_NUMBER.match(text)
    if match is None:
        return text
    read = match.group(1)
    word = read.upper().replace("1.", "L").replace("0", "O")
    if read == "LOT" or len(word) != 3 or Levenshtein.distance(word, "LOT", score_cutoff=1) > 1:
        return text
    return ("Lot" if any(c.islower() for c in read) else "LOT") + text[match.end() :]


def address_text(text: str, keep: frozenset[str] = frozenset()) -> str:
    """An address as read, its misread punctuation mended: stray quotes before words, typographic apostrophes,
    dots or colons read for commas between its parts, a colon for the slash of "7/4", a dollar read for an S, an
    exclamation mark for an I, a zero for the O of NO, lone small letters in an address printed in capitals. A comma
    at its end is kept: it is printed there when the address ends a row (as SROIE's keys keep it). The words in `keep`
    are never mended to a listed address word (ocr.address_words.mend_address)."""
    text = STRAY_QUOTE.sub("", unicodedata.normalize("NFKC", text).replace("$", "S")).replace("’", "'")
    text = ADDRESS_LABEL.sub("", text)  # "HQ ADD: LOT 11995": the label is not the address
    text = re.sub(r"^[^\w(]+", "", text)  # "-LOT 1-0-2": a speck before it (no training key begins with a mark)
    text = LEADING_BRACKET.sub("", text)  # "(JALAN KLANG LAMA) LOT 2942": a branch or a number in brackets before it
    text = _lot_first(text)
    text = re.sub(r"(?<=\d):(?=\d)", "/", text)  # "7:4" is the street "7/4": an address prints no time
    text = re.sub(r"(?<=[A-Za-z])!", "I", text)  # "DAMA!", "BES!": no address prints an exclamation mark
    text = re.sub(r"\b(N)0(?=[.:,\s]|\d)", r"\1O", text, flags=re.I)  # "N0.3": the number sign NO.
    text = re.sub(r"\b(NO),(?=\s*\d)", r"\1.", text, flags=re.I)  # "NO, 42": "NO." (196 to 2 in SROIE's keys)
    text = re.sub(r"(?<=\d)[lIi|](?=\d)", "1", text)  # "7/1l8B": an l between digits is a 1
    text = re.sub(r"\bUS(?=[\s,/]|$)", "U5", text)  # "SEKSYEN US": the section U5 (76 training keys print a U code)
    text = POSTCODE_MISREAD.sub(_as_digits, text)  # "400OO", "411S0"
    text = POSTCODE_FIRST_B.sub("8", text)  # "B1750 MASAI": Johor's postcodes begin with 8; no key has B and 4 digits
    text = re.sub(r"(?<![\w.])§?(\d\d)\.?(\d{3})(?![\w.])", r"\1\2", text)  # "40.150", "§55100": postcodes
    words = text.split()
    lettered = [w for w in words if sum(c.isalpha() for c in w) >= 2]
    if lettered and sum(w.isupper() for w in lettered) >= 0.75 * len(lettered):  # in capitals: a lone "i" is a speck
        text = " ".join(w for w in words if not (len(w) == 1 and w.islower()))
    text = re.sub(r"\bP[.,]\s?[TIJ][.,J]{0,2}(?=\s*\d)", "P.T.", text)  # the land title P.T. ("P.TJ,", "P.I.")
    # "LOT PJ. 2811", "LOT PT, 2811": P.T. with its first dot lost ("LOT PT244", printed so, is left alone)
    text = re.sub(r"(?<=LOT )P(?:J[.,]?|T[.,])(?=\s*\d)", "P.T.", text, flags=re.I)
    text = CODE_PART.sub(_as_digits, text)  # "A-G-O6", "B-F-ll"
    text = re.sub(r"\b([A-Z]\d+)O\b", r"\g<1>0", text)  # "LOT G29 & G3O": an O ending a lot code is a zero (keys: 0 O)
    text = re.sub(r"(?<=\w)\+(?=\w)", "-", text)  # "NO. 9+G": a dash (no training key prints a plus)
    text = re.sub(r"(?<=\d)\?(?=\d)", "", text)  # "PT179?20": a speck (no training key prints a question mark)
    text = re.sub(r"[~]|(?<!\S)!(?=[A-Za-z])", "", text)  # "1313~-SUBANG", "!lumpur": specks; no address prints them
    text = re.sub(r",(\s*,)+", ",", text)  # "BRINCHANG,, CAMERON": a speck after a comma; no address has two
    text = AMPERSAND_AS_8.sub(_ampersand, text)  # "LOT 211082111", "NO. 31G833G": the & of two numbers
    text = SELANGOR_DE.sub(lambda m: m.group(1) + ("D.E," if m.group(2) and text[m.end() :].strip() else "D.E."), text)
    return mend_address(DOT_FOR_COMMA.sub(",", text).strip(), keep)


# a label printed before the address ("Address:", "HQ ADD:"); no training key begins with one
ADDRESS_LABEL = re.compile(r"^\W*(HQ\s*)?ADD(RESS)?\s*[:.]\s*", re.I)
# a group in brackets (a branch, a registration number, closed or cut at its comma) before the address goes on: none
# of the 626 training keys begins with a bracket, and 4 of the 440 addresses read on the training receipts did
LEADING_BRACKET = re.compile(r"^\((?:[^()]*\)|[A-Z0-9-]*\d[A-Z0-9-]*[,.]?)\s*(?=\S)", re.I)
# two neighbouring numbers after LOT or NO, joined by an "&" read as 8 ("LOT 2110&2111" read "LOT 211082111"; 20 of
# the 626 training keys print such a pair); two digits each at least, as "LOT 485" is one number
AMPERSAND_AS_8 = re.compile(r"\b((?:LOT|NO)\.?\s*)(\d{2,})([A-Z]?)8(\d{2,})([A-Z]?)\b", re.I)
NEIGHBOURS = 10  # the most the second number of such a pair is above the first


def _ampersand(match: re.Match[str]) -> str:
    label, first, mark, second, second_mark = match.groups()
    pair = len(first) == len(second) and mark == second_mark and 0 < int(second) - int(first) <= NEIGHBOURS
    return f"{label}{first}{mark}&{second}{second_mark}" if pair else match.group(0)


# the last part of a unit number written with dashes ("A-G-06", "B-F-11"), read with look-alike letters for its
# digits: O beside a digit, or small l's alone (a capital I or O alone may be the floor or block letter)
CODE_PART = re.compile(r"(?<=[A-Z0-9]-[A-Z0-9]-)(O\d|\dO|l+)(?![\w-])")


# Selangor Darul Ehsan abbreviated "D.E.", its dots read as an L ("SELANGOR DLE,") or one lost ("D.E"); "DE" and
# "D E" are printed so too and left as read. The keys keep "D.E," before more of the address ("SELANGOR D.E,
# MALAYSIA") and "D.E." at its end.
SELANGOR_DE = re.compile(r"\b(SELANGOR[,.]?\s*)D\s?[L.,]\s?E\b\.?(,)?", re.I)


# "lotal", "Totai", "TOTA1", "Folal", "lota!": TOTAL misread (same length, so a label's position in the row holds)
TOTAL_MISREAD = re.compile(r"(?<!\w)(?!total\b)[TLIF1][O0][TF]A[LI1!](?!\w)", re.I)


# Letters Tesseract reads for digits in a run of digits (D2/O2/17 for 02/02/17); same length, so positions hold
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                                  "S": "5", "B": "8", "Z": "2"})  # fmt: skip


def _as_digits(match: re.Match[str]) -> str:
    return match.group(0).translate(DIGIT_LOOKALIKES)


def digits_fixed(text: str) -> str:
    """Look-alike letters turned to digits inside tokens that are mostly digits and date separators; a tilde between
    digits is a dash ("05~05-17")."""
    text = re.sub(r"(?<=\d)~(?=\d)", "-", text)
    return re.sub(r"[\w|/\-.]+", lambda m: m.group(0).translate(DIGIT_LOOKALIKES)
                  if sum(c.isdigit() for c in m.group(0)) >= 0.5 * len(m.group(0)) else m.group(0), text)  # fmt: skip


# Digits Tesseract reads for letters in a word of letters (D.1.Y. for D.I.Y.)
LETTER_LOOKALIKES = str.maketrans({"1": "I", "0": "O", "5": "S", "8": "B"})


def letters_fixed(text: str) -> str:
    """Look-alike digits turned to letters inside words of two or more letters and a single digit or twice as
    many letters as look-alike digits ("F00DICI0US"), and a dollar sign to S."""

    text = text.replace("$", "S")  # "$/B" is S/B: no name prints a dollar

    def fixed(word: str) -> str:
        digits = [c for c in word if c.isdigit()]
        letters = sum(c.isalpha() for c in word)
        lettered = letters >= 2 and (len(digits) == 1 or letters >= 2 * len(digits))
        return word.translate(LETTER_LOOKALIKES) if digits and lettered and set(digits) <= set("0158") else word

    return re.sub(r"\S+", lambda m: fixed(m.group(0)), text)


# a numeric date with a space read inside it ("25/12/20 18", "17/0 3/2018"): the space is a gap between glyphs
# (RapidOCR splits a line there); not before a time ("12/03/20 14:30" is 2020) or more of a number
SPLIT_DATE = re.compile(
    r"(?<![\d/.\-])\d ?\d? ?[/.\-] ?\d ?\d? ?[/.\-] ?(?:(?:19|20) ?\d ?\d|\d ?\d)(?![\d:]|[/.\-]\d)"
)


def date_closed(text: str) -> str:
    """The row with the spaces inside its dates moved after them (the length, so word positions, kept)."""

    def closed(match: re.Match[str]) -> str:
        printed = match.group(0)
        joined = printed.replace(" ", "")
        return joined + " " * (len(printed) - len(joined))

    return SPLIT_DATE.sub(closed, text)


# a month name between a day and a year read with one letter wrong, lost or added ("02/Ja0/2017", "14/AMay/2017")
MONTH_BETWEEN = re.compile(r"(?<![\w/])(\d{1,2})/([A-Za-z0-9]{2,4})/((?:19|20)\d\d)(?!\d)")
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def month_mended(text: str) -> str:
    """The row with a misread month name between a day and a year mended where exactly one month is one edit away
    (the length may change: only for reading the date, not for word positions)."""

    def mended(match: re.Match[str]) -> str:
        read = match.group(2).upper()
        if read in MONTH_NAMES:
            return match.group(0)
        near = [m for m in MONTH_NAMES if Levenshtein.distance(read, m, score_cutoff=1) <= 1]
        return f"{match.group(1)}/{near[0]}/{match.group(3)}" if len(near) == 1 else match.group(0)

    return MONTH_BETWEEN.sub(mended, text)


# a date with digits glued after its four-digit year ("17/01/20184 2153": the time's first digit; "17/01/201842153":
# the whole time, as PP-OCRv6 reads it), or a two-digit year glued to a time ("28-03-1818:05")
YEAR_GLUED = re.compile(r"(?<![\d/.\-])(\d{1,2}[/.\-]\d{1,2}[/.\-](?:(?:19|20)\d\d(?=\d)|\d\d(?=\d{1,2}:\d\d)))")
# a zero read for the O of a month name ("0ct 3, 2016", "N0V"): no other word of a receipt reads so
MONTH_ZERO = re.compile(r"\b(?:0CT|N0V)\b", re.I)
# a month-name date whose year is glued to the time after it ("Oct 3, 201612:16:25 PM")
NAMED_YEAR_GLUED = re.compile(
    rf"(\b(?:{'|'.join(MONTH_NAMES)})[a-z]*\.?\s*\d{{1,2}},?\s*(?:19|20)\d\d)(?=\d{{1,2}}:\d\d)", re.I
)
# day, month and four-digit year read with spaces for the separators ("27 03 2018")
SPACED_DATE = re.compile(r"(?<![\d.,/\-])(0[1-9]|[12]\d|3[01]) (0[1-9]|1[0-2]) ((?:19|20)\d\d)(?![\d.,/\-])")
# a space read for the first separator of a day and month written with two digits each ("05 02-18")
HALF_SPACED_DATE = re.compile(
    r"(?<![\d.,/\-])(0[1-9]|[12]\d|3[01]) (0[1-9]|1[0-2])([/\-.])((?:19|20)\d\d|\d\d)(?![\d.,/\-])"
)
# a slash read as a 7 or a 1 between day and month or month and year, the other slash read ("13707/2017",
# "13/0712017"): day and month of two digits, a four-digit year
SLASH_AS_DIGIT = re.compile(
    r"(?<![\d.,/\-])(0[1-9]|[12]\d|3[01])(?:[71](0[1-9]|1[0-2])/|/(0[1-9]|1[0-2])[71])((?:19|20)\d\d)(?![\d.,/\-])"
)
# day, month and four-digit year with their separators lost ("27032018 No: CS-20243"), first on the row or after a
# date label: eight digits after another label are a number ("Member 25032018"); only in the fix pass (ocr.values
# reads those before a time at once)
RUN_TOGETHER_DATE = re.compile(
    r"^(\s*|.*\bdate\s*[:.;]?\s*)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])((?:19|20)\d\d)(?![\w.,/\-])", re.I
)


def year_unglued(text: str) -> str:
    """The row with a space after a date's year where more digits were read glued to it (a month-name date's too:
    "Oct 3, 201612:16"), slashes for the spaces of a day, month and year read apart or run together, a space read
    for a separator put back, a slash read as a 7 or a 1 put back, and the O of OCT or NOV read as a zero put back
    (the length grows by two at most: only for reading the date, where nothing else was found)."""
    text = SPACED_DATE.sub(r"\1/\2/\3", text)
    text = HALF_SPACED_DATE.sub(r"\1\3\2\3\4", text)
    text = RUN_TOGETHER_DATE.sub(r"\1\2/\3/\4", text)
    text = SLASH_AS_DIGIT.sub(lambda m: f"{m.group(1)}/{m.group(2) or m.group(3)}/{m.group(4)}", text)
    text = MONTH_ZERO.sub(lambda m: m.group(0).replace("0", "O"), text)
    text = NAMED_YEAR_GLUED.sub(r"\1 ", text)
    return YEAR_GLUED.sub(r"\1 ", text)
