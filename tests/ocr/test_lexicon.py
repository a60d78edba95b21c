"""Two readings of a word settled by a dictionary (ocr.lexicon): a word of the page's language read by one engine
beats a non-word read by the other in the same place, in RapidOCR's reading (mended_by) and in the fusion
(ocr.fuse); numbers, codes, short words and unknown languages are left as read."""

from __future__ import annotations

import pytest

from ocr.fuse import fuse_blocks
from ocr.layout import make_block, make_line, split_line_into_words
from ocr.lexicon import languages, mended_by, word_beats
from ocr.models import BBox, Block

pytest.importorskip("wordfreq", reason="wordfreq (the ocr extra) is not installed")

BOX = BBox(left=100, top=50, width=600, height=30)


def _blocks(text: str, box: BBox = BOX, confidence: float = 90.0) -> list[Block]:
    return [make_block(0, [make_line(split_line_into_words(text, box, confidence))])]


def _text(blocks: list[Block]) -> list[str]:
    return [ln.text for b in blocks for ln in b.lines]


def test_languages_follow_tesseracts_codes() -> None:
    assert languages("eng+msa") == ("en", "ms")
    assert languages("deu") == ("de",)
    assert languages("auto") == ("en",)
    assert languages(None) == ("en",)
    assert languages("chi_sim") == ()  # no list: nothing is judged


@pytest.mark.parametrize(
    ("kept", "other", "beats"),
    [
        ("Jalan,", "Jalau,", True),  # a street word (address list) against a misreading
        ("PHARMACY", "PIIARMACY", True),  # an English word
        ("Adjustment", "Adjustiment", True),
        ("Jalau", "Jalan", False),  # the other way round
        ("GUARDIAN", "GUARDIAN", False),  # the same word
        ("AMT", "ANT", False),  # too short to judge: abbreviations and codes
        ("SH01", "SHOP", False),  # not all letters
        ("Selangor", "Selangar", True),
        ("Kuching", "Kuchinq", True),
    ],
)
def test_a_word_beats_a_non_word(kept: str, other: str, beats: bool) -> None:
    assert word_beats(kept, other, ("en",)) is beats


def test_nothing_is_judged_without_a_list_for_the_language() -> None:
    assert not word_beats("PHARMACY", "PIIARMACY", ())


def test_rapidocrs_non_word_takes_tesseracts_word_in_the_same_place_with_its_own_marks() -> None:
    rapid = _blocks("Jalan Raja Chuian, 50200")
    tesseract = _blocks("Jalan Raja Chulan 50200")
    assert _text(mended_by(rapid, tesseract, ("en",))) == ["Jalan Raja Chulan, 50200"]


def test_a_non_word_is_left_when_the_other_reading_has_no_close_word_there() -> None:
    rapid = _blocks("GARDENIA BAKERIES")
    # two letters shorter: another word, not a reading of this one
    assert _text(mended_by(rapid, _blocks("GARDEN BAKERIES"), ("en",))) == ["GARDENIA BAKERIES"]
    # a non-word against a non-word
    assert _text(mended_by(_blocks("Kusis Lumpur"), _blocks("Kuvels Lumpur"), ("en",))) == ["Kusis Lumpur"]
    # the same word elsewhere on the page is not a reading of this one
    elsewhere = BBox(left=100, top=400, width=600, height=30)
    assert _text(mended_by(_blocks("Jalau 5"), _blocks("Jalan 5", elsewhere), ("en",))) == ["Jalau 5"]
    # a word is never replaced, even by a word
    assert _text(mended_by(_blocks("Jalan Besar"), _blocks("Jalan Besat"), ("en",))) == ["Jalan Besar"]


def test_fusion_keeps_tesseracts_word_where_rapidocrs_letters_would_make_a_non_word() -> None:
    tesseract, rapid = _blocks("SUBANG PHARMACY 12"), _blocks("SUBANG PIIARMACY 12")
    assert _text(fuse_blocks(tesseract, rapid, ("en",))) == ["SUBANG PHARMACY 12"]
    assert _text(fuse_blocks(tesseract, rapid)) == ["SUBANG PIIARMACY 12"]  # no language: letters as before
    # RapidOCR's letters still win where they make the word ("AECN" -> "AEON", both non-words in English)
    assert _text(fuse_blocks(_blocks("AECN TAMAN"), _blocks("AEON TAMAN"), ("en",))) == ["AEON TAMAN"]


def test_fusion_takes_the_letters_rapidocr_read_before_or_after_tesseracts_word() -> None:
    en = ("en",)
    assert _text(fuse_blocks(_blocks("Sub Tota 9.90"), _blocks("Sub Total 9.90"), en)) == ["Sub Total 9.90"]
    # Tesseract's marks at the end stay; one letter more is taken without a dictionary (a street name)
    assert _text(fuse_blocks(_blocks("OFF JALAN PUD,"), _blocks("OFF JALAN PUDU."), en)) == ["OFF JALAN PUDU,"]
    # or before its start ("tem" for "Item")
    assert _text(fuse_blocks(_blocks("tem Qty 2"), _blocks("Item Qty 2"), en)) == ["Item Qty 2"]
    # a mark read for the lost letter goes; letters that are the next or the last word on the line are not added
    assert _text(fuse_blocks(_blocks("43300 SER] KEMBANGAN"), _blocks("43300 SERI KEMBANGAN"), en)) == [
        "43300 SERI KEMBANGAN"]  # fmt: skip
    assert _text(fuse_blocks(_blocks("Se langor"), _blocks("Selangor"), en)) == ["Se langor"]
    # two letters more only where they make a word: "GSTID" is two words run together
    assert _text(fuse_blocks(_blocks("Summa 5"), _blocks("Summary 5"), en)) == ["Summary 5"]
    assert _text(fuse_blocks(_blocks("GST ID"), _blocks("GSTID"), en)) == ["GST ID"]
    assert _text(fuse_blocks(_blocks("Summa 5"), _blocks("Summary 5"))) == ["Summa 5"]  # no language: no word
    # a number or a one-letter word is not completed, nor a word the other reading has elsewhere
    assert _text(fuse_blocks(_blocks("TOTAL 9.60"), _blocks("TOTAL 9.600"), en)) == ["TOTAL 9.60"]
    elsewhere = BBox(left=100, top=400, width=600, height=30)
    assert _text(fuse_blocks(_blocks("Sub Tota 9.90"), _blocks("Sub Total 9.90", elsewhere), en)) == ["Sub Tota 9.90"]
