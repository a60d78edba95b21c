"""Page clean-up before recognition: orientation (Tesseract OSD) and small-angle deskew.

No global binarisation: in a trial it made results worse; both engines binarise internally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ocr.engines.tesseract import TesseractBinary, tesseract_spec
from workers import ModelPool

MIN_OSD_CONFIDENCE = 2.0
# OSD's script is followed without a second reading only above this script confidence (see ocr.read._languages).
MIN_SCRIPT_CONFIDENCE = 5.0
DESKEW_MAX_DEG = 5.0
DESKEW_STEP_DEG = 0.25


# Tesseract OSD's script names -> the Tesseract language that reads that script best (when installed).
SCRIPT_LANGUAGES = {
    "Latin": "eng",
    "Han": "chi_sim",
    "Japanese": "jpn",
    "Katakana": "jpn",
    "Hiragana": "jpn",
    "Hangul": "kor",
    "Korean": "kor",
    "Cyrillic": "rus",
    "Arabic": "ara",
    "Greek": "ell",
    "Devanagari": "hin",
    "Hebrew": "heb",
    "Thai": "tha",
}
FALLBACK_LANGUAGE = "eng"


@dataclass(frozen=True)
class Osd:
    """What Tesseract's orientation and script detection says of a page."""

    rotate: int = 0  # clockwise degrees that make it upright
    confidence: float = 0.0
    script: str | None = None
    script_confidence: float = 0.0
    language: str = FALLBACK_LANGUAGE  # the installed Tesseract language for the script (English when none)


def _osd(binary: TesseractBinary, image: Image.Image) -> Osd:
    import pytesseract

    try:
        out = pytesseract.image_to_osd(image, config="--psm 0", timeout=60)
    except pytesseract.TesseractError:
        return Osd()  # too few characters to tell; leave the page as it is

    def number(label: str) -> float:
        found = re.search(label + r": ([\d.]+)", out)
        return float(found.group(1)) if found else 0.0

    found = re.search(r"Script: (\w+)", out)
    script = found.group(1) if found else None
    language = SCRIPT_LANGUAGES.get(script or "")
    return Osd(
        rotate=int(number("Rotate")),
        confidence=number("Orientation confidence"),
        script=script,
        script_confidence=number("Script confidence"),
        language=language if language in binary.languages else FALLBACK_LANGUAGE,
    )


def detect_osd(image: Image.Image, pool: ModelPool, priority: int) -> Osd:
    small = image.copy()
    small.thumbnail((2000, 2000))
    return pool.run(tesseract_spec(), _osd, small, priority=priority)


def fix_orientation(image: Image.Image, osd: Osd) -> tuple[Image.Image, int]:
    """The upright page and the clockwise rotation applied (0, 90, 180, 270)."""
    if osd.rotate == 0 or osd.confidence < MIN_OSD_CONFIDENCE:
        return image, 0
    return image.rotate(-osd.rotate, expand=True, fillcolor="white"), osd.rotate


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
