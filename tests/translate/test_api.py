"""Translation over HTTP: LibreTranslate-compatible routes, /v1/translate, glossaries, OCR + translate."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

import ocr
from tests.ocr.conftest import encode, text_page
from tests.translate.conftest import needs_apertium

pytestmark = needs_apertium


def test_libretranslate_translate_json_and_form(client: TestClient) -> None:
    body = client.post("/translate", json={"q": "The house is red.", "source": "en", "target": "es"}).json()
    assert set(body) == {"translatedText"} and "casa" in body["translatedText"]
    body = client.post("/translate", data={"q": "El gato duerme en la cama.", "source": "auto", "target": "en"}).json()
    assert "cat" in body["translatedText"].lower()
    assert body["detectedLanguage"]["language"] == "es" and 0 < body["detectedLanguage"]["confidence"] <= 100
    batch = client.post("/translate", json={"q": ["Hello", "Good night"], "source": "en", "target": "ca"}).json()
    assert isinstance(batch["translatedText"], list) and len(batch["translatedText"]) == 2


def test_libretranslate_detect_and_languages(client: TestClient) -> None:
    detected = client.post("/detect", json={"q": "Bonjour tout le monde, comment allez-vous ?"}).json()
    assert detected[0]["language"] == "fr" and set(detected[0]) == {"confidence", "language"}
    langs = {entry["code"]: entry for entry in client.get("/languages").json()}
    assert langs["en"]["name"] == "English" and "es" in langs["en"]["targets"]


def test_v1_translate_batch_with_uploaded_glossary(client: TestClient) -> None:
    csv = b"source,target\nco-pay,copago fijo\nKeppra,Keppra\n"
    uploaded = client.post(
        "/v1/glossaries", data={"name": "clinic", "source": "en", "target": "es"}, files={"file": ("t.csv", csv)}
    )
    assert uploaded.status_code == 201 and uploaded.json()["entries"] == 2
    assert [g["name"] for g in client.get("/v1/glossaries").json()["data"]] == ["clinic"]
    response = client.post(
        "/v1/translate",
        json={
            "text": ["Your co-pay is due.", "Take Keppra daily."],
            "source": "en",
            "target": "es",
            "glossary": "clinic",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "copago fijo" in body["translations"][0] and "Keppra" in body["translations"][1]
    assert body["glossary"] == "clinic" and body["pivot"] is None
    assert (
        client.post("/v1/translate", json={"text": "Bonjour", "source": "fr", "target": "en"}).json()["pivot"] == "es"
    )
    assert client.delete("/v1/glossaries/clinic").json()["deleted"] is True


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"text": "Hallo", "source": "de", "target": "ja"}, 400, "unsupported_language_pair"),
        ({"text": "Hello", "source": "en", "target": "es", "glossary": "nope"}, 404, "glossary_not_found"),
        ({"text": [], "source": "en", "target": "es"}, 422, "validation_error"),
        ({"text": "Hello", "source": "en", "target": "es", "engine": "babelfish"}, 422, "validation_error"),
    ],
)
def test_bad_translation_requests_are_json_4xx(client: TestClient, payload: dict, status: int, code: str) -> None:
    response = client.post("/v1/translate", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_bad_glossary_and_bad_libre_request(client: TestClient) -> None:
    response = client.post("/v1/glossaries", data={"name": "x"}, files={"file": ("t.csv", b"only-one-column\n")})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_glossary"
    # LibreTranslate's shape: "error" is the message itself (its clients show that string)
    response = client.post("/translate", json={"q": "Hello"})
    body = response.json()
    assert response.status_code == 400 and body["param"] == "target" and body["error"].startswith("target:")
    response = client.post("/translate", json={"q": "Hello", "source": "en", "target": "xx"})
    assert (
        response.status_code == 400 and isinstance(response.json()["error"], str) and "xx" in response.json()["error"]
    )
    assert isinstance(client.post("/detect", json={"q": ""}).json()["error"], str)


def test_ocr_then_translate_block_by_block(client: TestClient) -> None:
    page = encode(text_page(["The house is red.", "", "", "The dog is small."]), "PNG")
    response = client.post(
        "/v1/ocr/translate",
        files={"file": ("p.png", page)},
        data={"target": "es", "source": "en", "orientation": "false"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    blocks = body["pages"][0]["blocks"]
    assert len(blocks) == 2
    assert "casa" in blocks[0]["translation"] and "perro" in blocks[1]["translation"]
    assert blocks[0]["bbox"]["top"] < blocks[1]["bbox"]["top"] and "house" in blocks[0]["text"]
    pdf = client.post(
        "/v1/ocr/translate", files={"file": ("p.png", page)}, data={"target": "es", "source": "en", "format": "pdf"}
    )
    assert pdf.headers["content-type"] == "application/pdf"
    assert "casa" in ocr.read(pdf.content).text


def test_ocr_translate_job_and_bad_pair(client: TestClient) -> None:
    scanned_pdf = encode(
        text_page(), "PDF", save_all=True, append_images=[text_page(["A second page."])], resolution=150
    )
    bad = client.post("/v1/ocr/translate", files={"file": ("s.pdf", scanned_pdf)}, data={"target": "ja"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unsupported_language_pair"
    response = client.post("/v1/ocr/translate", files={"file": ("s.pdf", scanned_pdf)}, data={"target": "es"})
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 120
    while (job := client.get(response.json()["url"]).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    assert job["result"]["source"] == "en" and "zorro" in job["result"]["text"]
    assert client.get(job["result"]["files"]["translated_pdf"]).content.startswith(b"%PDF")
