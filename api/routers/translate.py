"""Translation routes: LibreTranslate-compatible /translate, /detect, /languages; /v1/translate with
glossaries and batches; /v1/glossaries to upload (CSV or TMX), list and delete glossaries."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine

import nlp
from api.deps import get_engine, get_pool, get_settings
from api.errors import ApiError, LibreTranslateError, error_responses, validation_error
from api.openapi import inline_schema, request_body
from api.settings import Settings
from api.stores.glossaries import GlossaryStore
from api.translation import LANGUAGE_NAMES as NAMES
from api.translation import load_glossary, translation_error
from nlp.translate import TranslationError, TranslationResult, languages, parse_glossary
from workers import ModelPool, Priority

router = APIRouter(tags=["translate"])

GLOSSARY_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def run_translate(texts: list[str], target: str, source: str, pool: ModelPool, settings: Settings,
                  **kwargs: Any) -> TranslationResult:  # fmt: skip
    try:
        return nlp.translate(texts, target, source, pool=pool, model_dir=str(settings.model_dir / "ct2"),
                             priority=Priority.INTERACTIVE, **kwargs)  # fmt: skip
    except TranslationError as exc:
        raise translation_error(exc) from exc


# -- LibreTranslate-compatible ---------------------------------------------------------------------------
class LibreTranslateRequest(BaseModel):
    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text", "html"] = "text"
    alternatives: int = Field(0, ge=0, le=3)
    api_key: str | None = None


class LibreDetectRequest(BaseModel):
    q: str
    api_key: str | None = None


class LibreDetection(BaseModel):
    confidence: int | float
    language: str


class LibreTranslation(BaseModel):
    translatedText: str | list[str]  # noqa: N815 - LibreTranslate's field names
    detectedLanguage: LibreDetection | list[LibreDetection] | None = None  # noqa: N815
    alternatives: list[str] | list[list[str]] | None = None


class LibreLanguage(BaseModel):
    code: str
    name: str
    targets: list[str]


def _libre_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """The body LibreTranslate reads: JSON or form fields (urlencoded or multipart) with the model's fields."""
    schema = inline_schema(model)
    return request_body(json=schema, form=schema, multipart=schema)


# LibreTranslate's errors are {"error": "message"} (api.errors.error_response), 404: an unknown glossary.
LIBRE_ERRORS = error_responses(400, 401, 413, 422, 429, 503, model=LibreTranslateError)


async def _libre_raw(request: Request) -> dict[str, Any]:
    """LibreTranslate takes JSON or form fields alike."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            raw = await request.json()
        except ValueError as exc:
            raise ApiError(400, f"request body is not valid JSON: {exc}", code="malformed_json") from exc
        if not isinstance(raw, dict):
            raise ApiError(400, "the JSON body must be an object", code="invalid_request")
        return raw
    form = await request.form()
    return {k: (form.getlist(k) if k == "q" and len(form.getlist(k)) > 1 else v) for k, v in form.items()}


async def _libre_body(request: Request) -> LibreTranslateRequest:
    raw = await _libre_raw(request)
    try:
        return LibreTranslateRequest.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, status=400) from exc


def _libre_detected(result: TranslationResult, index: int) -> dict[str, Any]:
    detection = result.detected[index] if result.detected and index < len(result.detected) else None
    return {"confidence": round(detection.confidence) if detection else 0, "language": result.source}


@router.post(
    "/translate", response_model=LibreTranslation, response_model_exclude_none=True, responses=LIBRE_ERRORS,
    openapi_extra=_libre_openapi(LibreTranslateRequest),
)
async def libre_translate(
    request: Request, pool: ModelPool = Depends(get_pool), settings: Settings = Depends(get_settings)
) -> dict[str, Any]:
    body = await _libre_body(request)
    texts = [body.q] if isinstance(body.q, str) else body.q
    result = await asyncio.to_thread(run_translate, texts, body.target, body.source, pool, settings, fmt=body.format)
    out: dict[str, Any] = {"translatedText": result.translations[0] if isinstance(body.q, str) else result.translations}
    if body.source == "auto":
        out["detectedLanguage"] = (
            _libre_detected(result, 0)
            if isinstance(body.q, str)
            else [_libre_detected(result, i) for i in range(len(texts))]
        )
    if body.alternatives:
        out["alternatives"] = [] if isinstance(body.q, str) else [[] for _ in texts]
    return out


@router.post(
    "/detect", response_model=list[LibreDetection], responses=LIBRE_ERRORS,
    openapi_extra=_libre_openapi(LibreDetectRequest),
)
async def libre_detect(request: Request, pool: ModelPool = Depends(get_pool)) -> list[dict[str, Any]]:
    q = (await _libre_raw(request)).get("q")
    if not isinstance(q, str) or not q.strip():
        raise ApiError(400, "q: a non-empty text is required", code="validation_error", param="q")
    detections = await asyncio.to_thread(nlp.detect, q[:10_000], 3, pool, Priority.INTERACTIVE)
    return [{"confidence": d.confidence, "language": d.language} for d in detections[0]]


@router.get("/languages", response_model=list[LibreLanguage], responses=LIBRE_ERRORS)
def libre_languages() -> list[dict[str, Any]]:
    return [{"code": c, "name": NAMES.get(c, c), "targets": t} for c, t in languages().items()]


# -- /v1/translate -----------------------------------------------------------------------------------------
class TranslateRequest(BaseModel):
    text: str | list[str] = Field(description="a text or a list of texts (batch)", min_length=1)
    target: str
    source: str = "auto"
    format: Literal["text", "html"] = "text"
    glossary: str | None = Field(None, description="name of an uploaded glossary")
    engine: Literal["apertium", "ctranslate2"] = "apertium"
    model: str | None = Field(None, description="ctranslate2: a local model directory or a cached hub id")


@router.post("/v1/translate", response_model=TranslationResult, responses=error_responses(404))
async def translate_v1(
    request: TranslateRequest,
    pool: ModelPool = Depends(get_pool),
    settings: Settings = Depends(get_settings),
    engine: Engine = Depends(get_engine),
) -> TranslationResult:
    texts = [request.text] if isinstance(request.text, str) else request.text
    glossary = load_glossary(request.glossary, engine)
    return await asyncio.to_thread(
        run_translate, texts, request.target, request.source, pool, settings,
        fmt=request.format, glossary=glossary, engine=request.engine, model=request.model,
    )  # fmt: skip


# -- glossaries ------------------------------------------------------------------------------------------
class GlossaryInfo(BaseModel):
    name: str
    source: str | None = None
    target: str | None = None
    entries: int


class Deleted(BaseModel):
    name: str
    deleted: bool


@router.post("/v1/glossaries", status_code=201, response_model=GlossaryInfo)
def upload_glossary(
    name: str = Form(..., description="letters, digits, _ . -"),
    file: UploadFile = File(..., description="CSV (source,target rows) or TMX"),
    source: str | None = Form(None),
    target: str | None = Form(None),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    if not GLOSSARY_NAME.match(name):
        raise ApiError(
            400, "glossary name: 1-64 letters, digits, '_', '.' or '-'", code="validation_error", param="name"
        )
    try:
        glossary = parse_glossary(name, file.filename or "", file.file.read(), source, target)
    except TranslationError as exc:
        raise translation_error(exc) from exc
    GlossaryStore(engine).put(glossary)
    return {"name": name, "source": glossary.source, "target": glossary.target, "entries": len(glossary.entries)}


@router.get("/v1/glossaries")
def list_glossaries(engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    return {"data": GlossaryStore(engine).list()}


@router.get("/v1/glossaries/{name}", response_model=nlp.Glossary, responses=error_responses(404))
def get_glossary(name: str, engine: Engine = Depends(get_engine)) -> nlp.Glossary:
    glossary = load_glossary(name, engine)
    assert glossary is not None
    return glossary


@router.delete("/v1/glossaries/{name}", response_model=Deleted, responses=error_responses(404))
def delete_glossary(name: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    if not GlossaryStore(engine).delete(name):
        raise ApiError(404, f"no glossary named {name!r}", code="glossary_not_found", param="name")
    return {"name": name, "deleted": True}
