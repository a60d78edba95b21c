"""The resolution Tesseract is told: a screen-default or missing DPI is not the scan's."""

from __future__ import annotations

from PIL import Image

from ocr.engines.tesseract import ASSUMED_DPI, page_dpi


def _image(dpi: tuple[float, float] | None) -> Image.Image:
    image = Image.new("L", (20, 20), 255)
    if dpi is not None:
        image.info["dpi"] = dpi
    return image


def test_screen_default_and_missing_dpi_read_as_a_scan() -> None:
    assert page_dpi(_image(None)) == ASSUMED_DPI
    assert page_dpi(_image((96.012, 96.012))) == ASSUMED_DPI
    assert page_dpi(_image((72, 72))) == ASSUMED_DPI


def test_credible_dpi_is_kept() -> None:
    assert page_dpi(_image((200, 200))) == 200
    assert page_dpi(_image((600.0, 600.0))) == 600
