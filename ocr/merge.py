"""Two readings of one page, combined word by word: where their boxes overlap, the more confident side wins;
a word only the second reading has joins when it is read confidently.

Used where the first reading shows trouble (ocr.doubt.find_doubt): Tesseract read at one
resolution runs a narrow column into its neighbour (one tall, unsure "word" over three lines of a sidebar) or
misreads a degraded word that another scale of the same page reads well. Confidence chooses well word by word
even where it cannot choose a whole page (issue 14: form_01, multicol_06)."""

from __future__ import annotations

from bisect import bisect_left

from ocr.layout import lines_to_blocks, make_block, make_line, reading_order, words_to_lines
from ocr.models import BBox, Block, Word

# The second reading replaces overlapping words of the first only when its words are this much more confident
# (mean confidence per character, 0-100): near-ties keep the first reading, the one chosen for the page.
MARGIN = 10.0
# A word nothing in the first reading overlaps is added from the second only at this confidence.
MIN_NEW_CONFIDENCE = 60.0
# Boxes overlap when the shared area is over half of the smaller box.
MIN_OVERLAP = 0.5


def _overlap(a: BBox, b: BBox) -> float:
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1, min(a.width * a.height, b.width * b.height))


def _confidence(words: list[Word]) -> float:
    chars = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / max(1, chars)


def _components(first: list[Word], second: list[Word]) -> list[tuple[list[int], list[int]]]:
    """Groups of words linked by overlapping boxes, as (indices into first, indices into second)."""
    parent = list(range(len(first) + len(second)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    order = sorted(range(len(second)), key=lambda j: second[j].bbox.top)
    tops = [second[j].bbox.top for j in order]
    tallest = max((w.bbox.height for w in second), default=0)
    for i, a in enumerate(first):  # only the second's words that can reach a's rows
        for k in range(bisect_left(tops, a.bbox.top - tallest), bisect_left(tops, a.bbox.bottom)):
            if _overlap(a.bbox, second[order[k]].bbox) > MIN_OVERLAP:
                parent[root(i)] = root(len(first) + order[k])
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for k in range(len(parent)):
        mine, theirs = groups.setdefault(root(k), ([], []))
        (mine if k < len(first) else theirs).append(k if k < len(first) else k - len(first))
    return list(groups.values())


def merge_readings(blocks: list[Block], second: list[Word], suspect: set[int] | None = None) -> list[Block]:
    """`blocks` with words of `second` in place of the less confident overlapping ones, and second's confident
    words that overlap nothing added. Words of `blocks` whose id() is in `suspect` (a box over several lines of
    text) count as unread. Untouched lines keep their blocks; new words form blocks of their own."""
    suspect = suspect or set()
    first = [w for b in blocks for ln in b.lines for w in ln.words]
    dropped: set[int] = set()
    added: list[Word] = []
    for mine, theirs in _components(first, second):
        ours, other = [first[i] for i in mine], [second[j] for j in theirs]
        if not other:
            continue
        if not ours:
            if _confidence(other) >= MIN_NEW_CONFIDENCE:
                added += other
        elif _confidence(other) > _confidence([w for w in ours if id(w) not in suspect]) + MARGIN:
            dropped.update(id(w) for w in ours)
            added += other
    if not added:
        return blocks
    kept: list[Block] = []
    for block in blocks:
        lines, changed = [], False
        for line in block.lines:
            words = [w for w in line.words if id(w) not in dropped]
            changed = changed or len(words) < len(line.words)
            lines += [line] if len(words) == len(line.words) else [make_line(words)] if words else []
        if lines:
            kept.append(make_block(block.id, lines) if changed else block)
    return reading_order(kept + lines_to_blocks(words_to_lines(added)))
