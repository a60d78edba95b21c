"""Amazon Textract onto ocr: DetectDocumentText (one page: PNG, JPEG, TIFF or PDF bytes, or an S3 object on the
configured endpoint) as PAGE / LINE / WORD blocks with relative BoundingBox and Polygon, CHILD relationships and
confidences.

AnalyzeDocument (TABLES, FORMS) and AnalyzeExpense are slots for voxgate's document-structure work (issue 15, being
built on its own branch): until it lands they answer InvalidParameterException naming what is missing, never a 500.
"""

from __future__ import annotations

import uuid
from typing import Any

import ocr
from api.aws import media
from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from workers import Priority

MAX_BYTES = 10 * 1024 * 1024  # Textract's synchronous limit


def _document(ctx: AwsContext, document: dict[str, Any]) -> bytes:
    if document.get("Bytes"):
        data = document["Bytes"]
    elif document.get("S3Object"):
        s3 = document["S3Object"]
        if not ctx.settings.aws.s3_endpoint_url:
            raise AwsError("InvalidS3ObjectException", "S3 documents need VOXGATE_AWS_S3_ENDPOINT_URL configured")
        try:
            data = media.read(f"s3://{s3['Bucket']}/{s3['Name']}", ctx.settings.aws)
        except Exception as exc:  # the S3 endpoint's own error, whatever it is
            raise AwsError("InvalidS3ObjectException", f"cannot read the S3 object: {exc}") from exc
    else:
        raise AwsError("InvalidParameterException", "give Document.Bytes or Document.S3Object")
    if len(data) > MAX_BYTES:
        raise AwsError("DocumentTooLargeException", f"synchronous documents are at most {MAX_BYTES} bytes")
    return data


def _geometry(left: float, top: float, width: float, height: float, page: ocr.Page) -> dict[str, Any]:
    box = {
        "Left": left / page.width,
        "Top": top / page.height,
        "Width": width / page.width,
        "Height": height / page.height,
    }
    right, bottom = box["Left"] + box["Width"], box["Top"] + box["Height"]
    polygon = [
        {"X": box["Left"], "Y": box["Top"]},
        {"X": right, "Y": box["Top"]},
        {"X": right, "Y": bottom},
        {"X": box["Left"], "Y": bottom},
    ]
    return {"BoundingBox": box, "Polygon": polygon}


def _bbox_geometry(bbox: ocr.BBox, page: ocr.Page) -> dict[str, Any]:
    return _geometry(bbox.left, bbox.top, bbox.width, bbox.height, page)


def blocks(document: ocr.Document) -> list[dict[str, Any]]:
    """Textract's block list for a read document, pages in order, each PAGE before its LINEs and WORDs."""
    out: list[dict[str, Any]] = []
    for page in document.pages:
        page_block = {
            "BlockType": "PAGE",
            "Id": str(uuid.uuid4()),
            "Page": page.number,
            "Geometry": _geometry(0, 0, page.width, page.height, page),
            "Relationships": [],
        }
        out.append(page_block)
        line_ids = []
        for block in page.blocks:
            for line in block.lines:
                line_block = {
                    "BlockType": "LINE",
                    "Id": str(uuid.uuid4()),
                    "Page": page.number,
                    "Text": line.text,
                    "Confidence": float(line.confidence),
                    "Geometry": _bbox_geometry(line.bbox, page),
                }
                words = [
                    {
                        "BlockType": "WORD",
                        "Id": str(uuid.uuid4()),
                        "Page": page.number,
                        "Text": w.text,
                        "TextType": "PRINTED",
                        "Confidence": float(w.confidence),
                        "Geometry": _bbox_geometry(w.bbox, page),
                    }
                    for w in line.words
                ]
                if words:
                    line_block["Relationships"] = [{"Type": "CHILD", "Ids": [w["Id"] for w in words]}]
                line_ids.append(line_block["Id"])
                out += [line_block, *words]
        if line_ids:
            page_block["Relationships"] = [{"Type": "CHILD", "Ids": line_ids}]
        else:
            del page_block["Relationships"]
    return out


def detect_document_text(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    data = _document(ctx, p["Document"])
    try:
        if ocr.count_pages(data) > 1:
            raise AwsError(
                "UnsupportedDocumentException",
                "synchronous operations read one page; this document "
                "has more (voxgate's POST /v1/ocr reads it as a job)",
            )
        document = ocr.read(data, ocr.OcrOptions(), pool=ctx.pool, priority=Priority.INTERACTIVE)
    except ocr.OcrInputError as exc:
        raise AwsError(
            "UnsupportedDocumentException" if exc.code == "unsupported_format" else "BadDocumentException", str(exc)
        ) from exc
    except ocr.OcrEngineError as exc:
        raise AwsError("InternalServerError", str(exc), 500) from exc
    return {
        "DocumentMetadata": {"Pages": len(document.pages)},
        "Blocks": blocks(document),
        "DetectDocumentTextModelVersion": "voxgate-ocr-1",
    }


def _awaiting(what: str) -> Any:
    def operation(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
        raise AwsError(
            "InvalidParameterException",
            f"{what} is not offered yet: it builds on voxgate's document "
            "structure (tables, forms, receipts), which this build does not have; DetectDocumentText is "
            "offered",
        )

    return operation


OPERATIONS = {
    "DetectDocumentText": detect_document_text,
    "AnalyzeDocument": _awaiting("AnalyzeDocument"),  # slot: issue 15 (documents)
    "AnalyzeExpense": _awaiting("AnalyzeExpense"),  # slot: issue 15 (documents)
}
