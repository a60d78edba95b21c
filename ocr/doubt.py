"""Where a reading is in doubt: the regions of a page worth reading a second time, and the words known bad.

Measured on the scribe pages and receipts (issue 14), Tesseract read at an assumed resolution fails in two ways
that plain Tesseract at the image's declared one may not:
- lines of a narrow column run together: one word box over two or three lines of a sidebar, read as garbage
  ("iene", confidence 1, multicol_06) or as one line's word with the other line's words lost;
- a degraded scan, where every scale misreads different words (form_01: a third of its words unsure);
- text left out altogether (ink in letter-sized pieces that no word box covers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ocr.models import BBox, Block, Word

UNSURE = 50.0  # word confidence under which a word is unsure
TALL_WORD = 2.0  # an unsure word this many median word heights tall is in doubt
DEGRADED_SHARE = 0.25  # this share of unsure words (form_01 0.33; other scribe pages <= 0.15) -> read it all again
# A region to read again reaches this many median word heights above and below what is in doubt, and
# REGION_SIDE to its left and right (a narrow crop reads much faster than the page's full width).
BAND_MARGIN = 3.0
REGION_SIDE = 10.0
STACKED_HEIGHT = 1.5  # words at least this many median heights tall are checked for several lines of ink
INK = 128  # grey level under which a pixel is ink
MIN_RUN = 0.35  # a run of inked rows this many median heights tall is a line of text (an i's dot is not)
# Text no word covers (SROIE 500 at 300 dpi: "CASH", "CHANGE" left out, read by plain Tesseract): ink outside every
# word box, in letter-sized pieces, at least UNREAD_LETTERS of them side by side on one row. Pages where such rows
# would take more than UNREAD_SHARE of the height (text in photos, patterned tables) are left as they are.
UNREAD_LETTERS = 3
UNREAD_SHARE = 0.25
MAX_PIECES = 3000


Region = tuple[int, int, int, int]


@dataclass
class Doubt:
    regions: list[Region] = field(default_factory=list)  # (left, top, right, bottom) on the page
    stacked: set[int] = field(default_factory=set)  # id() of words whose box holds several lines of text


def _text_lines(ink_rows: np.ndarray, min_run: float) -> int:
    """Runs of inked rows at least min_run tall."""
    runs, length = 0, 0
    for inked in [*ink_rows.tolist(), False]:
        if inked:
            length += 1
            continue
        runs += length >= min_run
        length = 0
    return runs


def _stacked(grey: Image.Image, box: BBox, median: int) -> bool:
    """Whether the box holds two or more lines of text, one above the other."""
    crop = np.asarray(grey.crop((box.left, box.top, box.right, box.bottom))) < INK
    if crop.size == 0:
        return False
    ink_rows = crop.sum(axis=1) >= max(1, 0.02 * crop.shape[1])
    return _text_lines(ink_rows, MIN_RUN * median) >= 2


def _unread_rows(grey: Image.Image, words: list[Word], median: int) -> list[Region]:
    """(left, top, right, bottom) of each row of letter-like ink that no word box covers."""
    import cv2

    ink = (np.asarray(grey) < INK).astype(np.uint8)
    pad = max(2, round(0.25 * median))
    for w in words:
        ink[max(0, w.bbox.top - pad) : w.bbox.bottom + pad, max(0, w.bbox.left - pad) : w.bbox.right + pad] = 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    letter = (h >= 0.4 * median) & (h <= 1.3 * median) & (w >= 0.1 * median) & (w <= 1.5 * median)
    letter &= (area >= 0.15 * w * h) & (area <= 0.85 * w * h)
    pieces = sorted(tuple(piece) for piece in stats[1:][letter, :4].tolist())
    if len(pieces) > MAX_PIECES:  # noise or a photo, not left-out words
        return []
    rows, used = [], [False] * len(pieces)
    for i, (left, top, width, height) in enumerate(pieces):
        if used[i]:
            continue
        middle, right, bottom, count = top + height / 2, left + width, top + height, 1
        for j in range(i + 1, len(pieces)):
            x2, y2, w2, h2 = pieces[j]
            if x2 - right > 0.8 * median:
                if x2 - right > 3 * median:
                    break  # sorted by left: nothing further on can be next to this row
                continue
            if not used[j] and abs(y2 + h2 / 2 - middle) < 0.4 * median:
                used[j] = True
                right, top, bottom, count = max(right, x2 + w2), min(top, y2), max(bottom, y2 + h2), count + 1
        if count >= UNREAD_LETTERS:
            rows.append((left, top, right, bottom))
    return rows


def _regions(boxes: list[Region], width: int, height: int) -> list[Region]:
    """Overlapping boxes joined (until none overlap); the whole page when they cover most of it."""
    regions = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(regions)):
            for j in range(i + 1, len(regions)):
                a, b = regions[i], regions[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    regions[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del regions[j]
                    merged = True
                    break
            if merged:
                break
    if sum((r[2] - r[0]) * (r[3] - r[1]) for r in regions) > width * height / 2:  # most of the page: read it whole
        return [(0, 0, width, height)]
    return sorted(regions, key=lambda r: (r[1], r[0]))


def find_doubt(image: Image.Image, blocks: list[Block]) -> Doubt:
    """The regions to read again (the whole page when it reads as degraded) and the stacked words; nothing when
    the reading looks sound or too few confident words tell what ordinary text looks like on the page."""
    words: list[Word] = [w for b in blocks for ln in b.lines for w in ln.words]
    heights = sorted(w.bbox.height for w in words if w.confidence >= UNSURE and sum(c.isalnum() for c in w.text) >= 3)
    if len(heights) < 10:
        return Doubt()
    median = heights[len(heights) // 2]
    unsure = [w for w in words if w.confidence < UNSURE]
    grey = image.convert("L")
    stacked = {id(w) for w in words if w.bbox.height >= STACKED_HEIGHT * median and _stacked(grey, w.bbox, median)}
    if len(unsure) >= DEGRADED_SHARE * len(words):
        return Doubt([(0, 0, image.width, image.height)], stacked)
    boxes: list[Region] = [
        (w.bbox.left, w.bbox.top, w.bbox.right, w.bbox.bottom)
        for w in words
        if id(w) in stacked or (w.confidence < UNSURE and w.bbox.height >= TALL_WORD * median)
    ]
    unread = _unread_rows(grey, words, median)
    if sum(b - t for _, t, _, b in unread) <= UNREAD_SHARE * image.height:
        boxes += unread
    side, margin = round(REGION_SIDE * median), round(BAND_MARGIN * median)
    boxes = [
        (max(0, left - side), max(0, top - margin), min(image.width, right + side), min(image.height, bottom + margin))
        for left, top, right, bottom in boxes
    ]
    return Doubt(_regions(boxes, image.width, image.height), stacked)
