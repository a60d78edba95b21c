"""Documents the OCR tests make on the fly: rendered text pages, multi-page TIFF and PDF, bad files."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

LINES = ["The quick brown fox jumps", "over the lazy dog near", "the river bank in spring."]


def text_page(lines: list[str] = LINES, size: int = 40, width: int = 1000, spacing: float = 2.0) -> Image.Image:
    font = ImageFont.load_default(size=size)
    image = Image.new("RGB", (width, 120 + int(len(lines) * size * spacing)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 60 + int(i * size * spacing)), line, fill="black", font=font)
    return image


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def page_png() -> bytes:
    return encode(text_page(), "PNG")


@pytest.fixture(scope="session")
def two_page_tiff() -> bytes:
    second = text_page(["Second page says hello", "to the reader."])
    return encode(text_page(), "TIFF", save_all=True, append_images=[second], compression="tiff_lzw")


@pytest.fixture(scope="session")
def scanned_pdf() -> bytes:
    """A two-page PDF of images only (no text layer)."""
    first, second = text_page(), text_page(["Second page says hello", "to the reader."])
    return encode(first, "PDF", save_all=True, append_images=[second], resolution=150)
