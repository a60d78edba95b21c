"""ocr.read(document) -> Document: input pages, preprocessing, the chosen engine per page, layout."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from statistics import mean

from PIL import Image

from ocr.engines import get_engine
from ocr.errors import OcrEngineError
from ocr.fuse_text import text_blocks
from ocr.inputs import PageInput, iter_pages, sniff
from ocr.layout import page_text, reading_score
from ocr.lexicon import languages, mended_by
from ocr.models import Block, Document, OcrOptions, Page
from ocr.preprocess import (
    FALLBACK_LANGUAGE,
    MIN_OSD_CONFIDENCE,
    MIN_SCRIPT_CONFIDENCE,
    Osd,
    deskew,
    detect_osd,
    fix_orientation,
)
from ocr.receipt import moved_blocks, receipt_region
from ocr.stages import Stages, stage
from workers import ModelPool, PoolBusy, Priority, default_pool

log = logging.getLogger(__name__)

# engine=auto: Tesseract, and RapidOCR only where Tesseract reads (almost) nothing; the reading with more words
# wins. Calibrated on the shared data, split by a fixed rule (even positions of the sorted scribe and SROIE lists
# tune, odd ones measure): Tesseract's word recall beat RapidOCR's on both sets (scribe 0.91 vs 0.77 word
# accuracy; SROIE 0.79 vs 0.74 order-free recall), and no page-level signal chose RapidOCR usefully: RapidOCR's
# confidence is 94-98 on every page, and the rule "Tesseract's mean confidence < 78 -> RapidOCR", best on the
# tune pages (0.780 vs 0.757), lost on the measure pages (0.804 vs 0.821).
AUTO_MIN_WORDS = 10
# ...except on a till receipt (ocr.receipt: a page at least 1.7 times as tall as wide, 42 of the 50 SROIE scans,
# none of the scribe documents; or a narrow print on a larger sheet, a receipt scanned on A4: 3 of the other 8),
# which auto reads, cut to the receipt, as one uniform block (psm 6, which keeps each item on the row of its
# price) by Tesseract and RapidOCR, the two readings made one (ocr.fuse_text: RapidOCR-led with PP-OCRv6,
# Tesseract-led with PP-OCRv4). That reading holds more of the true words than either engine alone (order-free
# recall; figures in bench/results/ocr_auto.txt and docs/ARCHITECTURE.md).
# Receipts are read as one uniform block (psm 6), by auto and by the expense route: on the tune half of the SROIE
# receipts it kept each label on the row of its amount, and read vendor, address and total better than automatic
# segmentation (bench/documents.py).
RECEIPT_PSM = 6
# The engine that reads a receipt a second time, to be fused with Tesseract's reading (ocr.fuse).
SECOND_READER = "rapidocr"
# A reading with at least this mean word confidence is taken as upright; below it, OSD is asked for a turn.
UPRIGHT_CONFIDENCE = 60.0

Progress = Callable[[int, int | None], None]


def _confidence(blocks: list[Block]) -> float:
    words = [w.confidence for b in blocks for ln in b.lines for w in ln.words]
    return round(mean(words), 2) if words else 0.0


def receipt_options(options: OcrOptions) -> OcrOptions:
    """The read options for a receipt: the caller's, with psm RECEIPT_PSM unless they chose a mode."""
    return options if options.psm is not None else options.model_copy(update={"psm": RECEIPT_PSM})


def read_again(
    image: Image.Image, first: list[Block], lang: str, options: OcrOptions, pool: ModelPool, priority: int
) -> list[Block] | None:
    """SECOND_READER's reading of a page, to fuse with Tesseract's `first` reading of it (stage "second
    reading"), its non-words mended by `first`'s words in the page language `lang` (ocr.lexicon.mended_by); None
    when the reader fails (a broken model file, a runtime error: logged, and the page keeps Tesseract's reading).
    An overloaded pool is not a failure of the reader: PoolBusy goes up to the caller (HTTP 503, Retry-After)."""
    try:
        with stage("second reading"):
            blocks = get_engine(SECOND_READER).recognize(image, options, pool, priority)
    except PoolBusy:
        raise
    except Exception:  # noqa: BLE001 - any failure of the optional reader leaves the first reading standing
        log.warning("second reading by %s failed; the page keeps Tesseract's reading", SECOND_READER, exc_info=True)
        return None
    return mended_by(blocks, first, languages(lang))  # outside the guard: a fault here is ours, not the reader's


def _recognize(image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int) -> tuple[str, list[Block]]:
    if options.engine != "auto":
        engine = get_engine(options.engine)
        if not engine.available():
            raise OcrEngineError(f"OCR engine {options.engine!r} is not installed")
        return engine.name, engine.recognize(image, options, pool, priority)
    rapid = get_engine(SECOND_READER)
    region = receipt_region(image) if rapid.available() else None
    if region is not None:
        # A till receipt: read as the expense route reads it (psm 6, the two readings fused; ocr.fuse), on the
        # receipt alone when it lies on a larger sheet
        receipt = image if region == (0, 0, image.width, image.height) else image.crop(region)
        blocks = get_engine("tesseract").recognize(receipt, receipt_options(options), pool, priority)
        other = read_again(receipt, blocks, options.lang, options, pool, priority)
        engine = "tesseract" if other is None else f"tesseract+{SECOND_READER}"
        return engine, moved_blocks(blocks if other is None else text_blocks(blocks, other), region[0], region[1])
    blocks = get_engine("tesseract").recognize(image, options, pool, priority)
    words = sum(len(ln.words) for b in blocks for ln in b.lines)
    if words >= AUTO_MIN_WORDS or not rapid.available():
        return "tesseract", blocks
    other = rapid.recognize(image, options, pool, priority)
    if sum(len(ln.words) for b in other for ln in b.lines) > words:
        return "rapidocr", other
    return "tesseract", blocks


def _languages(options: OcrOptions, osd: Osd | None) -> list[str]:
    """The languages to read the page with, the first preferred. lang=auto follows the script OSD finds only
    where OSD is sure of it; unsure, the page is read both in OSD's language and in English, and the better
    reading wins (OSD called English tables and receipts Cyrillic with script confidence up to 2.2, and true
    Han and Korean pages get 0.1-1.4, so no threshold alone separates them)."""
    if options.lang != "auto":
        return [options.lang]
    assert osd is not None
    if osd.language == FALLBACK_LANGUAGE or osd.script_confidence >= MIN_SCRIPT_CONFIDENCE:
        return [osd.language]
    return [osd.language, FALLBACK_LANGUAGE]


def _read(
    image: Image.Image, options: OcrOptions, languages: list[str], pool: ModelPool, priority: int
) -> tuple[str, str, list[Block]]:
    """(engine, language, blocks) of the best reading over the candidate languages."""
    best: tuple[str, str, list[Block]] | None = None
    for lang in languages:
        engine, blocks = _recognize(image, options.model_copy(update={"lang": lang}), pool, priority)
        if best is None or reading_score(blocks) > reading_score(best[2]):
            best = (engine, lang, blocks)
    assert best is not None
    return best


def read_page_image(
    source: PageInput, options: OcrOptions, pool: ModelPool, priority: int
) -> tuple[Page, Image.Image | None]:
    """The page, and the image it was recognised on (turned and deskewed; None for a PDF text layer)."""
    if source.text_layer is not None:
        return source.text_layer, None
    assert source.image is not None
    started = time.perf_counter()
    stages = Stages()
    image, rotation, skew = source.image, 0, 0.0
    osd: Osd | None = None
    if options.lang == "auto":  # the language must be known before reading
        with stages("osd"):
            osd = detect_osd(image, pool, priority)
    languages = _languages(options, osd)
    if options.deskew:
        with stages("deskew"):
            image, skew = deskew(image)
    with stages("recognize"):
        engine, lang, blocks = _read(image, options, languages, pool, priority)
    # Orientation is checked only when the upright reading is poor: OSD cost as much as a third of a page's
    # time, and on a page with a photo it called an upright page upside down with confidence 8.4. A turn OSD
    # proposes is kept only when the turned page reads better.
    if options.orientation and _confidence(blocks) < UPRIGHT_CONFIDENCE:
        with stages("osd"):
            osd = osd or detect_osd(image, pool, priority)
        if osd.rotate and osd.confidence >= MIN_OSD_CONFIDENCE:
            with stages("rotated"):
                turned, turn = fix_orientation(image, osd)
                other = _read(turned, options, languages, pool, priority)
            if reading_score(other[2]) > reading_score(blocks):
                image, rotation, (engine, lang, blocks) = turned, turn, other
    script = None
    if osd is not None and osd.script is not None:
        # OSD's script, unless the reading in English beat OSD's language
        script = osd.script if lang == osd.language or osd.language == FALLBACK_LANGUAGE else None
    page = Page(
        number=source.number,
        width=image.width,
        height=image.height,
        dpi=source.dpi,
        text=page_text(blocks),
        engine=engine,
        rotation=rotation,
        skew=skew,
        script=script,
        lang=lang if engine.startswith("tesseract") else None,
        confidence=_confidence(blocks),
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=stages.seconds,
        blocks=blocks,
    )
    return page, image


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
    pages = [page for _, page, _ in page_readings(data, options, pool, priority, progress)]
    return make_document(pages, sniff(data))


def page_readings(
    data: bytes, options: OcrOptions, pool: ModelPool, priority: int, progress: Progress | None
) -> Iterator[tuple[PageInput, Page, Image.Image | None]]:
    """Each page of a document read (read_page_image), with its input and the image it was recognised on; once
    the caller is done with a page, its bitmap is released (before the next page is rendered) and progress told."""
    for count, source in enumerate(iter_pages(data, options), start=1):
        page, image = read_page_image(source, options, pool, priority)
        yield source, page, image
        source.image = image = None
        if progress is not None:
            progress(count, None)


def make_document(pages: list[Page], mime: str) -> Document:
    return Document(text="\n\f".join(p.text for p in pages), mime=mime, pages=pages)
