"""The RapidOCR engine: which recogniser it loads, and how its output becomes words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import ocr
from ocr.engines import rapid
from tests.ocr.conftest import encode


def test_full_width_punctuation_is_folded_to_ascii() -> None:
    # PP-OCRv6 writes CJK punctuation on Latin receipts; the words must hold the ASCII forms the field rules read.
    text = "CB#：389720"
    quad = [[0, 0], [200, 0], [200, 20], [0, 20]]
    char_boxes = [[[10 * i, 0], [10 * i + 8, 0], [10 * i + 8, 20], [10 * i, 20]] for i in range(len(text))]
    lines = rapid._lines([[quad, text, 0.9, char_boxes, list(text), [0.9] * len(text)]])
    assert [w.text for w in lines[0].words] == ["CB#:389720"]
    assert rapid._lines([[quad, "TOTAL：12.50", 0.9, [], [], []]])[0].text == "TOTAL:12.50"


def test_accents_are_folded_only_for_languages_written_without_them() -> None:
    # PP-OCRv6 invents accents on English receipts ("Restäurants"); a French page keeps its own.
    text = "Gerbang Alaf Restäurants 2×3"
    quad = [[0, 0], [300, 0], [300, 20], [0, 20]]
    char_boxes = [[[10 * i, 0], [10 * i + 8, 0], [10 * i + 8, 20], [10 * i, 20]] for i in range(len(text))]
    item = [quad, text, 0.9, char_boxes, list(text), [0.9] * len(text)]
    assert rapid.writes_no_accents("eng") and rapid.writes_no_accents("eng+msa")
    assert not rapid.writes_no_accents("fra") and not rapid.writes_no_accents("eng+fra")
    assert not rapid.writes_no_accents("auto") and not rapid.writes_no_accents(None)
    folded = rapid._lines([item], fold_accents=True)[0]
    assert folded.text == "Gerbang Alaf Restaurants 2×3"  # the multiplication sign is not an accent
    assert [w.text for w in folded.words] == ["Gerbang", "Alaf", "Restaurants", "2×3"]
    assert rapid._lines([[quad, "Crème brûlée", 0.9, [], [], []]])[0].text == "Crème brûlée"


def test_a_final_mark_is_taken_from_the_re_read_only_after_the_same_word() -> None:
    assert rapid.added_mark("NO 290, JALAN AIR PANAS", "NO 290, JALAN AIR PANAS,") == ","
    assert rapid.added_mark("THANK YOU FOR CHOOSING US", "THANE YOU FOR CHOOSING US.") == "."
    assert rapid.added_mark("43800 SELANGOR", "43800 SELANGOR .") == "."
    assert rapid.added_mark("NO 290, JALAN AIR PANAS", "NO 290, JALAN AIR PANAS") == ""  # nothing more read
    assert rapid.added_mark("Rounding", "Rounding :") == ""  # only commas and full stops
    assert rapid.added_mark("WIFI Password", "WIFI Passw.") == ""  # the re-read ends on another word
    assert rapid.added_mark("TOTAL:", "TOTAL:.") == ""  # the line already ends in a mark
    assert rapid.added_mark("GST", "GST,.") == ""  # a mark after a mark is not a final mark


def test_a_mark_gets_a_character_box_right_after_the_last_one() -> None:
    boxes = [[[0, 0], [10, 0], [10, 20], [0, 20]], [[10, 0], [20, 0], [20, 20], [10, 20]]]
    item = [[[0, 0], [20, 0], [20, 20], [0, 20]], "AB", 0.9, boxes, ["A", "B"], [0.9, 0.9]]
    marked = rapid._marked(item, ",", 0.8)
    assert marked[1] == "AB," and marked[4] == ["A", "B", ","] and marked[5] == [0.9, 0.9, 0.8]
    assert marked[3][-1] == [[20, 0], [25, 0], [25, 20], [20, 20]]
    assert [w.text for w in rapid._lines([marked])[0].words] == ["AB,"]  # one word: the mark is not spaced off
    assert item[1] == "AB" and len(item[3]) == 2  # the reading it came from is unchanged


def test_a_comma_the_text_box_cut_off_is_read_again() -> None:
    # A comma printed a little apart from its word: the widened re-read must put it back where the first reading
    # lost it, and a line that ends in blank paper must not be re-read at all.
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (1000, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "JALAN AIR PANAS", fill="black", font=font)
    right = draw.textbbox((40, 40), "JALAN AIR PANAS", font=font)[2]
    draw.text((right + 6, 40), ",", fill="black", font=font)
    draw.text((40, 120), "KUALA LUMPUR", fill="black", font=font)
    end = draw.textbbox((40, 120), "KUALA LUMPUR", font=font)[2] + 8  # text boxes reach a little past the ink
    bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    calls: list[int] = []

    class Model:  # a stand-in for the RapidOCR session: its crops and its recogniser
        def get_crop_img_list(self, image: np.ndarray, boxes: list[np.ndarray]) -> list[np.ndarray]:
            return [image[:10, :10] for _ in boxes]

        def text_rec(self, crops: list[np.ndarray]) -> tuple[list[tuple[str, float]], float]:
            calls.append(len(crops))
            return [("JALAN AIR PANAS,", 0.95) for _ in crops], 0.0

    first = [
        [[[38, 38], [right + 2, 38], [right + 2, 92], [38, 92]], "JALAN AIR PANAS", 0.9],
        [[[38, 118], [end, 118], [end, 172], [38, 172]], "KUALA LUMPUR", 0.9],
    ]
    result = rapid._with_trailing_marks(Model(), bgr, first)
    assert calls == [1]  # only the line with ink by its end
    assert [item[1] for item in result] == ["JALAN AIR PANAS,", "KUALA LUMPUR"]


def test_the_recogniser_is_found_in_the_model_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXGATE_MODEL_DIR", str(tmp_path))
    assert rapid.recognizer_dir() is None  # nothing installed: the wheel's PP-OCRv4
    folder = tmp_path / "ocr" / rapid.RECOGNIZER
    folder.mkdir(parents=True)
    (folder / "rec.onnx").write_bytes(b"")
    assert rapid.recognizer_dir() is None  # half an install is not used
    (folder / "dict.txt").write_text("a\n")
    assert rapid.recognizer_dir() == folder


@pytest.mark.skipif(rapid.recognizer_dir() is None, reason="PP-OCRv6 recogniser not installed (install_models.py)")
def test_the_installed_recogniser_writes_the_spaces_between_words() -> None:
    # PP-OCRv4 ran these together ("TOTALRM12.50"); the words must come from the model's spaces, not a guess.
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "TOTAL RM 12.50", fill="black", font=font)
    draw.text((40, 110), "Document No: TD01167104", fill="black", font=font)
    document = ocr.read(encode(image, "PNG"), ocr.OcrOptions(engine="rapidocr", orientation=False))
    lines = [ln.text for block in document.pages[0].blocks for ln in block.lines]
    assert lines == ["TOTAL RM 12.50", "Document No: TD01167104"]


def test_lines_are_read_without_the_direction_classifier() -> None:
    # The page is upright before RapidOCR reads it (OSD turns it); the line-direction classifier only turned true
    # lines upside down now and then, so it is not run: a broken classifier must not stop a reading.
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (900, 120), "white")
    ImageDraw.Draw(image).text((40, 40), "TOTAL 12.50", fill="black", font=font)
    model = rapid._load(rapid.recognizer_dir(), "cpu")

    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("the direction classifier ran")

    model.text_cls = broken
    result = rapid._run(model, image)
    assert [item[1].replace(" ", "") for item in result] == ["TOTAL12.50"]
