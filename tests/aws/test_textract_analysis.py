"""Textract AnalyzeDocument (TABLES, FORMS) and AnalyzeExpense through boto3, against ocr.analyze and
ocr.analyze_expense on the same pages: a table with merged cells and a form with checkboxes rendered by headless
Chromium (bench/documents_data.py), a generated receipt and a SROIE receipt (skipped when the data is absent)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)

import ocr
from bench.documents_data import CHROMIUM, form_html, make_table, png_bytes, renderer, table_html
from ocr.values import parse_amount, parse_date
from tests.ocr.test_documents import receipt_png

pytestmark = pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")


@pytest.fixture(scope="module")
def pages() -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/apt-packages.txt)")
    rng = random.Random(7)
    with renderer() as render:
        table = make_table(rng, "merged", rows=5, columns=4)
        table_png = png_bytes(render.png(table_html(table, rng)))
        html, form = form_html(rng)
        form_png = png_bytes(render.png(html))
    return {"table": (table, table_png), "form": (form, form_png)}


def words_of(block: dict, by_id: dict[str, dict]) -> str:
    ids = [i for rel in block.get("Relationships", []) if rel["Type"] == "CHILD" for i in rel["Ids"]]
    return " ".join(by_id[i]["Text"] for i in ids if by_id[i]["BlockType"] == "WORD")


def children(block: dict, by_id: dict[str, dict], kind: str = "CHILD") -> list[dict]:
    return [by_id[i] for rel in block.get("Relationships", []) if rel["Type"] == kind for i in rel["Ids"]]


def check_geometry(block: dict) -> None:
    box = block["Geometry"]["BoundingBox"]
    assert 0 <= box["Left"] <= 1 and 0 <= box["Top"] <= 1 and 0 <= box["Width"] <= 1 and 0 <= box["Height"] <= 1
    assert len(block["Geometry"]["Polygon"]) == 4 and 0 <= block["Confidence"] <= 100


def test_analyze_document_tables_match_ocr_analyze(aws, gateway, pages) -> None:
    truth, png = pages["table"]
    answer = aws("textract").analyze_document(Document={"Bytes": png}, FeatureTypes=["TABLES"])
    ours = ocr.analyze(png, ["tables"], pool=gateway.app.state.pool).pages[0].tables
    assert len(ours) == 1 and ours[0].grid() == truth.grid()
    blocks = answer["Blocks"]
    by_id = {b["Id"]: b for b in blocks}
    assert answer["DocumentMetadata"]["Pages"] == 1 and answer["AnalyzeDocumentModelVersion"]
    page = next(b for b in blocks if b["BlockType"] == "PAGE")
    tables = [b for b in blocks if b["BlockType"] == "TABLE"]
    assert len(tables) == 1 and tables[0]["Id"] in page["Relationships"][0]["Ids"]
    assert not any(b["BlockType"] == "KEY_VALUE_SET" for b in blocks), "FORMS was not asked"
    table = tables[0]
    check_geometry(table)
    cells = children(table, by_id)
    assert {c["BlockType"] for c in cells} == {"CELL"} and len(cells) == 5 * 4  # one CELL per grid slot
    assert [(c["RowIndex"], c["ColumnIndex"]) for c in cells] == [(r, c) for r in range(1, 6) for c in range(1, 5)]
    merged = children(table, by_id, "MERGED_CELL")
    spanning = [c for c in ours[0].cells if c.row_span > 1 or c.column_span > 1]
    assert sorted((m["RowIndex"], m["ColumnIndex"], m["RowSpan"], m["ColumnSpan"]) for m in merged) == sorted(
        (c.row + 1, c.column + 1, c.row_span, c.column_span) for c in spanning
    )
    assert len(merged) == 2
    # each of ocr.analyze's cells reads the same through Textract: a slot's CELL, or a MERGED_CELL's CELLs
    slot = {(c["RowIndex"], c["ColumnIndex"]): c for c in cells}
    for cell in ours[0].cells:
        if cell.row_span > 1 or cell.column_span > 1:
            m = next(m for m in merged if (m["RowIndex"], m["ColumnIndex"]) == (cell.row + 1, cell.column + 1))
            parts = children(m, by_id)
            assert len(parts) == cell.row_span * cell.column_span
            text = " ".join(t for t in (words_of(p, by_id) for p in parts) if t)
        else:
            text = words_of(slot[(cell.row + 1, cell.column + 1)], by_id)
        assert text == cell.text, (cell.row, cell.column)
        block = slot[(cell.row + 1, cell.column + 1)]
        check_geometry(block)
        assert ("COLUMN_HEADER" in block.get("EntityTypes", [])) == cell.header == (cell.row == 0)


def test_analyze_document_forms_key_values_and_checkboxes(aws, pages) -> None:
    truth, png = pages["form"]
    answer = aws("textract").analyze_document(Document={"Bytes": png}, FeatureTypes=["FORMS"])
    blocks = answer["Blocks"]
    by_id = {b["Id"]: b for b in blocks}
    assert not any(b["BlockType"] == "TABLE" for b in blocks), "TABLES was not asked"
    pairs: dict[str, dict] = {}
    for key in (b for b in blocks if b["BlockType"] == "KEY_VALUE_SET" and b["EntityTypes"] == ["KEY"]):
        check_geometry(key)
        (value,) = children(key, by_id, "VALUE")
        assert value["EntityTypes"] == ["VALUE"]
        pairs[words_of(key, by_id).rstrip(":").lower()] = value
    for name, text in truth.values.items():
        assert words_of(pairs[name.lower()], by_id) == text, name
    for label, ticked in truth.checks.items():
        (box,) = children(pairs[label.lower()], by_id)
        assert box["BlockType"] == "SELECTION_ELEMENT", label
        assert box["SelectionStatus"] == ("SELECTED" if ticked else "NOT_SELECTED"), label
        check_geometry(box)
    boxes = [b for b in blocks if b["BlockType"] == "SELECTION_ELEMENT"]
    assert len(boxes) == len(truth.checks)
    page = next(b for b in blocks if b["BlockType"] == "PAGE")
    assert {b["Id"] for b in boxes} <= set(page["Relationships"][0]["Ids"])


def summary(document: dict) -> dict[str, dict]:
    return {f["Type"]["Text"]: f for f in document["SummaryFields"]}


def test_analyze_expense_on_a_generated_receipt(aws, gateway) -> None:
    png = receipt_png()
    answer = aws("textract").analyze_expense(Document={"Bytes": png})
    ours = ocr.analyze_expense(png, pool=gateway.app.state.pool)
    (document,) = answer["ExpenseDocuments"]
    fields = summary(document)
    assert set(fields) == set(ours.fields)
    for name, field in ours.fields.items():
        assert fields[name]["ValueDetection"]["Text"] == field.text, name
    assert fields["VENDOR_NAME"]["ValueDetection"]["Text"] == "ACME TRADING SDN BHD"
    total = fields["TOTAL"]
    # the words as read (RapidOCR may read a gap inside the cents, "19.6 1"), as the native route gives them
    assert total["ValueDetection"]["Text"].replace(" ", "") == "19.61" and total["LabelDetection"]["Text"] == "TOTAL"
    assert total["ValueDetection"]["Geometry"]["BoundingBox"]["Left"] > 0.7 and total["PageNumber"] == 1
    assert 50 < total["ValueDetection"]["Confidence"] <= 100
    (group,) = document["LineItemGroups"]
    items = [{f["Type"]["Text"]: f["ValueDetection"]["Text"] for f in item["LineItemExpenseFields"]}
             for item in group["LineItems"]]  # fmt: skip
    assert items == [{k: f.text for k, f in item.fields.items()} for item in ours.line_items]
    assert [i["PRICE"] for i in items] == ["14.00", "4.50"]  # ITEM is the text as printed ("2 x COFFEE BEANS")
    assert items[0]["ITEM"].endswith("COFFEE BEANS") and items[1]["ITEM"].endswith("CHEESE CAKE")
    assert all("EXPENSE_ROW" in i for i in items)
    kinds = {b["BlockType"] for b in document["Blocks"]}
    assert kinds == {"PAGE", "LINE", "WORD"}


def test_analyze_expense_on_a_sroie_receipt(aws, data_dir: Path) -> None:
    receipt = data_dir / "ocr" / "sroie" / "150.jpg"
    if not receipt.exists():
        pytest.skip(f"{receipt} not found (VOXGATE_DATA)")
    truth = json.loads(receipt.with_suffix(".key.json").read_text())
    answer = aws("textract").analyze_expense(Document={"Bytes": receipt.read_bytes()})
    fields = summary(answer["ExpenseDocuments"][0])
    assert parse_amount(fields["TOTAL"]["ValueDetection"]["Text"]) == parse_amount(truth["total"])
    date = fields["INVOICE_RECEIPT_DATE"]["ValueDetection"]["Text"]
    assert parse_date(date) == parse_date(truth["date"])


def test_analyze_errors(aws) -> None:
    textract = aws("textract")
    png = receipt_png()
    for feature in ("QUERIES", "SIGNATURES", "LAYOUT"):
        with pytest.raises(textract.exceptions.InvalidParameterException) as err:
            textract.analyze_document(Document={"Bytes": png}, FeatureTypes=["TABLES", feature])
        assert feature in err.value.response["Error"]["Message"]
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(textract.exceptions.UnsupportedDocumentException):
        textract.analyze_document(Document={"Bytes": b"not a document"}, FeatureTypes=["FORMS"])
    with pytest.raises(textract.exceptions.UnsupportedDocumentException):
        textract.analyze_expense(Document={"Bytes": b"not a document"})
