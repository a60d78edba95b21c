"""RapidOCR: PP-OCR detection + recognition ONNX models shipped inside the rapidocr-onnxruntime wheel.
The session is a pool model; it returns lines, which we split into words and group into blocks."""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

import numpy as np
from PIL import Image

from ocr.engines.base import register_engine
from ocr.layout import lines_to_blocks, make_line, split_line_into_words
from ocr.models import BBox, Block, Line, OcrOptions, Word
from workers import ModelPool, ModelSpec

SPACE_GAP = 0.5


def _load(device: str) -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


@cache
def rapidocr_spec() -> ModelSpec:
    return ModelSpec(
        id="rapidocr-ppocr",
        loader=_load,
        memory_mb=250,
        device="cpu",
        labels={"module": "ocr", "engine": "rapidocr"},
    )


def _run(model: Any, image: Image.Image) -> list[Any]:
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    result, _ = model(bgr, return_word_box=True)
    return result or []


def _quad_box(quad: list[list[float]]) -> BBox:
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return BBox.from_edges(min(xs), min(ys), max(xs), max(ys))


def _words_from_chars(boxes: list[BBox], chars: list[str], scores: list[float]) -> list[Word]:
    """PP-OCR's recogniser often drops spaces in Latin text; its per-character boxes show where they were:
    in a line with no space at all, a gap wider than SPACE_GAP of the median character width starts a word."""
    widths = sorted(b.width for b, c in zip(boxes, chars, strict=True) if c.strip())
    # Only a line without any space is suspect; where the model did write spaces, trust them.
    spaced = any(not c.strip() for c in chars)
    gap_limit = float("inf") if spaced else SPACE_GAP * (widths[len(widths) // 2] if widths else 1)
    groups: list[list[int]] = [[]]
    for i, char in enumerate(chars):
        if not char.strip():
            groups.append([])
            continue
        if groups[-1] and boxes[i].left - boxes[groups[-1][-1]].right > gap_limit:
            groups.append([])
        groups[-1].append(i)
    return [
        Word(
            text="".join(chars[i] for i in g),
            confidence=round(100 * sum(scores[i] for i in g) / len(g), 2),
            bbox=BBox.union([boxes[i] for i in g]),
        )
        for g in groups
        if g
    ]


def _lines(result: list[Any]) -> list[Line]:
    lines = []
    for item in result:
        quad, text, score = item[0], str(item[1]), float(item[2])
        words: list[Word] = []
        if len(item) >= 6 and len(item[3]) == len(item[4]) == len(item[5]) > 0:  # char boxes, chars, scores
            words = _words_from_chars([_quad_box(q) for q in item[3]], list(item[4]), list(item[5]))
        if not words:
            words = split_line_into_words(text, _quad_box(quad), round(score * 100, 2))
        if words:
            lines.append(make_line(words))
    return lines


class RapidOcrEngine:
    name = "rapidocr"

    def available(self) -> bool:
        return importlib.util.find_spec("rapidocr_onnxruntime") is not None

    def recognize(self, image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int) -> list[Block]:
        result = pool.run(rapidocr_spec(), _run, image, priority=priority)
        return lines_to_blocks(_lines(result))


register_engine("rapidocr", RapidOcrEngine)
