"""Rows of a page: the engine's lines regrouped by height on the page, so a label and its amount printed far
apart on one row (a receipt's "TOTAL ........ 9.00", which Tesseract often reads as two blocks) are one row."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from ocr.models import BBox, FieldText, Line, Page, Word


@dataclass
class Row:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> BBox:
        return BBox.union([w.bbox for w in self.words])

    @property
    def confidence(self) -> float:
        return round(mean(w.confidence for w in self.words), 2) if self.words else 0.0


def located(words: list[Word]) -> FieldText:
    return FieldText(
        text=" ".join(w.text for w in words),
        confidence=round(mean(w.confidence for w in words), 2) if words else 0.0,
        bbox=BBox.union([w.bbox for w in words]),
    )


def _overlap(a: BBox, b: BBox) -> float:
    return max(0, min(a.bottom, b.bottom) - max(a.top, b.top)) / max(1, min(a.height, b.height))


def page_lines(page: Page) -> list[Line]:
    return [ln for b in page.blocks for ln in b.lines if ln.words]


def page_rows(page: Page, min_overlap: float = 0.5) -> list[Row]:
    """The page's lines grouped into rows, top to bottom, each row's words left to right."""
    groups: list[list[Line]] = []
    for line in sorted(page_lines(page), key=lambda ln: (ln.bbox.top + ln.bbox.bottom) / 2):
        for group in reversed(groups[-3:]):
            if _overlap(group[0].bbox, line.bbox) > min_overlap:
                group.append(line)
                break
        else:
            groups.append([line])
    rows = [Row(sorted((w for ln in g for w in ln.words), key=lambda w: w.bbox.left)) for g in groups]
    return sorted(rows, key=lambda r: r.bbox.top)
