"""notes routes: a structured visit note from a consultation (turns, `[doctor] …` text, or audio).

Thin: parse JSON or the multipart form, turn NoteError into 4xx JSON, run the work off the event loop.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, ValidationError, model_validator
from starlette.datastructures import UploadFile
from starlette.routing import Route

import asr
import notes
from api.audio_upload import asr_api_error, check_transcription, decode_audio
from api.compose.notes import note_from_audio
from api.deps import get_jobs, get_pool, get_settings
from api.errors import ApiError, validation_error
from api.jobs import JobAccepted, JobService
from api.openapi import BINARY, form_schema, inline_schema, request_body
from api.responses import accepted
from api.settings import Settings
from asr.medical import MedicalOptions
from workers import ModelPool, Priority

router = APIRouter(tags=["notes"])
PAGE = Path(__file__).resolve().parent.parent / "static" / "notes" / "index.html"

NOTE_JOB = "notes.from_audio"
_STATUS = {
    "transcript_too_long": 413, "unsupported_language": 422, "one_speaker": 422, "two_speakers": 422,
    "no_clinical_content": 422,
}  # fmt: skip


class NoteRequest(BaseModel):
    turns: list[notes.Turn] | None = Field(
        default=None, description="[{speaker: clinician|patient, text, start?, end?}]"
    )
    transcript: str | None = Field(
        default=None,
        description="a consultation: one turn a line, '[doctor] …' / '[patient] …'; a dictation: the dictated text",
    )
    source: notes.Source = Field(default="consultation", description="consultation (two speakers) or dictation")
    template: Literal["hp", "soap"] = "hp"
    sections: list[str] | None = Field(default=None, description="section names to keep, in order")
    specialty: str | None = Field(default=None, description="a configured section set: primary_care, orthopedics, ...")

    @model_validator(mode="after")
    def _one_input(self) -> NoteRequest:
        if (self.turns is None) == (self.transcript is None):
            raise ValueError("give exactly one of turns or transcript")
        return self

    def options(self) -> notes.NoteOptions:
        return notes.NoteOptions(source=self.source, template=self.template, sections=self.sections,
                                 specialty=self.specialty)  # fmt: skip

    def note_turns(self) -> list[notes.Turn]:
        if self.turns is not None:
            return self.turns
        if self.source == "dictation":
            return notes.dictation_turns(self.transcript or "")
        return notes.parse_transcript(self.transcript or "")


async def note_page(_request: Request) -> FileResponse:
    """The note page: paste a consultation or pick audio; each line's evidence lights up on hover or focus."""
    return FileResponse(PAGE, media_type="text/html")


async def note_script(_request: Request) -> FileResponse:
    """The page's script, a file of its own so the page's CSP (api/security.py) needs no inline script."""
    return FileResponse(PAGE.with_name("notes.js"), media_type="text/javascript")


# Plain routes: the page is public like /dictate (it asks for a key); the API routes stay guarded.
router.routes.append(Route("/notes", note_page, methods=["GET"], name="notes_page"))
router.routes.append(Route("/notes/static/notes.js", note_script, methods=["GET"], name="notes_script"))


def _note_error(exc: notes.NoteError) -> ApiError:
    return ApiError(_STATUS.get(exc.code, 400), exc.message, code=exc.code, param=exc.param)


_TEXT_FIELD = {"type": "string"}
NOTE_FORM = form_schema({
    "file": {**BINARY, "description": "the consultation's audio"},
    "mode": {"type": "string", "enum": ["auto", "sync", "job"]},
    "source": {"type": "string", "enum": ["consultation", "dictation"],
               "description": "consultation: transcribed with speaker roles; dictation: with dictation formatting"},
    "template": {"type": "string", "enum": ["hp", "soap"]},
    "sections": {"type": "string", "description": "a JSON array or comma-separated section names"},
    "specialty": _TEXT_FIELD, "model": _TEXT_FIELD, "language": _TEXT_FIELD,
}, required=("file",))  # fmt: skip
NOTE_RESPONSES = {
    200: {"description": "the visit note", "content": {"application/json": {"schema": {"type": "object"}}}},
    202: {"model": JobAccepted, "description": "long audio or mode=job: a job"},
}


@router.post(
    "/v1/medical/notes", response_model=None, responses=NOTE_RESPONSES,
    openapi_extra=request_body(json=inline_schema(NoteRequest), multipart=NOTE_FORM),
)
async def create_note(
    request: Request,
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
    settings: Settings = Depends(get_settings),
) -> dict[str, Any] | JSONResponse:
    """A visit note: JSON `{"turns": [...]}` or `{"transcript": "[doctor] …"}`, or multipart `file` (audio,
    transcribed with speaker roles first; long audio or mode=job answers 202 with a job)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _from_audio(request, pool, jobs, settings)
    try:
        body = NoteRequest.model_validate(await request.json())
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise validation_error(exc, status=400, where="body") from exc
        raise ApiError(400, "the body must be JSON with turns or transcript, or a multipart form with an audio file",
                       code="invalid_body") from exc  # fmt: skip
    try:
        note = await asyncio.to_thread(notes.make_note, body.note_turns(), body.options(), pool, Priority.INTERACTIVE)
    except notes.NoteError as exc:
        raise _note_error(exc) from exc
    return note.model_dump()


async def _from_audio(request: Request, pool: ModelPool, jobs: JobService, settings: Settings) -> Any:
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise ApiError(400, "multipart requests need an audio file in the field 'file'", param="file")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    mode = fields.get("mode", "auto")
    if mode not in ("auto", "sync", "job"):
        raise ApiError(400, "mode must be auto, sync or job", param="mode")
    try:
        sections = (
            json.loads(fields["sections"])
            if fields.get("sections", "").startswith("[")
            else ([s.strip() for s in fields["sections"].split(",") if s.strip()] if fields.get("sections") else None)
        )
        options = notes.NoteOptions(source=fields.get("source", "consultation"), template=fields.get("template", "hp"),
                                    sections=sections, specialty=fields.get("specialty") or None)  # fmt: skip
        medical = MedicalOptions(
            type="conversation" if options.source == "consultation" else "dictation",
            model=fields.get("model", "whisper-1"), language=fields.get("language", "en") or None,
        )  # fmt: skip
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise validation_error(exc, status=400) from exc
        raise ApiError(400, "sections must be a JSON array or comma-separated names", param="sections") from exc
    check_transcription(asr.TranscribeOptions(model=medical.model, language=medical.language), settings.asr)
    data = await file.read()
    if not data:
        raise ApiError(400, "the audio file is empty", code="invalid_audio", param="file")
    try:
        info = await asyncio.to_thread(asr.probe, data)
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc
    seconds = info.duration
    if seconds is not None and seconds > settings.asr.job_max_seconds:
        raise ApiError(413, f"the audio lasts {seconds:.0f} s; at most {settings.asr.job_max_seconds:.0f} s",
                       code="audio_too_long", param="file")  # fmt: skip
    if mode == "job" or (mode == "auto" and (seconds is None or seconds > settings.asr.medical_sync_max_seconds)):
        params = {"medical": medical.model_dump(), "options": options.model_dump()}
        return accepted(jobs.accept(NOTE_JOB, params, {"audio": data}))
    audio = await decode_audio(data, settings.asr.sync_max_seconds, "are transcribed synchronously; use mode=job")
    try:
        return await asyncio.to_thread(
            note_from_audio, audio, medical, options, pool=pool, priority=Priority.INTERACTIVE, settings=settings.asr
        )
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc
    except notes.NoteError as exc:
        raise _note_error(exc) from exc
