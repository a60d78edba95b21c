"""Ordinary A4 pages at 300 dpi for bench/ocr.py (issue 14's speed goal is stated for such a page): clinic
letters, the visit notes of ACI-bench (../shared/data/nlp/aci_bench/valid.csv, never used to tune OCR), set in
11 pt serif with 25 mm margins and the notes' own headings and paragraphs, one page each (a note runs until the
page is full), then given a scanner's look (a fraction of a degree of skew, blur, grain). The words printed are the
ground truth. Measure only: nothing in ocr/ was chosen on these pages.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
WIDTH, HEIGHT = 2480, 3508  # A4 (210 x 297 mm) at 300 dpi
MARGIN = 295  # 25 mm
BODY_PT, HEADING_PT = 11, 12
LEADING = 1.3  # line pitch over type size
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"


def _font(path: str, points: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = round(points / 72 * DPI)
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # no DejaVu on this machine: Pillow's own scalable font
        return ImageFont.load_default(size=size)


def notes(data: Path, count: int) -> list[str]:
    with (data / "nlp" / "aci_bench" / "valid.csv").open(newline="", encoding="utf-8") as handle:
        return [row["note"] for row in csv.DictReader(handle)][:count]


def render(note: str) -> tuple[Image.Image, list[str]]:
    """One A4 page of the note and the words on it."""
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    body, heading = _font(SERIF, BODY_PT), _font(SERIF_BOLD, HEADING_PT)
    pitch = round(BODY_PT / 72 * DPI * LEADING)
    y, printed = MARGIN, []
    for paragraph in (p.strip() for p in note.split("\n")):
        if not paragraph:
            continue
        font = heading if paragraph.isupper() and len(paragraph) < 60 else body
        line: list[str] = []
        for word in [*paragraph.split(), None]:
            if word is not None and draw.textlength(" ".join([*line, word]), font=font) <= WIDTH - 2 * MARGIN:
                line.append(word)
                continue
            if y + pitch > HEIGHT - MARGIN:
                return page, printed
            draw.text((MARGIN, y), " ".join(line), fill=0, font=font)
            printed += line
            y += pitch
            line = [] if word is None else [word]
        y += pitch // 2  # paragraph space
    return page, printed


def scanned(page: Image.Image, seed: int) -> Image.Image:
    """A flatbed scan's look: skew under half a degree, slight blur, grain."""
    import numpy as np

    rng = random.Random(seed)
    page = page.rotate(rng.uniform(-0.4, 0.4), resample=Image.Resampling.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    grain = np.random.default_rng(seed).normal(0, 10, (page.height, page.width))
    return Image.fromarray(np.clip(np.asarray(page, dtype=np.float32) + grain, 0, 255).astype(np.uint8))


def a4_pages(data: Path, folder: Path, count: int) -> dict[Path, list[str]]:
    """`count` pages written to `folder` as PNG declaring 300 dpi, each with the words printed on it."""
    pages = {}
    for index, note in enumerate(notes(data, count)):
        page, printed = render(note)
        path = folder / f"a4_note_{index:02d}.png"
        scanned(page, seed=index).save(path, dpi=(DPI, DPI))
        pages[path] = printed
    return pages
