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


VOCABULARY = """
market river garden people winter summer between history museum letter window station morning evening harbour
village country mountain library teacher student kitchen orchard journey weather silver golden painter writer
farmer doctor engine bridge street forest valley island ocean castle temple number season travel family friend
answer question simple modern ancient quiet bright narrow broad gentle strong coffee bread butter cheese apple
orange lemon pepper salt sugar copper marble timber cotton paper ink
""".split()  # noqa: SIM905 (a paragraph of words reads better than a 70-item list)


def magazine_page(seed: int = 0, width: int = 2480, height: int = 3508) -> tuple[Image.Image, list[str]]:
    """An A4 magazine page at 300 dpi: a headline, a large photo across two columns, three columns of running
    text around it, and the words printed (deterministic for a seed). The photo is smooth colour noise with
    hard-edged shapes, the kind of picture region a page segmenter has to keep apart from the text."""
    import random

    import numpy as np
    from PIL import ImageFilter

    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    printed: list[str] = []
    headline = " ".join(rng.choice(VOCABULARY).capitalize() for _ in range(4))
    draw.text((160, 150), headline, fill="black", font=ImageFont.load_default(size=110))
    printed += headline.split()
    margin, gutter = 160, 90
    column = (width - 2 * margin - 2 * gutter) // 3
    photo_box = (margin, 420, margin + 2 * column + gutter, 1700)  # across the first two columns
    noise = np.random.default_rng(seed).integers(0, 255, (64, 96, 3), dtype=np.uint8)
    photo = Image.fromarray(noise).resize((photo_box[2] - photo_box[0], photo_box[3] - photo_box[1]))
    photo = photo.filter(ImageFilter.GaussianBlur(6))
    shapes = ImageDraw.Draw(photo)
    for _ in range(12):
        x, y = rng.randrange(photo.width - 300), rng.randrange(photo.height - 300)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shapes.ellipse((x, y, x + rng.randrange(60, 300), y + rng.randrange(60, 300)), fill=colour)
    image.paste(photo, photo_box[:2])
    font = ImageFont.load_default(size=38)
    line_height = 56
    for index in range(3):
        left = margin + index * (column + gutter)
        top = photo_box[3] + 80 if index < 2 else 420
        y = top
        while y < height - 200:
            words: list[str] = []
            while True:
                word = rng.choice(VOCABULARY)
                if draw.textlength(" ".join([*words, word]), font=font) > column:
                    break
                words.append(word)
            draw.text((left, y), " ".join(words), fill="black", font=font)
            printed += words
            y += line_height
            if rng.random() < 0.08:  # a paragraph break
                y += line_height // 2
    return image, printed


def sidebar_page(seed: int = 0, gutter: int = 50, size: int = 30, scale: float = 0.65) -> tuple[Image.Image, list[str]]:
    """A column of running text and, 50 px to its right, a narrow sidebar in smaller type (a contact box: names
    and numbers), like scribe multicol_06, and the words printed. Read as 300 dpi, Tesseract runs the sidebar's
    lines into the column's; at a lower resolution it keeps them apart."""
    import random

    rng = random.Random(seed)
    width, height, column_right = 1800, 1100, 1250
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, small = ImageFont.load_default(size=size), ImageFont.load_default(size=int(size * scale))
    printed: list[str] = []
    y = 80
    while y < height - 80:
        words: list[str] = []
        while True:
            word = rng.choice(VOCABULARY)
            if draw.textlength(" ".join([*words, word]), font=font) > column_right - 100:
                break
            words.append(word)
        draw.text((100, y), " ".join(words), fill="black", font=font)
        printed += words
        y += int(size * 1.45)
    y = 80 + 3 * int(size * 1.45) + size // 3  # sidebar lines fall between the column's
    for _ in range(6):
        words = [rng.choice(VOCABULARY).capitalize() for _ in range(2)] + [str(rng.randrange(100, 999))]
        draw.text((column_right + gutter, y), " ".join(words), fill="black", font=small)
        printed += words
        y += int(size * scale * 1.15)
    return image, printed
