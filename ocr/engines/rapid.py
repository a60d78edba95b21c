"""RapidOCR: PP-OCR detection + recognition ONNX models. Detection is the PP-OCRv4 model inside the
rapidocr-onnxruntime wheel; recognition is PP-OCRv6 small where scripts/install_models.py put it in the model
directory (it writes the spaces between Latin words, which v4 runs together, and reads more letters right), else the
wheel's PP-OCRv4. The session is a pool model; it returns lines, which we split into words and group into blocks."""

from __future__ import annotations

import importlib.util
import logging
import os
import unicodedata
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ocr.engines.base import register_engine
from ocr.layout import lines_to_blocks, make_line, split_line_into_words
from ocr.models import BBox, Block, Line, OcrOptions, Word
from workers import ModelPool, ModelSpec

log = logging.getLogger(__name__)

SPACE_GAP = 0.5
# <model dir>/ocr/<RECOGNIZER>/{rec.onnx, dict.txt}, as scripts/install_models.py writes them.
RECOGNIZER = "ppocrv6-small-rec"
REPO_MODELS = Path(__file__).resolve().parents[2] / "models"
# Tesseract codes of languages written in Latin letters without accents: English, Malay, Indonesian
ACCENTLESS_LANGUAGES = frozenset({"eng", "msa", "ind"})


def recognizer_dir() -> Path | None:
    """The installed PP-OCRv6 recogniser, or None (then the wheel's PP-OCRv4 recognises)."""
    folder = Path(os.environ.get("VOXGATE_MODEL_DIR") or REPO_MODELS) / "ocr" / RECOGNIZER
    return folder if (folder / "rec.onnx").is_file() and (folder / "dict.txt").is_file() else None


def _load(folder: Path | None, device: str) -> Any:
    from rapidocr_onnxruntime import RapidOCR

    if folder is None:
        log.warning("RapidOCR: no %s in the model directory (scripts/install_models.py); using PP-OCRv4", RECOGNIZER)
        return RapidOCR()
    return RapidOCR(rec_model_path=str(folder / "rec.onnx"), rec_keys_path=str(folder / "dict.txt"))


@cache
def rapidocr_spec() -> ModelSpec:
    """The pool model; which recogniser it loads is decided here, once, and `writes_word_spaces` reports it."""
    folder = recognizer_dir()
    return ModelSpec(
        id=f"rapidocr-ppocr-{'v6' if folder else 'v4'}",
        loader=partial(_load, folder),
        memory_mb=250,
        device="cpu",
        labels={"module": "ocr", "engine": "rapidocr", "recognizer": RECOGNIZER if folder else "ppocrv4"},
    )


def writes_word_spaces() -> bool:
    """Whether the recogniser the pool loads writes the spaces between Latin words (PP-OCRv6; PP-OCRv4 does not)."""
    return rapidocr_spec().labels["recognizer"] == RECOGNIZER


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


def _plain(text: str, fold_accents: bool = False) -> str:
    # PP-OCRv6's alphabet holds CJK punctuation, which it writes on Latin receipts too ("CB#：389720"): NFKC folds
    # full-width forms to ASCII.
    text = unicodedata.normalize("NFKC", text)
    if fold_accents:
        # Its alphabet also holds the accented letters of many languages, which it invents on English text
        # ("Restäurants", "Simpàng", "INVOICÉ": 18 of 208 training receipts); "×" and other symbols are kept.
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))
    return text


def writes_no_accents(lang: str | None) -> bool:
    """Whether every language asked for is written without accents, so an accent the recogniser reads is a
    misreading (English loanwords such as "café" lose theirs, a smaller error than invented ones)."""
    return bool(lang) and all(code in ACCENTLESS_LANGUAGES for code in str(lang).split("+"))


def _lines(result: list[Any], fold_accents: bool = False) -> list[Line]:
    lines = []
    for item in result:
        quad, text, score = item[0], _plain(str(item[1]), fold_accents), float(item[2])
        words: list[Word] = []
        if len(item) >= 6 and len(item[3]) == len(item[4]) == len(item[5]) > 0:  # char boxes, chars, scores
            chars = [_plain(c, fold_accents) for c in item[4]]
            words = _words_from_chars([_quad_box(q) for q in item[3]], chars, list(item[5]))
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
        return lines_to_blocks(_lines(result, fold_accents=writes_no_accents(options.lang)))


register_engine("rapidocr", RapidOcrEngine)
