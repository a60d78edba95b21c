"""Page clean-up before recognition: orientation (Tesseract OSD) and small-angle deskew.

No global binarisation: in a trial it made results worse; both engines binarise internally.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from ocr.engines.tesseract import TesseractBinary, tesseract_spec
from workers import ModelPool

MIN_OSD_CONFIDENCE = 2.0
DESKEW_MAX_DEG = 5.0
DESKEW_STEP_DEG = 0.25


def _osd(binary: TesseractBinary, image: Image.Image) -> tuple[int, float]:
    import pytesseract

    try:
        out = pytesseract.image_to_osd(image, config="--psm 0", timeout=60)
    except pytesseract.TesseractError:
        return 0, 0.0  # too few characters to tell; leave the page as it is
    rotate = re.search(r"Rotate: (\d+)", out)
    conf = re.search(r"Orientation confidence: ([\d.]+)", out)
    return (int(rotate.group(1)) if rotate else 0), (float(conf.group(1)) if conf else 0.0)


def fix_orientation(image: Image.Image, pool: ModelPool, priority: int) -> tuple[Image.Image, int]:
    """The upright page and the clockwise rotation applied (0, 90, 180, 270)."""
    small = image.copy()
    small.thumbnail((2000, 2000))
    rotate, confidence = pool.run(tesseract_spec(), _osd, small, priority=priority)
    if rotate == 0 or confidence < MIN_OSD_CONFIDENCE:
        return image, 0
    return image.rotate(-rotate, expand=True, fillcolor="white"), rotate


def estimate_skew(image: Image.Image) -> float:
    """Skew angle in degrees by projection profiles: the angle whose row sums of ink vary most."""
    gray = image.convert("L")
    gray.thumbnail((1000, 1000))
    ink = Image.fromarray(((np.asarray(gray) < 128) * 255).astype(np.uint8))
    best, best_score = 0.0, -1.0
    for angle in np.arange(-DESKEW_MAX_DEG, DESKEW_MAX_DEG + 1e-9, DESKEW_STEP_DEG):
        rows = np.asarray(ink.rotate(float(angle), resample=Image.Resampling.NEAREST)).sum(axis=1, dtype=np.float64)
        score = float(np.var(np.diff(rows)))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    angle = estimate_skew(image)
    if abs(angle) < DESKEW_STEP_DEG:
        return image, 0.0
    fill = "white" if image.mode == "RGB" else 255
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill), angle
