"""ocr.read with the real engines: structure, text, formats, text layers, orientation, outputs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PIL import Image

import ocr
from tests.ocr.conftest import encode, text_page

pytestmark = pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_png_page_structure_and_text(page_png: bytes) -> None:
    document = ocr.read(page_png)
    assert document.mime == "image/png"
    page = document.pages[0]
    assert page.engine == "tesseract" and page.number == 1
    assert {"quick", "brown", "fox", "lazy", "river", "spring"} <= words(document.text)
    assert len(page.blocks) >= 1
    first_line = page.blocks[0].lines[0]
    assert first_line.text.startswith("The quick")
    word = first_line.words[0]
    assert word.text == "The" and word.confidence > 50
    assert 40 <= word.bbox.left <= 80 and word.bbox.width > 20 and word.bbox.height > 10
    # lines inside a block run top to bottom; every word lies inside its line
    lines = [ln for b in page.blocks for ln in b.lines]
    assert [ln.bbox.top for ln in lines] == sorted(ln.bbox.top for ln in lines)
    for ln in lines:
        for w in ln.words:
            assert ln.bbox.left <= w.bbox.left and w.bbox.right <= ln.bbox.right


def test_jpeg_and_multipage_tiff(two_page_tiff: bytes) -> None:
    jpeg = encode(text_page(), "JPEG", quality=90)
    assert "fox" in words(ocr.read(jpeg).text)
    assert ocr.count_pages(two_page_tiff) == 2
    document = ocr.read(two_page_tiff, ocr.OcrOptions(orientation=False))
    assert [p.number for p in document.pages] == [1, 2]
    assert "hello" in words(document.pages[1].text) and "hello" not in words(document.pages[0].text)
    assert "\f" in document.text


def test_rotated_page_is_turned_upright() -> None:
    lines = [f"Line {i} of a sideways page with enough words to read" for i in range(12)]
    rotated = text_page(lines, size=32, width=1100).rotate(90, expand=True)
    document = ocr.read(encode(rotated, "PNG"))
    assert document.pages[0].rotation in (90, 270)
    assert {"sideways", "enough", "words"} <= words(document.text)


def test_pdf_text_layer_is_used_and_scanned_pdf_is_ocred(scanned_pdf: bytes, page_png: bytes) -> None:
    scanned = ocr.read(scanned_pdf, ocr.OcrOptions(orientation=False))
    assert [p.engine for p in scanned.pages] == ["tesseract", "tesseract"]
    assert "hello" in words(scanned.pages[1].text)
    # A searchable PDF made from it has a text layer, which a second read takes instead of OCR.
    pdf = ocr.to_searchable_pdf(scanned_pdf, scanned)
    again = ocr.read(pdf)
    assert [p.engine for p in again.pages] == ["text-layer", "text-layer"]
    assert {"quick", "brown", "fox"} <= words(again.text)
    first = again.pages[0].blocks[0].lines[0].words[0]
    original = scanned.pages[0].blocks[0].lines[0].words[0]
    assert abs(first.bbox.left - original.bbox.left) < 15 and abs(first.bbox.bottom - original.bbox.bottom) < 15


def test_hocr_has_words_with_boxes(page_png: bytes) -> None:
    hocr = ocr.to_hocr(ocr.read(page_png))
    assert 'class="ocr_page"' in hocr and "x_wconf" in hocr
    assert re.search(r'class="ocrx_word"[^>]*title="bbox \d+ \d+ \d+ \d+; x_wconf \d+">quick<', hocr)


def test_rapidocr_reads_a_receipt(data_dir: Path) -> None:
    receipt = data_dir / "ocr" / "sroie" / "000.jpg"
    document = ocr.read(receipt, ocr.OcrOptions(engine="rapidocr", orientation=False))
    assert document.pages[0].engine == "rapidocr"
    assert "TD01167104" in document.text.replace(" ", "")
    assert all(w.bbox.width > 0 for w in document.words)


def test_reading_order_goes_down_each_column() -> None:
    # Running text: lines fill their column, and the gutter is narrow next to them.
    left = [
        "Alpha column starts here and",
        *[f"alpha text line {n} runs across" for n in "abcdef"],
        "alpha column ends",
    ]
    right = ["Beta column starts here and", *[f"beta text line {n} runs across" for n in "abcd"], "beta column ends"]
    page = Image.new("RGB", (1400, 900), "white")
    page.paste(text_page(left, size=32, width=650, spacing=1.3), (0, 0))
    page.paste(text_page(right, size=32, width=650, spacing=1.3), (520, 0))
    text = ocr.read(encode(page, "PNG"), ocr.OcrOptions(orientation=False)).text.lower()
    assert text.index("alpha column ends") < text.index("beta column starts")


def test_table_rows_are_read_row_by_row() -> None:
    rows = [("Coffee", "3.50"), ("Sandwich", "7.25"), ("Orange juice", "4.00"), ("Total", "14.75")]
    page = Image.new("RGB", (1200, 700), "white")
    page.paste(text_page([name for name, _ in rows], width=600), (0, 0))
    page.paste(text_page([price for _, price in rows], width=300), (850, 0))
    for engine in ("tesseract", "rapidocr"):
        document = ocr.read(encode(page, "PNG"), ocr.OcrOptions(engine=engine, orientation=False))
        text = document.text.lower().replace(" ", "")  # RapidOCR may split a word; the order is what counts here
        assert text.index("coffee") < text.index("3.50") < text.index("sandwich") < text.index("7.25"), (engine, text)


def test_tesseract_gets_one_openmp_thread_without_setting_it_for_the_process(
    page_png: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process-wide OMP_THREAD_LIMIT would reach CTranslate2 in the same gateway (see tests/asr/test_thread_limit.py).
    import pytesseract

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert "quick brown fox" in ocr.read(page_png).text
    assert "OMP_THREAD_LIMIT" not in os.environ
    environment = pytesseract.pytesseract.environ  # what pytesseract hands to each Tesseract subprocess
    assert environment["OMP_THREAD_LIMIT"] == "1" and environment["PATH"] == os.environ["PATH"]
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")  # a limit the operator set wins
    assert environment["OMP_THREAD_LIMIT"] == "2"


CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei (set-up installs it)


@pytest.mark.skipif(not CJK_FONT.exists(), reason="no CJK font: apt-get install fonts-wqy-microhei")
@pytest.mark.parametrize(
    ("lines", "script", "lang", "expected"),
    [
        (["今天天气很好，我们去公园散步。", "请在星期三上午十点来医院。"], "Han", "chi_sim", "医院"),
        (["오늘은 날씨가 아주 좋습니다.", "의사는 물을 많이 마시라고 했습니다."], "Korean", "kor", "했습니다"),
    ],
)
def test_auto_language_follows_the_detected_script(lines: list[str], script: str, lang: str, expected: str) -> None:
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(str(CJK_FONT), 48)
    image = Image.new("RGB", (1200, 120 + 110 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 60 + i * 110), line, fill="black", font=font)
    page = ocr.read(encode(image, "PNG"), ocr.OcrOptions(lang="auto")).pages[0]
    assert (page.script, page.lang) == (script, lang)
    assert expected in page.text


def test_auto_language_reads_a_latin_page_in_english(page_png: bytes) -> None:
    page = ocr.read(page_png, ocr.OcrOptions(lang="auto", orientation=False)).pages[0]
    assert (page.script, page.lang) == ("Latin", "eng") and "quick brown fox" in page.text
    assert ocr.read(page_png).pages[0].lang == "eng"
