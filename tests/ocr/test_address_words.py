"""ocr.address_words: misread words of a Malaysian address mended against the listed address words, and only
those: listed words, codes, four-letter words and words with two listed neighbours are left as read."""

from __future__ import annotations

from ocr.address_words import address_fit, address_words, is_address_part, known_words, mend_address


def test_the_list_holds_the_states_and_street_words() -> None:
    assert {"JALAN", "TAMAN", "SELANGOR", "JOHOR", "KUALA", "LUMPUR", "PERINDUSTRIAN"} <= address_words()


def test_words_of_one_address_are_left_as_read_but_never_a_mends_target() -> None:
    assert {"WANGSA", "KANCIL", "KIARA"} <= known_words() and "KIARA" not in address_words()
    assert mend_address("JALAN WANGSA DELIMA, MONT KIERA") == "JALAN WANGSA DELIMA, MONT KIERA"  # not ANGSA, KIARA
    assert not {"TAMPOL", "SELANGIR", "PARINDUSTRIAN"} & known_words()  # slips in the keys
    assert mend_address("Kawasan Perindustrian TAMPOL, 81200 SELANGIR") == (
        "Kawasan Perindustrian TAMPOI, 81200 SELANGOR")  # fmt: skip


def test_misreadings_one_edit_or_one_look_alike_away_are_mended_in_the_case_read() -> None:
    assert mend_address("12, Jaian Tampci 7/4, Kawasan Perirndustrian") == "12, Jalan Tampoi 7/4, Kawasan Perindustrian"
    assert mend_address("JALAN ANG5A, 41150 KLANG, SCLANGOR") == "JALAN ANGSA, 41150 KLANG, SELANGOR"
    assert mend_address("Ja1an SS21/39, 8ESAR") == "Jalan SS21/39, BESAR"
    # two edits in a word of eight or more letters
    assert mend_address("47400 PETALINCI JAYA") == "47400 PETALING JAYA"
    # a three-letter word with one look-alike digit, one digit twice, a 4 read for an A
    assert mend_address("1OT 2685 J1N GENTING, AEON MA11, SHAH 4LAM") == "LOT 2685 JLN GENTING, AEON MALL, SHAH ALAM"


def test_listed_words_codes_and_short_words_are_left_as_read() -> None:
    for text in ("JALAN PERMAS SATU", "LOT 1851-A & 1851-B", "DAMANSARA UPTOWN3 NO.3", "PASAR BORONG", "JL IBRAH",
                 "ZYXWV QUORTL", "SS21/39 U13 PT17920 B1750 3RD 1ST U1A G29"):  # fmt: skip
        assert mend_address(text) == text


def test_a_word_with_two_listed_neighbours_is_not_guessed() -> None:
    assert {"JALAN", "JAPAN"} <= address_words()
    assert mend_address("JAXAN") == "JAXAN"  # one edit from both
    assert mend_address("JAIAN") == "JALAN"  # but an I read for an L is a look-alike: JALAN only


def test_an_address_part_is_mostly_address_words() -> None:
    assert is_address_part("KUALA LUMPUR")
    assert is_address_part("Selangor, Malaysia")
    assert not is_address_part("CST elee")
    assert not is_address_part("12 34")


def test_the_reading_of_an_address_with_fewer_misread_words_fits_better() -> None:
    assert address_fit("OFF JALAN PUDU, KUALA LUMPUR") > address_fit("OFF JALAN PUD, KUALA LUMPUR")
    assert address_fit("19, JALAN KANCIL") > address_fit("19, JALANKANCIL")
    assert address_fit("3-113, JL 80300") == 0  # no words of three letters to judge by


def test_a_thin_letter_read_as_a_mark_inside_a_word_is_mended() -> None:
    assert mend_address("NO.12,JA:AN SS4C/5,PETALING JAYA SE_ANGOR") == "NO.12,JALAN SS4C/5,PETALING JAYA SELANGOR"
    assert mend_address("Ja_an Besar") == "Jalan Besar"
    # marks that are printed, or that no thin letter turns into an address word, stay
    for text in ("D'SARA AVEVUE", "INDS.PARK B.CAVES", "TEL:03 FAX:04", "JALAN:KPB", "LOT 3;TAMAN"):
        assert mend_address(text) == text


def test_a_word_both_readers_read_alike_is_not_mended_unless_to_a_state() -> None:
    assert mend_address("Lot 6, Jalan Batai, Plaza Batai") == "Lot 6, Jalan Balai, Plaza Balai"  # one reader alone
    assert mend_address("Lot 6, Jalan Batai, Plaza Batai", keep=frozenset({"BATAI"})) == (
        "Lot 6, Jalan Batai, Plaza Batai")  # fmt: skip
    # a state's name one letter off is a misreading even when both readers agree on it
    assert mend_address("41150 KLANG, SCLANGOR", keep=frozenset({"SCLANGOR"})) == "41150 KLANG, SELANGOR"
    # a digit read in a word, and a long word one letter from a listed one, are misread alike by both
    assert mend_address("7, J1n SS21/34, Shah 4lam", keep=frozenset({"J1N", "4LAM"})) == "7, Jln SS21/34, Shah alam"
    assert mend_address("KAWASAN PERTNDUSTRIAN", keep=frozenset({"PERTNDUSTRIAN"})) == "KAWASAN PERINDUSTRIAN"
    # and an I read for an L, which both engines take for each other
    assert mend_address("Lot No2, Jaian Utarid", keep=frozenset({"JAIAN"})) == "Lot No2, Jalan Utarid"


def test_a_short_place_word_after_the_word_that_names_it() -> None:
    # four letters are too few to mend alone; after SHAH or PETALING one letter off is the place, even where both
    # readers read it so
    assert mend_address("40170 SHAH ALAN.", keep=frozenset({"ALAN"})) == "40170 SHAH ALAM."
    assert mend_address("47400 Petaling Jaye") == "47400 Petaling Jaya"
    assert mend_address("ALAN BATU 5") == "ALAN BATU 5"  # alone, as read
