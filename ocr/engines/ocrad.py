"""GNU Ocrad: a small feature-based OCR engine for Latin-1 text (Debian `ocrad`), no model weights.

It reads the page as PGM and writes its ORF results file ("OCR Results File"): per text line, one row per
character with its box and its guesses. Words are the runs of characters between spaces. Ocrad reports no
confidence, only how many shapes a character could be: a character with one guess counts 90, with more 50."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from ocr.engines.base import register_engine
from ocr.errors import OcrEngineError
from ocr.layout import lines_to_blocks, make_line
from ocr.models import BBox, Block, Line, OcrOptions, Word
from workers import ModelPool

TIMEOUT_S = 120
# " 20  26 17 20; 1, 'T'0" -> left top width height; number of guesses, first guess
_CHAR = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+);\s*(\d+)(?:,\s*'(.)')?")
Char = tuple[BBox, str, int]


def parse_orf(orf: str) -> list[Line]:
    """The lines of an ORF file, each split into words at the characters Ocrad read as spaces."""
    lines: list[list[Char]] = []
    for row in orf.splitlines():
        if row.startswith("line "):
            lines.append([])
        elif lines and (match := _CHAR.match(row)):
            left, top, width, height, guesses = map(int, match.groups()[:5])
            lines[-1].append((BBox(left=left, top=top, width=width, height=height), match[6] or "", guesses))
    return [make_line(words) for chars in lines if (words := _words(chars))]


def _words(chars: list[Char]) -> list[Word]:
    words: list[list[Char]] = [[]]
    for char in chars:
        if char[1].strip():
            words[-1].append(char)
        elif words[-1]:
            words.append([])
    return [
        Word(
            text="".join(c[1] for c in word),
            confidence=round(sum(90.0 if c[2] == 1 else 50.0 for c in word) / len(word), 2),
            bbox=BBox.union([c[0] for c in word]),
        )
        for word in words
        if word
    ]


def _run(image: Image.Image) -> str:
    with tempfile.TemporaryDirectory(prefix="voxgate-ocrad-") as tmp:
        page, orf = Path(tmp) / "page.pgm", Path(tmp) / "page.orf"
        image.convert("L").save(page)
        done = subprocess.run(["ocrad", "--charset=iso-8859-15", "-x", str(orf), str(page)],
                              capture_output=True, timeout=TIMEOUT_S)  # fmt: skip
        if done.returncode != 0:
            raise OcrEngineError(f"ocrad failed: {done.stderr.decode(errors='replace').strip()[-300:]}")
        return orf.read_text(encoding="latin-1")


class OcradEngine:
    name = "ocrad"

    def available(self) -> bool:
        return shutil.which("ocrad") is not None

    def recognize(self, image: Image.Image, options: OcrOptions, pool: ModelPool, priority: int) -> list[Block]:
        # A subprocess per page with nothing to load: no pool model to hold.
        return lines_to_blocks(parse_orf(_run(image)))


register_engine("ocrad", OcradEngine)
