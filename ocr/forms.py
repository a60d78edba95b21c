"""Forms on a read page: key-value pairs ("Name: Jane Doe") and checkboxes with their state.

Keys are words ending in a colon (with the words before them in the same cell-like segment); the value is what
follows on the row up to the next key, else what is printed just below the key, else empty (a blank field).
Checkboxes are found in the page image: closed square outlines about the size of the text (four corners, an
outline that fills its box); a box is selected when its inside holds ink (a tick, a cross, a fill). The words
right of a box are its label; the pair is a KeyValue with a `selection`.
"""

from __future__ import annotations

from statistics import median

import numpy as np
from PIL import Image

from ocr.models import BBox, KeyValue, Page, SelectionElement, Table, Word
from ocr.rows import located

GAP_HEIGHTS = 1.2  # as in ocr.tables: a wider gap separates segments of a row
SELECTED_FILL = 0.12  # share of a box's inside that is ink when it is ticked
MIN_BOX, MAX_BOX = 0.7, 2.6  # checkbox side, in median word heights
KEY_ENDS = (":", "#")  # a key ends with a colon ("Name:") or a number sign ("Arrest #", "CIS#")
TALL = 3.0  # a "word" taller than this many median word heights is not text


def _words(page: Page, exclude: list[Table]) -> list[Word]:
    out = []
    for word in (w for b in page.blocks for ln in b.lines for w in ln.words):
        x, y = word.bbox.left + word.bbox.width / 2, word.bbox.top + word.bbox.height / 2
        if not any(t.bbox.left <= x < t.bbox.right and t.bbox.top <= y < t.bbox.bottom for t in exclude):
            out.append(word)
    return out


def _rows(words: list[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.bbox.top + w.bbox.height / 2):
        centre = word.bbox.top + word.bbox.height / 2
        for row in reversed(rows[-2:]):
            if min(w.bbox.top for w in row) <= centre <= max(w.bbox.bottom for w in row):
                row.append(word)
                break
        else:
            rows.append([word])
    return [sorted(r, key=lambda w: w.bbox.left) for r in rows]


def _overlap(a: BBox, b: BBox) -> float:
    """The share of the smaller box that lies in the other."""
    return _intersection(a, b) / max(1, min(a.width * a.height, b.width * b.height))


def _intersection(a: BBox, b: BBox) -> int:
    w = max(0, min(a.right, b.right) - max(a.left, b.left))
    h = max(0, min(a.bottom, b.bottom) - max(a.top, b.top))
    return w * h



# ---- checkboxes --------------------------------------------------------------------------------------------


def checkboxes(image: Image.Image, text_height: float) -> list[SelectionElement]:
    import cv2

    gray = np.asarray(image.convert("L"))
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found: list[SelectionElement] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if not (MIN_BOX * text_height <= w <= MAX_BOX * text_height) or not 0.75 <= w / max(h, 1) <= 1.33:
            continue
        # a box has four sharp corners and its outline fills its bounding box (a D or an O does not: 6+ corners,
        # 0.85 of its box at most, on rendered forms; boxes measured 4 corners and 0.96)
        approx = cv2.approxPolyDP(contour, 0.03 * cv2.arcLength(contour, True), True)
        if len(approx) != 4 or cv2.contourArea(contour) < 0.9 * w * h:
            continue
        border = max(2, round(0.2 * w))
        inside = ink[y + border : y + h - border, x + border : x + w - border]
        if inside.size == 0:
            continue
        fill = float(inside.mean()) / 255
        box = BBox(left=x, top=y, width=w, height=h)
        if any(_overlap(box, other.bbox) > 0.5 for other in found):
            continue  # the inner and outer edge of one outline
        # confidence: how clearly the inside is empty or inked
        confidence = round(100 * min(1.0, abs(fill - SELECTED_FILL) / SELECTED_FILL), 2)
        found.append(SelectionElement(selected=fill >= SELECTED_FILL, confidence=confidence, bbox=box))
    return sorted(found, key=lambda s: (s.bbox.top, s.bbox.left))


def _label(box: SelectionElement, rows: list[list[Word]], height: float, boxes: list[SelectionElement]) -> list[Word]:
    """The words right of a checkbox on its row, up to a wide gap or the next box."""
    centre = box.bbox.top + box.bbox.height / 2
    for row in rows:
        if not min(w.bbox.top for w in row) - height / 2 <= centre <= max(w.bbox.bottom for w in row) + height / 2:
            continue
        nxt = min((b.bbox.left for b in boxes if b.bbox.left > box.bbox.right and abs(b.bbox.top - box.bbox.top)
                   < height), default=10**9)  # fmt: skip
        label: list[Word] = []
        edge = box.bbox.right
        for word in row:
            if word.bbox.left < box.bbox.right or word.bbox.left >= nxt:
                continue
            if word.bbox.left - edge > 2 * GAP_HEIGHTS * height:
                break
            label.append(word)
            edge = word.bbox.right
        return label
    return []


# ---- key: value --------------------------------------------------------------------------------------------


def _segment_starts(row: list[Word], gap: float) -> set[int]:
    return {0} | {i for i in range(1, len(row)) if row[i].bbox.left - row[i - 1].bbox.right > gap}


def _colon_pairs(rows: list[list[Word]], height: float) -> list[KeyValue]:
    pairs: list[KeyValue] = []
    for index, row in enumerate(rows):
        starts = _segment_starts(row, GAP_HEIGHTS * height)
        ends = [i for i, w in enumerate(row) if w.text.endswith(KEY_ENDS)]
        keys: list[tuple[int, int]] = []
        for end in ends:
            start = max([s for s in starts if s <= end] + [k[1] + 1 for k in keys])
            if any(c.isalpha() for w in row[start : end + 1] for c in w.text):
                keys.append((start, end))
        for n, (start, end) in enumerate(keys):
            stop = keys[n + 1][0] if n + 1 < len(keys) else len(row)
            value = row[end + 1 : stop]
            key_words = row[start : end + 1]
            if not value and n + 1 == len(keys) and index + 1 < len(rows):
                value = _below(key_words, rows[index + 1], height)
            key = located(key_words)
            key.text = key.text.rstrip(":").strip()  # "CIS #" keeps its sign: it says "number"
            found = located(value) if value else None
            confidence = round(min(key.confidence, found.confidence) if found else key.confidence, 2)
            pairs.append(KeyValue(key=key, value=found, confidence=confidence))
    return pairs


def _below(key: list[Word], row: list[Word], height: float) -> list[Word]:
    """A value printed under its key: the segment of the next row that starts under the key, when that row
    is close and holds no key itself."""
    left, bottom = key[0].bbox.left, max(w.bbox.bottom for w in key)
    if min(w.bbox.top for w in row) - bottom > 1.2 * height or any(w.text.endswith(KEY_ENDS) for w in row):
        return []
    starts = sorted(_segment_starts(row, GAP_HEIGHTS * height))
    for n, s in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(row)
        segment = row[s:stop]
        if abs(segment[0].bbox.left - left) < 2 * height:
            return segment
    return []


def find_forms(
    page: Page, image: Image.Image | None, exclude: list[Table] | None = None
) -> tuple[list[KeyValue], list[SelectionElement]]:
    """(key-value pairs, checkboxes) of the page; words inside the given tables are left out."""
    words = _words(page, exclude or [])
    if not words:
        return [], []
    height = median(w.bbox.height for w in words)
    # a column of boxes or a rule read as one tall "word" (NANA over five checkboxes) would join their rows
    words = [w for w in words if w.bbox.height <= TALL * height]
    boxes = checkboxes(image, height) if image is not None else []
    # a checkbox read as a character ("O", "[]") is not text
    words = [w for w in words if not any(_intersection(w.bbox, b.bbox) > 0.5 * w.bbox.width * w.bbox.height
                                         for b in boxes)]  # fmt: skip
    rows = _rows(words)
    pairs = _colon_pairs(rows, height)
    for box in boxes:
        label = _label(box, rows, height, boxes)
        if label:
            key = located(label)
            pairs.append(KeyValue(key=key, selection=box, confidence=round(min(key.confidence, box.confidence), 2)))
    pairs.sort(key=lambda kv: (kv.key.bbox.top, kv.key.bbox.left))
    return pairs, boxes
