"""The resolution Tesseract is told: a screen-default or missing DPI is not the scan's; and where reading at the
assumed one goes wrong, the words plain Tesseract reads at the declared one are not lost."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

import ocr
from bench.ocr import recall, tokens
from ocr.doubt import Doubt
from ocr.engines.tesseract import ASSUMED_DPI, page_dpi, plain_dpi
from tests.ocr.conftest import sidebar_page


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


def test_plain_dpi_is_what_the_tesseract_cli_starts_from() -> None:
    """The declared resolution inside Tesseract's credible range (70-2400), else 70, from which it estimates."""
    assert plain_dpi(_image((96.012, 96.012))) == 96
    assert plain_dpi(_image((72, 72))) == 72
    assert plain_dpi(_image(None)) == 70
    assert plain_dpi(_image((1, 1))) == 70  # a JPEG's aspect-ratio-only density
    assert plain_dpi(_image((5000, 5000))) == 70


def _plain(path: Path) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run(["tesseract", str(path), "-", "-l", "eng"], capture_output=True, text=True, env=env).stdout


@pytest.mark.slow
@pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")
def test_wrongly_declared_dpi_loses_no_word_plain_tesseract_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 300-dpi page that declares 96 dpi, with a narrow sidebar 50 px from a text column (scribe multicol_06).
    Read at 300 dpi, Tesseract runs the sidebar's lines into the column's and loses sidebar words; plain
    Tesseract at the declared 96 reads them all. The doubtful region is read again at plain's resolution."""
    image, printed = sidebar_page(seed=0)
    path = tmp_path / "sidebar.png"
    image.save(path, dpi=(96, 96))
    known, plain = tokens(" ".join(printed)), tokens(_plain(path))
    assert recall(known, plain) >= 0.99

    ours = tokens(ocr.read(path).text)
    assert recall(plain, ours) >= 0.99
    assert recall(known, ours) >= recall(known, plain) - 0.01

    # the case is real: without the second reading of doubtful regions, words plain Tesseract reads are lost
    monkeypatch.setattr("ocr.engines.tesseract.find_doubt", lambda image, blocks: Doubt())
    assert recall(known, tokens(ocr.read(path).text)) < recall(known, plain) - 0.01
