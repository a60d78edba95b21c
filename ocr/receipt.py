"""Where a till receipt lies on a page: the whole page when the image is receipt-shaped, or the receipt's own
box on a flatbed scan (a narrow receipt on an A4 sheet, with the scanner's specks around it).

A receipt read as an ordinary document loses its rows: Tesseract's page segmentation puts each column (item
names, then prices) in a block of its own. Receipts are therefore read as one uniform block and by a second
engine (ocr.read, ocr.fuse), and that reading wants the receipt alone: specks and blank paper around it become
lines of noise in a uniform block, and a 600-dpi A4 sheet is eight times the pixels of the receipt on it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocr.layout import make_block, make_line
from ocr.models import BBox, Block, Page

# A receipt is at least this many times as tall as it is wide (42 of the 50 SROIE scans as images; A4 is 1.41,
# US Letter 1.29, US Legal 1.65).
RECEIPT_ASPECT = 1.7
# On a larger sheet (a receipt scanned on a flatbed), the printed part is narrow, at most MAX_WIDTH_SHARE of the
# sheet's width (a till roll is 57-80 mm, a third of A4's 210 mm; a page of text fills two thirds or more), and
# taller than wide by PRINT_ASPECT (a short receipt's print is less tall than a whole long one: 1.68 on one of the
# tune scans; a heading alone on a blank page is wider than tall).
MAX_WIDTH_SHARE = 0.45
PRINT_ASPECT = 1.2
# The ink is found on the page shrunk to SIDE pixels on its longer side, dark pixels closed into blobs by a
# window of CLOSE_SHARE of that side (about a text line's spacing on a receipt scanned on A4). The print is every
# blob of at least MIN_BLOB_SHARE of the page's area (or the largest, if none is), and the smaller blobs (a short
# line, a logo; at least MIN_PIECE_SHARE) within NEAR_SHARE of the longer side from what is already taken, grown
# until nothing more is near; specks, dust and punched holes further out are not part of it.
SIDE = 1000
INK = 128
CLOSE_SHARE = 0.02
NEAR_SHARE = 0.03
MIN_BLOB_SHARE = 0.002
MIN_PIECE_SHARE = 0.00005
# The box is widened by this share of its width on each side, so that no letter at its edge is cut.
MARGIN_SHARE = 0.04

Region = tuple[int, int, int, int]


def _near(box: Region, other: Region, gap: float) -> bool:
    return (
        other[0] - gap <= box[2] and box[0] - gap <= other[2] and other[1] - gap <= box[3] and box[1] - gap <= other[3]
    )


def _ink_box(image: Image.Image) -> Region | None:
    """(left, top, right, bottom) of the page's printed part in page pixels, specks left out; None if blank."""
    import cv2

    scale = min(1.0, SIDE / max(image.size))
    small = image.convert("L").resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    ink = (np.asarray(small) < INK).astype(np.uint8)
    size = max(3, round(CLOSE_SHARE * max(small.size)))
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    pieces = [
        (int(x), int(y), int(x + w), int(y + h), int(area))
        for x, y, w, h, area in stats[1:].tolist()
        if area >= MIN_PIECE_SHARE * small.width * small.height
    ]
    if not pieces:
        return None
    large = [p[:4] for p in pieces if p[4] >= MIN_BLOB_SHARE * small.width * small.height]
    large = large or [max(pieces, key=lambda p: p[4])[:4]]  # a small print: grown from its largest piece
    box = (min(p[0] for p in large), min(p[1] for p in large), max(p[2] for p in large), max(p[3] for p in large))
    rest = [p[:4] for p in pieces if p[:4] not in large]
    gap = NEAR_SHARE * max(small.size)
    grown = True
    while grown:
        grown = False
        for other in [b for b in rest if _near(box, b, gap)]:
            box = (min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))
            rest.remove(other)
            grown = True
    return round(box[0] / scale), round(box[1] / scale), round(box[2] / scale), round(box[3] / scale)


def receipt_region(image: Image.Image) -> Region | None:
    """The region of the page to read as a till receipt: the whole page when the image is receipt-shaped, the
    receipt's box when a receipt-shaped print sits on a larger sheet, None when the page is not a receipt."""
    if image.height >= RECEIPT_ASPECT * image.width:
        return 0, 0, image.width, image.height
    box = _ink_box(image)
    if box is None:
        return None
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    if width <= 0 or height < PRINT_ASPECT * width or width > MAX_WIDTH_SHARE * image.width:
        return None
    margin = round(MARGIN_SHARE * width)
    return (
        max(0, left - margin),
        max(0, top - margin),
        min(image.width, right + margin),
        min(image.height, bottom + margin),
    )


def _moved(box: BBox, dx: int, dy: int) -> BBox:
    return BBox(left=box.left + dx, top=box.top + dy, width=box.width, height=box.height)


def moved_blocks(blocks: list[Block], dx: int, dy: int) -> list[Block]:
    """Blocks read on a crop, placed on the page the crop was cut from (line and block boxes follow their words)."""
    if not dx and not dy:
        return blocks
    return [
        make_block(block.id, [make_line([w.model_copy(update={"bbox": _moved(w.bbox, dx, dy)}) for w in line.words])
                              for line in block.lines])
        for block in blocks
    ]  # fmt: skip


def receipt_crop(image: Image.Image) -> Region | None:
    """The box of a receipt lying on a larger sheet, to read cut out; None when the image is the receipt itself
    or holds none."""
    region = receipt_region(image)
    return None if region is None or region == (0, 0, *image.size) else region


def placed_page(page: Page, region: Region | None, size: tuple[int, int]) -> Page:
    """A page read on the crop `region` of an image of `size`, given back in that image's pixels (None: the page
    was read whole and is already there)."""
    if region is None:
        return page
    blocks = moved_blocks(page.blocks, region[0], region[1])
    return page.model_copy(update={"blocks": blocks, "width": size[0], "height": size[1]})
