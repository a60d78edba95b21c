"""Textract through boto3: the words and lines of a rendered page match what our OCR reads; geometry is relative."""

from __future__ import annotations

import io

import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)
from PIL import Image, ImageDraw, ImageFont

LINES = ["Patient name Jane Doe", "Prescribed amoxicillin 500 mg", "Return in two weeks."]


def page_png() -> bytes:
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (1100, 420), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((60, 60 + i * 100), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_detect_document_text_matches_our_ocr(aws, gateway) -> None:
    import ocr

    data = page_png()
    answer = aws("textract").detect_document_text(Document={"Bytes": data})
    ours = ocr.read(data, ocr.OcrOptions(), pool=gateway.app.state.pool)
    blocks = answer["Blocks"]
    by_id = {b["Id"]: b for b in blocks}
    assert answer["DocumentMetadata"]["Pages"] == 1
    page = next(b for b in blocks if b["BlockType"] == "PAGE")
    lines = [by_id[i] for i in page["Relationships"][0]["Ids"]]
    assert [line["Text"] for line in lines] == [line.text for b in ours.pages[0].blocks for line in b.lines]
    assert [line["Text"] for line in lines] == LINES
    words = [b["Text"] for b in blocks if b["BlockType"] == "WORD"]
    assert words == [w.text for b in ours.pages[0].blocks for line in b.lines for w in line.words]
    for line in lines:
        children = [by_id[i] for i in line["Relationships"][0]["Ids"]]
        assert " ".join(c["Text"] for c in children) == line["Text"]
        box = line["Geometry"]["BoundingBox"]
        assert 0 <= box["Left"] < 1 and 0 <= box["Top"] < 1 and 0 < box["Width"] <= 1 and 0 < box["Height"] <= 1
        assert len(line["Geometry"]["Polygon"]) == 4 and 0 < line["Confidence"] <= 100
    tops = [line["Geometry"]["BoundingBox"]["Top"] for line in lines]
    assert tops == sorted(tops)


def test_textract_errors(aws) -> None:
    textract = aws("textract")
    with pytest.raises(textract.exceptions.UnsupportedDocumentException):
        textract.detect_document_text(Document={"Bytes": b"plain text is not a document"})
