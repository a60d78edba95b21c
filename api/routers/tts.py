"""tts routes: voices, the OpenAI speech API, a Polly-like speech API with SSML and speech marks,
lexicons (W3C PLS, stored in the database), and long text as a job. Thin: validation and work live in tts."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine

import tts
from api.deps import get_engine, get_jobs, get_pool, get_settings
from api.errors import ApiError, error_responses
from api.jobs import JobAccepted, JobService
from api.settings import Settings
from api.stores.lexicons import LexiconStore
from workers import ModelPool, Priority

router = APIRouter(tags=["tts"])

OPENAI_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
POLLY_FORMATS = ("mp3", "ogg_vorbis", "wav", "pcm", "json")
JOB_KIND = "tts.speech"

_BINARY = {"schema": {"type": "string", "format": "binary"}}
# The audio media types tts.encode writes (mp3, opus/ogg_vorbis, aac, flac, wav, pcm), for the OpenAPI document.
AUDIO_TYPES = ("audio/mpeg", "audio/ogg", "audio/aac", "audio/flac", "audio/wav", "audio/pcm")
SPEECH_200 = {200: {"description": "the audio, streamed", "content": {t: _BINARY for t in AUDIO_TYPES}}}
POLLY_200 = {200: {"description": "the audio, or speech marks (output_format json) as JSON lines",
                   "content": {**{t: _BINARY for t in AUDIO_TYPES}, "application/x-json-stream": {}}}}  # fmt: skip
LEXICON_NOT_FOUND = error_responses(404)
# PUT /v1/lexicons/{name}: the PLS document itself, or {"content": "<PLS document>"}.
LEXICON_BODY = {"requestBody": {"required": True, "content": {
    "application/pls+xml": {"schema": {"type": "string"}},
    "application/xml": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "required": ["content"],
                                    "properties": {"content": {"type": "string"}}}},
}}}  # fmt: skip


def to_api_error(exc: tts.TtsError) -> ApiError:
    details = {"position": exc.position} if exc.position else None
    return ApiError(exc.status, exc.message, code=exc.code, param=exc.param, details=details)


class VoiceList(BaseModel):
    object: Literal["list"] = "list"
    data: list[tts.VoiceInfo]


@router.get("/v1/voices", response_model=VoiceList)
def list_voices(
    engine: str | None = None, language: str | None = None, settings: Settings = Depends(get_settings)
) -> VoiceList:
    return VoiceList(data=tts.catalog(settings.model_dir, settings.tts.coqui_venv).list(engine, language))


class OpenAISpeechRequest(BaseModel):
    model: str = "tts-1"
    input: str = Field(description="the text to speak (at most 4096 characters)")
    voice: str = "alloy"
    response_format: str = "mp3"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    instructions: str | None = None


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """After the 200 is sent an engine failure can only end the stream; validation happened before."""
    try:
        yield from chunks
    except tts.TtsError:
        return


async def _stream_response(request: tts.Request, pool: ModelPool, settings: Settings) -> StreamingResponse:
    """The first chunk is made before the 200 goes out: a refusal there (503 pool_busy when the pool is overloaded,
    an engine error on the first sentence) is still a proper error answer, not a stream cut short."""
    from tts.encode import FORMATS

    chunks = tts.stream_request(request, pool, Priority.INTERACTIVE, settings.model_dir)
    try:
        first = await asyncio.to_thread(next, chunks, b"")
    except tts.TtsError as exc:
        raise to_api_error(exc) from exc
    headers = {"X-Voice-Id": request.voice.id, "X-Sample-Rate": str(request.sample_rate)}
    body = _guarded(itertools.chain([first], chunks))
    return StreamingResponse(body, media_type=FORMATS[request.format].media_type, headers=headers)


async def _prepare(**kwargs: Any) -> tts.Request:
    try:
        return await asyncio.to_thread(tts.prepare, **kwargs)
    except tts.TtsError as exc:
        raise to_api_error(exc) from exc


@router.post("/v1/audio/speech", response_class=StreamingResponse, responses=SPEECH_200)
async def create_speech(
    body: OpenAISpeechRequest, pool: ModelPool = Depends(get_pool), settings: Settings = Depends(get_settings)
) -> StreamingResponse:
    if len(body.input) > 4096:
        raise ApiError(
            413,
            f"input has {len(body.input)} characters; at most 4096 (use POST /v1/speech/jobs)",
            code="text_too_long",
            param="input",
        )
    request = await _prepare(
        text=body.input,
        voice=body.voice,
        fmt=body.response_format,
        engine=body.model,
        sample_rate=24000 if body.response_format == "pcm" else None,
        speed=body.speed,
        formats=OPENAI_FORMATS,
        max_chars=4096,
        model_dir=settings.model_dir,
        coqui_venv=settings.tts.coqui_venv,
    )
    return await _stream_response(request, pool, settings)


class PollySpeechRequest(BaseModel):
    text: str
    text_type: Literal["text", "ssml"] = "text"
    voice: str = tts.DEFAULT_VOICE
    engine: str | None = Field(None, description="neural, standard, or a backend: piper, flite, festival, espeak-ng")
    output_format: str = "mp3"
    sample_rate: int | str | None = None
    speech_mark_types: list[Literal["sentence", "word", "ssml"]] = Field(default_factory=list)
    lexicons: list[str] = Field(default_factory=list, max_length=5)
    speed: float = Field(1.0, ge=0.25, le=4.0)


def _rate(value: int | str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(
            400, f"sample_rate {value!r} is not a number of hertz", code="unsupported_sample_rate", param="sample_rate"
        ) from exc


def _load_lexicons(names: list[str], store: LexiconStore) -> list[tts.Lexicon]:
    lexicons = []
    for name in names:
        row = store.get(name)
        if row is None:
            raise ApiError(
                404,
                f"lexicon {name!r} does not exist (PUT /v1/lexicons/{name} first)",
                code="lexicon_not_found",
                param="lexicons",
            )
        lexicons.append(tts.parse_pls(name, row.content))
    return lexicons


def _polly_kwargs(body: PollySpeechRequest, engine: Engine, settings: Settings, max_chars: int) -> dict[str, Any]:
    fmt = body.output_format
    if fmt not in POLLY_FORMATS:
        raise ApiError(
            400,
            f"unsupported output_format {fmt!r}; use one of {', '.join(POLLY_FORMATS)}",
            code="unsupported_format",
            param="output_format",
        )
    if fmt == "json" and not body.speech_mark_types:
        raise ApiError(
            400, "output_format json returns speech marks: give speech_mark_types", param="speech_mark_types"
        )
    if body.speech_mark_types and fmt != "json":
        raise ApiError(400, "speech_mark_types need output_format json", param="output_format")
    if "ssml" in body.speech_mark_types and body.text_type != "ssml":
        raise ApiError(400, "ssml speech marks need text_type ssml", param="speech_mark_types")
    rate = _rate(body.sample_rate)
    if fmt == "pcm" and rate is None:
        rate = 16000
    return dict(
        text=body.text,
        voice=body.voice,
        fmt="pcm" if fmt == "json" else fmt,
        text_type=body.text_type,
        engine=body.engine,
        sample_rate=rate,
        speed=body.speed,
        lexicons=_load_lexicons(body.lexicons, LexiconStore(engine)),
        max_chars=max_chars,
        model_dir=settings.model_dir,
        coqui_venv=settings.tts.coqui_venv,
    )


@router.post("/v1/speech", response_class=StreamingResponse, responses={**POLLY_200, **LEXICON_NOT_FOUND})
async def polly_speech(
    body: PollySpeechRequest,
    pool: ModelPool = Depends(get_pool),
    settings: Settings = Depends(get_settings),
    engine: Engine = Depends(get_engine),
) -> Response:
    request = await _prepare(**_polly_kwargs(body, engine, settings, tts.MAX_TEXT_CHARS))
    if body.output_format != "json":
        return await _stream_response(request, pool, settings)
    try:
        audio = await asyncio.to_thread(tts.run_request, request, pool, Priority.INTERACTIVE, settings.model_dir)
    except tts.TtsError as exc:
        raise to_api_error(exc) from exc
    lines = [m.model_dump_json() for m in audio.marks if m.type in body.speech_mark_types]
    return Response("\n".join(lines) + ("\n" if lines else ""), media_type="application/x-json-stream")


@router.post("/v1/speech/jobs", status_code=202, response_model=JobAccepted, responses=LEXICON_NOT_FOUND)
async def polly_speech_job(
    body: PollySpeechRequest,
    jobs: JobService = Depends(get_jobs),
    settings: Settings = Depends(get_settings),
    engine: Engine = Depends(get_engine),
) -> JobAccepted:
    kwargs = _polly_kwargs(body, engine, settings, tts.MAX_JOB_CHARS)
    await _prepare(**kwargs)  # validate now: a bad request is a 4xx, not a failed job
    params = body.model_dump()
    params["sample_rate"] = kwargs["sample_rate"]
    params["lexicon_documents"] = {name: LexiconStore(engine).get(name).content for name in body.lexicons}
    return jobs.accept(JOB_KIND, params)


class LexiconInfo(BaseModel):
    name: str
    language: str
    alphabet: str
    lexemes: int
    size: int
    modified: str


class LexiconDocument(LexiconInfo):
    content: str


def _info(row: Any) -> dict[str, Any]:
    return dict(
        name=row.name,
        language=row.language,
        alphabet=row.alphabet,
        lexemes=row.lexemes,
        size=row.size,
        modified=row.modified.isoformat(),
    )


@router.put("/v1/lexicons/{name}", response_model=LexiconInfo, openapi_extra=LEXICON_BODY)
async def put_lexicon(name: str, request: Request, engine: Engine = Depends(get_engine)) -> LexiconInfo:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            raw = json.loads(raw)["content"].encode()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ApiError(400, 'a JSON body must be {"content": "<PLS document>"}', param="content") from exc
    try:
        lexicon = tts.parse_pls(name, raw)
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "the lexicon must be UTF-8 text", code="invalid_lexicon", param="content") from exc
    except tts.TtsError as exc:
        raise to_api_error(exc) from exc
    row = LexiconStore(engine).put(name, content, lexicon.language, lexicon.alphabet, len(lexicon.lexemes))
    return LexiconInfo(**_info(row))


class LexiconList(BaseModel):
    object: Literal["list"] = "list"
    data: list[LexiconInfo]


@router.get("/v1/lexicons", response_model=LexiconList)
def list_lexicons(engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    return {"object": "list", "data": [_info(r) for r in LexiconStore(engine).list()]}


@router.get("/v1/lexicons/{name}", response_model=LexiconDocument, responses=LEXICON_NOT_FOUND)
def get_lexicon(name: str, engine: Engine = Depends(get_engine)) -> LexiconDocument:
    row = LexiconStore(engine).get(name)
    if row is None:
        raise ApiError(404, f"lexicon {name!r} does not exist", code="lexicon_not_found", param="name")
    return LexiconDocument(**_info(row), content=row.content)


@router.delete("/v1/lexicons/{name}", status_code=204, response_class=Response, responses=LEXICON_NOT_FOUND)
def delete_lexicon(name: str, engine: Engine = Depends(get_engine)) -> Response:
    if not LexiconStore(engine).delete(name):
        raise ApiError(404, f"lexicon {name!r} does not exist", code="lexicon_not_found", param="name")
    return Response(status_code=204)
