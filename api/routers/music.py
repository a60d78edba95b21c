"""music routes: accompaniment, enhancement and continuation of a melody, and the page at `/music`.

Input is a MIDI file (multipart field `file`, options as form fields) or JSON (`{"notes": [...], ...}`, times
in quarter notes). Output is the MIDI file (`audio/midi`, one track per voice), or with
`Accept: application/json` the notes, metrics and the MIDI as base64. Thin: the work lives in `music`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import music
from api.deps import get_pool
from api.errors import ApiError, error_responses, validation_error
from api.openapi import BINARY, form_schema, inline_schema, request_body
from workers import ModelPool, Priority

router = APIRouter(tags=["music"])
STATIC = Path(__file__).resolve().parent.parent / "static" / "music"


class NoteIn(BaseModel):
    pitch: int = Field(ge=0, le=127)
    start: float = Field(ge=0, description="quarter notes from the beginning")
    duration: float = Field(gt=0, description="quarter notes")


class MusicInput(BaseModel):
    notes: list[NoteIn] | None = Field(None, description="the melody, when no MIDI file is sent")
    tempo: float = Field(90.0, ge=20, le=300, description="quarter notes per minute (JSON input)")
    beats_per_bar: int = Field(4, ge=1, le=6, description="quarter notes per bar (JSON input)")
    seed: int = 0


class AccompanyParams(MusicInput):
    model: Literal["arcnn", "gan"] = "arcnn"
    temperature: float = Field(0.8, ge=0, le=3)
    iterations: int = Field(96, ge=1, le=1000, description="Gibbs rounds (arcnn)")
    avoid_parallels: bool = Field(True, description="arcnn: redraw notes that make parallel fifths/octaves")


class EnhanceParams(MusicInput):
    max_notes_added: int = Field(50, ge=0, le=1000)
    max_percent_removed: float = Field(50.0, ge=0, le=100)
    temperature: float = Field(1.0, gt=0, le=3)
    iterations: int = Field(100, ge=1, le=1000)


class ExtendParams(MusicInput):
    bars: int | None = Field(None, ge=1, le=32)
    seconds: float | None = Field(None, gt=0, le=120)
    temperature: float = Field(1.0, gt=0, le=3)


def _openapi(model: type[BaseModel]) -> dict[str, Any]:
    """JSON with `notes`, or a multipart form with the MIDI `file` and the same options as fields."""
    schema = inline_schema(model)
    fields = {k: v for k, v in schema["properties"].items() if k != "notes"}
    return request_body(json=schema, multipart=form_schema({"file": BINARY, **fields}, required=("file",)))


MIDI_RESPONSES = {
    200: {"description": "the MIDI file, or with Accept: application/json the notes and midi_base64",
          "content": {"audio/midi": {"schema": BINARY}, "application/json": {"schema": {"type": "object"}}}},
    **error_responses(415),
}  # fmt: skip


def _api_error(exc: music.MusicError) -> ApiError:
    return ApiError(exc.status, exc.message, code=exc.code, param=exc.param)


async def _read(request: Request, model: type[BaseModel]) -> tuple[Any, bytes | None]:
    """The options and, for multipart, the MIDI file's bytes."""
    content_type = request.headers.get("content-type", "")
    raw: dict[str, Any]
    data = None
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(400, "send the MIDI file in the multipart field 'file'", code="missing_file", param="file")
        data = await upload.read()
        raw = {k: v for k, v in form.items() if k != "file" and v != ""}
    elif content_type.startswith("application/json"):
        try:
            raw = json.loads(await request.body())
        except ValueError as exc:
            raise ApiError(400, f"request body is not valid JSON: {exc}", code="malformed_json") from exc
        if not isinstance(raw, dict):
            raise ApiError(400, "the JSON body must be an object", code="invalid_request")
    else:
        raise ApiError(
            415,
            "send multipart/form-data with a MIDI 'file', or application/json with 'notes'",
            code="unsupported_media_type",
        )
    try:
        params = model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc) from exc
    if data is None and not params.notes:
        raise ApiError(400, "give 'notes' (a JSON note list) or a MIDI 'file'", code="empty_midi", param="notes")
    return params, data


def _melody(params: MusicInput, data: bytes | None, voices: bool = False) -> music.Piece:
    if data is not None:
        return music.read_midi(data, voices=voices)
    notes = [n.model_dump() for n in params.notes or []]
    return music.read_notes(notes, tempo=params.tempo, beats_per_bar=params.beats_per_bar)


def _respond(request: Request, result: music.MusicResult, name: str) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        from music.midi import midi_base64

        return JSONResponse({**result.to_json(), "midi_base64": midi_base64(result.piece)})
    return Response(
        result.midi(),
        media_type="audio/midi",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.mid"',
            "X-Music-Model": result.model,
            "X-Music-Seconds": f"{result.seconds:.3f}",
        },
    )


async def _run(fn: Any, *args: Any, **kwargs: Any) -> music.MusicResult:
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except music.MusicError as exc:
        raise _api_error(exc) from exc


@router.post(
    "/v1/music/accompaniment", response_class=Response, responses=MIDI_RESPONSES,
    openapi_extra=_openapi(AccompanyParams),
)
async def accompaniment(request: Request, pool: ModelPool = Depends(get_pool)) -> Response:
    """Alto, tenor and bass for the melody (kept as the soprano), by the inpainting CNN or the GAN."""
    params, data = await _read(request, AccompanyParams)
    try:
        melody = _melody(params, data)
    except music.MusicError as exc:
        raise _api_error(exc) from exc
    result = await _run(
        music.accompany,
        melody,
        params.model,
        temperature=params.temperature,
        iterations=params.iterations,
        avoid_parallels=params.avoid_parallels,
        seed=params.seed,
        pool=pool,
        priority=Priority.INTERACTIVE,
    )
    return _respond(request, result, "accompaniment")


@router.post(
    "/v1/music/enhance", response_class=Response, responses=MIDI_RESPONSES, openapi_extra=_openapi(EnhanceParams)
)
async def enhance(request: Request, pool: ModelPool = Depends(get_pool)) -> Response:
    """The melody with notes removed and added by the inpainting CNN (DeepComposer's AR-CNN options)."""
    params, data = await _read(request, EnhanceParams)
    try:
        melody = _melody(params, data)
    except music.MusicError as exc:
        raise _api_error(exc) from exc
    result = await _run(
        music.enhance,
        melody,
        max_notes_added=params.max_notes_added,
        max_percent_removed=params.max_percent_removed,
        temperature=params.temperature,
        iterations=params.iterations,
        seed=params.seed,
        pool=pool,
        priority=Priority.INTERACTIVE,
    )
    return _respond(request, result, "enhanced")


@router.post(
    "/v1/music/extend", response_class=Response, responses=MIDI_RESPONSES, openapi_extra=_openapi(ExtendParams)
)
async def extend(request: Request, pool: ModelPool = Depends(get_pool)) -> Response:
    """The melody (or a four-track chorale) continued by the transformer, by `bars` or `seconds`."""
    params, data = await _read(request, ExtendParams)
    if params.bars is not None and params.seconds is not None:
        raise ApiError(400, "give bars or seconds, not both", param="bars")
    try:
        piece = _melody(params, data, voices=True)
    except music.MusicError as exc:
        raise _api_error(exc) from exc
    result = await _run(
        music.extend,
        piece,
        bars=params.bars,
        seconds=params.seconds,
        temperature=params.temperature,
        seed=params.seed,
        pool=pool,
        priority=Priority.INTERACTIVE,
    )
    return _respond(request, result, "extended")


async def music_page(_request: Any) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


# The page itself is public, as the dictation page is (it asks for a key when the gateway wants one).
router.routes.append(Route("/music", music_page, methods=["GET"], name="music_page"))
router.routes.append(Mount("/music/static", StaticFiles(directory=STATIC, check_dir=False), name="music_static"))
