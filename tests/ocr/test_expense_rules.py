"""The receipt rules of ocr.expense on pages built from text rows (no OCR: each case is the reading a receipt
gives, with its misreadings), so each rule is checked on its own: vendor names wrapped over rows or found above
a registration number, the address past a date and street numbers, and the total's cross-checks."""

from __future__ import annotations

import ocr
from ocr.expense import expense_fields
from ocr.layout import make_block, make_line, split_line_into_words


def page(rows: list[str | tuple[str, float]]) -> ocr.Document:
    """A read page: one line per row, 40 px apart; a row given as (text, confidence) was read that surely."""
    lines = []
    for i, row in enumerate(rows):
        text, confidence = row if isinstance(row, tuple) else (row, 95.0)
        label, _, amount = text.partition("|")
        words = split_line_into_words(label.strip(), ocr.BBox(left=20, top=40 * i, width=360, height=30), confidence)
        if amount:
            words += split_line_into_words(amount.strip(), ocr.BBox(left=500, top=40 * i, width=80, height=30),
                                           confidence)  # fmt: skip
        if words:
            lines.append(make_line(words))
    blocks = [make_block(i, [line]) for i, line in enumerate(lines)]
    read = ocr.Page(number=1, width=600, height=40 * len(rows), dpi=300, text="", engine="text", blocks=blocks)
    return ocr.Document(text="", mime="image/png", pages=[read])


def values(rows: list[str | tuple[str, float]]) -> dict[str, str]:
    return {name: field.value for name, field in expense_fields(page(rows)).fields.items()}


def test_a_wrapped_name_runs_to_its_legal_form_and_the_address_past_a_date() -> None:
    found = values([
        "TAN CHAY YEE", "AIK HUAT HARDWARE", "ENTERPRISE (SETIA", "ALAM) SDN BND", "12 MAR 2018 18:19", "(822737-X)",
        "NO.53 55,57 & 59, JALAN SAGU 18,", "TAMAN DAYA,", ("WAM Ea MUTE", 20.0), "TEL: 07-355 7717",
        "TOTAL | 9.00",
    ])  # fmt: skip
    assert found["VENDOR_NAME"] == "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"
    assert found["VENDOR_ADDRESS"] == "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA,"  # the smudge ends it
    assert found["INVOICE_RECEIPT_DATE"] == "2018-03-12"


def test_without_a_company_form_the_name_is_the_row_above_the_registration_number() -> None:
    found = values([
        "THANK YOU AND DO VISIT US AGAIN", "FIVE STAR CASH & CARRY", "(1365663-P)", "NO.1 JALAN SS 9/1, 47300 PJ,",
        "TOTAL | 4.00",
    ])  # fmt: skip
    assert found["VENDOR_NAME"] == "FIVE STAR CASH & CARRY"
    assert found["VENDOR_ADDRESS"] == "NO.1 JALAN SS 9/1, 47300 PJ,"


def test_look_alike_digits_in_the_vendor_name() -> None:
    assert values(["MR. D.1.Y. (M) SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "MR. D.I.Y. (M) SDN BHD"
    found = values(["KING'S CONFECTIONERY $/B", "JLN PERBANDARAN $$6/4", "TOTAL | 1.00"])
    assert (found["VENDOR_NAME"], found["VENDOR_ADDRESS"]) == ("KING'S CONFECTIONERY S/B", "JLN PERBANDARAN SS6/4")


def test_a_misread_rounded_total_loses_to_the_total_printed_more_often() -> None:
    found = values(["ACME SDN BHD", "1 PC * 9.00 | 9.00", "Total | 9.00", "Round: :d Total (RM): | 9.60",
                    "Cash | 40.00"])  # fmt: skip
    assert found["TOTAL"] == "9.00"
    # a true rounded total (a few sen from the total) still wins
    found = values(["ACME SDN BHD", "1 PC * 9.02 | 9.02", "Total | 9.02", "Rounded Total (RM): | 9.00"])
    assert found["TOTAL"] == "9.00"


def test_paid_less_change_corrects_a_misread_total() -> None:
    found = values(["ACME SDN BHD", "Total Incl. GST@6% RM | 55.20", "CASH RM | 100.20", "CHANGE RM | 47.00"])
    assert found["TOTAL"] == "53.20"
    # a total that agrees with paid less change, or is more than a digit away from it, is left as read
    for cash, change in (("20.00", "7.50"), ("50.00", "30.00")):
        found = values(["ACME SDN BHD", "TOTAL | 12.50", f"CASH | {cash}", f"CHANGE | {change}"])
        assert found["TOTAL"] == "12.50"


def test_a_tax_breakdown_row_is_not_the_total() -> None:
    found = values(["ACME SDN BHD", "TOTAL 0% SUPPLIES: | 39.40", "TOTAL 6% SUPPLIES (INC. GST): | 13.74",
                    "TOTAL 0% SUPPLIES: | 39.40", "TOTAL PAYABLE: | 53.14"])  # fmt: skip
    assert found["TOTAL"] == "53.14"
