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
from ocr.models import BBox, Block, Line, OcrOptions
from workers import ModelPool, ModelSpec


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
    result, _ = model(bgr)
    return result or []


def _lines(result: list[Any]) -> list[Line]:
    lines = []
    for quad, text, score in result:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        bbox = BBox.from_edges(min(xs), min(ys), max(xs), max(ys))
        words = split_line_into_words(str(text), bbox, round(float(score) * 100, 2))
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
