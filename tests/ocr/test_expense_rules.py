"""The receipt rules of ocr.expense on pages built from text rows (no OCR: each case is the reading a receipt
gives, with its misreadings), so each rule is checked on its own: vendor names wrapped over rows or found above
a registration number, the address past a date and street numbers, and the total's cross-checks."""

from __future__ import annotations

import ocr
from ocr.expense import expense_fields
from ocr.layout import make_block, make_line, split_line_into_words
from ocr.two_readings import two_readings_fields


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
    # nor a total that paid less change is rounded to 5 sen from: cash is paid rounded, the total is as printed
    found = values(["ACME SDN BHD", "Total: | 72.93", "Payment | 73.00", "Change Due | 0.05"])
    assert found["TOTAL"] == "72.93"


def test_the_total_of_the_tax_summary_is_not_the_receipts() -> None:
    rows = ["ACME SDN BHD", "SUB-TOTAL (EX) | 144.68", "TOTAL TAX | 8.68", "TOTAL | 153.35", "GST SUMMARY",
            "SR 6.00 | 144.68", "TOTAL : | 144.68"]  # fmt: skip
    assert values(rows)["TOTAL"] == "153.35"
    # a receipt with no total above its summary still has one
    assert values(["ACME SDN BHD", "GST SUMMARY", "TOTAL : | 9.00"])["TOTAL"] == "9.00"


def test_a_tax_breakdown_row_is_not_the_total() -> None:
    found = values(["ACME SDN BHD", "TOTAL 0% SUPPLIES: | 39.40", "TOTAL 6% SUPPLIES (INC. GST): | 13.74",
                    "TOTAL 0% SUPPLIES: | 39.40", "TOTAL PAYABLE: | 53.14"])  # fmt: skip
    assert found["TOTAL"] == "53.14"


def test_a_total_before_rounding_gives_way_to_the_rounded_amount_printed_below_it() -> None:
    found = values(["ACME SDN BHD", "TOTAL AMT ......... RM | 60.31", "ROUNDING ADJ ...... | -0.01", "RM | 60.30",
                    "CASH .............. RM | 70.30", "CHANGE ............ RM | 10.00"])  # fmt: skip
    assert found["TOTAL"] == "60.30"
    found = values(["ACME SDN BHD", "TOTAL SALES INCL. GST | 100.62", "ROUNDING ADJUSTMENT | -0.02",
                    "TOTAL AFTER ROUNDING | 100.60"])  # fmt: skip
    assert found["TOTAL"] == "100.60"
    # a receipt that does not round keeps its total to the sen
    assert values(["ACME SDN BHD", "TOTAL | 72.93", "CASH | 80.00"])["TOTAL"] == "72.93"


def test_the_vendor_is_the_name_above_its_registration_not_a_customer_company_further_down() -> None:
    found = values(["PERNIAGAAN ZHENG HUI", "JM0325955-V", "NO.59 JALAN PERMAS 9/5", "BANDAR BARU PERMAS JAYA",
                    "81750 JOHOR BAHRU", "TEL : 07-386 7524", "SIMPLIFIED TAX INVOICE",
                    "GOGIANT ENGINEERING (M) SDN BHD", "TOTAL | 8.20"])  # fmt: skip
    assert found["VENDOR_NAME"] == "PERNIAGAAN ZHENG HUI"
    assert found["VENDOR_ADDRESS"] == "NO.59 JALAN PERMAS 9/5 BANDAR BARU PERMAS JAYA 81750 JOHOR BAHRU"


def test_names_printed_over_two_rows() -> None:
    assert values(["POPULAR BOOK", "CO. (M) SDN BHD", "(CO. NO. 113825-W)", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "POPULAR BOOK CO. (M) SDN BHD"
    )
    assert values(["PASAR RAYA MEGA MAJU", "(SEMENYIH) SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "PASAR RAYA MEGA MAJU (SEMENYIH) SDN BHD"
    )
    assert values(["HOME MASTER HARDWARE &", "ELECTRICAL", "NO.113G, JALAN SETIA", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "HOME MASTER HARDWARE & ELECTRICAL"
    )
    # the registration number glued to the legal form is cut off, the form kept
    assert values(["BROADVIEW MARKETING SDN BHD(728384-M)", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "BROADVIEW MARKETING SDN BHD"
    )


def test_the_address_skips_identifiers_and_stops_at_labels_phones_and_the_country() -> None:
    found = values(["YONGFATT ENTERPRISE", "(JM0517726)", "NO 122.124 JALAN DEDAP 13", "81100 JOHOR BAHRU",
                    "TEL 07-3523888", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "NO 122.124 JALAN DEDAP 13 81100 JOHOR BAHRU"
    found = values(["HON HWA HARDWARE TRADING", "COMPANY REG. NO. : 001055194X",
                    "NO 37, JALAN MANIS 7, TAMAN SEGAR,", "56100 CHERAS, KUALA LUMPUR.", "+603-9130 2672",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "NO 37, JALAN MANIS 7, TAMAN SEGAR, 56100 CHERAS, KUALA LUMPUR."
    found = values(["LIGHTROOM GALLERY SDN BHD", "NO: 28, JALAN ASTANA 1C,", "BANDAR BUKIT RAJA, 41050",
                    "KLANG SELANGOR D.E, MALAYSIA", "SUNWAY VELOCITY", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "NO: 28, JALAN ASTANA 1C, BANDAR BUKIT RAJA, 41050 KLANG SELANGOR D.E, MALAYSIA"
    found = values(["HOME MASTER HARDWARE", "NO.113G, JALAN SETIA", "SELANGOR.", "COMPANY REG NO. :SA03711551-P",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "NO.113G, JALAN SETIA SELANGOR."


def test_a_product_code_is_not_a_date() -> None:
    found = values(["ACME SDN BHD", "HD03-04-06 - 5/40/160 | 2.00", "TOTAL | 2.00", "19-09-17 15:39 SH01 ZJ03"])
    assert found["INVOICE_RECEIPT_DATE"] == "2017-09-19"


def test_misread_labels_and_quotes_do_not_end_up_in_the_fields() -> None:
    found = values(["‘99 SPEED MART S/B", "NO. 9-G, JALAN PERUBATAN 2, PANDAN INDAH,", "55100 KUALA LUMPUR. Te1",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "99 SPEED MART S/B"
    assert found["VENDOR_ADDRESS"] == "NO. 9-G, JALAN PERUBATAN 2, PANDAN INDAH, 55100 KUALA LUMPUR."


def test_the_address_punctuation_misread_is_mended() -> None:
    found = values(["UNIHAKKA INTERNATIONAL SDN BHD", "12, Jalan Tampoi 7:4,Kawasan Perindustrian ‘Tampoi.81200",
                    "Johor Bahru, Johor", "TOTAL | 1.00"])  # fmt: skip
    # a speck read as a quote, a colon for the street's slash, a comma read as a dot
    assert found["VENDOR_ADDRESS"] == "12, Jalan Tampoi 7/4,Kawasan Perindustrian Tampoi,81200 Johor Bahru, Johor"
    found = values(["TEO HENG STATIONERY & BOOKS", "NO, 42, JALAN BESAR. MEDAN NIAGA DAMA!", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO. 42, JALAN BESAR, MEDAN NIAGA DAMAI"
    # look-alike letters in a postcode and between digits, a dot inside a postcode, I read for the l of "Blk"
    found = values(["ACME SDN BHD", "No: G3, BIk G, Jalan 7/1l8B,", "PARK 40.150 SHAH ALAM, 400OO SHAH ALAM",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "No: G3, BLK G, Jalan 7/118B, PARK 40150 SHAH ALAM, 40000 SHAH ALAM"
    # a zero for the O of NO, lone small letters (specks) in an address printed in capitals
    found = values(["SUNWAY SDN BHD", "i LOT N0.3, JALAN PJS 11/15, i 47500 PETALING JAYA", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT NO.3, JALAN PJS 11/15, 47500 PETALING JAYA"
    # abbreviations and numbers with a dot inside are as printed
    found = values(["YONGFATT ENTERPRISE", "NO 122.124 JLN. DEDAP 13", "81100 JOHOR BAHRU.", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO 122.124 JLN. DEDAP 13 81100 JOHOR BAHRU."
    # a label before the address; a phone number with a second line's last digits ends it
    found = values(["ACME SDN BHD", "HQ ADD: LOT 11995, BATU 2, JALAN KAPAR", "41400 KLANG, SELANGOR.",
                    "03-7932 1023/0191", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "LOT 11995, BATU 2, JALAN KAPAR 41400 KLANG, SELANGOR."
    # a comma read as a dot glued between a number and a word; "NO.41G" and "122.124" as printed
    found = values(["ACME SDN BHD", "No.41G,Jln SS21/60.Damansara Utama,", "47400 PJ, Selangor.", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "No.41G,Jln SS21/60,Damansara Utama, 47400 PJ, Selangor."
    # the land title P.T. read without its dots after LOT; a postcode's first 8 read as B, a B after digits kept
    found = values(["ACME SDN BHD", "LOT PJ. 2811, JALAN ANGSA,", "TAMAN BERKELEY 41150 KLANG", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG"
    found = values(["ACME SDN BHD", "LOT PT244, JLN PERBANDARAN SS6/4", "47301 PETALING JAYA", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT PT244, JLN PERBANDARAN SS6/4 47301 PETALING JAYA"
    found = values(["ACME SDN BHD", "LOT 1851B JALAN PERMAS UTARA 1", "PERMAS JAYA B1750 MASAI JOHOR", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT 1851B JALAN PERMAS UTARA 1 PERMAS JAYA 81750 MASAI JOHOR"
    # the first word read one letter off LOT before its number; NO and a word that is not before a number stay
    for read in ("Loi 3, Jalan Pelabur 23/1,", "Eot 3, Jalan Pelabur 23/1,", "1.ot 3, Jalan Pelabur 23/1,"):
        found = values(["GARDENIA BAKERIES (KL) SDN BHD", read, "40300 Shah Alam, Selangor.", "TOTAL | 1.00"])
        assert found["VENDOR_ADDRESS"] == "Lot 3, Jalan Pelabur 23/1, 40300 Shah Alam, Selangor."
    found = values(["ACME SDN BHD", "LO1 1851-A & 1851-B, JALAN KPB 6,", "43300 SERI KEMBANGAN", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT 1851-A & 1851-B, JALAN KPB 6, 43300 SERI KEMBANGAN"
    found = values(["ACME SDN BHD", "NO. 3, JALAN BESAR,", "43300 SERI KEMBANGAN", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO. 3, JALAN BESAR, 43300 SERI KEMBANGAN"
    # a speck read as "?" inside a number; a comma read as a full stop after a code ending in a letter
    found = values(["ACME SDN BHD", "PT179?20 SEK U9,", "NO.49, JALAN DINAR G U3/G. SUBANG PERDANA", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "PT17920 SEK U9, NO.49, JALAN DINAR G U3/G, SUBANG PERDANA"
    # a zero read as O at the end of a lot code, a dash read as a plus
    found = values(["ACME SDN BHD", "LOT G29 & G3O, AEON MALL TEBRAU CITY,", "NO. 9+G, JALAN DINAR D", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT G29 & G30, AEON MALL TEBRAU CITY, NO. 9-G, JALAN DINAR D"
    # a branch or a registration number in brackets before the address is not part of it
    found = values(["ACME SDN BHD", "(JALAN KLANG LAMA) LOT 2942, JLN SERI SENTOSA 8,", "58000 KUALA LUMPUR.",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "LOT 2942, JLN SERI SENTOSA 8, 58000 KUALA LUMPUR."
    found = values(["ACME SDN BHD", "(002107265, NO. 16 JLN TSJ2,", "40000 SHAH ALAM", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO. 16 JLN TSJ2, 40000 SHAH ALAM"
    found = values(["ACME SDN BHD", "NO. 17-G, JALAN SETIA INDAH (X) U13/X,", "40170 SHAH ALAM", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO. 17-G, JALAN SETIA INDAH (X) U13/X, 40170 SHAH ALAM"  # inside: as printed
    # the section code U5 read "US"
    found = values(["ACME SDN BHD", "69 JALAN NOVA US/N, SEKSYEN US,", "40150 SHAH ALAM", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "69 JALAN NOVA U5/N, SEKSYEN U5, 40150 SHAH ALAM"
    # the & of two neighbouring numbers read as 8; one number, or a postcode, with an 8 inside is as printed
    found = values(["ACME SDN BHD", "LOT 211082111 JALAN PERMAS UTARA", "81750 JOHOR BAHRU", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT 2110&2111 JALAN PERMAS UTARA 81750 JOHOR BAHRU"
    found = values(["ACME SDN BHD", "NO. 31G833G, JALAN SETIA INDAH", "LOT 485, 13820 KUALA LUMPUR", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO. 31G&33G, JALAN SETIA INDAH LOT 485, 13820 KUALA LUMPUR"


def test_a_registration_number_read_with_a_gap_is_no_part_of_the_address() -> None:
    found = values(["BOOK TA.K (TAMAN DAYA) SDN BHD", "7B 7-W", "NO.53 55,57 & 59, JALAN SAGU 18,", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO.53 55,57 & 59, JALAN SAGU 18,"
    found = values(["ACME SDN BHD", "LOT 1851-A & 1851-B, JALAN KPB 6", "TOTAL | 1.00"])  # a lot number is
    assert found["VENDOR_ADDRESS"] == "LOT 1851-A & 1851-B, JALAN KPB 6"


def test_the_address_skips_an_owner_row_and_stops_at_a_careline_or_a_tax_number() -> None:
    cases = [
        (["Banh Mi Cafe", "Dimiliki: banh mi cafe sdn bhd 1110644-W", "No. 1 Jalan Puteri 7/10",
          "Bandar Puteri, 47100 Puchong", "Selangor, Malaysia"],
         "No. 1 Jalan Puteri 7/10 Bandar Puteri, 47100 Puchong Selangor, Malaysia"),
        (["PAGOH REST AND SERVICE AREA", "LOT R1, KWS REHAT PAGOH,", "84600,PAGOH,JOHOR",
          "myNEWScareline : 1800 88 1231"], "LOT R1, KWS REHAT PAGOH, 84600,PAGOH,JOHOR"),
        (["AEON CO. (M) BHD (126926-H)", "3RD FLR, AEON TAMAN MALURI SC", "CHERAS, 55100 KUALA LUMPUR",
          "GS? 10: 002017394688", "SHOPPING HOURS"], "3RD FLR, AEON TAMAN MALURI SC CHERAS, 55100 KUALA LUMPUR"),
        (["SUN WONG KUT SDN BHD", "176 JLN SUNGEI BESI", "57100 KUALA LUNPUR", "CST elee No: 001580630016 03-9221345"],
         "176 JLN SUNGEI BESI 57100 KUALA LUMPUR"),
    ]  # fmt: skip
    for rows, address in cases:
        assert values([*rows, "TOTAL | 1.00"])["VENDOR_ADDRESS"] == address


def test_a_speck_before_the_address_is_not_part_of_it() -> None:
    found = values(["DIAMOND SQUARE SDN BHD", "-LOT 1-0-2, JLN 1/50,", "53000 KUALA LUMPUR", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT 1-0-2, JLN 1/50, 53000 KUALA LUMPUR"


def test_vendor_name_misreadings_are_mended() -> None:
    assert values(["AEON CO. {M) BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "AEON CO. (M) BHD"
    assert values(["Anzel Advertising (Mj SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "Anzel Advertising (M) SDN BHD"
    assert values(["IKANO HANDEL_SDN 3HD", "TOTAL | 1.00"])["VENDOR_NAME"] == "IKANO HANDEL SDN BHD"
    assert values(["UNIHAKKA INTL.SDN BHD.", "TOTAL | 1.00"])["VENDOR_NAME"] == "UNIHAKKA INTL SDN BHD"
    assert values(["Taste Of The WorId SDN BHD:", "TOTAL | 1.00"])["VENDOR_NAME"] == "Taste Of The World SDN BHD"
    # specks read around a name printed in capitals, a number tag before it, marks between its words
    assert values(["Pe 99 SPEED MART S/B", "TOTAL | 1.00"])["VENDOR_NAME"] == "99 SPEED MART S/B"
    assert values(["BILLION SIX — ENTERPRISE a", "TOTAL | 1.00"])["VENDOR_NAME"] == "BILLION SIX ENTERPRISE"
    assert values(["#000002 BAIFU (M) SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "BAIFU (M) SDN BHD"
    # short words read after the legal form that ends the name; a branch in brackets stays
    assert values(["ANN GIAP TRADING SDN BHD SE", "TOTAL | 1.00"])["VENDOR_NAME"] == "ANN GIAP TRADING SDN BHD"
    assert values(["ACME SDN. BHD. LLT", "TOTAL | 1.00"])["VENDOR_NAME"] == "ACME SDN. BHD."
    assert values(["ACME SDN. BHD.LLT", "TOTAL | 1.00"])["VENDOR_NAME"] == "ACME SDN. BHD."  # glued to its stop
    assert values(["ECOSWAY.COM SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "ECOSWAY.COM SDN BHD"
    assert values(["CHECKERS SDN BHD (KL)", "TOTAL | 1.00"])["VENDOR_NAME"] == "CHECKERS SDN BHD (KL)"
    assert values(["DIMILIKI OLEH : DOVE HOLDINGS SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "DIMILIKI OLEH : DOVE HOLDINGS SDN BHD")  # fmt: skip
    assert values(["Farmasi Maluri S/B(587969-U)", "TOTAL | 1.00"])["VENDOR_NAME"] == "Farmasi Maluri S/B"
    # a name written with dots keeps its last one
    assert values(["BEMED (SP) SDN. BHD.", "TOTAL | 1.00"])["VENDOR_NAME"] == "BEMED (SP) SDN. BHD."
    # the company form printed on the row below the name
    assert values(["POPULAR BOOK", "CO. (M) SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "POPULAR BOOK CO. (M) SDN BHD"


def test_total_labels_misread_net_amount_and_a_tax_summary_row() -> None:
    assert values(["ACME SDN BHD", "lotal After Rounding | 85.10"])["TOTAL"] == "85.10"
    assert values(["ACME SDN BHD", "Nel lota! RM | 367.10"])["TOTAL"] == "367.10"
    assert values(["ACME SDN BHD", "Item A | 53.55", "Net Amt : | 53.55"])["TOTAL"] == "53.55"
    # "Total: 353.00 21.18" is the GST summary's amount and tax, not the total; "Excluging" is still EXCL
    found = values(["ACME SDN BHD", "Total Sales (Excluging GST) | 353.00", "Total GST: | 21.18",
                    "Total Sales (Inclusive of GST): | 374.20", "Total: 353.00 | 21.18"])  # fmt: skip
    assert found["TOTAL"] == "374.20"
    # a negative amount below a total label with no amount of its own is a payment, not the total
    found = values(["ACME SDN BHD", "Item A | 9.90", "Total RM Incl. of GST", "Cash | -20.00"])
    assert found.get("TOTAL") != "-20.00"
    # a 1 read as I right after the currency: the total paid with GST, not the amount without it
    found = values(["ACME SDN BHD", "AMT PAID incL GST: RMI11.90", "Amt Paid excl. GST :RM 105.57", "GST AMT:RM5.33"])
    assert found["TOTAL"] == "111.90"


def test_without_a_labelled_total_it_is_the_amount_paid_less_the_change() -> None:
    assert values(["ACME SDN BHD", "Item A | 28.60", "CASH | 100.00", "CHANGE | 71.40"])["TOTAL"] == "28.60"
    assert values(["ACME SDN BHD", "Item A | 170.00", "CASH | 170.00"])["TOTAL"] == "170.00"
    assert "TOTAL" not in values(["ACME SDN BHD", "Item A | 5.00", "CHANGE | 0.00"])
    # "Pay" is the amount paid; without it, the subtotal where no tax is read
    assert values(["ACME SDN BHD", "Qty 8 | 25.15", "Pay | 25.15"])["TOTAL"] == "25.15"
    assert values(["ACME SDN BHD", "Item A | 28.70", "SUBTOTAL | 28.70"])["TOTAL"] == "28.70"
    assert "TOTAL" not in values(["ACME SDN BHD", "Item A | 28.70", "SUBTOTAL | 28.70", "GST 6% | 1.72"])


def test_the_tax_a_total_includes_is_not_the_total() -> None:
    rows = ["ACME SDN BHD", "Total (incl GST) | 70.30", "Cash Tendered | 70.30", "TOTAL INCLUDES 6% GST | 3.98"]
    found = values(rows)
    assert found["TOTAL"] == "70.30"


def test_a_dash_read_for_the_decimal_point_of_a_labelled_total() -> None:
    assert values(["ACME SDN BHD", "TOTAL 22-60", "CASH 30.00", "CHANGE 7.40"])["TOTAL"] == "22.60"
    # a code with a dash is no amount
    assert "TOTAL" not in values(["ACME SDN BHD", "TOTAL UNIT A-22-60"])


def test_a_gap_read_after_the_decimal_point_of_a_labelled_total() -> None:
    assert values(["ACME SDN BHD", "Total RM Incl. of GST 9. 90", "Cash -20.00"])["TOTAL"] == "9.90"
    # or between the cents, on the total's row or the row below (not the cash under it)
    assert values(["ACME SDN BHD", "TOTAL 19.6 1", "CASH 50.00"])["TOTAL"] == "19.61"
    assert values(["ACME SDN BHD", "TOTAL", "19.6 1", "CASH 50.00", "CHANGE 30.39"])["TOTAL"] == "19.61"


def test_a_month_name_misread_and_a_date_run_together_before_a_time() -> None:
    assert values(["ACME SDN BHD", "CB: 58273599475 02/Ja0/2017 10:49:25"])["INVOICE_RECEIPT_DATE"] == "2017-01-02"
    assert values(["ACME SDN BHD", "CB: 59581331715 14/AMay/2017 02:56:39"])["INVOICE_RECEIPT_DATE"] == "2017-05-14"
    assert "INVOICE_RECEIPT_DATE" not in values(["ACME SDN BHD", "14/JU/2017"])  # JUN or JUL: not guessed
    assert values(["ACME SDN BHD", "00440010036 25032018 13:11:54 0003"])["INVOICE_RECEIPT_DATE"] == "2018-03-25"
    assert "INVOICE_RECEIPT_DATE" not in values(["ACME SDN BHD", "Member 25032018"])  # eight digits alone: a number


def test_a_digit_read_glued_after_the_year() -> None:
    assert values(["ACME SDN BHD", "CB#: 389720 17/01/20184 2153"])["INVOICE_RECEIPT_DATE"] == "2018-01-17"
    assert values(["ACME SDN BHD", "17/01/201842153"])["INVOICE_RECEIPT_DATE"] == "2018-01-17"  # the whole time
    # a month-name date's year glued to the time, its month's O read as a zero; a code like "0CT5" is no month
    assert values(["ACME SDN BHD", "Date; 0ct 3, 201612:16:25 PM"])["INVOICE_RECEIPT_DATE"] == "2016-10-03"
    assert values(["ACME SDN BHD", "N0V 12, 2017"])["INVOICE_RECEIPT_DATE"] == "2017-11-12"
    assert "INVOICE_RECEIPT_DATE" not in values(["ACME SDN BHD", "ITEM 0CT5 2017"])
    # a date found as printed elsewhere wins over the mended one
    found = values(["ACME SDN BHD", "CB#: 389720 17/01/20184 2153", "Date: 18/01/2018"])
    assert found["INVOICE_RECEIPT_DATE"] == "2018-01-18"


def test_a_date_whose_separators_were_read_as_a_space_or_lost() -> None:
    assert values(["ACME SDN BHD", "INVOICE NO: 18299", "05 02-18"])["INVOICE_RECEIPT_DATE"] == "2018-02-05"
    assert values(["ACME SDN BHD", "27032018 No :CS-20243"])["INVOICE_RECEIPT_DATE"] == "2018-03-27"
    assert values(["ACME SDN BHD", "Date: 27032018"])["INVOICE_RECEIPT_DATE"] == "2018-03-27"
    # eight digits after another label, or no date (month 13), stay a number; a date printed as such wins
    assert "INVOICE_RECEIPT_DATE" not in values(["ACME SDN BHD", "Member 25032018"])
    assert "INVOICE_RECEIPT_DATE" not in values(["ACME SDN BHD", "27132018 No :CS-20243"])
    found = values(["ACME SDN BHD", "27032018 No :CS-20243", "Date: 28/03/2018"])
    assert found["INVOICE_RECEIPT_DATE"] == "2018-03-28"


def test_a_date_read_with_a_space_inside() -> None:
    assert values(["ACME SDN BHD", "DocNo CS00031663 D ate 25/12/20 18"])["INVOICE_RECEIPT_DATE"] == "2018-12-25"
    assert values(["ACME SDN BHD", "Date: 17/0 3/2018"])["INVOICE_RECEIPT_DATE"] == "2018-03-17"
    # a two-digit year before a time, and a number before a date, stay as read
    assert values(["ACME SDN BHD", "12/03/20 14:30"])["INVOICE_RECEIPT_DATE"] == "2020-03-12"
    assert values(["ACME SDN BHD", "ORD #50 -REG #19- 18/01/2018 10:27"])["INVOICE_RECEIPT_DATE"] == "2018-01-18"


def test_two_readings_the_vendor_from_the_second_unless_only_the_fused_has_its_legal_form() -> None:
    def vendor(fused: str, second: str) -> str:
        return two_readings_fields(page([fused, "TOTAL | 1.00"]), page([second, "TOTAL | 1.00"])).fields[
            "VENDOR_NAME"].value  # fmt: skip

    assert vendor("POPULAR a 5 BOOK. ane CO. (M) SDN BHD", "POPULAR BOOK CO. (M) BHD") == "POPULAR BOOK CO. (M) BHD"
    assert vendor("DIGI TELECOMMUNICATIONS", "DIGI TELECOMMUNICATIONS SDN BHD") == "DIGI TELECOMMUNICATIONS SDN BHD"
    assert vendor("MIZU MENTAI SDN. BHD.", "MIZUMENTAI") == "MIZU MENTAI SDN. BHD."
    # RapidOCR runs words together: the same name keeps the fused reading's spaces, another is spaced like it
    assert vendor("ACME TRADING SDN BHD", "ACMETRADING SDNBHD") == "ACME TRADING SDN BHD"
    assert vendor("OPAC MARKETING SDN BHD", "VIVOPACMARKETINGSDN BHD") == "VIVOPAC MARKETING SDN BHD"
    # a slogan with a web address is no name; a dotted name takes the final full stop the fused reading has
    assert vendor("PAGOH REST AND SERVICE AREA", "TQFORSHOPPING WITHmyNEWS.cOm") == "PAGOH REST AND SERVICE AREA"
    assert vendor("SHH. MOTOR (SUNGAI RENGIT) SDN, BHD.", "S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD") == (
        "S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.")  # fmt: skip
    assert vendor("ACME TRADING SDN BHD.", "ACNE TRADING SDN BHD") == "ACNE TRADING SDN BHD"  # undotted: no stop


def test_two_readings_a_labelled_total_wins_over_one_derived_from_the_amount_paid() -> None:
    fused = page(["ACME SDN BHD", "Item | 9.90", "TOTAL | 9.90", "CASH | 20.00", "CHANGE | 10.10"])
    second = page(["ACME SDN BHD", "Item | 9.90", "TOTA | 9.90", "CASH | 20.00", "CHANGE | 10.00"])
    # the second reading has no total label ("TOTA"): the fused reading's total stands, not paid less change
    assert two_readings_fields(fused, second).fields["TOTAL"].value == "9.90"
    # with no total label in either, paid less change
    fused = page(["ACME SDN BHD", "Item | 9.90", "CASH | 20.00", "CHANGE | 10.10"])
    assert two_readings_fields(fused, second).fields["TOTAL"].value == "10.00"


def test_two_readings_a_letter_spaced_word_of_the_second_is_one_word() -> None:
    fused = page(["31803039", "'SH POWER HARDWARE", "TRADING :", "002458685-T", "TOTAL | 8.00"])
    second = page(["31803039", "TSH POWER HARDWARE", "TR AD IN G", "002458685-T", "TOTAL | 8.00"])
    assert two_readings_fields(fused, second).fields["VENDOR_NAME"].value == "TSH POWER HARDWARE TRADING"
    # two or three words of two letters are words ("AA CO", "DE LA MAISON"); only pieces with a single letter join
    second = page(["31803039", "TSH POWER HARDWARE", "TR AD IN", "002458685-T", "TOTAL | 8.00"])
    assert two_readings_fields(fused, second).fields["VENDOR_NAME"].value == "TSH POWER HARDWARE"


def test_two_readings_an_address_word_both_engines_read_alike_stays_as_read() -> None:
    rows = ["BENS GROCER SDN. BHD", "Lot 6, Jalan Batai,", "50490, Kuala Lumpur", "TOTAL | 1.00"]
    tesseract = page(["BENS GROCER SDN. BHD", "Lot 6, Jalan Batai,", "50490, Kuala Lumpur", "TOTAL | 1.00"])
    found = two_readings_fields(page(rows), page(rows), first=tesseract).fields["VENDOR_ADDRESS"].value
    assert found == "Lot 6, Jalan Batai, 50490, Kuala Lumpur"
    # read so by one engine only (Tesseract read "Bata1"), the word is mended to the listed street word
    tesseract = page(["BENS GROCER SDN. BHD", "Lot 6, Jalan Bata1,", "50490, Kuala Lumpur", "TOTAL | 1.00"])
    found = two_readings_fields(page(rows), page(rows), first=tesseract).fields["VENDOR_ADDRESS"].value
    assert found == "Lot 6, Jalan Balai, 50490, Kuala Lumpur"


def test_two_readings_the_fused_address_unless_the_second_has_more_of_it() -> None:
    def address(fused: list[str], second: list[str]) -> str:
        return two_readings_fields(page(fused + ["TOTAL | 1.00"]), page(second + ["TOTAL | 1.00"])).fields[
            "VENDOR_ADDRESS"].value  # fmt: skip

    name = "POPULAR BOOK CO. (M) SDN BHD"
    # the fused reading lost the first row: the second's, which ends the same, is taken, spaced as the fused
    assert address([name, "56000 Kuala Lumpur, Malaysia"],
                   [name, "No 8,Jalan 7/118B", "56000 Kuala Lumpur,Malaysia"]) == (
        "No 8,Jalan 7/118B 56000 Kuala Lumpur, Malaysia")  # fmt: skip
    # otherwise the fused reading's
    assert address([name, "NO.59 JALAN PERMAS 9/5", "81750 JOHOR BAHRU"], [name, "NO.59 JALAN PERMAS 9/6"]) == (
        "NO.59 JALAN PERMAS 9/5 81750 JOHOR BAHRU")  # fmt: skip
    assert address([name, "NO 8 JALAN TUN", "(123456-X)"], [name]) == "NO 8 JALAN TUN"
    # as many misread words in each, and only the second reads the postcode: the second's
    assert address([name, "LOT F21 & 22, CITTA MALL", "HO ot, JLN PT ides"],
                   [name, "LOT F21 & 22, CITTA MALL", "NO 1, JLN PJU 1A/4", "47301"]) == (
        "LOT F21 & 22, CITTA MALL NO 1, JLN PJU 1A/4 47301")  # fmt: skip
    # with the commas and the final full stop the second reads where the fused has none; never the reverse
    assert address([name, "12, Jalan Tampoi 7/4", "81200 Johor Bahru Johor"],
                   [name, "12,JalanTampoi 7/4", "81200JohorBahru,Johor."]) == (
        "12, Jalan Tampoi 7/4 81200 Johor Bahru, Johor.")  # fmt: skip
    assert address([name, "12, Jalan Tampoi 7/4,", "81200 Johor Bahru, Johor"],
                   [name, "12 Jalan Tampoi 7/4", "81200 Johor Bahru Johor"]) == (
        "12, Jalan Tampoi 7/4, 81200 Johor Bahru, Johor")  # fmt: skip
    # the fused reading took an item row for the address (no postcode, no address word): the second's
    assert address([name, "JIANYU STEEL RULER 30CM THICK"], [name, "NO.53,JALAN BESAR,45600 BATANG BERJUNTAI"]) == (
        "NO.53,JALAN BESAR,45600 BATANG BERJUNTAI")  # fmt: skip
    # a final comma the second reads as a full stop
    assert address([name, "NO 37, JALAN MANIS 7,", "56100 CHERAS, KUALA LUMPUR,"],
                   [name, "NO 37, JALAN MANIS 7,", "56100 CHERAS, KUALA LUMPUR."]) == (
        "NO 37, JALAN MANIS 7, 56100 CHERAS, KUALA LUMPUR.")  # fmt: skip
    # a comma read twice is one
    assert address([name, "39100 BRINCHANG,, CAMERON HIGHLANDS"], [name]) == "39100 BRINCHANG, CAMERON HIGHLANDS"
    # the second's where more of its words are address words: the fused reading lost letters at words' ends
    assert address([name, "19, JALAN KANCIL, OFF JALAN PUD,", "55100 KUALA LUMPUR"],
                   [name, "19, JALAN KANCIL, OFF JALAN PUDU,", "55100 KUALA LUMPUR"]) == (
        "19, JALAN KANCIL, OFF JALAN PUDU, 55100 KUALA LUMPUR")  # fmt: skip
    assert address([name, "19, JALAN KANCIL, OFF JALAN PUDU,", "55100 KUALA LUMPUR"],
                   [name, "19, JALANKANCIL, OFF JALAN PUDU,", "55100 KUALA LUMPUR"]) == (
        "19, JALAN KANCIL, OFF JALAN PUDU, 55100 KUALA LUMPUR")  # fmt: skip


def test_a_misread_rounding_row_above_the_total_and_a_nil_total() -> None:
    found = values(["ACME SDN BHD", "Roundlng (RM) : -0.02", "Total (RM) : | 112.46", "GASH: | 112.45"])
    assert found["TOTAL"] == "112.45"
    found = values(["ACME SDN BHD", "Item | 15.00", "Sub Total RM | 15.00", "RM | 0.00", "Total Incl. GST RM | 15.00"])
    assert found["TOTAL"] == "15.00"


def test_two_readings_a_gap_read_inside_the_total() -> None:
    fused = page(["ACME SDN BHD", "Total Sales (Inclusive of GST) : | 44.73", "CASH : | 44.73"])
    second = page(["ACME SDN BHD", "Total Sales(InclusiveofGST): 4 | 4.73", "CASH : | 44.73"])
    assert two_readings_fields(fused, second).fields["TOTAL"].value == "44.73"
    # or where the amount with the gap closed is the fused reading's
    fused = page(["ACME SDN BHD", "Total Payable: | 33.05"])
    second = page(["ACME SDN BHD", "Total Payable: 3 | 3.05"])
    assert two_readings_fields(fused, second).fields["TOTAL"].value == "33.05"
    # RapidOCR's own total otherwise (a misread digit in the fused reading)
    fused = page(["ACME SDN BHD", "TOTAL | 12.60", "CASH | 20.00"])
    second = page(["ACME SDN BHD", "TOTAL | 12.50", "CASH | 20.00"])
    assert two_readings_fields(fused, second).fields["TOTAL"].value == "12.50"


def test_a_name_joined_by_an_ampersand_began_on_the_row_above_its_legal_form() -> None:
    found = values(["THE COFFEE BEAN", "& TEA LEAF (M) SDN. BHD.", "COMPANY NO.:441970-H", "TOTAL | 1.00"])
    assert found["VENDOR_NAME"] == "THE COFFEE BEAN & TEA LEAF (M) SDN. BHD."
    found = values(["WELCOME", "ACME TRADING SDN BHD", "TOTAL | 1.00"])  # a row above without the ampersand: not
    assert found["VENDOR_NAME"] == "ACME TRADING SDN BHD"


def test_the_vendor_is_the_company_on_top_when_its_legal_form_is_read_with_a_gap() -> None:
    # "SDN BH D": still the company form, so the customer's company further down is not taken for the vendor
    found = values(["GARDENIA BAKERIES(KL)SDN BH D(139386 X)", "Lot 3, Jalan Pelabur 23/1,", "Date: 17/09/2017",
                    "MAKASSAR FRESH MARKET SDN BHD", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "GARDENIA BAKERIES(KL)SDN BHD"
    # a registration number read with a dot inside is cut off too
    assert values(["GARDENIA BAKERIES (KL) SDN BHD (139.386 X)", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "GARDENIA BAKERIES (KL) SDN BHD")  # fmt: skip


def test_legal_forms_misread_in_the_name() -> None:
    # S/B read with a five, SDN.BHD read run together (the keys space it), BHD with a Z, a colon inside the name
    assert values(["99 SPEED MART 5/B", "TOTAL | 1.00"])["VENDOR_NAME"] == "99 SPEED MART S/B"
    assert values(["BEMED (SP) SDN.BHZ.", "TOTAL | 1.00"])["VENDOR_NAME"] == "BEMED (SP) SDN. BHD."
    assert values(["THE: TOAST F&B SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "THE TOAST F&B SDN BHD"


def test_selangor_darul_ehsan_read_with_an_l_for_its_dot() -> None:
    found = values(["ACME SDN BHD", "No. 9-G, Jalan Dinar, 40150 Shah Alam, Selangor DLE,", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "No. 9-G, Jalan Dinar, 40150 Shah Alam, Selangor D.E."
    # printed without dots: as read
    found = values(["ACME SDN BHD", "43000 KAJANG SELANGOR DE", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "43000 KAJANG SELANGOR DE"


def test_the_address_ends_after_its_postcode_row_and_at_a_wide_gap() -> None:
    # the postcode two rows up still ends the address at a row with no address word
    found = values(["DOMINO'S PIZZA", "No.12, Jalan Permas Jaya 10,", "Bandar Baru Permas Jaya, 81750 Masai", "Johor",
                    "CARRY OUT TIMED Pay By: CASH", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "No.12, Jalan Permas Jaya 10, Bandar Baru Permas Jaya, 81750 Masai Johor"
    # an address is one block of rows: after a blank row's gap (50 px, words 30 px high) the next row is not in it
    found = values(["ACME SDN BHD", "NO7,JLN UERO,", "SHAH ALAM.", "", "27 T.S BASIN BESAR", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO7,JLN UERO, SHAH ALAM."


def test_after_the_postcode_the_address_ends_at_a_row_of_no_address_words() -> None:
    found = values(["ACME SDN BHD", "Lot 1626, Mukim Kampung Laut Tumpat", "16200 Palekbang, Kelantan",
                    "PREPAY CHIT NUMBER 29721", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == "Lot 1626, Mukim Kampung Laut Tumpat 16200 Palekbang, Kelantan"
    # a chain's branch printed after the postcode is part of it, as are more place words
    found = values(["99 SPEED MART S/B", "LOT P.T. 2811, JALAN ANGSA,", "TAMAN BERKELEY 41150 KLANG, SELANGOR",
                    "1174-PERMATA MAGNA", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_ADDRESS"] == (
        "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG, SELANGOR 1174-PERMATA MAGNA")  # fmt: skip
    found = values(["ACME SDN BHD", "12 JALAN BESAR", "47100 PUCHONG", "SELANGOR DARUL EHSAN", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "12 JALAN BESAR 47100 PUCHONG SELANGOR DARUL EHSAN"
    # an address from elsewhere ends with its country after the postcode
    found = values(["Acme GmbH", "Hauptstrasse 5", "10115 Berlin", "Germany", "Kasse 3", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "Hauptstrasse 5 10115 Berlin Germany"


def test_land_titles_unit_codes_and_specks_in_the_address() -> None:
    # the dots of P.T. misread, look-alike letters in a unit number's digits, a tilde and an exclamation mark
    found = values(["99 SPEED MART S/B", "LOT P.TJ, 2811, JALAN ANGSA, 41150 KLANG", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT P.T. 2811, JALAN ANGSA, 41150 KLANG"
    found = values(["ACME SDN BHD", "A-G-O6, DATARAN GLOMAC, Lot B-F-ll, Block B", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "A-G-06, DATARAN GLOMAC, Lot B-F-11, Block B"
    found = values(["ACME SDN BHD", "41150 KLANG, SELANGOR 1313~-SUBANG BESTARI", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "41150 KLANG, SELANGOR 1313-SUBANG BESTARI"
    # a floor or block letter O or I is as printed
    found = values(["ACME SDN BHD", "LOT 1-0-2, J-G-O, JALAN 7", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "LOT 1-0-2, J-G-O, JALAN 7"


def test_a_business_word_misread_by_one_letter_is_mended_and_real_words_stay() -> None:
    assert values(["99 SPEED NART S/D", "TOTAL | 1.00"])["VENDOR_NAME"] == "99 SPEED MART S/B"
    assert values(["OLIVE9 PHARHACY SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "OLIVE9 PHARMACY SDN BHD"
    # a word of the language one letter from a business word is a word, not a misreading ("PART", "STATIONERS")
    assert values(["PART SHOP SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "PART SHOP SDN BHD"
    assert values(["ARTRANGE STATIONERS SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "ARTRANGE STATIONERS SDN BHD"


def test_the_company_under_a_logo_and_its_owner_label() -> None:
    # the logo's words, then the same business with its legal form: the company's name is the second
    found = values(["ELKEN", "SERVICE", "ELKEN SERVICE SDN BHD (310184-X)", "No 2-1 Jalan 3/137B Batu 5",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "ELKEN SERVICE SDN BHD"
    # a company below a shop's name that does not name the same business is not taken for it
    found = values(["KIKU JAPANESE RESTAURANT", "TOKYO HOLDINGS SDN BHD", "TOTAL | 1.00"])
    assert found["VENDOR_NAME"].startswith("KIKU JAPANESE RESTAURANT")
    found = values(["Banh Mi Cafe", "DIMILIKI: BANH MI CAFE SDN BHD 1110644-W", "TOTAL | 1.00"])
    assert found["VENDOR_NAME"] == "BANH MI CAFE SDN BHD"


def test_the_total_the_payment_and_change_agree_on_beats_an_amount_printed_twice() -> None:
    # the tax's label misread ("TAS TOTAL") and its amount printed twice; cash less change is the total
    found = values(["ACME SDN BHD", "SUB-TOTAL (GST) | 12.19", "GST 6% | 0.69", "ROUNDING | -0.04", "TOTAL | 12.15",
                    "CASH | 50.15", "CHANGE | 38.00", "TAS TOTAL: | 0.69"])  # fmt: skip
    assert found["TOTAL"] == "12.15"


def test_the_company_owning_the_shop_is_not_the_vendor_but_an_operator_named_alone_is() -> None:
    # the shop's name read run together (no company form in it), its owner named under "Owned By :"
    found = values(["SANYU STATIONERYSHOP", "NO. 31G&33G, JALAN SETIA INDAH X ,U13/X", "40170 SETIA ALAM",
                    "GST ID No: 001531760640", "Owned By :", "SANYU SUPPLY SDN BHD (1135772-K)", "TAX INVOICE",
                    "CASH SALES COUNTER", "1.2012-0029 RESTAURANT ORDER CHIT NCR", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "SANYU STATIONERYSHOP"
    # "OPERATED BY" a brand, no company: the company further down, over its address, is the vendor
    found = values(["MRT", "OPERATED BY", "RAPIDKL", "TAX INVOICE", "RAPID RAIL SDN BHD", "NO.1 JALAN PJU 1A/46,",
                    "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "RAPID RAIL SDN BHD"


def test_an_address_printed_above_the_company_running_the_shop() -> None:
    # a station's address above the company running it; below it only a labelled number, no address
    found = values(["A06140", "TAX INVOICE", "BHPetrol Permas Jaya 2", "LOT PTD 101051", "Jalan Permas 10/10",
                    "81750 Masai, Johor", "Esjay Fuel Enterprise", "CO. REG. NO: 001011128-T", "Cashier: 465",
                    "Prepay Chit Number: 12091", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "Esjay Fuel Enterprise"
    assert found["VENDOR_ADDRESS"] == "LOT PTD 101051 Jalan Permas 10/10 81750 Masai, Johor"
    # an address below the name is still the one taken
    found = values(["12 JALAN LAMA", "ACME SDN BHD", "NO 5, JALAN BARU, 47100 PUCHONG", "TOTAL | 1.00"])
    assert found["VENDOR_ADDRESS"] == "NO 5, JALAN BARU, 47100 PUCHONG"


def test_a_name_going_on_from_the_row_above_and_a_long_business_word_two_letters_off() -> None:
    # "HARDWARE" misread two letters off, so the first row names no company; the next begins with a word that
    # ends names ("ENTERPRISE"): the name began on the row above
    found = values(["AIK HUAT HARIWAKE", "ENTERPRISE (SETIA", "ALAM) SDNBHD", "822737-X",
                    "NO. 17-G, JALAN SETIA INDAH", "TOTAL | 1.00"])  # fmt: skip
    assert found["VENDOR_NAME"] == "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"
    # a letter too many in a long one is the nearest word, not one two letters off ("ENTERPRISES")
    assert values(["HAPPY SNACKS ENTYERPRISE", "TOTAL | 1.00"])["VENDOR_NAME"] == "HAPPY SNACKS ENTERPRISE"
    # a name that begins with its kind is not joined to the row above
    found = values(["WELCOME", "RESTORAN WAN SHENG", "NO. 2, JALAN TEMENGGUNG", "TOTAL | 1.00"])
    assert found["VENDOR_NAME"] == "RESTORAN WAN SHENG"


def test_a_name_ending_in_sendirian_and_a_bracket_closed_by_a_misread_letter() -> None:
    assert values(["ONE ONE THREE SEAFOOD RESTAURANT SDN D.", "TOTAL | 1.00"])["VENDOR_NAME"] == (
        "ONE ONE THREE SEAFOOD RESTAURANT SDN BHD")  # fmt: skip
    assert values(["GARDENIA BAKERIES (KLI SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "GARDENIA BAKERIES (KL) SDN BHD"
    assert values(["VERBENA CONFECTIUNERY SDN BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "VERBENA CONFECTIONERY SDN BHD"
    assert values(["ACME SDN. BHD", "TOTAL | 1.00"])["VENDOR_NAME"] == "ACME SDN. BHD"  # as printed


def test_a_total_misread_on_its_row_is_not_taken_from_the_row_below() -> None:
    # the amount after "Net Total" is misread ("25. J"): the cash on the next row is not the total, the untaxed
    # subtotal is
    found = values(["ACME SDN BHD", "2 SubTotal | 25.00", "Net Tota1 25. J", "C | 50.00", "CHANGE | 25.00"])
    assert found["TOTAL"] == "25.00"
    # an amount printed alone under its label is still taken
    assert values(["ACME SDN BHD", "TOTAL", "12.50", "CASH | 20.00"])["TOTAL"] == "12.50"


def test_a_date_whose_slash_was_read_as_a_seven() -> None:
    assert values(["ACME SDN BHD", "RECEIPT #: CSP0397224 DATE: 13707/2017", "TOTAL | 1.00"])[
        "INVOICE_RECEIPT_DATE"] == "2017-07-13"  # fmt: skip
    assert values(["ACME SDN BHD", "DATE 13/0712017 10:00", "TOTAL | 1.00"])["INVOICE_RECEIPT_DATE"] == "2017-07-13"
