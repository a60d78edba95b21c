"""Tesseract 5 through pytesseract. The binary runs as a subprocess, but each call still goes through
the pool's CPU executor (a zero-memory spec) so interactive requests run before batch pages."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from PIL import Image, ImageOps

from ocr.doubt import Region, find_doubt
from ocr.engines.base import register_engine
from ocr.layout import lines_to_blocks, make_block, make_line, reading_order, reading_score
from ocr.merge import merge_readings
from ocr.models import BBox, Block, Line, OcrOptions, Word
from ocr.stages import stage
from workers import ModelPool, ModelSpec

TIMEOUT_S = 180
COLUMN_GAP = 3.0
# A declared resolution under this is a screen default (72/96 dpi written by an image editor or a scanner
# app), not the scan's: Tesseract then sizes its noise and line filters for tiny text and loses whole table
# cells. Such pages, and pages that declare none, are read as ASSUMED_DPI, the usual document scan.
MIN_CREDIBLE_DPI = 150
ASSUMED_DPI = 300
# Measured (issue 14): this choice is the only difference between our reading and plain Tesseract's on the
# scribe pages (ours == `tesseract --dpi 300` word for word). It gains up to 29 points of ground-truth recall on
# tables and loses ~2 on two degraded pages (form_01 0.556 vs 0.574 at the declared 96, multicol_06 0.924 vs
# 0.943); 150/200/240 dpi or Tesseract's own estimate do not recover them, and neither confidence nor
# reading_score prefers the 96-dpi reading there (form_01: score 1065 at 300 vs 1029 at 96).
# The cause, per word (issue 14, second look): on multicol_06, at 300 dpi Tesseract's column finder runs a
# sidebar 50 px from the text column into the column's lines (one word box, "iene", confidence 1, over three
# sidebar lines); on form_01, a degraded scan, each scale misreads different words in identical boxes
# ("Sookiny"/"Booking", "OTS"/"OBTS"). Confidence does choose well word by word, so the doubtful parts are read
# again at plain's resolution and merged (TesseractEngine._reread_doubtful).
# ...but an assumed resolution can be wrong the other way: a page image of ~100 dpi (a web or phone image of a
# whole page) told 300 dpi has text a third of its true size, and Tesseract's picture finder, whose filters are
# sized in inches, then swallows text columns next to a photo (half of a magazine page vanished). So when the
# words read at the assumed resolution are implausibly small (median word height under SMALL_TEXT_PT), the page
# is read again at the resolution that makes them ordinary text (BODY_TEXT_PT), and the reading with more
# confidently read characters is kept. Word heights here are box heights of words of 3+ letters, which for
# 9-10 pt type measure about 7 pt (x-height and ascenders).
SMALL_TEXT_PT = 3.5
BODY_TEXT_PT = 7.0
MIN_DPI = 70
# Tesseract's own credible range (kMinCredibleResolution, kMaxCredibleResolution): plain `tesseract page.png -`
# works at a declared resolution inside it, and from 70 otherwise, estimating its column finder's resolution
# from the text's line size. Where our reading at ASSUMED_DPI shows trouble (ocr.doubt), that reading is
# asked too, for the doubtful regions only, and the more confident words kept (ocr.merge).
TESSERACT_MIN_DPI, TESSERACT_MAX_DPI = 70, 2400


class TesseractEnvironment(Mapping[str, str]):
    """The environment of Tesseract's subprocesses: this process's own, read at each call, with one OpenMP
    thread unless the caller chose a limit. Tesseract's OpenMP threads fight over shared cores (one thread per
    page is faster overall), but the limit must not be set process-wide: the gateway also runs CTranslate2,
    which decodes garbage when it runs more threads than OMP_THREAD_LIMIT allows."""

    def _current(self) -> dict[str, str]:
        return {"OMP_THREAD_LIMIT": "1", **os.environ}

    def __getitem__(self, key: str) -> str:
        return os.environ.get(key, "1") if key == "OMP_THREAD_LIMIT" else os.environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


def _pytesseract() -> Any:
    """pytesseract, with its subprocesses given TesseractEnvironment (it hands its module-level `environ`
    to every Popen; there is no per-call option)."""
    import pytesseract

    if not isinstance(pytesseract.pytesseract.environ, TesseractEnvironment):
        pytesseract.pytesseract.environ = TesseractEnvironment()
    return pytesseract


class TesseractBinary:
    """What the pool holds for Tesseract: nothing in-process, just the languages it found at load. Every
    Tesseract call runs on this model, so loading it sets up pytesseract's subprocess environment first."""

    def __init__(self) -> None:
        pytesseract = _pytesseract()

        self.version = str(pytesseract.get_tesseract_version())
        self.languages = set(pytesseract.get_languages(config=""))


@cache
def tesseract_spec() -> ModelSpec:
    return ModelSpec(
        id="tesseract",
        loader=lambda device: TesseractBinary(),
        memory_mb=0,
        device="cpu",
        labels={"module": "ocr", "engine": "tesseract", "note": "subprocess; no in-process weights"},
    )


def check_languages(binary: TesseractBinary, lang: str) -> None:
    from ocr.errors import OcrInputError

    missing = [part for part in lang.split("+") if part not in binary.languages]
    if missing:
        raise OcrInputError(
            f"Tesseract language(s) not installed: {', '.join(missing)}; "
            f"installed: {', '.join(sorted(binary.languages))}",
            code="unsupported_language",
        )


def page_dpi(image: Image.Image) -> int:
    """The resolution Tesseract is told first: the image's own when credible, else ASSUMED_DPI."""
    return declared_dpi(image) or ASSUMED_DPI


def page_file(image: Image.Image, folder: str) -> str:
    """The page as an uncompressed TIFF file for the Tesseract binary, always passed with --dpi. PNG encoding cost
    ~0.7 CPU-s per A4 page at 300 dpi; a PNM file costs nothing to write, but leptonica reads it a byte per fread
    call: 7% of Tesseract's CPU on an A4 page (perf), ~0.2 CPU-s. An uncompressed TIFF is written and read by
    memcpy; Tesseract's output on it is byte for byte the same (TSV of form_01, multicol_06, table_07)."""
    # A greyscale file was tried (issue 14): ~10% less Tesseract CPU (deposition_01 4.3 -> 3.9 CPU-s), but
    # SROIE receipt 000 fell from 0.738 to 0.713 ground-truth recall, below plain Tesseract; so colour stays.
    path = os.path.join(folder, "page.tif")
    (image if image.mode in ("L", "RGB") else image.convert("RGB")).save(path)
    return path


def _data(binary: TesseractBinary, path: str, lang: str, psm: int | None, dpi: int) -> dict[str, list[Any]]:
    import pytesseract

    check_languages(binary, lang)
    config = f"--dpi {dpi}" + (f" --psm {psm}" if psm is not None else "")
    return pytesseract.image_to_data(
        path, lang=lang, config=config, output_type=pytesseract.Output.DICT, timeout=TIMEOUT_S
    )


def _declared(image: Image.Image) -> int:
    """The image's declared vertical resolution (the one Tesseract reads), 0 when none."""
    declared = image.info.get("dpi")
    try:
        return round(float(declared[-1])) if declared else 0
    except (TypeError, ValueError, IndexError):
        return 0


def declared_dpi(image: Image.Image) -> int | None:
    dpi = _declared(image)
    return dpi if dpi >= MIN_CREDIBLE_DPI else None


def plain_dpi(image: Image.Image) -> int:
    """The resolution plain `tesseract page.png -` starts from (see TESSERACT_MIN_DPI)."""
    dpi = _declared(image)
    return dpi if TESSERACT_MIN_DPI <= dpi <= TESSERACT_MAX_DPI else TESSERACT_MIN_DPI


def text_dpi(blocks: list[Block], dpi: int) -> int | None:
    """The resolution at which the words read at `dpi` would be ordinary text, when they look implausibly small
    at `dpi` (None when they look ordinary, or when too few words were read to tell)."""
    heights = sorted(
        w.bbox.height
        for b in blocks
        for ln in b.lines
        for w in ln.words
        if w.confidence >= 50 and sum(c.isalnum() for c in w.text) >= 3
    )
    if len(heights) < 10:
        return None
    median_pt = heights[len(heights) // 2] / dpi * 72
    if median_pt >= SMALL_TEXT_PT:
        return None
    return max(MIN_DPI, round(dpi * median_pt / BODY_TEXT_PT))


def _tsv_words(data: dict[str, list[Any]], dx: int = 0, dy: int = 0) -> Iterator[tuple[int, Word]]:
    """The words of Tesseract's TSV (level 5, with text and a confidence), each with its row, boxes moved by
    (dx, dy) into page coordinates."""
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if data["level"][i] != 5 or not str(text).strip() or conf < 0:
            continue
        bbox = BBox(left=data["left"][i] + dx, top=data["top"][i] + dy, width=data["width"][i],
                    height=data["height"][i])  # fmt: skip
        yield i, Word(text=str(text).strip(), confidence=round(conf, 2), bbox=bbox)


def _region_words(data: dict[str, list[Any]], region: Region, page: tuple[int, int]) -> list[Word]:
    """Words of a region's reading in page coordinates, less those the region's edges cut through (its edges on
    the page's own edges cut nothing)."""
    left, top, right, bottom = region
    width, height = page
    words = []
    for _, word in _tsv_words(data, left, top):
        x, y, w, h = word.bbox.left, word.bbox.top, word.bbox.width, word.bbox.height
        cut = (
            (x <= left + 1 and left > 0)
            or (y <= top + 1 and top > 0)
            or (x + w >= right - 1 and right < width)
            or (y + h >= bottom - 1 and bottom < height)
        )
        if not cut:
            words.append(word)
    return words


def _blocks(data: dict[str, list[Any]], keep_lines: bool = False) -> list[Block]:
    """Tesseract paragraphs become blocks; its lines and words keep their boxes and confidences."""
    lines: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    for i, word in _tsv_words(data):
        lines[(data["block_num"][i], data["par_num"][i], data["line_num"][i])].append(word)
    paragraphs: dict[tuple[int, int], list[Line]] = defaultdict(list)
    split = False
    for (block, par, _), words in lines.items():
        pieces = [words] if keep_lines else _split_at_gaps(words)
        split = split or len(pieces) > 1
        paragraphs[(block, par)] += [make_line(piece) for piece in pieces]
    if split:  # Tesseract ran a line across columns or table cells: regroup the pieces ourselves
        return lines_to_blocks([ln for ls in paragraphs.values() for ln in ls])
    blocks = [make_block(i, ls) for i, ls in enumerate(paragraphs.values())]
    # psm 6 reads the page as one uniform block, top to bottom: its order is the reading order already, and
    # an XY-cut over its paragraphs would pull a receipt's right-hand amounts away from their lines.
    return blocks if keep_lines else reading_order(blocks)


def _split_at_gaps(words: list[Word]) -> list[list[Word]]:
    """Cut a line where the space between two words is wider than COLUMN_GAP line heights."""
    words = sorted(words, key=lambda w: w.bbox.left)
    height = max(w.bbox.height for w in words)
    pieces = [[words[0]]]
    for word in words[1:]:
        if word.bbox.left - pieces[-1][-1].bbox.right > COLUMN_GAP * height:
            pieces.append([])
        pieces[-1].append(word)
    return pieces


class TesseractEngine:
    name = "tesseract"

    def available(self) -> bool:
        return shutil.which("tesseract") is not None

    def recognize(self, image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int) -> list[Block]:
        # psm 6 asks for one uniform block: keep Tesseract's lines whole and in its order.
        keep_lines = options.psm == 6
        with tempfile.TemporaryDirectory(prefix="voxgate-tess-") as folder:
            path, dpi = page_file(image, folder), page_dpi(image)
            data = pool.run(tesseract_spec(), _data, path, options.lang, options.psm, dpi, priority=priority)
            if not any(str(t).strip() for t in data["text"]):
                # Nothing found: faint print on a page with a dark edge (a receipt photographed on a table)
                # defeats Tesseract's global threshold. Stretch the contrast and read once more.
                path = page_file(ImageOps.autocontrast(image.convert("L"), cutoff=2), folder)
                data = pool.run(tesseract_spec(), _data, path, options.lang, options.psm, dpi, priority=priority)
            blocks = _blocks(data, keep_lines=keep_lines)
            better_dpi = None if declared_dpi(image) else text_dpi(blocks, dpi)
            if better_dpi is not None:
                with stage("small text"):
                    data = pool.run(
                        tesseract_spec(), _data, path, options.lang, options.psm, better_dpi, priority=priority
                    )
                    again = _blocks(data, keep_lines=keep_lines)
                    if reading_score(again) > reading_score(blocks):
                        blocks, dpi = again, better_dpi
            if not keep_lines and dpi != plain_dpi(image):
                with stage("doubtful"):
                    blocks = self._reread_doubtful(image, blocks, options, pool, priority, folder)
        return blocks

    def _reread_doubtful(
        self, image: Image.Image, blocks: list[Block], options: OcrOptions, pool: ModelPool, priority: int, folder: str
    ) -> list[Block]:
        """Where the reading shows trouble, read those regions again as plain Tesseract would (its resolution and
        layout) and keep, word by word, the more confident reading (ocr.merge)."""
        doubt = find_doubt(image, blocks)
        second: list[Word] = []
        for region in doubt.regions:
            path = page_file(image if region == (0, 0, image.width, image.height) else image.crop(region), folder)
            data = pool.run(
                tesseract_spec(), _data, path, options.lang, options.psm, plain_dpi(image), priority=priority
            )
            second += _region_words(data, region, image.size)
        return merge_readings(blocks, second, doubt.stacked) if second else blocks


register_engine("tesseract", TesseractEngine)
