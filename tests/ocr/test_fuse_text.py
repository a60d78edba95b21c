"""ocr.fuse_text: a receipt's text from RapidOCR's lines (PP-OCRv6) with what Tesseract reads better."""

from __future__ import annotations

import pytest

from ocr.fuse_text import second_led_blocks, second_led_text
from ocr.layout import make_block, make_line, split_line_into_words
from ocr.models import BBox, Block


@pytest.mark.parametrize(
    ("rapid", "tesseract", "text"),
    [
        ("27,JALAN DEDAP 13", "27, JALAN DEDAF 13,", "27, JALAN DEDAP 13,"),  # RapidOCR's letters, Tesseract's marks
        ("81100 JOHOR BAHRU,JOHOR.", "81100 JOHOR BAHRU, JOHOR.", "81100 JOHOR BAHRU, JOHOR."),
        ("ALAM)SDNBHD", "ALAM) SDN BHD", "ALAM)SDN BHD"),  # a space between words of three letters
        ("TOTAL AMT. RM 60.31", "TOTAL ANT scccarccveseees RH 60.31", "TOTAL AMT. RM 60.31"),  # no dotted leaders
    ],
)
def test_tesseract_gives_word_end_marks_and_spaces(rapid: str, tesseract: str, text: str) -> None:
    assert second_led_text(rapid, tesseract) == text


def test_amounts_split_words_and_other_lines_stay_as_rapidocr_read_them() -> None:
    assert second_led_text("RM 65.20", "RM 65. 20") == "RM 65.20"  # a decimal point is not a comma in a list
    assert second_led_text("TOTAL 5.00", "TO TAL 5.00") == "TOTAL 5.00"  # Tesseract split a word at a narrow letter
    assert second_led_text("THANK YOU", "Cashier: 01 Table 4,") == "THANK YOU"  # a line that is not the same text
    assert second_led_text("B.Bean Fish Head", "B. Bean Fish Head") == "B. Bean Fish Head"


def _block(lines: list[tuple[str, BBox, float]]) -> Block:
    return make_block(0, [make_line(split_line_into_words(text, box, conf)) for text, box, conf in lines])


def test_tesseracts_sure_lines_rapidocr_found_nothing_on_are_kept_and_noise_is_not() -> None:
    top, middle, bottom = (BBox(left=100, top=y, width=500, height=30) for y in (50, 120, 200))
    rapid = [_block([("NO.5,JALAN SAGU 18", top, 96.0)])]
    tesseract = [_block([("NO.5, JALAN SAGU 18,", top, 80.0), ("TAMAN DAYA,", middle, 88.0),
                         ("PREM RTR TR RTA", bottom, 30.0)])]  # fmt: skip
    lines = [ln.text for block in second_led_blocks(tesseract, rapid) for ln in block.lines]
    assert lines == ["NO.5, JALAN SAGU 18,", "TAMAN DAYA,"]
