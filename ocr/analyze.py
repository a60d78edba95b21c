"""Document analysis (Textract AnalyzeDocument / AnalyzeExpense): tables, forms and expense fields on top of
`ocr.read`'s pages.

    import ocr
    doc = ocr.analyze("scan.pdf", features=["tables", "forms"])
    doc.pages[0].tables[0].cells          # row, column, spans, text, bbox, confidence
    doc.pages[0].key_values               # key, value or selection (checkbox state)
    ocr.tables_to_csv(doc)                # every table, CSV

    receipt = ocr.analyze_expense("receipt.jpg")
    receipt.fields["TOTAL"].value         # '9.00'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from PIL import Image

from ocr.engines import get_engine
from ocr.errors import OcrInputError
from ocr.expense import ExpenseDocument
from ocr.forms import find_forms
from ocr.fuse import fuse_pages
from ocr.fuse_text import text_blocks
from ocr.inputs import iter_pages, sniff
from ocr.layout import page_text
from ocr.models import Document, OcrOptions, Page
from ocr.read import (
    SECOND_READER,
    Progress,
    _bytes,
    make_document,
    page_readings,
    read_again,
    read_page_image,
    receipt_options,
)
from ocr.receipt import placed_page, receipt_crop
from ocr.stages import Stages
from ocr.tables import find_tables
from ocr.two_readings import two_readings_fields
from ocr.values import DateOrder
from workers import ModelPool, Priority, default_pool

Feature = Literal["tables", "forms"]
FEATURES: tuple[Feature, ...] = ("tables", "forms")


def check_features(features: Iterable[str]) -> list[Feature]:
    """The features asked for, validated; raises OcrInputError naming an unknown one."""
    out: list[Feature] = []
    for feature in features:
        name = feature.strip().lower()
        if not name:
            continue
        if name not in FEATURES:
            raise OcrInputError(f"unknown feature {feature!r}; known: {', '.join(FEATURES)}", code="invalid_feature")
        if name not in out:
            out.append(name)  # type: ignore[arg-type]
    return out


def analyze_page(page: Page, image: Image.Image | None, features: list[Feature]) -> Page:
    """The page with `tables`, `key_values` and `selection_elements` filled in for the features asked.
    `image` is the page as recognised (after any turn); None for a PDF page read from its text layer
    and not rendered (then only unruled tables and text forms are found)."""
    update: dict[str, object] = {}
    if "tables" in features:
        update["tables"] = find_tables(page, image)
    if "forms" in features:
        # a form's ruled boxes are often found as tables too; its fields are read all the same (as Textract does)
        update["key_values"], update["selection_elements"] = find_forms(page, image)
    return page.model_copy(update=update)


def analyze(
    document: bytes | str | Path,
    features: Iterable[str] = FEATURES,
    options: OcrOptions | None = None,
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
    progress: Progress | None = None,
) -> Document:
    """Read a PNG, JPEG, TIFF or PDF and find its tables and/or forms. Raises OcrInputError for bad input
    (and for an unknown feature). Pages keep their text blocks; `Page.tables` etc. are lists (maybe empty)
    for the features asked and None for those not asked."""
    wanted = check_features(features)
    options = options or OcrOptions()
    pool = pool or default_pool()
    data = _bytes(document)
    pages: list[Page] = []
    for source, page, image in page_readings(data, options, pool, priority, progress):
        if image is None and source.render is not None:  # a PDF's text layer: render it for its rules
            image = source.render()
        pages.append(analyze_page(page, image, wanted))
    return make_document(pages, sniff(data))


def _read_twice(
    page: Page, image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int
) -> tuple[Page, Page | None, Page]:
    """The page fused with SECOND_READER's reading of the same image (ocr.fuse: the fields are read on it), that
    reading, and the page as the caller gets it (ocr.fuse_text: its text); Tesseract's page alone, None and
    Tesseract's page when the second reader fails (ocr.read.read_again): the receipt is still read."""
    stages = Stages()
    with stages("fuse"):  # the second reading is a stage of its own inside it
        blocks = read_again(image, page.blocks, page.lang, options, pool, priority)
        if blocks is None:
            return page, None, page
        rapid = page.model_copy(update={"blocks": blocks, "text": page_text(blocks), "engine": SECOND_READER})
        fused = fuse_pages(page, rapid)
        shown = text_blocks(page.blocks, blocks)
    fused = fused.model_copy(update={"cpu_seconds": {**page.cpu_seconds, **stages.seconds}})
    return fused, rapid, fused.model_copy(update={"blocks": shown, "text": page_text(shown)})


def analyze_expense(
    document: bytes | str | Path,
    options: OcrOptions | None = None,
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
    date_order: DateOrder = "DMY",
    progress: Progress | None = None,
    second_reading: bool = True,
) -> ExpenseDocument:
    """Receipt or invoice fields (VENDOR_NAME, VENDOR_ADDRESS, INVOICE_RECEIPT_DATE, TOTAL, TAX, SUBTOTAL, ...),
    line items and the read pages. Raises OcrInputError for bad input.

    With the Tesseract engine (the default) and `second_reading`, a scanned page is also read by RapidOCR and the
    two readings fused (ocr.fuse); the date and total come from RapidOCR's own reading where it finds them
    (SROIE tune half: total 0.96 against 0.88 on the fused reading, date 0.92 against 0.88; bench/documents.py).
    The pages returned hold the two readings made one for their text (ocr.fuse_text), which reads more true words
    than the fusion the fields are read on."""
    options = receipt_options(options or OcrOptions())
    pool = pool or default_pool()
    data = _bytes(document)
    mime = sniff(data)
    second = second_reading and options.engine == "tesseract" and get_engine(SECOND_READER).available()
    pages: list[Page] = []
    rapid_pages: list[Page] = []
    shown_pages: list[Page] = []
    first_pages: list[Page] = []  # Tesseract's own readings, before fusion
    for count, source in enumerate(iter_pages(data, options), start=1):
        # A receipt scanned on a larger sheet is read cut out (ocr.receipt: specks and blank paper around it read
        # as rows of noise in psm 6's one block), its boxes given back in the sheet's pixels.
        size, region = (0, 0), None
        if source.image is not None:
            size, region = source.image.size, receipt_crop(source.image)
            if region is not None:
                source.image = source.image.crop(region)
        page, image = read_page_image(source, options, pool, priority)
        shown = page
        first_pages.append(page)
        if second and image is not None:
            page, rapid, shown = _read_twice(page, image, options, pool, priority)
            if rapid is not None:
                rapid_pages.append(placed_page(rapid, region, size))
        pages.append(placed_page(page, region, size))
        shown_pages.append(placed_page(shown, region, size))
        source.image = image = None  # the bitmap goes before the next page is rendered
        if progress is not None:
            progress(count, None)
    second_document = Document(text="", mime=mime, pages=rapid_pages) if rapid_pages else None
    first = Document(text="", mime=mime, pages=first_pages)
    found = two_readings_fields(make_document(pages, mime), second_document, date_order, first)
    return found.model_copy(update={"pages": shown_pages})
