"""GNU Ocrad as an OCR engine: its ORF results parsed into words with boxes, and a rendered page read through
ocr.read and POST /v1/ocr with engine=ocrad."""

from __future__ import annotations

import shutil
from difflib import SequenceMatcher

import pytest
from fastapi.testclient import TestClient

import ocr
from ocr.engines.ocrad import parse_orf
from tests.ocr.conftest import LINES

ORF = """# Ocr Results File. Created by GNU Ocrad version 0.28
source file page.pgm
total text blocks 1
text block 1 0 0 600 120
lines 2
line 1 chars 6 height 17
 20  26 17 20; 1, 'T'0
 34  31 13 15; 1, 'o'0
 48  28 12 18; 1, ' '0
 60  26 13 20; 2, '5'1, 'S'0
 74  31 22 15; 1, 'm'0
 98  31 13 21; 1, 'g'0
line 2 chars 0 height 17
"""

needs_ocrad = pytest.mark.skipif(shutil.which("ocrad") is None, reason="ocrad not installed (scripts/apt-packages.txt)")


def test_orf_lines_become_words_with_boxes_and_confidence() -> None:
    lines = parse_orf(ORF)
    assert [line.text for line in lines] == ["To 5mg"]
    to, dose = lines[0].words
    assert (to.bbox.left, to.bbox.top, to.bbox.right) == (20, 26, 47)
    assert to.confidence == 90.0 and dose.confidence < 90.0  # '5' had two guesses


@needs_ocrad
def test_a_rendered_page_reads_through_the_registry(page_png: bytes) -> None:
    document = ocr.read(page_png, ocr.OcrOptions(engine="ocrad", orientation=False))
    assert document.pages[0].engine == "ocrad"
    # Ocrad finds the letters well but sometimes misses a word space: compare the text without spaces.
    read = "".join(document.text.split()).lower()
    expected = "".join("".join(LINES).split()).lower()
    assert SequenceMatcher(None, read, expected).ratio() >= 0.9, document.text
    assert all(w.bbox.width > 0 and w.bbox.height > 0 for w in document.words)


@needs_ocrad
def test_the_gateway_offers_it(client: TestClient, page_png: bytes) -> None:
    response = client.post("/v1/ocr", files={"file": ("page.png", page_png)}, data={"engine": "ocrad"})
    assert response.status_code == 200, response.text
    assert "fox" in response.json()["text"].lower()
    bad = client.post("/v1/ocr", files={"file": ("page.png", page_png)}, data={"engine": "ocradx"})
    assert bad.status_code == 422 and "ocrad" in bad.json()["error"]["message"]
