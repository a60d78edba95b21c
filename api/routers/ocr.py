"""ocr routes: POST /v1/ocr (sync for one page, a job for more) and POST /v1/ocr/translate (block by block)."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine

import nlp
import ocr
from api.deps import get_engine, get_jobs, get_pool, get_settings
from api.errors import ApiError
from api.jobs import JobAccepted, JobContext, JobService
from api.routers.translate import load_glossary, run_translate
from api.settings import Settings
from nlp.translate import languages
from workers import ModelPool, Priority

REQUIRES = ("pytesseract", "pypdfium2", "PIL")
router = APIRouter(tags=["ocr"])

OutputFormat = Literal["json", "text", "hocr", "pdf"]


def ocr_options(
    engine: str = Form("tesseract", description="tesseract, rapidocr or auto"),
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
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"])
        raise ApiError(422, f"{param}: {first['msg']}", code="validation_error", param=param) from exc


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


def run_read(data: bytes, options: ocr.OcrOptions, pool: ModelPool) -> ocr.Document:
    try:
        return ocr.read(data, options, pool=pool, priority=Priority.INTERACTIVE)
    except (ocr.OcrInputError, ocr.OcrEngineError) as exc:
        raise input_error(exc) from exc


def render(document: ocr.Document, data: bytes, options: ocr.OcrOptions, fmt: OutputFormat) -> Response:
    if fmt == "text":
        return PlainTextResponse(document.text)
    if fmt == "hocr":
        return Response(ocr.to_hocr(document), media_type="text/vnd.hocr+html; charset=utf-8")
    if fmt == "pdf":
        return Response(ocr.to_searchable_pdf(data, document, options), media_type="application/pdf")
    return JSONResponse(document.model_dump(mode="json"))


@router.post("/v1/ocr", responses={202: {"model": JobAccepted}})
def create_ocr(
    file: UploadFile = File(..., description="PNG, JPEG, TIFF or PDF"),
    format: OutputFormat = Form("json", description="json, text, hocr or pdf (searchable)"),
    as_job: bool = Form(False, alias="async", description="always answer with a job"),
    options: ocr.OcrOptions = Depends(ocr_options),
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
) -> Response:
    """One page answers at once; a multi-page document (or async=true) becomes a job whose files are
    document.json, document.txt, document.hocr and searchable.pdf."""
    data, pages = read_upload(file, options)
    if pages > options.max_pages:
        raise ApiError(413, f"the document has {pages} pages; the limit is {options.max_pages}", code="too_many_pages")
    if pages > 1 or as_job:
        record = jobs.submit("ocr.read", {"options": options.model_dump(), "pages": pages}, {"document": data})
        accepted = JobAccepted(id=record.id, status=record.status, url=record.url)
        return JSONResponse(accepted.model_dump(mode="json"), status_code=202)
    return render(run_read(data, options, pool), data, options, format)


def _write_outputs(ctx: JobContext, data: bytes, document: ocr.Document, options: ocr.OcrOptions) -> dict[str, str]:
    files = {
        "document.json": document.model_dump_json(),
        "document.txt": document.text,
        "document.hocr": ocr.to_hocr(document),
    }
    for name, text in files.items():
        ctx.output_path(name).write_text(text)
    ctx.output_path("searchable.pdf").write_bytes(ocr.to_searchable_pdf(data, document, options))
    return {name.replace(".", "_"): f"/v1/jobs/{ctx.job_id}/files/{name}" for name in [*files, "searchable.pdf"]}


def run_ocr_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    options = ocr.OcrOptions(**params["options"])
    data = ctx.input_path("document").read_bytes()
    total = params.get("pages") or ocr.count_pages(data)

    def progress(done: int, _: int | None) -> None:
        ctx.set_progress(95.0 * done / total, f"page {done} of {total}")

    document = ocr.read(data, options, pool=ctx.pool, priority=Priority.BATCH, progress=progress)
    files = _write_outputs(ctx, data, document, options)
    return {
        "pages": len(document.pages),
        "characters": len(document.text),
        "text": document.text[:10_000],
        "files": files,
    }


# -- OCR then translate, block by block ---------------------------------------------------------------
def block_texts(document: ocr.Document) -> list[tuple[int, int, str]]:
    """(page, block id, text) for every block with text; lines are joined so sentences span line breaks."""
    return [(p.number, b.id, " ".join(ln.text for ln in b.lines)) for p in document.pages for b in p.blocks if b.text]


def translate_document(
    document: ocr.Document, translate: Any, target: str, source: str
) -> tuple[dict[str, Any], dict[int, dict[int, str]]]:
    """The translation response body and {page: {block: translated text}} for the PDF."""
    blocks = block_texts(document)
    if not blocks:
        empty = {"source": source, "target": target, "text": "", "original_text": "", "pages": []}
        return empty, {}
    result: nlp.TranslationResult = translate([t for _, _, t in blocks], target, source)
    by_page: dict[int, dict[int, str]] = {}
    for (page, block, _), text in zip(blocks, result.translations, strict=True):
        by_page.setdefault(page, {})[block] = text
    pages = []
    for page in document.pages:
        translated = by_page.get(page.number, {})
        pages.append(
            {
                "number": page.number,
                "text": "\n\n".join(translated[b.id] for b in page.blocks if b.id in translated),
                "blocks": [
                    {"id": b.id, "bbox": b.bbox.model_dump(), "text": b.text, "translation": translated[b.id]}
                    for b in page.blocks
                    if b.id in translated
                ],
            }
        )
    body = {
        "source": result.source,
        "target": result.target,
        "engine": result.engine,
        "route": result.route,
        "pivot": result.pivot,
        "glossary": result.glossary,
        "text": "\n\f".join(p["text"] for p in pages),
        "original_text": document.text,
        "pages": pages,
    }
    return body, by_page


def check_pair(source: str, target: str) -> None:
    """Fail before any OCR when the pair cannot be translated."""
    reachable = languages()
    targets = reachable.get(source, []) if source != "auto" else sorted({t for ts in reachable.values() for t in ts})
    if target not in targets:
        pairs = ", ".join(f"{s}-{t}" for s, ts in reachable.items() for t in ts)
        raise ApiError(
            400, f"no translation from {source!r} to {target!r}; available: {pairs}", code="unsupported_language_pair",
            param="target",
        )  # fmt: skip


@router.post("/v1/ocr/translate", responses={202: {"model": JobAccepted}})
def create_ocr_translation(
    file: UploadFile = File(..., description="PNG, JPEG, TIFF or PDF"),
    target: str = Form(..., description="ISO 639-1 target language"),
    source: str = Form("auto"),
    glossary: str | None = Form(None),
    format: Literal["json", "pdf"] = Form(
        "json", description="json, or pdf: the translated text drawn over each block"
    ),
    as_job: bool = Form(False, alias="async"),
    options: ocr.OcrOptions = Depends(ocr_options),
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
    settings: Settings = Depends(get_settings),
    engine: Engine = Depends(get_engine),
) -> Response:
    check_pair(source, target)
    data, pages = read_upload(file, options)
    entries = load_glossary(glossary, engine)
    if pages > options.max_pages:
        raise ApiError(413, f"the document has {pages} pages; the limit is {options.max_pages}", code="too_many_pages")
    if pages > 1 or as_job:
        params = {"options": options.model_dump(), "pages": pages, "target": target, "source": source,
                  "glossary": entries.model_dump() if entries else None}  # fmt: skip
        record = jobs.submit("ocr.translate", params, {"document": data})
        accepted = JobAccepted(id=record.id, status=record.status, url=record.url)
        return JSONResponse(accepted.model_dump(mode="json"), status_code=202)
    document = run_read(data, options, pool)

    def translate(texts: list[str], tgt: str, src: str) -> nlp.TranslationResult:
        return run_translate(texts, tgt, src, pool, settings, glossary=entries)

    body, by_page = translate_document(document, translate, target, source)
    if format == "pdf":
        return Response(ocr.to_searchable_pdf(data, document, options, by_page), media_type="application/pdf")
    return JSONResponse(body)


def run_ocr_translate_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    options = ocr.OcrOptions(**params["options"])
    data = ctx.input_path("document").read_bytes()
    total = params.get("pages") or ocr.count_pages(data)
    entries = nlp.Glossary(**params["glossary"]) if params.get("glossary") else None

    def progress(done: int, _: int | None) -> None:
        ctx.set_progress(80.0 * done / total, f"read page {done} of {total}")

    document = ocr.read(data, options, pool=ctx.pool, priority=Priority.BATCH, progress=progress)

    def translate(texts: list[str], tgt: str, src: str) -> nlp.TranslationResult:
        return nlp.translate(texts, tgt, src, glossary=entries, pool=ctx.pool, priority=Priority.BATCH)

    body, by_page = translate_document(document, translate, params["target"], params["source"])
    ctx.set_progress(90.0, "writing files")
    ctx.output_path("translation.json").write_text(json.dumps(body))
    ctx.output_path("translated.pdf").write_bytes(ocr.to_searchable_pdf(data, document, options, by_page))
    files = {
        name.replace(".", "_"): f"/v1/jobs/{ctx.job_id}/files/{name}" for name in ("translation.json", "translated.pdf")
    }
    return {"pages": len(document.pages), "source": body["source"], "target": params["target"],
            "text": body["text"][:10_000], "files": files}  # fmt: skip


JOB_KINDS = {"ocr.read": run_ocr_job, "ocr.translate": run_ocr_translate_job}
