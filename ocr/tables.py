"""Tables on a read page: ruled tables from the ruling lines in the page image (OpenCV morphology), unruled
tables from the alignment of the words in columns. Cells get row/column, spans, text, box and confidence.

Ruled: the ink's long horizontal and vertical runs (a morphological opening with a long thin kernel) are the
rules; a region where at least two of each cross is a table; the rules' positions give the grid, and a missing
stretch of rule between two slots merges them (a spanning cell). The words whose centres fall in a cell are its
text. Unruled: rows of words are cut into segments at wide gaps; three or more consecutive rows of two or more
segments that line up in columns are a table (columns taken from the rows with the most segments; a segment
across several columns spans them). Paragraph text (long segments) and two-column prose are not tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean, median

import numpy as np
from PIL import Image

from ocr.models import BBox, Cell, Page, Table, Word

MIN_RULE_FRACTION = 0.04  # a rule is at least this share of the page's width (or height)
MERGE_PX = 6  # rules closer than this (at 300 dpi) are one (thick or double rules)
MIN_COVER = 0.5  # a separator drawn over less of a slot's side than this is missing: the slots are one cell
GAP_HEIGHTS = 1.2  # a gap between words wider than this many word heights separates cells
MIN_ROWS = 3
MAX_WORDS_PER_CELL = 6.0  # median words per cell above this: running text, not a table
TALL = 3.0  # as in ocr.forms
BAND_HEIGHTS = 0.6  # an empty band this many word heights wide between header words splits a column
MIN_FILLED = 0.6  # share of a table's rows with two or more cells filled


def _words(page: Page) -> list[Word]:
    return [w for b in page.blocks for ln in b.lines for w in ln.words]


def _centre_in(word: Word, box: BBox) -> bool:
    x, y = word.bbox.left + word.bbox.width / 2, word.bbox.top + word.bbox.height / 2
    return box.left <= x < box.right and box.top <= y < box.bottom


def _cell_text(words: list[Word]) -> tuple[str, float]:
    words = [w for w in words if any(c.isalnum() for c in w.text) or len(w.text) > 1 or w.text in "$%€£-"]
    if not words:
        return "", 0.0
    text = " ".join(w.text for row in _rows(words) for w in row)
    return text, round(mean(w.confidence for w in words), 2)


# ---- ruled tables ------------------------------------------------------------------------------------------


@dataclass
class _Rule:
    pos: float  # y of a horizontal rule, x of a vertical one
    start: int
    end: int


def _masks(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    gray = np.asarray(image.convert("L"))
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)
    ink = cv2.dilate(ink, np.ones((2, 2), np.uint8))  # a skewed or broken rule stays a run of ink
    h_len = max(20, int(image.width * MIN_RULE_FRACTION))
    v_len = max(20, int(image.height * MIN_RULE_FRACTION * 0.6))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    return horizontal, vertical


def _rules(mask: np.ndarray, axis: int, offset: tuple[int, int]) -> list[_Rule]:
    """Rules in a mask: axis 0 horizontal (pos = y), 1 vertical (pos = x); positions in page pixels."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if axis == 0 and w > 3 * h:
            out.append(_Rule(offset[1] + y + h / 2, offset[0] + x, offset[0] + x + w))
        elif axis == 1 and h > 3 * w:
            out.append(_Rule(offset[0] + x + w / 2, offset[1] + y, offset[1] + y + h))
    return out


def _cluster(rules: list[_Rule], tolerance: float) -> list[list[_Rule]]:
    groups: list[list[_Rule]] = []
    for rule in sorted(rules, key=lambda r: r.pos):
        if groups and rule.pos - groups[-1][-1].pos <= tolerance:
            groups[-1].append(rule)
        else:
            groups.append([rule])
    return groups


def _cover(group: list[_Rule], start: float, end: float) -> float:
    """Share of [start, end] the rules of a group cover."""
    spans = sorted((max(r.start, start), min(r.end, end)) for r in group if r.end > start and r.start < end)
    covered, reach = 0.0, start
    for a, b in spans:
        if b > reach:
            covered += b - max(a, reach)
            reach = b
    return covered / max(1.0, end - start)


def _grid_cells(rows: list[list[_Rule]], cols: list[list[_Rule]]) -> list[tuple[int, int, int, int]]:
    """Cells as (row, column, row_span, column_span) of the grid the rules make, merging slots a rule does
    not separate."""
    ys = [median(r.pos for r in g) for g in rows]
    xs = [median(r.pos for r in g) for g in cols]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and _cover(cols[c + 1], ys[r], ys[r + 1]) < MIN_COVER:
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and _cover(rows[r + 1], xs[c], xs[c + 1]) < MIN_COVER:
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    cells = []
    for slots in groups.values():
        r0, c0 = min(s[0] for s in slots), min(s[1] for s in slots)
        r1, c1 = max(s[0] for s in slots), max(s[1] for s in slots)
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return sorted(cells)


def _drop_empty_bands(ys: list[float], tolerance: float) -> list[int]:
    return [i for i in range(len(ys)) if i == 0 or ys[i] - ys[i - 1] > tolerance]


def ruled_tables(page: Page, image: Image.Image) -> list[Table]:
    import cv2

    horizontal, vertical = _masks(image)
    scale = max(1.0, page.dpi / 300 * MERGE_PX)
    joined = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    words = _words(page)
    tables: list[Table] = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < image.width * 0.1 or h < 20:
            continue
        region = (slice(y, y + h), slice(x, x + w))
        rows = _cluster(_rules(horizontal[region], 0, (x, y)), scale)
        cols = _cluster(_rules(vertical[region], 1, (x, y)), scale)
        rows = [g for g in rows if max(r.end for r in g) - min(r.start for r in g) > 0.3 * w]
        cols = [g for g in cols if max(r.end for r in g) - min(r.start for r in g) > 0.3 * h]
        if len(rows) < 2 or len(cols) < 2:
            continue
        ys = [median(r.pos for r in g) for g in rows]
        xs = [median(r.pos for r in g) for g in cols]
        rows = [rows[k] for k in _drop_empty_bands(ys, 3 * scale)]
        cols = [cols[k] for k in _drop_empty_bands(xs, 3 * scale)]
        if len(rows) < 2 or len(cols) < 2:
            continue
        ys = [median(r.pos for r in g) for g in rows]
        xs = [median(r.pos for r in g) for g in cols]
        cells = []
        for r, c, rs, cs in _grid_cells(rows, cols):
            box = BBox.from_edges(xs[c], ys[r], xs[c + cs], ys[r + rs])
            text, confidence = _cell_text([wd for wd in words if _centre_in(wd, box)])
            cells.append(Cell(row=r, column=c, row_span=rs, column_span=cs, text=text, confidence=confidence,
                              bbox=box, header=r == 0))  # fmt: skip
        filled = [c.confidence for c in cells if c.text]
        tables.append(Table(id=0, rows=len(ys) - 1, columns=len(xs) - 1, ruled=True,
                            confidence=round(mean(filled), 2) if filled else 0.0,
                            bbox=BBox.from_edges(xs[0], ys[0], xs[-1], ys[-1]), cells=cells))  # fmt: skip
    return tables


# ---- unruled tables ----------------------------------------------------------------------------------------


def _rows(words: list[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.bbox.top + w.bbox.height / 2):
        centre = word.bbox.top + word.bbox.height / 2
        for row in reversed(rows[-2:]):
            top, bottom = min(w.bbox.top for w in row), max(w.bbox.bottom for w in row)
            if top <= centre <= bottom:
                row.append(word)
                break
        else:
            rows.append([word])
    return [sorted(r, key=lambda w: w.bbox.left) for r in rows]


def _segments(row: list[Word], gap: float) -> list[list[Word]]:
    pieces = [[row[0]]]
    for word in row[1:]:
        if word.bbox.left - pieces[-1][-1].bbox.right > gap:
            pieces.append([])
        pieces[-1].append(word)
    return pieces


def _span(seg: list[Word]) -> tuple[int, int]:
    return min(w.bbox.left for w in seg), max(w.bbox.right for w in seg)


def _projected_columns(run: list[list[list[Word]]]) -> list[tuple[float, float]]:
    """Column intervals where the segments of the rows lie: the x-projection of all segments, cut at the bands
    no segment covers (a tenth of the rows may cross a band: a cell spanning columns)."""
    spans = [_span(seg) for row in run for seg in row]
    low, high = min(a for a, _ in spans), max(b for _, b in spans)
    cover = np.zeros(high - low + 1, dtype=np.int32)
    for a, b in spans:
        cover[a - low : b - low] += 1
    inside = cover > len(run) // 10
    columns, start = [], None
    for x, on in enumerate(inside):
        if on and start is None:
            start = x
        elif not on and start is not None:
            columns.append((float(low + start), float(low + x)))
            start = None
    if start is not None:
        columns.append((float(low + start), float(high)))
    return columns


def _word_bands(run: list[list[list[Word]]], columns: list[tuple[float, float]], height: float) -> list[float]:
    """Cuts inside columns: an empty band of the words' x-projection (no word of any row in it), at least
    BAND_HEIGHTS word heights wide, with header words on both sides (two columns printed close, like a date
    and its description, whose cells the gap rule took as one segment)."""
    words = [w for row in run for seg in row for w in seg]
    header = [w for seg in run[0] for w in seg]
    cuts = []
    def within(word: Word, a: float, b: float) -> bool:
        return a <= word.bbox.left + word.bbox.width / 2 <= b

    for a, b in columns:
        inner = sorted((w.bbox.left, w.bbox.right) for w in words if within(w, a, b))
        reach = None
        for left, right in inner:
            if reach is not None and left - reach >= BAND_HEIGHTS * height:
                cut = (reach + left) / 2
                if any(w.bbox.right <= cut and within(w, a, b) for w in header) and any(
                    w.bbox.left >= cut and within(w, a, b) for w in header
                ):
                    cuts.append(cut)
            reach = right if reach is None else max(reach, right)
    return cuts


def _split_at(seg: list[Word], cuts: list[float]) -> list[list[Word]]:
    pieces: list[list[Word]] = [[]]
    for word in seg:
        if pieces[-1] and any(pieces[-1][-1].bbox.right <= cut <= word.bbox.left for cut in cuts):
            pieces.append([])
        pieces[-1].append(word)
    return pieces


def _columns(run: list[list[list[Word]]]) -> list[tuple[float, float]] | None:
    """Column intervals from the rows with the most segments, or from the projection of all segments when that
    finds more columns (columns that are never all filled on one row); None when neither lines up."""
    widest = _widest_columns(run)
    projected = _projected_columns(run)
    if widest is None or len(projected) > len(widest):
        return projected if len(projected) >= 2 else widest
    return widest


def _widest_columns(run: list[list[list[Word]]]) -> list[tuple[float, float]] | None:
    """Column intervals from the rows with the most segments; None when those rows do not line up."""
    most = max(len(r) for r in run)
    widest = [r for r in run if len(r) == most]
    if len(widest) < max(2, len(run) // 3):
        counts = sorted({len(r) for r in run if len(r) >= 2}, reverse=True)
        for k in counts:
            widest = [r for r in run if len(r) == k]
            if len(widest) >= max(2, len(run) // 3):
                most = k
                break
        else:
            return None
    columns = [(min(_span(r[j])[0] for r in widest), max(_span(r[j])[1] for r in widest)) for j in range(most)]
    if any(columns[j][1] >= columns[j + 1][0] for j in range(most - 1)):
        return None
    return columns


def _place(seg: list[Word], columns: list[tuple[float, float]]) -> tuple[int, int]:
    """(first column, span) a segment covers: the columns its extent overlaps, else the nearest."""
    left, right = _span(seg)
    hit = [j for j, (a, b) in enumerate(columns) if left < b and right > a]
    if not hit:
        centre = (left + right) / 2
        bounds = [((a + b) / 2) for a, b in columns]
        nearest = min(range(len(columns)), key=lambda j: abs(bounds[j] - centre))
        return nearest, 1
    return hit[0], hit[-1] - hit[0] + 1


def _aligned_table(run: list[list[list[Word]]], height: float) -> Table | None:
    columns = _columns(run)
    if columns is None or len(columns) < 1:
        return None
    cuts = _word_bands(run, columns, height)
    if cuts:
        run = [[piece for seg in row for piece in _split_at(seg, cuts)] for row in run]
        columns = _columns(run)
    if columns is None or len(columns) < 2:
        return None
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(run):
        slots: dict[int, tuple[int, list[Word]]] = {}
        for seg in row:
            c, span = _place(seg, columns)
            if c in slots:  # two segments in one column: one cell
                span = max(slots[c][0], span)
                seg = slots[c][1] + seg
            slots[c] = (span, seg)
        top = min(w.bbox.top for seg in row for w in seg)
        bottom = max(w.bbox.bottom for seg in row for w in seg)
        for c, (span, seg) in sorted(slots.items()):
            if (r, c) in taken:
                continue
            span = min(span, len(columns) - c)
            taken.update((r, c + k) for k in range(span))
            text, confidence = _cell_text(seg)
            cells.append(Cell(row=r, column=c, column_span=span, text=text, confidence=confidence,
                              bbox=BBox.union([w.bbox for w in seg]), header=r == 0))  # fmt: skip
        for c in range(len(columns)):
            if (r, c) not in taken:
                box = BBox.from_edges(columns[c][0], top, columns[c][1], bottom)
                cells.append(Cell(row=r, column=c, text="", confidence=0.0, bbox=box, header=r == 0))
    filled_rows = sum(1 for r in range(len(run)) if sum(1 for c in cells if c.row == r and c.text) >= 2)
    words_per_cell = median(len(c.text.split()) for c in cells if c.text) if any(c.text for c in cells) else 0
    if filled_rows < MIN_FILLED * len(run) or words_per_cell > MAX_WORDS_PER_CELL:
        return None
    texts = [c.confidence for c in cells if c.text]
    cells.sort(key=lambda c: (c.row, c.column))
    return Table(id=0, rows=len(run), columns=len(columns), ruled=False,
                 confidence=round(mean(texts), 2) if texts else 0.0, bbox=BBox.union([c.bbox for c in cells]),
                 cells=cells)  # fmt: skip


def aligned_tables(words: list[Word]) -> list[Table]:
    if not words:
        return []
    height = median(w.bbox.height for w in words)
    words = [w for w in words if w.bbox.height <= TALL * height]  # a rule or a picture read as a tall "word"
    rows = _rows(words)
    segmented = [_segments(r, GAP_HEIGHTS * height) for r in rows]
    tables: list[Table] = []
    run: list[list[list[Word]]] = []
    last_bottom = None

    def close() -> None:
        while run and len(run[-1]) < 2:
            run.pop()
        if len(run) >= MIN_ROWS:
            table = _aligned_table(run, height)
            if table is not None:
                tables.append(table)
        run.clear()

    for row, segs in zip(rows, segmented, strict=True):
        top = min(w.bbox.top for w in row)
        far = last_bottom is not None and top - last_bottom > 2.5 * height
        if far or (len(segs) < 2 and (not run or len(run[-1]) < 2)):
            close()
        if len(segs) >= 2 or run:
            run.append(segs)
        last_bottom = max(w.bbox.bottom for w in row)
    close()
    return tables


def find_tables(page: Page, image: Image.Image | None) -> list[Table]:
    """Ruled tables (when there is an image to find rules in), then unruled ones among the other words;
    top to bottom, numbered from 0."""
    tables = ruled_tables(page, image) if image is not None else []
    rest = [w for w in _words(page) if not any(_centre_in(w, t.bbox) for t in tables)]
    tables += aligned_tables(rest)
    tables.sort(key=lambda t: (t.bbox.top, t.bbox.left))
    return [t.model_copy(update={"id": i}) for i, t in enumerate(tables)]
