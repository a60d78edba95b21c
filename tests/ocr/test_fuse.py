"""Two readings fused (ocr.fuse): RapidOCR's letters and digits into Tesseract's lines, never its punctuation,
spacing or a digit that would change an amount; and on real receipts, more ground-truth words than Tesseract's
reading alone (the expense route's second reading)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

import ocr
from bench.ocr import recall, tokens
from ocr.fuse import fuse_pages, fuse_text
from ocr.layout import make_block, make_line, page_text, split_line_into_words
from ocr.models import BBox, Page
from ocr.read import is_till_receipt


@pytest.mark.parametrize(
    ("tesseract", "rapid", "fused"),
    [
        ("LOT i851-A & 1851-B, JALAN KPB 4,", "L0T 1851-A&1851-B,JALANKPB6", "LOT 1851-A & 1851-B, JALAN KPB 6,"),
        ("| SRD FLR, AECN TAMAN", "3RD FLR, AEON TAMAN", "| 3RD FLR, AEON TAMAN"),
        ("No.t Jalan $$ 9/1, 47300 PJ", "No.1 Jalan SS 9/1,47300 PJ", "No.1 Jalan SS 9/1, 47300 PJ"),
        ("MR. D.1.¥. (M) SDN BHD", "MR.D.I.Y.（M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"),
    ],
)
def test_letters_and_digits_come_from_the_second_reading(tesseract: str, rapid: str, fused: str) -> None:
    assert fuse_text(tesseract, rapid) == fused


def test_punctuation_spacing_and_o_or_zero_stay_right() -> None:
    assert fuse_text("TAMAN DAYA, 81100 JOHOR", "TAMANDAYA.8110OJOHOR") == "TAMAN DAYA, 81100 JOHOR"
    assert fuse_text("LOT 12", "L0T 12") == "LOT 12"
    assert fuse_text("SEKSYEN U3, 40170", "SEKSYEN U13.40170") == "SEKSYEN U13, 40170"


def test_a_speck_only_tesseract_read_goes_but_never_a_word_or_a_digit_of_an_amount() -> None:
    assert fuse_text("LOT 1851-A, JALAN KPB 64, KAWASAN", "LOT 1851-A,JALANKPB6 KAWASAN") == (
        "LOT 1851-A, JALAN KPB 6, KAWASAN"
    )
    assert fuse_text("NO 5, JALAN MAJU", "NOJALANMAJU") == "NO 5, JALAN MAJU"  # a whole word stays
    assert fuse_text("TOTAL 12.50", "TOTAL2.50") == "TOTAL 12.50"
    assert fuse_text("SUBANG JAYA 47500", "SUBANGJAYA4") == "SUBANG JAYA 47500"  # three digits and more stay


def test_amounts_and_unrelated_lines_are_left_alone() -> None:
    assert fuse_text("Total (RM): 9.60", "Total(RM):9.600") == "Total (RM): 9.60"
    assert fuse_text("7B 7-W", "78941 7-W") == "7B 7-W"  # a stretch three characters longer is not a misreading
    assert fuse_text("THANK YOU", "GST SUMMARY 6% 0.42") == "THANK YOU"
    assert fuse_text("THANK YOU", "") == "THANK YOU"


def _page(lines: list[tuple[str, BBox]], engine: str) -> Page:
    made = [make_line(split_line_into_words(text, box, 90.0)) for text, box in lines]
    blocks = [make_block(0, made)]
    return Page(number=1, width=800, height=400, dpi=300, text=page_text(blocks), engine=engine, blocks=blocks)


def test_fused_page_keeps_tesseract_boxes_and_takes_words_on_the_same_line_only() -> None:
    top, bottom = BBox(left=100, top=50, width=500, height=30), BBox(left=100, top=200, width=500, height=30)
    tesseract = _page([("JALAN KPB 4, KAWASAN", top), ("TOTAL 12.50", bottom)], "tesseract")
    rapid = _page([("JALANKPB6 KAWASAN", top), ("TOTAL 12.90", BBox(left=100, top=120, width=500, height=30))],
                  "rapidocr")  # fmt: skip
    fused = fuse_pages(tesseract, rapid)
    first, second = fused.blocks[0].lines
    assert first.text == "JALAN KPB 6, KAWASAN" and second.text == "TOTAL 12.50"  # nothing read on its line
    assert [w.bbox for w in first.words] == [w.bbox for w in tesseract.blocks[0].lines[0].words]
    assert fused.engine == "tesseract+rapidocr" and "KPB 6" in fused.text


def _truth_words(image: Path) -> Counter[str]:
    with image.with_suffix(".csv").open(newline="", encoding="utf-8", errors="replace") as handle:
        return tokens(" ".join(",".join(row[8:]) for row in csv.reader(handle) if len(row) >= 9))


TUNE_RECEIPTS = ("000", "150", "300")  # bench/documents.py's tune half: looked at while writing the rules
needs_both = [
    pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed"),
    pytest.mark.skipif(not ocr.get_engine("rapidocr").available(), reason="rapidocr-onnxruntime not installed"),
]


@needs_both[0]
@needs_both[1]
def test_fused_receipts_read_more_true_words_than_either_engine_alone(data_dir: Path) -> None:
    images = [data_dir / "ocr" / "sroie" / f"{name}.jpg" for name in TUNE_RECEIPTS]
    if not all(image.exists() for image in images):
        pytest.skip(f"SROIE receipts {TUNE_RECEIPTS} not under {data_dir / 'ocr' / 'sroie'}")
    rows: dict[str, dict[str, float]] = {}
    for image in images:
        truth = _truth_words(image)
        row = rows.setdefault(image.stem, {})
        row["tesseract"] = recall(truth, tokens(ocr.read(image, ocr.OcrOptions(psm=6)).pages[0].text))
        row["rapidocr"] = recall(truth, tokens(ocr.read(image, ocr.OcrOptions(engine="rapidocr")).pages[0].text))
        pages = ocr.analyze_expense(image).pages
        assert pages[0].engine == "tesseract+rapidocr" and "second reading" in pages[0].cpu_seconds
        row["expense"] = recall(truth, tokens(pages[0].text))
        auto = ocr.read(image, ocr.OcrOptions(engine="auto")).pages[0]
        # 300.jpg is a whole A4 scan with a receipt on it: auto reads that as any page
        assert auto.engine == ("tesseract+rapidocr" if is_till_receipt(Image.open(image)) else "tesseract")
        row["auto"] = recall(truth, tokens(auto.text))

    def total(config: str, stems: list[str]) -> float:
        return sum(rows[stem][config] for stem in stems)

    every, shaped = list(rows), ["000", "150"]
    best = max(total("tesseract", every), total("rapidocr", every))
    assert total("expense", every) >= best + 0.01 * len(every), rows
    best = max(total("tesseract", shaped), total("rapidocr", shaped))
    assert total("auto", shaped) >= best + 0.01 * len(shaped), rows


@needs_both[0]
@needs_both[1]
def test_auto_fuses_only_pages_shaped_like_a_till_receipt() -> None:
    from tests.ocr.conftest import encode, text_page

    lines = ["GROCER SDN BHD", "2 x BREAD 4.00", "1 x MILK 3.50", "TOTAL 7.50", "THANK YOU"]
    narrow = text_page(lines, size=36, width=520, spacing=3.0)  # 520 x ~660: not yet tall enough
    tall = Image.new("RGB", (narrow.width, int(narrow.height * 1.8)), "white")
    tall.paste(narrow, (0, 0))
    assert ocr.read(encode(narrow, "PNG"), ocr.OcrOptions(engine="auto")).pages[0].engine == "tesseract"
    page = ocr.read(encode(tall, "PNG"), ocr.OcrOptions(engine="auto")).pages[0]
    assert page.engine == "tesseract+rapidocr"
    assert "TOTAL 7.50" in page.text and "MILK" in page.text


@pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")
def test_a_failing_second_reader_leaves_tesseracts_reading(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ocr.engines.rapid import RapidOcrEngine
    from tests.ocr.conftest import encode
    from tests.ocr.test_documents import receipt_png

    def broken(*args: object, **kwargs: object) -> list:
        raise RuntimeError("onnxruntime: model file is corrupt")

    monkeypatch.setattr(RapidOcrEngine, "available", lambda self: True)
    monkeypatch.setattr(RapidOcrEngine, "recognize", broken)
    result = ocr.analyze_expense(receipt_png())
    assert result.pages[0].engine == "tesseract" and result.fields["TOTAL"].value == "19.61"
    assert "second reading by rapidocr failed" in caplog.text
    tall = Image.open(io.BytesIO(receipt_png()))
    tall = tall.crop((0, 0, tall.width // 2, tall.height))  # half as wide: a till receipt's shape for auto
    page = ocr.read(encode(tall, "PNG"), ocr.OcrOptions(engine="auto")).pages[0]
    assert page.engine == "tesseract" and "TOTAL" in page.text


@pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")
def test_a_busy_pool_is_not_hidden_by_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocr.engines.rapid import RapidOcrEngine
    from tests.ocr.test_documents import receipt_png
    from workers import PoolBusy

    def busy(*args: object, **kwargs: object) -> list:
        raise PoolBusy("the pool's queue is full")

    monkeypatch.setattr(RapidOcrEngine, "available", lambda self: True)
    monkeypatch.setattr(RapidOcrEngine, "recognize", busy)
    with pytest.raises(PoolBusy):
        ocr.analyze_expense(receipt_png())
