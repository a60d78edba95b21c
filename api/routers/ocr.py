"""ocr routes: POST /v1/ocr (sync for one page, a job for more; features=tables,forms for document analysis),
POST /v1/ocr/expense (receipts and invoices) and POST /v1/ocr/translate (block by block)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine

import nlp
import ocr
from api.compose.ocr import read_and_translate, translator
from api.deps import get_engine, get_jobs, get_pool, get_settings
from api.errors import ApiError, error_responses, validation_error
from api.jobs import JobAccepted, JobService
from api.responses import accepted
from api.settings import Settings
from api.translation import load_glossary, translation_error
from workers import ModelPool, Priority

router = APIRouter(tags=["ocr"])

OutputFormat = Literal["json", "text", "hocr", "pdf", "csv", "html"]

_TEXT = {"schema": {"type": "string"}}
_JOB = {202: {"model": JobAccepted, "description": "a multi-page document or async=true: a job"}}
# 415: not PNG, JPEG, TIFF or PDF.
OCR_RESPONSES = {
    200: {"description": "the document in `format`", "content": {
        "application/json": {"schema": {"type": "object"}}, "text/plain": _TEXT, "text/vnd.hocr+html": _TEXT,
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}, "text/csv": _TEXT, "text/html": _TEXT,
    }},
    **_JOB, **error_responses(415),
}  # fmt: skip
EXPENSE_RESPONSES = {**_JOB, **error_responses(415)}
TRANSLATE_RESPONSES = {
    200: {"description": "the translated blocks (json) or the translated PDF", "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    }},
    **_JOB, **error_responses(404, 415),
}  # fmt: skip


def ocr_options(
    engine: str = Form("tesseract", description="a registered engine (tesseract, rapidocr, ...) or auto"),
    lang: str = Form("eng", description="Tesseract languages, '+'-joined, or auto (by the script OSD detects)"),
    psm: int | None = Form(None, description="Tesseract page segmentation mode"),
    orientation: bool = Form(True),
    deskew: bool = Form(False),
    use_text_layer: bool = Form(True),
    dpi: int = Form(300),
) -> ocr.OcrOptions:
    try:
        return ocr.OcrOptions(
            engine=engine,
            lang=lang,
            psm=psm,
            orientation=orientation,
            deskew=deskew,
            use_text_layer=use_text_layer,
            dpi=dpi,
        )  # type: ignore[arg-type]
    except ValidationError as exc:
        raise validation_error(exc) from exc


def input_error(exc: ocr.OcrInputError | ocr.OcrEngineError) -> ApiError:
    if isinstance(exc, ocr.OcrInputError):
        return ApiError(exc.status, str(exc), code=exc.code, param="file")
    return ApiError(503, str(exc), code="engine_unavailable", param="engine")


def read_upload(file: UploadFile, options: ocr.OcrOptions) -> tuple[bytes, int]:
    data = file.file.read()
    try:
        return data, ocr.count_pages(data)
    except ocr.OcrInputError as exc:
        raise input_error(exc) from exc


def run_read(data: bytes, options: ocr.OcrOptions, pool: ModelPool, features: list[str]) -> ocr.Document:
    try:
        if features:
            return ocr.analyze(data, features, options, pool=pool, priority=Priority.INTERACTIVE)
        return ocr.read(data, options, pool=pool, priority=Priority.INTERACTIVE)
    except (ocr.OcrInputError, ocr.OcrEngineError) as exc:
        raise input_error(exc) from exc


def parse_features(features: str) -> list[str]:
    try:
        return list(ocr.check_features(features.split(",")))
    except ocr.OcrInputError as exc:
        raise ApiError(400, str(exc), code=exc.code, param="features") from exc


def render(document: ocr.Document, data: bytes, options: ocr.OcrOptions, fmt: OutputFormat) -> Response:
    if fmt == "text":
        return PlainTextResponse(document.text)
    if fmt == "hocr":
        return Response(ocr.to_hocr(document), media_type="text/vnd.hocr+html; charset=utf-8")
    if fmt == "pdf":
        return Response(ocr.to_searchable_pdf(data, document, options), media_type="application/pdf")
    if fmt == "csv":
        return Response(ocr.tables_to_csv(document), media_type="text/csv; charset=utf-8")
    if fmt == "html":
        return Response(ocr.tables_to_html(document), media_type="text/html; charset=utf-8")
    return JSONResponse(document.model_dump(mode="json"))


@router.post("/v1/ocr", response_class=Response, responses=OCR_RESPONSES)
def create_ocr(
    file: UploadFile = File(..., description="PNG, JPEG, TIFF or PDF"),
    format: OutputFormat = Form(
        "json", description="json, text, hocr, pdf (searchable), or with features=tables: csv or html (the tables)"
    ),
    features: str = Form("", description="comma-separated: tables, forms (Page.tables, key_values, ...)"),
    as_job: bool = Form(False, alias="async", description="always answer with a job"),
    options: ocr.OcrOptions = Depends(ocr_options),
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
) -> Response:
    """One page answers at once; a multi-page document (or async=true) becomes a job whose files are
    document.json, document.txt, document.hocr and searchable.pdf (and tables.csv, tables.html with tables)."""
    wanted = parse_features(features)
    if format in ("csv", "html") and "tables" not in wanted:
        raise ApiError(400, f"format={format} exports tables: add features=tables", code="invalid_format",
                       param="format")  # fmt: skip
    data, pages = read_upload(file, options)
    if pages > options.max_pages:
        raise ApiError(413, f"the document has {pages} pages; the limit is {options.max_pages}", code="too_many_pages")
    if pages > 1 or as_job:
        params = {"options": options.model_dump(), "pages": pages, "features": wanted}
        return accepted(jobs.accept("ocr.read", params, {"document": data}))
    return render(run_read(data, options, pool, wanted), data, options, format)


@router.post("/v1/ocr/expense", response_class=JSONResponse, responses=EXPENSE_RESPONSES)
def create_expense(
    file: UploadFile = File(..., description="a receipt or invoice: PNG, JPEG, TIFF or PDF"),
    date_order: Literal["DMY", "MDY"] = Form("DMY", description="how to read 03/04/2024: DMY or MDY (US)"),
    second_reading: bool | None = Form(
        None,
        description="with engine=tesseract, also read with RapidOCR and fuse the two (more fields right, "
        "~3 CPU-s more a page); false: Tesseract alone; default: VOXGATE_OCR_SECOND_READING (true)",
    ),
    as_job: bool = Form(False, alias="async", description="always answer with a job"),
    options: ocr.OcrOptions = Depends(ocr_options),
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Textract AnalyzeExpense fields (VENDOR_NAME, VENDOR_ADDRESS, INVOICE_RECEIPT_DATE, TOTAL, TAX, SUBTOTAL,
    ...) as {text, value, confidence, bbox}, line items, and the pages. More than one page becomes a job."""
    second_reading = settings.ocr.second_reading if second_reading is None else second_reading
    data, pages = read_upload(file, options)
    if pages > options.max_pages:
        raise ApiError(413, f"the document has {pages} pages; the limit is {options.max_pages}", code="too_many_pages")
    if pages > 1 or as_job:
        params = {"options": options.model_dump(), "pages": pages, "date_order": date_order,
                  "second_reading": second_reading}  # fmt: skip
        return accepted(jobs.accept("ocr.expense", params, {"document": data}))
    try:
        result = ocr.analyze_expense(data, options, pool=pool, priority=Priority.INTERACTIVE, date_order=date_order,
                                     second_reading=second_reading)  # fmt: skip
    except (ocr.OcrInputError, ocr.OcrEngineError) as exc:
        raise input_error(exc) from exc
    return JSONResponse(result.model_dump(mode="json"))


def check_pair(source: str, target: str) -> None:
    """Fail before any OCR when the pair cannot be translated."""
    reachable = nlp.languages()
    targets = reachable.get(source, []) if source != "auto" else sorted({t for ts in reachable.values() for t in ts})
    if target not in targets:
        pairs = ", ".join(f"{s}-{t}" for s, ts in reachable.items() for t in ts)
        raise ApiError(
            400, f"no translation from {source!r} to {target!r}; available: {pairs}", code="unsupported_language_pair",
            param="target",
        )  # fmt: skip


@router.post("/v1/ocr/translate", response_class=Response, responses=TRANSLATE_RESPONSES)
def create_ocr_translation(
    file: UploadFile = File(..., description="PNG, JPEG, TIFF or PDF"),
    target: str = Form(..., description="ISO 639-1 target language"),
    source: str = Form("auto"),
    glossary: str | None = Form(None),
    format: Literal["json", "pdf"] = Form(
        "json", description="json, or pdf: the translated text drawn over each block"
    ),
    features: str = Form("", description="tables: also find the tables and translate them cell by cell"),
    as_job: bool = Form(False, alias="async"),
    options: ocr.OcrOptions = Depends(ocr_options),
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
    settings: Settings = Depends(get_settings),
    engine: Engine = Depends(get_engine),
) -> Response:
    check_pair(source, target)
    wanted = parse_features(features)
    data, pages = read_upload(file, options)
    entries = load_glossary(glossary, engine)
    if pages > options.max_pages:
        raise ApiError(413, f"the document has {pages} pages; the limit is {options.max_pages}", code="too_many_pages")
    if pages > 1 or as_job:
        params = {"options": options.model_dump(), "pages": pages, "target": target, "source": source,
                  "glossary": entries.model_dump() if entries else None, "features": wanted}  # fmt: skip
        return accepted(jobs.accept("ocr.translate", params, {"document": data}))
    translate = translator(pool, Priority.INTERACTIVE, settings.model_dir, entries)
    try:
        document, translated = read_and_translate(data, options, target, source, translate, pool,
                                                  features=wanted)  # fmt: skip
    except (ocr.OcrInputError, ocr.OcrEngineError) as exc:
        raise input_error(exc) from exc
    except nlp.TranslationError as exc:
        raise translation_error(exc) from exc
    if format == "pdf":
        pdf = ocr.to_searchable_pdf(data, document, options, translated.by_page)
        return Response(pdf, media_type="application/pdf")
    return JSONResponse(translated.body)
