"""OCR: Tesseract and RapidOCR engines, PNG/JPEG/TIFF/PDF input, pages -> blocks -> lines -> words,
hOCR and searchable PDF output; document analysis: tables, forms (key-values, checkboxes), receipts and invoices.

    import ocr
    doc = ocr.read("scan.pdf", ocr.OcrOptions(engine="auto"))
    print(doc.text)
    doc = ocr.analyze("scan.pdf", features=["tables", "forms"])   # Page.tables, .key_values, .selection_elements
    receipt = ocr.analyze_expense("receipt.jpg")                  # .fields["TOTAL"].value, .line_items
"""

from ocr.analyze import FEATURES, analyze, analyze_expense, check_features
from ocr.engines import engine_names, get_engine
from ocr.errors import OcrEngineError, OcrInputError
from ocr.expense import ExpenseDocument, ExpenseField, LineItem
from ocr.export import table_to_csv, table_to_html, tables_to_csv, tables_to_html
from ocr.hocr import to_hocr
from ocr.inputs import count_pages, sniff
from ocr.models import (
    BBox,
    Block,
    Cell,
    Document,
    FieldText,
    KeyValue,
    Line,
    OcrOptions,
    Page,
    SelectionElement,
    Table,
    Word,
)
from ocr.read import read
from ocr.searchable import to_searchable_pdf

__all__ = [
    "FEATURES",
    "BBox",
    "Block",
    "Cell",
    "Document",
    "ExpenseDocument",
    "ExpenseField",
    "FieldText",
    "KeyValue",
    "LineItem",
    "SelectionElement",
    "Table",
    "analyze",
    "analyze_expense",
    "check_features",
    "table_to_csv",
    "table_to_html",
    "tables_to_csv",
    "tables_to_html",
    "Line",
    "OcrEngineError",
    "OcrInputError",
    "OcrOptions",
    "Page",
    "Word",
    "count_pages",
    "engine_names",
    "get_engine",
    "read",
    "sniff",
    "to_hocr",
    "to_searchable_pdf",
]
