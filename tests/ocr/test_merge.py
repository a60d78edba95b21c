"""Combining two readings of a page word by word (ocr.merge) and finding where a reading is in doubt (ocr.doubt)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from ocr.doubt import find_doubt
from ocr.layout import lines_to_blocks, words_to_lines
from ocr.merge import merge_readings
from ocr.models import BBox, Block, Word


def word(text: str, left: int, top: int, confidence: float = 95.0, width: int = 80, height: int = 20) -> Word:
    return Word(text=text, confidence=confidence, bbox=BBox(left=left, top=top, width=width, height=height))


def blocks_of(*words: Word) -> list[Block]:
    return lines_to_blocks(words_to_lines(list(words)))


def texts(blocks: list[Block]) -> list[str]:
    return sorted(w.text for b in blocks for ln in b.lines for w in ln.words)


def test_a_tall_garbage_word_gives_way_to_the_confident_lines_under_it() -> None:
    column = [word("year", 100, 100), word("with", 200, 100)]
    garbage = word("iene", 400, 100, confidence=1.3, width=200, height=60)
    sidebar = [word("Fahad", 400, 100), word("Tariq", 500, 100, 92), word("416", 400, 130), word("352", 500, 130)]
    merged = merge_readings(blocks_of(*column, garbage), sidebar)
    assert texts(merged) == sorted(["year", "with", "Fahad", "Tariq", "416", "352"])


def test_near_ties_keep_the_first_reading_and_clear_wins_take_the_second() -> None:
    first = blocks_of(word("Date", 100, 100, 78.0), word("OTS", 300, 100, 42.0))
    second = [word("Dele", 100, 100, 71.0), word("OBTS", 300, 100, 69.0)]
    assert texts(merge_readings(first, second)) == ["Date", "OBTS"]


def test_words_only_the_second_reading_has_join_when_confident() -> None:
    first = blocks_of(word("CASH", 100, 100))
    second = [word("CHANGE", 100, 400, 97.0), word("eo", 600, 400, 20.0)]
    assert texts(merge_readings(first, second)) == ["CASH", "CHANGE"]


def test_a_box_over_several_lines_counts_as_unread_however_confident() -> None:
    stacked = word("Teacher", 400, 100, confidence=93.0, height=49)
    second = [word("Mountain", 400, 100, 96.0, height=13), word("Simple", 400, 136, 96.0, height=13)]
    assert texts(merge_readings(blocks_of(stacked), second)) == ["Teacher"]  # confidence alone keeps it
    assert texts(merge_readings(blocks_of(stacked), second, {id(stacked)})) == ["Mountain", "Simple"]


def test_nothing_to_merge_returns_the_reading_as_it_was() -> None:
    first = blocks_of(word("alpha", 100, 100), word("beta", 300, 100))
    assert merge_readings(first, []) is first


def _page(lines: list[tuple[int, int, str, int]]) -> Image.Image:
    image = Image.new("RGB", (1200, 600), "white")
    draw = ImageDraw.Draw(image)
    for left, top, text, size in lines:
        draw.text((left, top), text, fill="black", font=ImageFont.load_default(size=size))
    return image


def _column(n: int = 12) -> list[Word]:
    return [word(f"word{i}", 100 + (i % 4) * 100, 100 + (i // 4) * 40, height=20) for i in range(n)]


def test_doubt_finds_a_box_over_two_lines_of_ink_but_not_a_headline() -> None:
    image = _page([(700, 100, "Mountain 377", 20), (700, 130, "Simple 446", 20), (100, 400, "Headline", 44)])
    stacked = word("Mountain", 700, 100, 93.0, width=160, height=50)
    headline = word("Headline", 100, 400, 96.0, width=220, height=50)
    doubt = find_doubt(image, blocks_of(*_column(), stacked, headline))
    assert doubt.stacked == {id(stacked)}
    assert len(doubt.regions) == 1
    left, top, right, bottom = doubt.regions[0]
    assert left < 700 < 860 < right and top < 100 < 150 < bottom < 400  # the word, with a margin; not the headline


def test_doubt_reads_a_degraded_page_whole_and_a_sound_one_not_at_all() -> None:
    image = _page([])
    sound = _column()
    assert find_doubt(image, blocks_of(*sound)).regions == []
    unsure = [word(f"x{i}", 100 + i * 90, 500, 30.0) for i in range(6)]
    assert find_doubt(image, blocks_of(*sound, *unsure)).regions == [(0, 0, 1200, 600)]


def test_doubt_finds_text_no_word_covers() -> None:
    """Ink in letter-sized pieces that no word box covers is read again (SROIE 500 lost CASH and CHANGE)."""
    image = _page([(700, 300, "CASH CHANGE", 26), (100, 100, "word0 word1", 26)])
    covered = [word("word0", 100, 100, width=90, height=26), word("word1", 200, 100, width=90, height=26)]
    doubt = find_doubt(image, blocks_of(*_column(), *covered))
    assert len(doubt.regions) == 1
    left, top, right, bottom = doubt.regions[0]
    assert left < 700 < right and top < 300 < 330 < bottom
    coverall = word("CASH", 690, 290, width=300, height=50)
    assert find_doubt(image, blocks_of(*_column(), *covered, coverall)).regions == []
