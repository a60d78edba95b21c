"""Receipts and invoices (Textract AnalyzeExpense): vendor, address, date, totals and line items from a read page.

Rules over the page's rows, no trained layout model:
- VENDOR_NAME: among the top rows, the first with a company-form word (SDN BHD, LTD, INC, GMBH, ENTERPRISE,
  TRADING, ...; a name wrapped over rows runs on to its legal form, "... SDN BHD"); without one, the row just
  above a registration number ("(1365663-P)"); else the first confidently read row of mostly letters that is
  not a title or greeting ("TAX INVOICE", "RECEIPT", "THANK YOU").
- VENDOR_ADDRESS: the rows after the vendor (registration numbers and a date skipped) up to the first row that
  is a phone, a tax or company number, a title, a date or an amount (street numbers like "55,57" are not).
- INVOICE_RECEIPT_DATE: the first date on the page, a labelled one ("Date:") first.
- TOTAL and the other amounts: a row whose label names them (ROUNDED TOTAL before GRAND TOTAL before TOTAL;
  SUBTOTAL, TAX/GST/SST/VAT, DISCOUNT, CASH/PAID), the amount at its right end or on the row below; the total
  is cross-checked against the amounts printed more often and against paid less change (misread digits).
- line items: rows above the first total row that end in an amount and have a description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from pydantic import BaseModel, Field

from ocr.address_words import is_address_part
from ocr.misreads import (
    SDN_BHD,
    TOTAL_MISREAD,
    address_text,
    date_closed,
    digits_fixed,
    letters_fixed,
    month_mended,
    name_text,
    year_unglued,
)
from ocr.models import BBox, Document, FieldText, Page, Word
from ocr.rows import Row, located, page_rows
from ocr.values import DateOrder, find_amounts, find_dates

TOP_ROWS = 12  # where a vendor's name is looked for
MAX_ADDRESS_ROWS = 5
ADDRESS_GAP = 1.2  # between address rows: at most 0.74 word heights on the 576 training receipts; 0.6 cut 6 of them
MIN_CONFIDENCE = 40.0  # rows read less surely than this are skipped while looking for the vendor

COMPANY_FORM = re.compile(
    r"\b(SDN\.?\s*BHD|S/B|BHD|BERHAD|LTD|LIMITED|LLC|L\.L\.C|INC|PLC|GMBH|CORP|CORPORATION|COMPANY|CO\.|PTE|PTY|"
    r"ENTERPRISES?|TRADING|RESTAURANT|RESTORAN|HOTEL|MART|MARKET|SUPERMARKET|STORES?|SHOP|PHARMACY|KEDAI|"
    r"STATIONERY|HARDWARE|BAKERY|CAFE|BOOKSTORE|SERVICES?|INDUSTRIES|HOLDINGS|GROUP|PERNIAGAAN|SYARIKAT)\b",
    re.I,
)
TITLE = re.compile(
    r"\b(TAX\s*INVOICE|INVOICE|RECEIPT|CASH\s*BILL|BILL|WELCOME|SIMPLIFIED|OFFICIAL|COPY|CHECK|ORDER|THANK|VISIT|"
    r"PLEASE)\b",
    re.I,
)
STOP_ADDRESS = re.compile(
    r"(\bTE[L1I]\b|\bTEL[:.]|PHONE|\bFAX\b|\bH/?P\b|GST|\bSST\b|\bREG\b|REG\.|REGISTRATION|CO\.?\s*NO|COMPANY\s*NO|"
    r"ROC\b|\bNO\s*:\s*\d|INVOICE|RECEIPT|\bDATE\b|EMAIL|E-MAIL|WWW\.|@|CASHIER|\bBILL\b|TABLE|DOC(UMENT)?\b|"
    r"\bTAX\b|MOBILE|WHATSAPP|\b[TF]\s*:)",
    re.I,
)
REGISTRATION = re.compile(
    r"^\W*\(?\s*(CO\.?\s*(REG\.?\s*)?NO\.?|ROC|REG\.?\s*NO\.?|COMPANY\s*NO\.?)?[\s:.]*[\dA-Z]*\d[\dA-Z]*"
    r"(\s[\dA-Z]*\d[\dA-Z]*)?\s*-\s*[A-Z]\b\)?\W*$",  # the number may be read with a gap: "7B 7-W"
    re.I,
)
ADDRESS_HINT = re.compile(
    r"(\d|\b(JALAN|JLN|LOT|NO\.?|ROAD|RD|STREET|ST|AVENUE|AVE|TAMAN|BANDAR|FLOOR|BLOCK|BLK|LORONG|PERSIARAN|"
    r"KAMPUNG|KG|SUITE|UNIT|BUILDING|PLAZA|MALL|CENTRE|CENTER)\b)",
    re.I,
)
# the legal form that ends a company's name (where a name wrapped over rows stops)
LEGAL_FORM = re.compile(
    r"\b(S[DOI0]N\.?\s*B[HN]D|S/B|BHD|BERHAD|LTD|LIMITED|LLC|INC|PLC|GMBH|CORP|CORPORATION|PTE|PTY)\b", re.I
)
LEGAL_FORM_END = re.compile(r"\b(S[DOI0]N\.?\s*B[HN]D|S/B|BHD|BERHAD|LTD|LIMITED)\.?$", re.I)
GLUED_AFTER_FORM = re.compile(r"^(B[HN]D\.|BERHAD\.|LTD\.|LIMITED\.)[A-Z]{1,3}$", re.I)  # "BHD.LLT"
NAME_WRAP_ROWS = 2
# the company that owns the shop, named under the shop's name ("SANYU STATIONERY SHOP" ... "Owned By :" /
# "SANYU SUPPLY SDN BHD"): not the vendor
OWNED_BY = re.compile(r"\b((OWNED|OPERATED|MANAGED)\s*BY|DIMILIKI(\s*OLEH)?)\b", re.I)
# words that end a name, never begin one: a row beginning with one goes on from the row above
NAME_END_FIRST = re.compile(r"^\W*(ENTERPRISES?|TRADING|SERVICES|INDUSTRIES|HOLDINGS|MARKETING|CORPORATION)\b", re.I)
OWNER_LABEL = re.compile(r"[A-Za-z]{4,}:")  # a label before a company's name ("DIMILIKI:", Malay for "owned by")
# a row that is only an identifier, in brackets or as "LABEL: id" ("(JM0517726)", "BR NO.: 0195932-X", "SITE: 2395")
ID_ROW = re.compile(r"^\(.*\d.*\)\W*$|^[A-Z][A-Z .#]{0,12}:\s*\(?[\dA-Z\-]*\d[\dA-Z\-]*\)?\W*$", re.I)
# the country ends an address
COUNTRY_END = re.compile(
    r"\b(MALAYSIA|SINGAPORE|INDONESIA|THAILAND|BRUNEI|PHILIPPINES|VIETNAM|USA|CANADA|UNITED\s+(STATES|KINGDOM)|UK|"
    r"GERMANY|FRANCE|AUSTRALIA|INDIA|CHINA|JAPAN)\W*$",
    re.I,
)
# a branch in brackets after a name printed on the row above ("PASAR RAYA MEGA MAJU" / "(SEMENYIH) SDN BHD")
BRANCH = re.compile(r"\([A-Z .'&-]+\)", re.I)
# what is left of "CO. (M) SDN BHD" once the company forms are taken out: no name
FORM_ONLY = re.compile(r"\bCO\b\.?|\((M|MALAYSIA)\)", re.I)
# a row labelling the company's registration or tax number, not its name ("COMPANY NO: ...", "(CO.NO. 123-X)")
REG_LABEL = re.compile(
    r"\b(CO|COMPANY)\.?\s*(REG(ISTRATION)?\.?\s*)?NO\b|\bREG(ISTRATION)?\.?\s*NO\b|\bROC\b|\bGST\b", re.I
)
# a word only an address has (its numbers, "55,57", can look like amounts)
STREET_WORD = re.compile(
    r"\b(JALAN|JLN|LOT|ROAD|RD|STREET|AVENUE|TAMAN|BANDAR|FLOOR|BLOCK|BLK|LORONG|PERSIARAN|KAMPUNG|KG|SUITE|"
    r"PLAZA|MALL|CENTRE|CENTER|\d{5})\b",
    re.I,
)
BRANCH_CODE = re.compile(r"\d{3,4}-[A-Z]", re.I)  # "1174-PERMATA MAGNA": a chain's branch, printed after its address
POSTCODE = re.compile(r"(?<![\d/.-])\d{5}(?![\d/-])")  # a Malaysian postcode: five digits alone
# a company registration number (123456-X, (139386 X)) or a tax number: where a vendor's name ends
REG_NUMBER = re.compile(r"\d{4,}|\d+-[A-Z]\b|^\(?(CO\.?\s*REG|ROC|REG|GST)\b|^\((CO|COMPANY)\b", re.I)
# a national number ("03-9130 2672", with a second line's last digits: "03-7932 1023/0191") or an international one,
# the area code's 0 dropped ("+603-91 30 2672")
PHONE_NUMBER = re.compile(
    r"(?<![\d/])(\+\d{1,2}[\s\-]?)?\(?0\d{1,2}\)?[\s\-]?\d{3,4}[\s\-]?\d{3,4}(/\d{2,4})?(?![\d/])|"
    r"\+\d{2,3}[\s\-]?\d[\d\s\-]{6,}\d"
)
# a company registration number inside a row ("DIMILIKI: ... SDN BHD 1110644-W", "SITE: 2395 NO: SA0127959-D"):
# the row names the company, it is not the address (street numbers are shorter: "LOT 1851-A")
REG_INSIDE = re.compile(r"\d{5,}-[A-Z]\b", re.I)
# what no address row holds: a label and its number ("CARELINE : 1800 88 1231") or a long number (a tax id)
NOT_ADDRESS = re.compile(r"[A-Za-z]\s*:\s*[\d+(]|\d{9,}")
# a label and a number of five digits or more, no street word: not an address's first row ("Chit Number: 12091")
LABELLED_NUMBER = re.compile(r"[A-Za-z]\s*:\s*\d{5,}(?!\S)")
# a gap read inside the cents of an amount: "Total RM Incl. of GST 9. 90", "19.6 1" (PP-OCRv6)
GAP_IN_CENTS = re.compile(r"(\d)\.( ?)(\d)( ?)(\d)(?![\d.,])")
ONE_AFTER_CURRENCY = re.compile(r"(?<=RM)[Il|](?=\d[\d,]*\.\d)")  # "RMI11.90": no amount's first digit is a letter
# a dash read for the decimal point of the amount that ends a labelled row ("TOTAL 22-60"); not a range or a code
# ("1-10", "03-12", "A-22-60"): one to four digits alone before it
DASH_FOR_POINT = re.compile(r"(?<![\w.,\-/])(\d{1,4})-(\d{2})\s*$")


def _cents_closed(text: str) -> str:
    """The text with the gaps inside amounts' cents moved after them, a 1 read as I or l right after the
    currency ("RMI11.90") made a digit, and a dash read for the point of the row's last amount a point (same length:
    positions in the row hold)."""
    text = DASH_FOR_POINT.sub(r"\1.\2", ONE_AFTER_CURRENCY.sub("1", text))
    return GAP_IN_CENTS.sub(lambda m: f"{m[1]}.{m[3]}{m[5]}{m[2]}{m[4]}", text)


def _printed_end(text: str, start: int, printed: str) -> int:
    """Where the amount `printed`, found at `start` once its cents' gaps were closed, ends in `text` as read."""
    end = start + len(printed)
    while (wider := start + len(printed) + text[start:end].partition(".")[2].count(" ")) > end:
        end = wider
    return end


JUNK_CONFIDENCE = 60.0
ROUNDING_ROW = re.compile(r"\bROUND\w{0,4}\b", re.I)  # ROUNDING, ROUNDED, and misread: "Roundlng", "Roundng"
ROUNDING = Decimal("0.05")  # how far a rounded total may be from the total (Malaysia rounds cash to 5 sen)

# Labelled amounts: the label patterns of each field, the most specific first.
TOTAL_LABELS = [
    re.compile(p, re.I)
    for p in (
        r"ROUND(ED|ING)?\W*(NETT?\s*)?TOTAL|TOTAL\W*(AFTER\s*)?ROUND(ED|ING)?",
        r"GRAND\s*TOTAL|NETT?\s*TOTAL|TOTAL\s*(AMOUNT|AMT|PAYABLE|DUE|SALES?)|(AMOUNT|AMT)\s*DUE|BALANCE\s*DUE|^\W*DUE\b|"
        r"TOTAL\s*\(?\s*(RM|MYR|USD|EUR)|TOTAL\s*INC|\bNETT?\s*(AMT|AMOUNT)\b",
        r"\bTOTAL\b|\bTOTAL:|\bJUMLAH\b",
    )
]
NOT_TOTAL = re.compile(
    r"SUB\s*-?\s*TOTAL|TOTAL\s*(QTY|QUANTITY|ITEMS?|TAX|GST|SST|VAT|DISC|SAVING|EXCL|EX\b|NO\.? OF|PCS|UNITS?)|"
    r"(QTY|ITEMS?)\s*TOTAL|TOTAL\s*(BEFORE|W/O|WITHOUT)|\bEXCL|GST\s*SUMMARY|INCLUDED\s*IN\s*TOTAL|TOTAL\s*INCLUDE[SD]?\b|"
    r"\b(GST|SST|TAX|VAT)\b.*\bTOTAL|TOTAL\s*\d+\s*%|SUPPLIES",
    re.I,
)
# the header of the tax summary printed under the totals: a TOTAL row after it is the summary's (taxable amount)
TAX_SUMMARY = re.compile(r"\b(GST|SST|TAX)\s*SUMMARY\b|^\W*TAX\s*CODE\b", re.I)
FIELD_LABELS: dict[str, re.Pattern[str]] = {
    "SUBTOTAL": re.compile(r"SUB\s*-?\s*TOTAL|TOTAL\s*(EXCL|BEFORE|W/O|EX\b)", re.I),
    "TAX": re.compile(r"\b(TOTAL\s*)?(GST|SST|VAT|TAX)\b(?!\s*(INVOICE|REG|ID|NO))", re.I),
    "DISCOUNT": re.compile(r"\bDISC(OUNT)?\b|\bSAVINGS?\b", re.I),
    "AMOUNT_PAID": re.compile(
        r"\bCASH\b|\bPAID\b|\bPAY\b|\bTENDER(ED)?\b|\bPAYMENT\b|\bVISA\b|\bMASTER(CARD)?\b|\bCARD\b", re.I
    ),
    "CHANGE": re.compile(r"\bCHANGE\b", re.I),
}
RECEIPT_ID = re.compile(
    r"\b(INVOICE|INV|RECEIPT|RCPT|BILL|DOC(UMENT)?|TRANS(ACTION)?|CHECK|ORDER|REF)\.?\s*(NO|NUM(BER)?|#|ID)\b\.?\s*[:#]?\s*"
    r"([A-Z0-9][A-Z0-9\-/]{2,})",
    re.I,
)
PHONE = re.compile(r"\b(TEL|PHONE|PH|T)\b\.?\s*(NO)?\.?\s*[:.]?\s*(\+?[\d][\d\s\-()]{6,}\d)", re.I)
ITEM_HEADER = re.compile(r"\b(DESC|DESCRIPTION|ITEMS?|PRODUCT|QTY|QUANTITY|PRICE|AMOUNT|AMT)\b", re.I)
QUANTITY = re.compile(r"(?<![\d.])(\d{1,3})\s*(X|PCS?|PC|@|UNITS?|EA)\b|^\s*(\d{1,3})\s+(?=[A-Za-z])", re.I)


class ExpenseField(BaseModel):
    """One AnalyzeExpense field: the text as printed, its normalised value, where it is, and its label."""

    text: str
    value: str = Field(description="ISO date (YYYY-MM-DD), decimal amount as a string ('9.00'), or the text")
    confidence: float = Field(description="0-100: the mean confidence of its words")
    bbox: BBox
    page: int = 1
    label: FieldText | None = Field(None, description="the printed label the value was found by (TOTAL:, Date)")


class LineItem(BaseModel):
    """One purchased item (Textract LINE_ITEM): ITEM, QUANTITY, PRICE, UNIT_PRICE, EXPENSE_ROW fields."""

    fields: dict[str, ExpenseField]


class ExpenseDocument(BaseModel):
    fields: dict[str, ExpenseField] = Field(
        description="by Textract type: VENDOR_NAME, VENDOR_ADDRESS, VENDOR_PHONE, INVOICE_RECEIPT_ID, "
        "INVOICE_RECEIPT_DATE, SUBTOTAL, TAX, DISCOUNT, TOTAL, AMOUNT_PAID, CHANGE (only those found)"
    )
    line_items: list[LineItem]
    pages: list[Page]


def _field(words: list[Word], value: str, page: int, label: list[Word] | None = None) -> ExpenseField:
    where = located(words)
    return ExpenseField(text=where.text, value=value, confidence=where.confidence, bbox=where.bbox, page=page,
                        label=located(label) if label else None)  # fmt: skip


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _span_words(row: Row, start: int, end: int) -> list[Word]:
    """The row's words that the character span [start, end) of row.text covers."""
    out, pos = [], 0
    for word in row.words:
        if pos < end and start < pos + len(word.text):
            out.append(word)
        pos += len(word.text) + 1
    return out or row.words


def _words_before(row: Row, end: int) -> list[Word]:
    """The row's words wholly before character `end` of row.text."""
    out, pos = [], 0
    for word in row.words:
        if pos + len(word.text) > end:
            break
        out.append(word)
        pos += len(word.text) + 1
    return out


def _formed(rows: list[Row]) -> int | None:
    """Index of the first row naming a company by its form ("... SDN BHD", "... TRADING")."""
    for i, row in enumerate(rows):
        formed = COMPANY_FORM.search(row.text) or SDN_BHD.search(row.text)
        if (
            formed
            and _letters(row.text) >= 4
            and not TITLE.fullmatch(row.text.strip())
            and not REG_LABEL.search(row.text)
            and not OWNED_BY.search(" ".join(r.text for r in rows[max(0, i - 1) : i + 1]))
        ):
            # "POPULAR BOOK" / "CO. (M) SDN BHD" printed on two rows: the form alone names no one
            legal = _legal_below(rows, i, formed.group(0))
            if legal is not None:
                return legal
            if _form_only(row.text) and i > 0 and _name_like(rows[i - 1]):
                return i - 1
            return i
    return None


def _legal_below(rows: list[Row], index: int, kind: str) -> int | None:
    """A row just below a name with no legal form that names the same business with its legal form: the logo's
    name, then the company's ("ELKEN" / "SERVICE" / "ELKEN SERVICE SDN BHD (310184-X)")."""
    if LEGAL_FORM.search(rows[index].text):
        return None
    for below in range(index + 1, min(len(rows), index + 1 + NAME_WRAP_ROWS)):
        text = rows[below].text
        if LEGAL_FORM.search(text) and re.search(rf"\b{re.escape(kind)}\b", text, re.I) and not REG_LABEL.search(text):
            return below
    return None


def _form_only(text: str) -> bool:
    """A row that is a company form and no name ("CO. (M) SDN BHD"), or a branch in brackets and its form
    ("(SEMENYIH) SDN BHD", after "PASAR RAYA MEGA MAJU"): the end of a name printed on the row above."""
    residue = FORM_ONLY.sub("", COMPANY_FORM.sub("", text)).strip(" .,")
    return _letters(residue) < 2 or bool(BRANCH.fullmatch(residue))


def _vendor(rows: list[Row]) -> int | None:
    """Index of the vendor's row: the first row naming a company by its form, or the name printed just above the
    company's registration number ("(1365663-P)") when that comes first (a customer's company named further down
    the receipt is not the vendor)."""
    top = rows[:TOP_ROWS]
    owner = next((i for i, row in enumerate(top) if OWNED_BY.search(row.text)
                  and LEGAL_FORM.search(" ".join(r.text for r in top[i : i + 2]))), None)  # fmt: skip
    if owner is not None:
        # the shop's name is above the company owning it; below are the items ("1.2012-0029 RESTAURANT ORDER CHIT")
        top = top[: owner + 2]
    formed = _formed(top)
    registered = next(
        (
            i - 1
            for i, row in enumerate(top[1:], start=1)
            if REGISTRATION.match(row.text.strip()) and _name_like(top[i - 1])
        ),
        None,
    )
    found = [i for i in (formed, registered) if i is not None]
    if found:
        return min(found)
    return next((i for i, row in enumerate(top) if _name_like(row)), None)


def _name_like(row: Row) -> bool:
    """A confidently read row of mostly letters that is not a title or a greeting."""
    text = row.text.strip()
    if row.confidence < MIN_CONFIDENCE or _letters(text) < 3 or _letters(text) < 0.6 * len(text.replace(" ", "")):
        return False
    return not TITLE.search(text)


def _junk(word: Word) -> bool:
    """A speck read as a character: no letter or digit, or one or two characters read unsurely."""
    text = word.text
    return not any(c.isalnum() for c in text) or (len(text) <= 2 and word.confidence < JUNK_CONFIDENCE)


def trim(words: list[Word]) -> list[Word]:
    """The words without specks at either end and without stray rules ('|') inside."""
    words = [w for w in words if w.text not in ("|", "||", "¦")]
    while words and _junk(words[0]):
        words = words[1:]
    while words and _junk(words[-1]):
        words = words[:-1]
    return words


def _vendor_name(rows: list[Row], index: int) -> list[Word]:
    words = list(rows[index].words)
    text = rows[index].text
    label = next((i for i, w in enumerate(words[:2]) if OWNER_LABEL.fullmatch(w.text)), None)
    if label is not None and LEGAL_FORM.search(text) and len(words) > label + 2:
        words = words[label + 1 :]  # "DIMILIKI: BANH MI CAFE SDN BHD": the owner's label is not the name
        text = " ".join(w.text for w in words)
    above = rows[index - 1] if index > 0 else None
    joined = above is not None and (above.text.rstrip().endswith("&") or text.lstrip().startswith("&"))
    if above is not None and joined and _name_like(above):
        words = [*above.words, *words]  # "THE COFFEE BEAN" / "& TEA LEAF (M) SDN. BHD.": the name began above
    elif above is not None and NAME_END_FIRST.match(text) and _name_like(above) and not COMPANY_FORM.search(above.text):
        words = [*above.words, *words]  # "AIK HUAT HARDWARE" / "ENTERPRISE (SETIA": no name begins so
    nxt = rows[index + 1] if index + 1 < len(rows) else None
    if nxt is not None and COMPANY_FORM.search(nxt.text) and _form_only(nxt.text) and not LEGAL_FORM.search(text):
        words += nxt.words  # the name goes on on the next row, which holds its company form
    elif nxt is not None and text.rstrip().endswith(("&", " -")) and not ADDRESS_HINT.search(nxt.text):
        words += nxt.words  # "HOME MASTER HARDWARE &" / "ELECTRICAL"
    elif not LEGAL_FORM.search(text):
        # a long name wraps: "AIK HUAT HARDWARE / ENTERPRISE (SETIA / ALAM) SDN BHD" ends at its legal form
        for k in range(index + 1, min(len(rows), index + 1 + NAME_WRAP_ROWS)):
            row = rows[k].text
            if ADDRESS_HINT.search(row) or REGISTRATION.match(row.strip()) or STOP_ADDRESS.search(row):
                break
            if LEGAL_FORM.search(row):
                words += [w for r in rows[index + 1 : k + 1] for w in r.words]
                break
    # a registration number printed after the name is not part of it
    cut = next((i for i, w in enumerate(words) if i > 0 and REG_NUMBER.search(w.text)), len(words))
    kept = words[:cut]
    glued = words[cut].text.split("(")[0] if cut < len(words) else ""
    completes = bool(glued) and bool(SDN_BHD.search(" ".join(w.text for w in kept[-2:]) + glued))  # "SDN BH D(..."
    if (len(glued) >= 2 or completes) and glued.replace("/", "").isalpha():  # "SDN BHD(728384-M)", "S/B(587969-U)"
        kept.append(words[cut].model_copy(update={"text": glued}))
    kept = _to_legal_form(trim(kept)) or words
    first = kept[0].text.lstrip("'‘’`\"“”")  # a quote or a speck read as one before the name
    return [kept[0].model_copy(update={"text": first}), *kept[1:]] if first and first != kept[0].text else kept


def _to_legal_form(words: list[Word]) -> list[Word]:
    """The name without the short words read after the legal form that ends it ("SDN BHD SE", "SDN. BHD. LLT": the
    edge of a logo or specks; no training key has more than a branch in brackets after its legal form), also when
    they are read glued to its full stop ("BHD.LLT")."""
    glued = GLUED_AFTER_FORM.match(words[-1].text) if words else None
    if glued and LEGAL_FORM_END.search(" ".join(w.text for w in words[:-1]) + " " + glued.group(1)):
        words = [*words[:-1], words[-1].model_copy(update={"text": glued.group(1)})]
    end = len(words)
    while end > 1 and len(words[end - 1].text) <= 3 and not set("()") & set(words[end - 1].text):
        end -= 1
        if LEGAL_FORM_END.search(" ".join(w.text for w in words[:end])):
            return words[:end]
    return words


def _address_part(row: Row) -> Row:
    """The row up to a phone number or a stop label printed after the address on the same row."""
    text = row.text
    cuts = [m.start() for m in (STOP_ADDRESS.search(text), PHONE_NUMBER.search(text)) if m and m.start() > 0]
    if not cuts:
        return row
    words = trim(_words_before(row, min(cuts)))
    before = " ".join(w.text for w in words)
    if not ADDRESS_HINT.search(before) and not is_address_part(before):
        return Row([])  # "TEI & FAX NO : ...", "CST elee No: ...": a misread label, no address
    return Row(words)


def _word_height(row: Row) -> float:
    return median(w.bbox.height for w in row.words)


def _address(rows: list[Row], vendor: int, name_rows: int) -> tuple[list[Row], int]:
    """The address rows (each cut at a phone number or a label after it), and the index of the row after them."""
    found: list[Row] = []
    after = vendor + name_rows
    for index in range(vendor + name_rows, min(len(rows), vendor + name_rows + MAX_ADDRESS_ROWS + 2)):
        row = rows[index]
        text = row.text.strip()
        if not found and (
            REGISTRATION.match(text)
            or row.confidence < MIN_CONFIDENCE
            or _letters(text) < 2
            or ID_ROW.match(text)
            or REG_LABEL.search(text)
            or REG_INSIDE.search(text)
            or (LABELLED_NUMBER.search(text) and not STREET_WORD.search(POSTCODE.sub("", text)))
            or (STOP_ADDRESS.search(text) and not ADDRESS_HINT.search(STOP_ADDRESS.split(text)[0])
                and not STREET_WORD.search(text))
        ):
            continue  # fmt: skip
        if found and (
            STOP_ADDRESS.match(text) or REGISTRATION.match(text) or PHONE_NUMBER.match(text) or REG_LABEL.match(text)
        ):
            break
        if found and row.bbox.top - found[-1].bbox.bottom > ADDRESS_GAP * _word_height(found[-1]):
            break  # an address is printed as one block: a wide gap before a row ends it
        if found and row.confidence < MIN_CONFIDENCE:
            break  # a smudge or a logo read as letters ends the address
        if found and NOT_ADDRESS.search(text) and not STREET_WORD.search(text):
            break  # "CARELINE : 1800 88 1231", "GS? 10: 002017394688": a label and its number
        if found and any(POSTCODE.search(r.text) for r in found) and not (
            STREET_WORD.search(POSTCODE.sub("", text))
            or is_address_part(text)
            or BRANCH_CODE.match(text)
            or COUNTRY_END.search(text)
        ):
            break  # after the postcode's row ("81750 Masai" / "Johor"), a row with no address word is not the address:
            # "PREPAY CHIT NUMBER 57381", "CARRY OUT TIMED Pay By: CASH"
        if next(find_dates(text), None) or (find_amounts(text) and not STREET_WORD.search(text)):
            if not found:
                continue  # a date printed between the name and the address
            break
        if not found and not ADDRESS_HINT.search(text):
            continue
        part = _address_part(row)
        kept = trim(part.words)
        if kept:
            found.append(Row(kept))
            after = index + 1
        if len(found) >= MAX_ADDRESS_ROWS or part.words != row.words or COUNTRY_END.search(text):
            break
    return found, after


def _street_like(text: str) -> bool:
    return bool(POSTCODE.search(text) or STREET_WORD.search(text))


def _street_row(text: str) -> bool:
    """A row an address may begin with: a street word or a postcode (a word of its own: not "A06140"), no label."""
    return bool(STREET_WORD.search(text)) and _letters(text) >= 2 and not STOP_ADDRESS.search(text) and not (
        NOT_ADDRESS.search(text))  # fmt: skip


def _address_above(rows: list[Row], vendor: int) -> list[Row]:
    """The address printed above the vendor's name (a station's or a chain's shop address, then the company running
    it: "BHPetrol Permas Jaya 2" / "LOT PTD 101051" / ... / "81750 Masai, Johor" / "Esjay Fuel Enterprise"), from the
    first row above it with a street word or a postcode; none when no such row is there."""
    first = next((i for i in range(vendor) if _street_row(rows[i].text)), None)
    if first is None:
        return []
    found, _ = _address(rows[:vendor], first - 1, 1)
    return found if any(_street_like(r.text) for r in found) else []


def _last_amount(row: Row, offset: int = 0) -> tuple[list[Word], Decimal] | None:
    """The last amount of the row from `offset` on (gaps in its cents closed), with the words it was read from."""
    text = _cents_closed(row.text[offset:])
    amounts = find_amounts(text)
    if not amounts:
        return None
    printed, value = amounts[-1]
    start = offset + text.rfind(printed)
    return _span_words(row, start, _printed_end(row.text, start, printed)), value


def _labelled_amount(rows: list[Row], index: int, label_end: int) -> tuple[list[Word], Decimal] | None:
    """The amount after the label on its row, else, where no digit follows the label, the last amount on the next
    row when that row is nearly all numbers."""
    found = _last_amount(rows[index], label_end)
    misread_here = any(c.isdigit() for c in rows[index].text[label_end:])  # "Net Tota1 25. J": not the row below's
    if found is None and not misread_here and index + 1 < len(rows) and _letters(rows[index + 1].text) <= 4:
        found = _last_amount(rows[index + 1])
    return found


@dataclass
class _Candidate:
    tier: int  # 0: ROUNDED TOTAL, 1: GRAND/NETT TOTAL, AMOUNT DUE, 2: TOTAL
    support: int  # how often its amount is printed on the page
    index: int  # its row
    value: Decimal
    field: ExpenseField
    alone: bool = True  # the only amount on its row (not "Total: 353.00 21.18", a tax summary's amount and tax)

    @property
    def rank(self) -> tuple[int, bool, int, int]:
        return (-self.tier, self.alone, self.support, self.index)


def _total_candidates(rows: list[Row], page: int) -> list[_Candidate]:
    every = [v for r in rows for _, v in find_amounts(r.text)]
    found: list[_Candidate] = []
    for tier, pattern in enumerate(TOTAL_LABELS):
        for i, row in enumerate(rows):
            text = TOTAL_MISREAD.sub("TOTAL", row.text)
            match = pattern.search(text)
            if not match or NOT_TOTAL.search(text) or any(f.index == i for f in found):
                continue
            amount = _labelled_amount(rows, i, match.end())
            if amount is None or amount[1] <= 0:
                continue  # a total is never negative ("-20.00" on the row below is a payment or a saving) or nil
            label = _span_words(row, match.start(), match.end())
            support = sum(v == amount[1] for v in every)
            alone = len(find_amounts(text[match.end() :])) <= 1
            found.append(
                _Candidate(tier, support, i, amount[1], _field(amount[0], f"{amount[1]:.2f}", page, label), alone)
            )
    return found


def _one_digit_apart(a: Decimal, b: Decimal) -> bool:
    x, y = f"{a:.2f}", f"{b:.2f}"
    return len(x) == len(y) and sum(p != q for p, q in zip(x, y, strict=True)) == 1


def _total(rows: list[Row], page: int, paid: Decimal | None = None, change: Decimal | None = None) -> tuple[
        ExpenseField, int] | None:  # fmt: skip
    """The total: the rows with the most specific label (ROUNDED TOTAL before GRAND TOTAL before TOTAL), and
    among them the amount printed most often on the page (a total repeats: total, rounded total, cash; a
    misread digit does not), then the last (a receipt's final total). Two cross-checks against misread digits:
    a rounded total is within ROUNDING of the total, so a less specific total printed more often that is one
    digit and more than ROUNDING away is taken instead; and the amount paid less the change is the total, so a
    labelled total equal to it is taken before one printed more often (a tax total printed twice, its label misread:
    "TAS TOTAL: 0.69"), and a total printed once that is one digit away from it takes its value."""
    found = _total_candidates(rows, page)
    if not found:
        return None
    summary = next((i for i, row in enumerate(rows) if TAX_SUMMARY.search(row.text)), len(rows))
    found = [c for c in found if c.index < summary] or found  # "TOTAL : 144.68" of the tax summary is its own
    best = max(found, key=lambda c: c.rank)
    steadier = [c for c in found if c.tier > best.tier and c.support > best.support
                and abs(c.value - best.value) > ROUNDING and _one_digit_apart(c.value, best.value)]  # fmt: skip
    if steadier:
        best = max(steadier, key=lambda c: (c.support, *c.rank))
    rounded = _rounded_total(rows, best)
    if rounded is not None:
        return rounded
    if paid is not None and change is not None and paid - change > 0 and change > 0:
        paid_less_change = paid - change
        same = [c for c in found if c.value == paid_less_change]
        if same and best.value != paid_less_change:
            best = max(same, key=lambda c: c.rank)
        elif (
            not same
            and best.support == 1
            and _one_digit_apart(best.value, paid_less_change)
            and _rounded(best.value) != paid_less_change  # cash rounded: 72.93 paid as 72.95 is no misread digit
        ):
            field = best.field.model_copy(update={"value": f"{paid_less_change:.2f}"})
            return field, best.index
    return best.field, best.index


def _rounded(value: Decimal) -> Decimal:
    """`value` rounded to the nearest ROUNDING, as cash is paid."""
    return (value / ROUNDING).quantize(Decimal(1), rounding=ROUND_HALF_UP) * ROUNDING


def _rounded_total(rows: list[Row], best: _Candidate) -> tuple[ExpenseField, int] | None:
    """On a receipt that rounds (a ROUNDING row: cash is rounded to ROUNDING), a total that is not a multiple of
    ROUNDING is the total before rounding; the amount payable is the same rounded to the nearest ROUNDING, printed
    further down (often on a row of its own, under "ROUNDING ADJ -0.01")."""
    if best.value % ROUNDING == 0 or not any(ROUNDING_ROW.search(row.text) for row in rows):
        return None
    target = _rounded(best.value)
    for index in range(best.index + 1, len(rows)):
        row = rows[index]
        if any(value == target for _, value in find_amounts(row.text)) and not NOT_TOTAL.search(row.text):
            words = [w for w in row.words if any(v == target for _, v in find_amounts(w.text))] or row.words
            where = located(words[-1:] if len(words) < len(row.words) else words)
            update = {"value": f"{target:.2f}", "text": where.text, "bbox": where.bbox, "confidence": where.confidence}
            return best.field.model_copy(update=update), index
    return None


def _labelled(rows: list[Row], name: str, pattern: re.Pattern[str], page: int) -> ExpenseField | None:
    for i, row in enumerate(rows):
        match = pattern.search(row.text)
        if not match or (name != "SUBTOTAL" and FIELD_LABELS["SUBTOTAL"].search(row.text)):
            continue
        amount = _labelled_amount(rows, i, match.end())
        if amount is not None:
            return _field(amount[0], f"{amount[1]:.2f}", page, _span_words(row, match.start(), match.end()))
    return None


def _date(rows: list[Row], page: int, order: DateOrder) -> ExpenseField | None:
    found = _dates(rows, page, order, fix=False)
    return found if found is not None else _dates(rows, page, order, fix=True)


def _dates(rows: list[Row], page: int, order: DateOrder, fix: bool) -> ExpenseField | None:
    candidates: list[tuple[int, ExpenseField]] = []
    for row in rows:
        text = date_closed(month_mended(year_unglued(digits_fixed(row.text)) if fix else row.text))
        for printed, value in find_dates(text, order):
            start = text.find(printed)
            labelled = bool(re.search(r"\bDATE\b|\bTARIKH\b", text[:start], re.I))
            field = _field(_span_words(row, start, start + len(printed)), value.isoformat(), page)
            candidates.append((0 if labelled else 1, field))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]  # the first labelled date, else the first date


def _regex_field(rows: list[Row], pattern: re.Pattern[str], group: int, page: int) -> ExpenseField | None:
    for row in rows:
        match = pattern.search(row.text)
        if match:
            printed = match.group(group)
            start = match.start(group)
            return _field(_span_words(row, start, start + len(printed)), printed.strip(), page,
                          _span_words(row, match.start(), start))  # fmt: skip
    return None


def _line_items(rows: list[Row], start: int, end: int, page: int) -> list[LineItem]:
    items = []
    for row in rows[start:end]:
        text = row.text
        amounts = find_amounts(text)
        if not amounts or any(p.search(text) for p in (*TOTAL_LABELS, *FIELD_LABELS.values())):
            continue
        printed, value = amounts[-1]
        at = text.rfind(printed)
        description = re.sub(r"\s+", " ", text[:at]).strip(" :-*")
        description_only = re.sub(r"(?<![\w])[\d.,@xX*%]+(?![\w])", " ", description).strip()
        if _letters(description_only) < 3 or ITEM_HEADER.fullmatch(description_only):
            continue
        fields = {
            "ITEM": _field(_span_words(row, 0, len(description)), description_only, page),
            "PRICE": _field(_span_words(row, at, at + len(printed)), f"{value:.2f}", page),
            "EXPENSE_ROW": _field(row.words, text, page),
        }
        quantity = QUANTITY.search(description)
        if quantity:
            number = quantity.group(1) or quantity.group(3)
            fields["QUANTITY"] = _field(_span_words(row, quantity.start(), quantity.end()), number, page)
        if len(amounts) >= 2:
            unit_printed, unit = amounts[-2]
            u_at = text.find(unit_printed)
            fields["UNIT_PRICE"] = _field(_span_words(row, u_at, u_at + len(unit_printed)), f"{unit:.2f}", page)
        items.append(LineItem(fields=fields))
    return items


def expense_page(
    page: Page, order: DateOrder = "DMY", keep: frozenset[str] = frozenset()
) -> tuple[dict[str, ExpenseField], list[LineItem]]:
    """The fields and line items of one read page; the words in `keep` stay as read in the address."""
    rows = page_rows(page)
    fields: dict[str, ExpenseField] = {}
    vendor = _vendor(rows)
    items_from = 0
    if vendor is not None:
        name = _vendor_name(rows, vendor)
        value = letters_fixed(name_text(" ".join(w.text for w in name)))
        fields["VENDOR_NAME"] = _field(name, value, page.number)
        name_rows = 1 + max((k for k in range(vendor, len(rows)) if any(w in name for w in rows[k].words)),
                            default=vendor) - vendor  # fmt: skip
        address, items_from = _address(rows, vendor, name_rows)
        if not any(_street_like(r.text) for r in address):
            above = _address_above(rows, vendor)
            address = above or address
        if address:
            words = [w for r in address for w in r.words]
            text = address_text(" ".join(r.text.strip() for r in address), keep)
            fields["VENDOR_ADDRESS"] = _field(words, text, page.number)
    date = _date(rows, page.number, order)
    if date is not None:
        fields["INVOICE_RECEIPT_DATE"] = date
    for name, pattern, group in (("INVOICE_RECEIPT_ID", RECEIPT_ID, 6), ("VENDOR_PHONE", PHONE, 3)):
        found = _regex_field(rows, pattern, group, page.number)
        if found is not None:
            fields[name] = found
    for name, pattern in FIELD_LABELS.items():
        found = _labelled(rows, name, pattern, page.number)
        if found is not None:
            fields[name] = found
    paid, change = (Decimal(fields[n].value) if n in fields else None for n in ("AMOUNT_PAID", "CHANGE"))
    total = _total(rows, page.number, paid, change)
    items_to = len(rows)
    if total is not None:
        fields["TOTAL"], items_to = total
    first_sum = next((i for i, r in enumerate(rows) if any(p.search(r.text) for p in (*TOTAL_LABELS,
                      FIELD_LABELS["SUBTOTAL"]))), items_to)  # fmt: skip
    return fields, _line_items(rows, items_from, min(items_to, first_sum), page.number)


def derived_total(fields: dict[str, ExpenseField]) -> ExpenseField | None:
    """Without a total read by its label: the amount paid less the change (the change may be 0.00), else the
    amount paid where no change is printed (a card, or exact cash), else the subtotal where no tax is read. None
    without any of them."""
    paid, change = fields.get("AMOUNT_PAID"), fields.get("CHANGE")
    if paid is None:
        subtotal, tax = fields.get("SUBTOTAL"), fields.get("TAX")
        untaxed = tax is None or Decimal(tax.value) == 0
        return subtotal if subtotal is not None and untaxed and Decimal(subtotal.value) > 0 else None
    value = Decimal(paid.value) - (Decimal(change.value) if change is not None else Decimal(0))
    return paid.model_copy(update={"value": f"{value:.2f}"}) if value > 0 else None


def expense_fields(
    document: Document, order: DateOrder = "DMY", derive_total: bool = True, keep: frozenset[str] = frozenset()
) -> ExpenseDocument:
    """AnalyzeExpense over a read document: each field from the first page that has it; line items of all pages.
    Without a labelled total, `derive_total` takes the amount paid less the change (derived_total). The words in
    `keep` (upper case) stay as read in the address (ocr.address_words.mend_address)."""
    fields: dict[str, ExpenseField] = {}
    items: list[LineItem] = []
    for page in document.pages:
        found, page_items = expense_page(page, order, keep)
        for name, field in found.items():
            fields.setdefault(name, field)
        items += page_items
    if derive_total and "TOTAL" not in fields and (total := derived_total(fields)) is not None:
        fields["TOTAL"] = total
    return ExpenseDocument(fields=fields, line_items=items, pages=document.pages)
