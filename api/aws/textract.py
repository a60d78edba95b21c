"""Amazon Textract onto ocr: DetectDocumentText (one page: PNG, JPEG, TIFF or PDF bytes, or an S3 object on the
configured endpoint) as PAGE / LINE / WORD blocks with relative BoundingBox and Polygon, CHILD relationships and
confidences.
AnalyzeDocument (TABLES, FORMS) from `ocr.analyze`: TABLE / CELL / MERGED_CELL, KEY_VALUE_SET, SELECTION_ELEMENT;
QUERIES, SIGNATURES and LAYOUT answer InvalidParameterException. AnalyzeExpense from `ocr.analyze_expense`:
SummaryFields, LineItemGroups and the page's blocks. The block graph is built in `textract_blocks.py`.
"""

from __future__ import annotations

from typing import Any

import ocr
from api.aws import media
from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from api.aws.textract_blocks import blocks, expense_documents
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


def detect_document_text(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    data = _document(ctx, p["Document"])
    try:
        _one_page(data)
        document = ocr.read(data, ocr.OcrOptions(), pool=ctx.pool, priority=Priority.INTERACTIVE)
    except ocr.OcrInputError as exc:
        raise _input_error(exc) from exc
    except ocr.OcrEngineError as exc:
        raise AwsError("InternalServerError", str(exc), 500) from exc
    return {
        "DocumentMetadata": {"Pages": len(document.pages)},
        "Blocks": blocks(document),
        "DetectDocumentTextModelVersion": "voxgate-ocr-1",
    }


UNSUPPORTED_FEATURES = {"QUERIES", "SIGNATURES", "LAYOUT"}


def _one_page(data: bytes) -> None:
    if ocr.count_pages(data) > 1:
        raise AwsError(
            "UnsupportedDocumentException",
            "synchronous operations read one page; this document has more (voxgate's POST /v1/ocr reads it as a job)",
        )


def _input_error(exc: ocr.OcrInputError) -> AwsError:
    return AwsError(
        "UnsupportedDocumentException" if exc.code == "unsupported_format" else "BadDocumentException", str(exc)
    )


def analyze_document(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    asked = list(dict.fromkeys(p["FeatureTypes"]))
    unsupported = [f for f in asked if f in UNSUPPORTED_FEATURES]
    if unsupported:
        raise AwsError(
            "InvalidParameterException",
            f"FeatureTypes {', '.join(unsupported)} are not offered by voxgate; TABLES and FORMS are",
        )
    if p.get("QueriesConfig"):
        raise AwsError("InvalidParameterException", "QueriesConfig needs QUERIES, not offered")
    data = _document(ctx, p["Document"])
    try:
        _one_page(data)
        document = ocr.analyze(data, [f.lower() for f in asked], ocr.OcrOptions(), pool=ctx.pool,
                               priority=Priority.INTERACTIVE)  # fmt: skip
    except ocr.OcrInputError as exc:
        raise _input_error(exc) from exc
    except ocr.OcrEngineError as exc:
        raise AwsError("InternalServerError", str(exc), 500) from exc
    return {
        "DocumentMetadata": {"Pages": len(document.pages)},
        "Blocks": blocks(document),
        "AnalyzeDocumentModelVersion": "voxgate-ocr-1",
    }


def analyze_expense(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    data = _document(ctx, p["Document"])
    try:
        _one_page(data)
        expense = ocr.analyze_expense(data, pool=ctx.pool, priority=Priority.INTERACTIVE,
                                      second_reading=ctx.settings.ocr.second_reading)  # fmt: skip
    except ocr.OcrInputError as exc:
        raise _input_error(exc) from exc
    except ocr.OcrEngineError as exc:
        raise AwsError("InternalServerError", str(exc), 500) from exc
    return {"DocumentMetadata": {"Pages": len(expense.pages)}, "ExpenseDocuments": expense_documents(expense)}


OPERATIONS = {
    "DetectDocumentText": detect_document_text,
    "AnalyzeDocument": analyze_document,
    "AnalyzeExpense": analyze_expense,
}
