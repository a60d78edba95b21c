"""POST /v1/ocr through the gateway: sync JSON/text/hOCR/PDF for one page, a job for more, 4xx for bad input."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

import ocr
from tests.ocr.conftest import encode
from tests.ocr.test_bad_input import encrypted_pdf, huge_png_header

pytestmark = pytest.mark.skipif(not ocr.get_engine("tesseract").available(), reason="tesseract not installed")


def wait_for(client: TestClient, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {url} did not finish")


def test_one_image_answers_at_once(client: TestClient, page_png: bytes) -> None:
    response = client.post(
        "/v1/ocr", files={"file": ("page.png", page_png, "image/png")}, data={"orientation": "false"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "quick brown fox" in body["text"]
    word = body["pages"][0]["blocks"][0]["lines"][0]["words"][0]
    assert set(word) == {"text", "confidence", "bbox"} and set(word["bbox"]) == {"left", "top", "width", "height"}

    text = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"format": "text"})
    assert text.headers["content-type"].startswith("text/plain") and "lazy dog" in text.text
    hocr = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"format": "hocr"})
    assert "ocrx_word" in hocr.text
    pdf = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "quick" in ocr.read(pdf.content).text


def test_multipage_pdf_becomes_a_job_with_files(client: TestClient, scanned_pdf: bytes) -> None:
    response = client.post("/v1/ocr", files={"file": ("scan.pdf", scanned_pdf, "application/pdf")})
    assert response.status_code == 202, response.text
    job = wait_for(client, response.json()["url"])
    assert job["status"] == "succeeded", job
    assert job["result"]["pages"] == 2 and "hello" in job["result"]["text"].lower()
    files = job["result"]["files"]
    document = client.get(files["document_json"]).json()
    assert len(document["pages"]) == 2
    searchable = client.get(files["searchable_pdf"])
    assert searchable.content.startswith(b"%PDF") and "hello" in ocr.read(searchable.content).text.lower()


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 400, "empty_document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00broken", 400, "corrupt_document"),
        (b"GIF89a not supported", 415, "unsupported_format"),
    ],
)
def test_bad_files_are_json_4xx(client: TestClient, content: bytes, status: int, code: str) -> None:
    response = client.post("/v1/ocr", files={"file": ("x.png", content)})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_oversized_encrypted_and_overlong_documents(client: TestClient) -> None:
    from PIL import Image

    response = client.post("/v1/ocr", files={"file": ("big.png", huge_png_header(10_000, 10_000))})
    assert response.status_code == 413 and response.json()["error"]["code"] == "image_too_large"
    response = client.post("/v1/ocr", files={"file": ("locked.pdf", encrypted_pdf())})
    assert response.status_code == 400 and response.json()["error"]["code"] == "pdf_encrypted"
    blank = Image.new("L", (20, 20), 255)
    long_pdf = encode(blank, "PDF", save_all=True, append_images=[blank] * 500)
    response = client.post("/v1/ocr", files={"file": ("long.pdf", long_pdf)})
    assert response.status_code == 413 and "501 pages" in response.json()["error"]["message"]


def test_bad_options_are_422(client: TestClient, page_png: bytes) -> None:
    response = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"engine": "magic"})
    assert response.status_code == 422 and response.json()["error"]["param"] == "engine"
    response = client.post("/v1/ocr", files={"file": ("p.png", page_png)}, data={"lang": "klingon"})
    assert response.status_code == 400 and "klingon" in response.json()["error"]["message"]
