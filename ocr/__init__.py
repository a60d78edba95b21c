"""OCR: Tesseract and RapidOCR engines, PNG/JPEG/TIFF/PDF input, pages -> blocks -> lines -> words,
hOCR and searchable PDF output.

    import ocr
    doc = ocr.read("scan.pdf", ocr.OcrOptions(engine="auto"))
    print(doc.text)
"""

from ocr.engines import engine_names, get_engine
from ocr.errors import OcrEngineError, OcrInputError
from ocr.hocr import to_hocr
from ocr.inputs import count_pages, sniff
from ocr.models import BBox, Block, Document, Line, OcrOptions, Page, Word
from ocr.read import read
from ocr.searchable import to_searchable_pdf

__all__ = [
    "BBox",
    "Block",
    "Document",
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
