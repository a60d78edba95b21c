"""ocr.read(document) -> Document: input pages, preprocessing, the chosen engine per page, layout."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from PIL import Image

from ocr.engines import get_engine
from ocr.errors import OcrEngineError
from ocr.inputs import PageInput, iter_pages, sniff
from ocr.layout import page_text
from ocr.models import Block, Document, OcrOptions, Page
from ocr.preprocess import deskew, detect_osd, fix_orientation
from workers import ModelPool, Priority, default_pool

# engine=auto: Tesseract first; when its mean word confidence is below this, RapidOCR also reads the page
# and the result with the higher mean confidence wins (receipts and photos usually go to RapidOCR).
AUTO_RETRY_BELOW = 80.0

Progress = Callable[[int, int | None], None]


def _confidence(blocks: list[Block]) -> float:
    words = [w.confidence for b in blocks for ln in b.lines for w in ln.words]
    return round(mean(words), 2) if words else 0.0


def _recognize(image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int) -> tuple[str, list[Block]]:
    if options.engine != "auto":
        engine = get_engine(options.engine)
        if not engine.available():
            raise OcrEngineError(f"OCR engine {options.engine!r} is not installed")
        return engine.name, engine.recognize(image, options, pool, priority)
    blocks = get_engine("tesseract").recognize(image, options, pool, priority)
    rapid = get_engine("rapidocr")
    if _confidence(blocks) >= AUTO_RETRY_BELOW or not rapid.available():
        return "tesseract", blocks
    other = rapid.recognize(image, options, pool, priority)
    if _confidence(other) > _confidence(blocks):
        return "rapidocr", other
    return "tesseract", blocks


def read_page(source: PageInput, options: OcrOptions, pool: ModelPool, priority: int) -> Page:
    if source.text_layer is not None:
        return source.text_layer
    assert source.image is not None
    started = time.process_time(), time.perf_counter()
    image, rotation, skew, script = source.image, 0, 0.0, None
    if options.orientation or options.lang == "auto":
        osd = detect_osd(image, pool, priority)
        script = osd.script
        if options.orientation:
            image, rotation = fix_orientation(image, osd)
        if options.lang == "auto":
            options = options.model_copy(update={"lang": osd.language})
    if options.deskew:
        image, skew = deskew(image)
    engine, blocks = _recognize(image, options, pool, priority)
    return Page(
        number=source.number,
        width=image.width,
        height=image.height,
        dpi=source.dpi,
        text=page_text(blocks),
        engine=engine,
        rotation=rotation,
        skew=skew,
        script=script,
        lang=options.lang if engine == "tesseract" else None,
        confidence=_confidence(blocks),
        seconds=round(time.perf_counter() - started[1], 3),
        blocks=blocks,
    )


def _bytes(document: bytes | str | Path) -> bytes:
    if isinstance(document, bytes | bytearray):
        return bytes(document)
    return Path(document).read_bytes()


def read(
    document: bytes | str | Path,
    options: OcrOptions | None = None,
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
    progress: Progress | None = None,
) -> Document:
    """Read a PNG, JPEG, TIFF or PDF (bytes or a path). Raises OcrInputError for bad input."""
    options = options or OcrOptions()
    pool = pool or default_pool()
    data = _bytes(document)
    mime = sniff(data)
    pages: list[Page] = []
    for source in iter_pages(data, options):
        pages.append(read_page(source, options, pool, priority))
        source.image = None  # release the bitmap before rendering the next page
        if progress is not None:
            progress(len(pages), None)
    return Document(text="\n\f".join(p.text for p in pages), mime=mime, pages=pages)
