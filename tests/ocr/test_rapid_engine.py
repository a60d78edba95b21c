"""The RapidOCR engine: which recogniser it loads, and how its output becomes words."""

from __future__ import annotations

from pathlib import Path

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
