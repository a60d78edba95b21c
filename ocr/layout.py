"""Layout helpers shared by engines: build lines and blocks from boxes, and put blocks in reading order.

Reading order is a recursive XY-cut: split the blocks at the widest empty band that crosses them all,
horizontal (top before bottom) or vertical (left column before right), and recurse. A full-width
heading leaves no vertical band, so it comes before the columns under it; each column is read whole.
When the two sides of a vertical band line up row by row (tables, receipts), rows are read instead.
"""

from __future__ import annotations

from statistics import mean, median

from ocr.models import BBox, Block, Line, Word


def make_line(words: list[Word]) -> Line:
    words = sorted(words, key=lambda w: w.bbox.left)
    return Line(
        text=" ".join(w.text for w in words),
        confidence=round(mean(w.confidence for w in words), 2) if words else 0.0,
        bbox=BBox.union([w.bbox for w in words]),
        words=words,
    )


def make_block(block_id: int, lines: list[Line]) -> Block:
    return Block(
        id=block_id,
        text="\n".join(ln.text for ln in lines),
        confidence=round(mean(ln.confidence for ln in lines), 2) if lines else 0.0,
        bbox=BBox.union([ln.bbox for ln in lines]),
        lines=lines,
    )


def _v_overlap(a: BBox, b: BBox) -> float:
    return max(0, min(a.bottom, b.bottom) - max(a.top, b.top)) / max(1, min(a.height, b.height))


def _h_overlap(a: BBox, b: BBox) -> float:
    return max(0, min(a.right, b.right) - max(a.left, b.left)) / max(1, min(a.width, b.width))


def words_to_lines(words: list[Word]) -> list[Line]:
    """Group words whose boxes overlap vertically and sit close horizontally into lines."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.bbox.top, w.bbox.left)):
        for line in lines:
            last = line[-1]
            gap = word.bbox.left - last.bbox.right
            if _v_overlap(last.bbox, word.bbox) > 0.5 and -last.bbox.height < gap < 3 * max(last.bbox.height, 1):
                line.append(word)
                break
        else:
            lines.append([word])
    return [make_line(ws) for ws in lines]


def _is_cell(line: Line, lines: list[Line]) -> bool:
    """A table cell or receipt entry: another line sits on the same row, further away than the shorter one is
    wide (columns of running text sit much closer than their lines are long)."""
    for other in lines:
        if other is line or _v_overlap(line.bbox, other.bbox) <= 0.5:
            continue
        gap = max(other.bbox.left - line.bbox.right, line.bbox.left - other.bbox.right)
        if gap > min(line.bbox.width, other.bbox.width):
            return True
    return False


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    """Group lines into blocks: a line joins the block above it when it overlaps it horizontally and
    the vertical gap is under one line height."""
    if not lines:
        return []
    height = median(ln.bbox.height for ln in lines) or 1
    # Whether a line is a cell is decided once per line: asking again for each group's last line made this
    # cubic in the lines (0.5 CPU-s on a dense scribe page).
    cells = {id(ln) for ln in lines if _is_cell(ln, lines)}
    groups: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.left)):
        if id(line) in cells:
            groups.append([line])
            continue
        for group in groups:
            if id(group[-1]) in cells:
                continue
            last = group[-1]
            gap = line.bbox.top - last.bbox.bottom
            if -0.5 * height <= gap <= 1.0 * height and _h_overlap(last.bbox, line.bbox) > 0.3:
                group.append(line)
                break
        else:
            groups.append([line])
    return reading_order([make_block(i, g) for i, g in enumerate(groups)])


def _gaps(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Empty spans (start, end) between the union of intervals."""
    spans = sorted(intervals)
    gaps, reach = [], spans[0][1]
    for start, end in spans[1:]:
        if start > reach:
            gaps.append((reach, start))
        reach = max(reach, end)
    return gaps


def _rows(blocks: list[Block]) -> list[Block]:
    """Table order: rows top to bottom (blocks overlapping vertically share a row), each left to right."""
    rows: list[list[Block]] = []
    for block in sorted(blocks, key=lambda b: b.bbox.top):
        if rows and any(_v_overlap(block.bbox, other.bbox) > 0.5 for other in rows[-1]):
            rows[-1].append(block)
        else:
            rows.append([block])
    return [b for row in rows for b in sorted(row, key=lambda b: b.bbox.left)]


def _row_aligned(first: list[Block], rest: list[Block]) -> bool:
    """Whether two sides of a vertical cut are cells of the same rows (a table or a receipt), not columns:
    most single-line blocks of the smaller side have a single-line partner on the same row.
    Paragraphs side by side are columns."""
    small, big = sorted((first, rest), key=len)
    paired = sum(
        len(a.lines) == 1 and any(len(b.lines) == 1 and _v_overlap(a.bbox, b.bbox) > 0.5 for b in big) for a in small
    )
    return paired >= 0.5 * len(small)


def _xy_cut(blocks: list[Block], depth: int = 0) -> list[Block]:
    if len(blocks) <= 1 or depth > 50:
        return blocks
    h_gaps = _gaps([(b.bbox.top, b.bbox.bottom) for b in blocks])
    v_gaps = _gaps([(b.bbox.left, b.bbox.right) for b in blocks])
    h_cut = max(h_gaps, key=lambda g: g[1] - g[0], default=None)
    v_cut = max(v_gaps, key=lambda g: g[1] - g[0], default=None)
    # The widest empty band wins: a column gutter beats the spacing between rows of text,
    # unless the two sides line up row by row (a table), which is read row by row.
    if v_cut is not None and (h_cut is None or v_cut[1] - v_cut[0] > h_cut[1] - h_cut[0]):
        first = [b for b in blocks if b.bbox.right <= v_cut[0]]
        rest = [b for b in blocks if b.bbox.right > v_cut[0]]
        if not _row_aligned(first, rest):
            return _xy_cut(first, depth + 1) + _xy_cut(rest, depth + 1)
        if h_cut is None:
            return _rows(blocks)
    if h_cut is None:
        return _rows(blocks)
    first = [b for b in blocks if b.bbox.bottom <= h_cut[0]]
    rest = [b for b in blocks if b.bbox.bottom > h_cut[0]]
    return _xy_cut(first, depth + 1) + _xy_cut(rest, depth + 1)


def reading_order(blocks: list[Block]) -> list[Block]:
    """Blocks in reading order across columns, renumbered 0..n-1."""
    ordered = _xy_cut(list(blocks))
    return [b.model_copy(update={"id": i}) for i, b in enumerate(ordered)]


def reading_score(blocks: list[Block]) -> float:
    """How much text a reading holds, weighted by the engine's confidence: the sum over words of
    confidence x characters. Two readings of the same page by the same engine compare by it; garbage from an
    upside-down page or from a wrong resolution is short and unconfident."""
    return sum(w.confidence / 100 * len(w.text) for b in blocks for ln in b.lines for w in ln.words)


def page_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks if b.text)


def split_line_into_words(text: str, bbox: BBox, confidence: float) -> list[Word]:
    """Words of a line an engine returns whole, with boxes apportioned by character count."""
    tokens = text.split()
    if not tokens:
        return []
    total = sum(len(t) for t in tokens) + len(tokens) - 1
    per_char = bbox.width / max(total, 1)
    words, x = [], float(bbox.left)
    for token in tokens:
        width = len(token) * per_char
        words.append(Word(text=token, confidence=confidence, bbox=BBox.from_edges(x, bbox.top, x + width, bbox.bottom)))
        x += width + per_char
    return words
