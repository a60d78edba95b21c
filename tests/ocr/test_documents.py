"""Document analysis through the gateway, the Python API and the CLI, on the real Tesseract engine: receipts
(POST /v1/ocr/expense), tables and forms (POST /v1/ocr features=tables,forms) on pages rendered by headless
Chromium, and bad input (no table, unknown feature, password PDF, rotated page, a 300-row table)."""

from __future__ import annotations

import io
import json
import random
import shutil
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont
from typer.testing import CliRunner

import ocr
from api.app import create_app
from api.settings import Settings
from bench.documents_data import CHROMIUM, form_html, make_table, png_bytes, renderer, table_html
from ocr.values import find_amounts, parse_amount, parse_date
from tests.ocr.conftest import encode
from tests.ocr.test_api import wait_for
from tests.ocr.test_bad_input import encrypted_pdf
from tests.translate.conftest import needs_apertium

pytestmark = pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium") and not Path(CHROMIUM).exists(), reason="Debian chromium not installed"
)


# ---- values ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [("25/12/2018 8:13 PM", "2018-12-25"), ("Date: 2018-03-23", "2018-03-23"), ("17-03-18", "2018-03-17"),
     ("12 MAR 2018", "2018-03-12"), ("20180304", "2018-03-04"), ("March 5, 2021", "2021-03-05"),
     ("13/07/2017", "2017-07-13")],
)  # fmt: skip
def test_dates_are_normalised(text: str, iso: str) -> None:
    assert str(parse_date(text)) == iso


def test_date_order_and_no_date() -> None:
    assert str(parse_date("03/04/2024", "MDY")) == "2024-03-04"
    assert str(parse_date("03/04/2024")) == "2024-04-03"
    assert parse_date("Invoice 1234 for 56.00") is None
    # eight digits before a time, in the date order asked for; alone they are a number
    assert str(parse_date("00440010036 03052018 13:11:54")) == "2018-05-03"
    assert str(parse_date("00440010036 03052018 13:11:54", "MDY")) == "2018-03-05"
    assert parse_date("Member 03052018") is None


def test_amounts() -> None:
    assert str(parse_amount("TOTAL RM 1,007.50")) == "1007.50"
    assert str(parse_amount("Total: 9,00")) == "9.00"
    assert str(parse_amount("Rounding -0.02")) == "-0.02"
    assert parse_amount("Qty 3") is None
    assert [v for _, v in find_amounts("2 x 3.50   7.00")] == [parse_amount("3.50"), parse_amount("7.00")]
    assert parse_amount("Total Sales Inclusive GST@6.00% 1200") is None  # a rate, not money
    assert str(parse_amount("GST 6.00 % 0.72")) == "0.72"


# ---- receipts ----------------------------------------------------------------------------------------------

RECEIPT = [
    ("ACME TRADING SDN BHD", None),
    ("NO 12, JALAN MAJU 3,", None),
    ("47300 PETALING JAYA, SELANGOR", None),
    ("TEL: 03-7781 2345", None),
    ("TAX INVOICE", None),
    ("Receipt No: 10023456", None),
    ("Date: 25/12/2018  10:15", None),
    ("2 x COFFEE BEANS", "14.00"),
    ("1 x CHEESE CAKE", "4.50"),
    ("SUBTOTAL", "18.50"),
    ("SST 6%", "1.11"),
    ("TOTAL", "19.61"),
    ("CASH", "50.00"),
    ("CHANGE", "30.39"),
    ("THANK YOU", None),
]


def receipt_png() -> bytes:
    font = ImageFont.load_default(size=34)
    image = Image.new("RGB", (1000, 120 + 60 * len(RECEIPT)), "white")
    draw = ImageDraw.Draw(image)
    for i, (text, amount) in enumerate(RECEIPT):
        draw.text((60, 60 + 60 * i), text, fill="black", font=font)
        if amount:
            draw.text((940 - draw.textlength(amount, font=font), 60 + 60 * i), amount, fill="black", font=font)
    return encode(image, "PNG", dpi=(300, 300))


def test_expense_route_on_a_receipt(client: TestClient) -> None:
    response = client.post("/v1/ocr/expense", files={"file": ("r.png", receipt_png(), "image/png")})
    assert response.status_code == 200, response.text
    body = response.json()
    fields = {name: field["value"] for name, field in body["fields"].items()}
    assert fields["VENDOR_NAME"] == "ACME TRADING SDN BHD"
    assert fields["VENDOR_ADDRESS"] == "NO 12, JALAN MAJU 3, 47300 PETALING JAYA, SELANGOR"
    assert fields["INVOICE_RECEIPT_DATE"] == "2018-12-25"
    assert (fields["TOTAL"], fields["SUBTOTAL"], fields["TAX"]) == ("19.61", "18.50", "1.11")
    assert fields["AMOUNT_PAID"] == "50.00" and fields["INVOICE_RECEIPT_ID"] == "10023456"
    total = body["fields"]["TOTAL"]
    # the words as read: RapidOCR may read a gap inside the cents ("19.6 1"), which the value closes
    assert total["text"].replace(" ", "") == "19.61" and total["confidence"] > 50 and total["label"]["text"] == "TOTAL"
    assert set(total["bbox"]) == {"left", "top", "width", "height"} and total["bbox"]["left"] > 700
    items = [{k: f["value"] for k, f in item["fields"].items()} for item in body["line_items"]]
    assert [(i["ITEM"], i.get("QUANTITY"), i["PRICE"]) for i in items] == [
        ("COFFEE BEANS", "2", "14.00"), ("CHEESE CAKE", "1", "4.50")]  # fmt: skip
    assert body["pages"][0]["blocks"], "the page blocks come with the fields"


@pytest.mark.skipif(not ocr.get_engine("rapidocr").available(), reason="rapidocr-onnxruntime not installed")
def test_expense_second_reading_is_on_by_default_and_can_be_turned_off(client: TestClient) -> None:
    files = {"file": ("r.png", receipt_png(), "image/png")}
    fused = client.post("/v1/ocr/expense", files=files).json()
    alone = client.post("/v1/ocr/expense", files=files, data={"second_reading": "false"}).json()
    assert fused["pages"][0]["engine"] == "tesseract+rapidocr" and alone["pages"][0]["engine"] == "tesseract"
    for body in (fused, alone):  # a clean receipt reads the same either way
        assert (
            body["fields"]["TOTAL"]["value"] == "19.61"
            and body["fields"]["VENDOR_NAME"]["value"] == "ACME TRADING SDN BHD"
        )


@pytest.mark.skipif(not ocr.get_engine("rapidocr").available(), reason="rapidocr-onnxruntime not installed")
def test_expense_second_reading_off_for_the_server_unless_a_request_asks(settings: Settings) -> None:
    settings.ocr.second_reading = False
    files = {"file": ("r.png", receipt_png(), "image/png")}
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/ocr/expense", files=files).json()["pages"][0]["engine"] == "tesseract"
        asked = client.post("/v1/ocr/expense", files=files, data={"second_reading": "true"}).json()
        assert asked["pages"][0]["engine"] == "tesseract+rapidocr"


def test_expense_on_a_sroie_receipt(data_dir: Path) -> None:
    receipt = data_dir / "ocr" / "sroie" / "150.jpg"
    if not receipt.exists():
        pytest.skip(f"{receipt} not found")
    fields = ocr.analyze_expense(receipt).fields
    truth = json.loads(receipt.with_suffix(".key.json").read_text())
    assert fields["TOTAL"].value == truth["total"]
    assert fields["INVOICE_RECEIPT_DATE"].value == str(parse_date(truth["date"]))


def test_expense_bad_input(client: TestClient) -> None:
    empty = client.post("/v1/ocr/expense", files={"file": ("r.png", b"", "image/png")})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_document"
    locked = client.post("/v1/ocr/expense", files={"file": ("r.pdf", encrypted_pdf(), "application/pdf")})
    assert locked.status_code == 400 and locked.json()["error"]["code"] == "pdf_encrypted"
    order = client.post("/v1/ocr/expense", files={"file": ("r.png", receipt_png())}, data={"date_order": "YDM"})
    assert order.status_code == 422


# ---- tables and forms (pages rendered by Chromium) ---------------------------------------------------------


@pytest.fixture(scope="module")
def rendered() -> dict[str, object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/apt-packages.txt)")
    rng = random.Random(7)
    out: dict[str, object] = {}
    with renderer() as render:
        for style in ("ruled", "unruled", "merged"):
            table = make_table(rng, style, rows=5, columns=4)
            html = table_html(table, rng)
            out[style] = (table, png_bytes(render.png(html)), render.pdf(html))
        html, truth = form_html(rng)
        out["form"] = (truth, png_bytes(render.png(html)))
        long_table = make_table(rng, "ruled", rows=300, columns=4)
        out["long"] = (long_table, render.pdf(table_html(long_table, rng)))
    return out


def grid_of(table: dict) -> list[list[str]]:
    grid = [["" for _ in range(table["columns"])] for _ in range(table["rows"])]
    for cell in table["cells"]:
        grid[cell["row"]][cell["column"]] = cell["text"]
    return grid


@needs_chromium
def test_ruled_table_image_through_the_gateway(client: TestClient, rendered: dict) -> None:
    truth, png, _ = rendered["ruled"]
    response = client.post("/v1/ocr", files={"file": ("t.png", png, "image/png")}, data={"features": "tables"})
    assert response.status_code == 200, response.text
    page = response.json()["pages"][0]
    assert page["key_values"] is None and len(page["tables"]) == 1
    table = page["tables"][0]
    assert (table["rows"], table["columns"], table["ruled"]) == (5, 4, True)
    assert grid_of(table) == truth.grid()
    cell = table["cells"][0]
    assert cell["header"] and cell["confidence"] > 50 and cell["bbox"]["width"] > 0
    csv_body = client.post("/v1/ocr", files={"file": ("t.png", png)}, data={"features": "tables", "format": "csv"})
    assert csv_body.headers["content-type"].startswith("text/csv")
    assert csv_body.text.splitlines()[0] == ",".join(truth.grid()[0])
    html = client.post("/v1/ocr", files={"file": ("t.png", png)}, data={"features": "tables", "format": "html"})
    assert html.text.startswith("<table>") and html.text.count("<tr>") == 5


@needs_chromium
@pytest.mark.parametrize("style", ["unruled", "merged"])
def test_born_digital_pdf_tables(rendered: dict, style: str) -> None:
    truth, _, pdf = rendered[style]
    page = ocr.analyze(pdf, ["tables"]).pages[0]
    assert page.engine == "text-layer" and len(page.tables) == 1
    table = page.tables[0]
    assert (table.rows, table.columns, table.ruled) == (5, 4, style != "unruled")
    assert table.grid() == truth.grid()
    spans = {(c.row, c.column): (c.row_span, c.column_span) for c in table.cells}
    for cell in truth.cells:
        assert spans[(cell.row, cell.column)] == (cell.row_span, cell.column_span)
    html = ocr.table_to_html(table)
    assert ('colspan="2"' in html and 'rowspan="2"' in html) == (style == "merged")


@needs_chromium
def test_form_key_values_and_checkboxes(rendered: dict) -> None:
    truth, png = rendered["form"]
    page = ocr.analyze(png, ["forms"]).pages[0]
    assert page.tables is None
    pairs = {kv.key.text.lower(): kv for kv in page.key_values}
    for key, value in truth.values.items():
        key = key.lower()
        assert pairs[key].value is not None and pairs[key].value.text == value, (key, pairs.get(key))
    for label, ticked in truth.checks.items():
        label = label.lower()
        assert pairs[label].selection is not None and pairs[label].selection.selected == ticked, label
    assert len(page.selection_elements) == len(truth.checks) and set(truth.checks.values()) == {True, False}


@needs_chromium
def test_rotated_table_page(rendered: dict) -> None:
    truth, png, _ = rendered["ruled"]
    turned = Image.open(io.BytesIO(png)).rotate(90, expand=True)
    page = ocr.analyze(encode(turned, "PNG", dpi=(288, 288)), ["tables"]).pages[0]
    assert page.rotation in (90, 270) and len(page.tables) == 1
    assert (page.tables[0].rows, page.tables[0].columns) == (5, 4)


@needs_chromium
def test_a_300_row_table_pdf_becomes_a_job_with_its_csv(client: TestClient, rendered: dict) -> None:
    truth, pdf = rendered["long"]
    response = client.post("/v1/ocr", files={"file": ("long.pdf", pdf)}, data={"features": "tables"})
    assert response.status_code == 202, response.text
    job = wait_for(client, response.json()["url"], timeout=300)
    assert job["status"] == "succeeded", job
    rows = client.get(job["result"]["files"]["tables_csv"]).text.splitlines()
    body = [r for r in rows if r]
    assert len(body) == 300 and body[0] == ",".join(truth.grid()[0]) and body[-1] == ",".join(truth.grid()[-1])


def test_no_table_is_an_empty_list_and_bad_features_are_400(client: TestClient, page_png: bytes) -> None:
    response = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"features": "tables,forms"})
    assert response.status_code == 200, response.text
    page = response.json()["pages"][0]
    assert page["tables"] == [] and page["selection_elements"] == []
    bad = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"features": "tables,charts"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "features"
    assert "charts" in bad.json()["error"]["message"]
    no_tables = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"format": "csv"})
    assert no_tables.status_code == 400 and no_tables.json()["error"]["param"] == "format"
    locked = client.post("/v1/ocr", files={"file": ("x.pdf", encrypted_pdf())}, data={"features": "tables"})
    assert locked.status_code == 400 and locked.json()["error"]["code"] == "pdf_encrypted"


@needs_chromium
def test_cli_writes_tables_csv(rendered: dict, tmp_path: Path) -> None:
    from api.cli import ocr as ocr_cli

    app = typer.Typer()
    ocr_cli.register(app)
    app.command("noop")(lambda: None)  # two commands keep `ocr` a subcommand
    truth, _, pdf = rendered["merged"]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["ocr", str(scan), "--tables", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[1] == ",".join(truth.grid()[1])


@needs_chromium
@needs_apertium
def test_translation_keeps_the_table(client: TestClient, rendered: dict) -> None:
    truth, _, pdf = rendered["ruled"]
    response = client.post("/v1/ocr/translate", files={"file": ("t.pdf", pdf)},
                           data={"target": "es", "source": "en", "features": "tables"})  # fmt: skip
    assert response.status_code == 200, response.text
    table = response.json()["pages"][0]["tables"][0]
    assert (table["rows"], table["columns"]) == (truth.rows, truth.columns)
    assert grid_of(table) == truth.grid()
    words = [c for c in table["cells"] if any(ch.isalpha() for ch in c["text"])]
    numbers = [c for c in table["cells"] if c["text"].replace(".", "").isdigit()]
    assert sum(c["translation"] != c["text"] for c in words) >= len(words) / 2, words
    assert numbers and all(c["translation"] == c["text"] for c in numbers)


def test_a_two_page_receipt_is_an_expense_job(client: TestClient) -> None:
    page = Image.open(io.BytesIO(receipt_png()))
    tiff = encode(page, "TIFF", save_all=True, append_images=[page], dpi=(300, 300))
    response = client.post("/v1/ocr/expense", files={"file": ("r.tiff", tiff, "image/tiff")})
    assert response.status_code == 202, response.text
    job = wait_for(client, response.json()["url"])
    assert job["status"] == "succeeded", job
    assert job["result"]["pages"] == 2 and job["result"]["fields"]["TOTAL"]["value"] == "19.61"
    assert len(client.get(job["result"]["files"]["expense_json"]).json()["pages"]) == 2
