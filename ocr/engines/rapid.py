"""RapidOCR: PP-OCR detection + recognition ONNX models. Detection is the PP-OCRv4 model inside the
rapidocr-onnxruntime wheel; recognition is PP-OCRv6 small where scripts/install_models.py put it in the model
directory (it writes the spaces between Latin words, which v4 runs together, and reads more letters right), else the
wheel's PP-OCRv4. The session is a pool model; it returns lines, which we split into words and group into blocks.
A line whose box ends by ink is read again a little wider, for the final comma or full stop its box cut off."""

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
TRAILING_MARKS = ",."
MARK_REACH = 0.6  # line heights past a line's box that its re-read reaches, for a final mark the box cut off
MARK_MARGIN = 0.08  # line heights of paper added above and below a re-read line (15 of 18 marks read, 13 without)


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
    # No line-direction classifier: the page is upright before it is read (OSD turns it), and the classifier turned
    # true lines upside down now and then: without it, ground-truth word recall 0.906 -> 0.910, 0.884 -> 0.889 and
    # 0.895 -> 0.901 on 70 + 68 training receipts and the 25 shared tune ones, fields the same on all three, and
    # 0.25 CPU s less per receipt (4.56 -> 4.31, 15 training receipts).
    result, _ = model(bgr, return_word_box=True, use_cls=False)
    return _with_trailing_marks(model, bgr, result or [])


def _widened(quad: list[list[float]], width: int, height: int) -> np.ndarray:
    """The line's quad reaching MARK_REACH line heights further right along the line, with MARK_MARGIN of paper
    above and below (as the recogniser's own crops have), inside the image."""
    points = np.array(quad, dtype=np.float32)
    along = points[1] - points[0]
    length = float(np.linalg.norm(along))
    tall = float(np.linalg.norm(points[3] - points[0]))
    if length > 0:
        points[1:3] += along / length * MARK_REACH * tall
    if tall > 0:
        down = (points[3] - points[0]) / tall
        points[:2] -= down * MARK_MARGIN * tall
        points[2:] += down * MARK_MARGIN * tall
    points[:, 0] = points[:, 0].clip(0, width - 1)
    points[:, 1] = points[:, 1].clip(0, height - 1)
    return points


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum()).upper()


def added_mark(read: str, reread: str) -> str:
    """The comma or full stop the re-read of a line's widened crop ends with, where the first reading ends on a
    letter or digit and both end on the same three letters or digits (the mark follows the same word); else ""."""
    end = reread.rstrip()
    if not read[-1:].isalnum() or end[-1:] not in TRAILING_MARKS or not end[:-1].rstrip()[-1:].isalnum():
        return ""
    tail = _alnum(read)[-3:]
    return end[-1] if len(tail) == 3 and _alnum(end)[-3:] == tail else ""


def _with_trailing_marks(model: Any, bgr: np.ndarray, result: list[Any]) -> list[Any]:
    """The lines with the comma or full stop the detector cut off at a line's end put back. PP-OCR's text boxes often
    end before a small final mark: on 40 public SROIE training receipts, of 18 lines whose ground truth ends in a
    comma or full stop that RapidOCR read without it, this put back 13 and read 1 wrong, and it added a mark to 2 of
    1186 lines whose ground truth ends without one (on 60 other receipts: 6 of 9, 1 wrong, 1 of 1664)."""
    height, width = bgr.shape[:2]
    wanted = [i for i, item in enumerate(result)
              if str(item[1])[-1:].isalnum() and _is_across(item[0]) and _ink_by_the_end(bgr, item[0])]  # fmt: skip
    if not wanted:
        return result
    # RapidOCR's own crops (the perspective warp its recogniser is fed), of the widened boxes
    crops = model.get_crop_img_list(bgr, [_widened(result[i][0], width, height) for i in wanted])
    reread, _ = model.text_rec(crops)
    result = list(result)
    for i, (text, score) in zip(wanted, reread, strict=True):
        mark = added_mark(str(result[i][1]), str(text))
        if mark:
            result[i] = _marked(result[i], mark, float(score))
    return result


def _ink_by_the_end(bgr: np.ndarray, quad: list[list[float]]) -> bool:
    """Whether anything is printed from the last tenth of a line height inside the line's box to MARK_REACH past it.
    Most lines end in blank paper there (83% of the training receipts' lines without a final mark; 16 of the 18 with
    a mark RapidOCR missed have ink there): only the others are re-read. Ink is darker than halfway between the
    line's own darkest pixels and its paper."""
    points = np.array(quad, dtype=np.float32)
    top, bottom = max(0, int(points[:, 1].min())), int(points[:, 1].max()) + 1
    left, right = max(0, int(points[:, 0].min())), int(points[:, 0].max()) + 1
    tall = bottom - top
    # grey levels of the two regions only (the whole page's would cost more than the lines' ends)
    line = bgr[top:bottom, left:right].mean(axis=2)
    end = bgr[top:bottom, max(left, right - int(0.1 * tall)) : right + int(MARK_REACH * tall) + 1].mean(axis=2)
    if tall <= 0 or not line.size or not end.size:
        return False
    dark, paper = np.percentile(line, 5), np.median(line)
    return bool(paper > dark and (end < (dark + paper) / 2).any())


def _is_across(quad: list[list[float]]) -> bool:
    """A line written across (RapidOCR turns crops at least 1.5 times taller than wide: vertical text)."""
    points = np.array(quad, dtype=np.float32)
    return float(np.linalg.norm(points[1] - points[0])) > float(np.linalg.norm(points[3] - points[0]))


def _marked(item: list[Any], mark: str, score: float) -> list[Any]:
    """A RapidOCR line with `mark` added after its last character (and a character box right after the last one)."""
    marked = [item[0], str(item[1]) + mark, item[2], *item[3:]]
    if len(item) >= 6 and len(item[3]) == len(item[4]) == len(item[5]) > 0:
        last = np.array(item[3][-1], dtype=np.float32)
        shift = last[1] - last[0]
        box = np.array([last[1], last[1] + shift * 0.5, last[2] + shift * 0.5, last[2]]).tolist()
        marked[3], marked[4], marked[5] = [*item[3], box], [*item[4], mark], [*item[5], score]
    return marked


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
