"""asr routes: the OpenAI audio API (transcriptions, translations) and medical transcription.

Thin: parse the form, turn asr errors into 4xx JSON, run the work off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool

import asr
from api.audio_upload import asr_api_error, check_transcription, decode_audio
from api.deps import get_jobs, get_pool, get_settings
from api.errors import ApiError
from api.jobs import JobAccepted, JobService
from api.responses import accepted
from api.settings import Settings
from asr.formats import MEDIA_TYPES, RESPONSE_FORMATS, TIMED_FORMATS, render
from asr.medical import MedicalOptions, MedicalTranscript, transcribe_medical
from workers import ModelPool, Priority

router = APIRouter(tags=["asr"])

MEDICAL_JOB = "asr.medical_transcription"

_TEXT = {"schema": {"type": "string"}}
# What response_format (and stream=true) give, for the OpenAPI document.
TRANSCRIPT_200 = {200: {"description": "the transcript in response_format (stream=true: server-sent events)",
                        "content": {"application/json": {"schema": {"type": "object"}}, "text/plain": _TEXT,
                                    "application/x-subrip": _TEXT, "text/vtt": _TEXT, "text/event-stream": _TEXT}}}
MEDICAL_RESPONSES = {200: {"description": "the clinical transcript", "content": {"application/json": {
    "schema": {"type": "object"}}}}, 202: {"model": JobAccepted, "description": "long audio or mode=job: a job"}}


async def startup(app: Any) -> None:
    """Load the default model and the clinical word lists in the background (AsrSettings.prewarm), so the first
    recording after start-up does not wait for them; a request that comes first is served first."""
    settings: Settings = app.state.settings
    if not settings.asr.prewarm:
        return
    pool = app.state.pool

    def work(stop: threading.Event) -> str:  # one unit: nothing to stop between
        asr.warm(settings.asr, pool)
        return f"{settings.asr.default_model} and the clinical word lists loaded"

    app.state.background.start("asr-prewarm", work)


def asr_settings(settings: Settings = Depends(get_settings)) -> asr.AsrSettings:
    return settings.asr


async def _read(file: UploadFile) -> bytes:
    data = await file.read()
    if not data:
        raise ApiError(400, "the audio file is empty", code="invalid_audio", param="file")
    return data


def _sse(event: dict[str, Any]) -> str:
    return f"data: {json.dumps(event)}\n\n"


async def _closing(events: Iterator[str], segments: asr.SegmentStream) -> AsyncIterator[str]:
    """The events, and the transcription stopped however the response ends: a client that goes away (even before
    the first event) must not leave the model transcribing the rest of the recording for nobody."""
    try:
        async for event in iterate_in_threadpool(events):
            yield event
    finally:
        segments.close()


def _event_stream(segments: Iterator[asr.Segment]) -> Iterator[str]:
    """OpenAI's transcription stream events: text deltas, then the whole text."""
    pieces: list[str] = []
    try:
        for segment in segments:
            delta = segment.text if not pieces else " " + segment.text
            pieces.append(delta)
            yield _sse({"type": "transcript.text.delta", "delta": delta, "logprobs": None})
    except asr.AsrError as exc:  # after the 200 went out, an error can only be an event
        yield _sse({"type": "error", "error": {"message": exc.message, "code": exc.code, "type": "server_error"}})
        return
    yield _sse({"type": "transcript.text.done", "text": "".join(pieces), "logprobs": None})


async def _openai_audio(
    task: str,
    file: UploadFile,
    model: str,
    language: str | None,
    prompt: str | None,
    response_format: str,
    temperature: float,
    granularities: list[str],
    stream: bool,
    pool: ModelPool,
    settings: asr.AsrSettings,
    correct_terms: bool | None = None,
) -> Response:
    if response_format not in RESPONSE_FORMATS:
        raise ApiError(400, f"response_format must be one of {', '.join(RESPONSE_FORMATS)}", param="response_format")
    unknown = set(granularities) - {"segment", "word"}
    if unknown:
        raise ApiError(400, "timestamp_granularities[] takes segment and word", param="timestamp_granularities[]")
    if not 0.0 <= temperature <= 1.0:
        raise ApiError(400, "temperature must be between 0 and 1", param="temperature")
    options = asr.TranscribeOptions(
        model=model,
        task=task,
        language=language if task == "transcribe" else None,
        prompt=prompt,
        # OpenAI: 0 means "start at 0 and raise it while the output fails the quality checks".
        temperature=temperature if temperature > 0 else asr.schemas.TEMPERATURE_FALLBACK,
        # Timed formats need word times: a pause-aligned window's segment is a clip of up to 29.5 s, which the
        # engine splits into sentences by its words (asr.engines.windows).
        word_timestamps="word" in granularities or response_format in TIMED_FORMATS,
        correct_terms=correct_terms,
        check_phrases=correct_terms,  # one switch for Whisper's raw words: false turns both rewrites off
    )
    check_transcription(options, settings)
    audio = await decode_audio(
        await _read(file),
        settings.sync_max_seconds,
        "are transcribed synchronously; post long recordings to /v1/medical/transcriptions, which runs them as a job",
    )
    call = dict(pool=pool, priority=Priority.INTERACTIVE, settings=settings, allow_passthrough=False)
    try:
        if stream:
            segments = asr.stream(audio, options, **call)
            return StreamingResponse(_closing(_event_stream(segments), segments), media_type="text/event-stream")
        transcript = await asyncio.to_thread(asr.transcribe, audio, options, **call)
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc
    body = render(transcript, response_format, tuple(granularities) or ("segment",))
    if isinstance(body, dict):
        if response_format == "json":
            body["usage"] = {"type": "duration", "seconds": math.ceil(transcript.duration)}
        return JSONResponse(body)
    return PlainTextResponse(body, media_type=MEDIA_TYPES[response_format])


FileField = Annotated[UploadFile, File(description="audio in any common format, detected from its content")]
ModelField = Annotated[str, Form(description="base, tiny.en, whisper-1 (the default model) or a configured id")]
FormatField = Annotated[str, Form(description="json, text, srt, verbose_json or vtt")]
PromptField = Annotated[str | None, Form(description="context or spelling hints for the model")]
TemperatureField = Annotated[float, Form(description="0: automatic fallback; >0: fixed sampling temperature")]
GranularityField = Annotated[list[str], Form(alias="timestamp_granularities[]")]
StreamField = Annotated[bool, Form(description="server-sent events: transcript.text.delta, then .done")]
# Not an OpenAI field (its clients send it as extra_body): the raw Whisper words when false.
CorrectTermsField = Annotated[bool | None, Form(
    description="English: fix misspelt near misses of drug and condition names (\"Kepra\" -> \"Keppra\") and "
    "clinical phrases with one word misheard (\"test pain\" -> \"chest pain\", where the audio agrees), and "
    "prompt each window with the recording's clinical words so far; false: Whisper's own words; empty: the server's "
    "settings (VOXGATE_ASR_CORRECT_TERMS, VOXGATE_ASR_CHECK_PHRASES, VOXGATE_ASR_TERM_MEMORY, on)",
)]  # fmt: skip


@router.post("/v1/audio/transcriptions", response_class=Response, responses=TRANSCRIPT_200)
async def create_transcription(
    file: FileField,
    model: ModelField = "whisper-1",
    language: Annotated[str | None, Form(description="ISO-639-1 code; empty detects it")] = None,
    prompt: PromptField = None,
    response_format: FormatField = "json",
    temperature: TemperatureField = 0.0,
    timestamp_granularities: GranularityField = [],  # noqa: B006 (FastAPI copies defaults)
    stream: StreamField = False,
    correct_terms: CorrectTermsField = None,
    pool: ModelPool = Depends(get_pool),
    settings: asr.AsrSettings = Depends(asr_settings),
) -> Response:
    """Transcribe audio in its own language (OpenAI `audio.transcriptions.create`)."""
    return await _openai_audio(
        "transcribe", file, model, language, prompt, response_format, temperature,
        timestamp_granularities, stream, pool, settings, correct_terms,
    )  # fmt: skip


@router.post("/v1/audio/translations", response_class=Response, responses=TRANSCRIPT_200)
async def create_translation(
    file: FileField,
    model: ModelField = "whisper-1",
    prompt: PromptField = None,
    response_format: FormatField = "json",
    temperature: TemperatureField = 0.0,
    pool: ModelPool = Depends(get_pool),
    settings: asr.AsrSettings = Depends(asr_settings),
) -> Response:
    """Translate speech into English text (OpenAI `audio.translations.create`)."""
    return await _openai_audio(
        "translate", file, model, None, prompt, response_format, temperature, [], False, pool, settings
    )


def _vocabulary(values: list[str]) -> list[str]:
    """Repeated form fields, a JSON array, or one comma-separated string: all mean a term list."""
    terms: list[str] = []
    for value in values:
        value = value.strip()
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except ValueError as exc:
                raise ApiError(400, "vocabulary is not a valid JSON array", param="vocabulary") from exc
            terms += [str(t) for t in parsed]
        else:
            terms += value.split(",")
    terms = [t.strip() for t in terms if t.strip()]
    if len(terms) > 200:
        raise ApiError(400, "at most 200 vocabulary terms", param="vocabulary")
    return terms


@router.post("/v1/medical/transcriptions", response_model=None, responses=MEDICAL_RESPONSES)
async def create_medical_transcription(
    file: FileField,
    type: Annotated[str, Form(description="dictation or conversation")] = "dictation",
    specialty: Annotated[str | None, Form(description="respiratory, cardiology, general, ...")] = None,
    vocabulary: Annotated[list[str], Form(description="terms to bias towards (repeat, JSON array or commas)")] = [],  # noqa: B006
    redact_phi: Annotated[bool, Form(description="replace names, dates, ages, phone numbers in the text")] = False,
    model: ModelField = "whisper-1",
    language: Annotated[str | None, Form(description="ISO-639-1 code")] = "en",
    mode: Annotated[str, Form(description="auto (job when long), sync, or job")] = "auto",
    specialty_hotwords: Annotated[bool, Form(description="also bias towards the specialty's terms")] = False,
    note: Annotated[bool, Form(description="also write the visit note from the transcript (as POST "
                                           "/v1/medical/notes does): `note`, or `note_error` saying why none")] = False,
    correct_terms: CorrectTermsField = None,
    *,
    request: Request,
    pool: ModelPool = Depends(get_pool),
    jobs: JobService = Depends(get_jobs),
    settings: asr.AsrSettings = Depends(asr_settings),
) -> dict[str, Any] | JSONResponse:
    """Clinical transcript with speakers and entities; long audio (or mode=job) becomes a job (202)."""
    if type not in ("dictation", "conversation"):
        raise ApiError(400, "type must be dictation or conversation", param="type")
    if mode not in ("auto", "sync", "job"):
        raise ApiError(400, "mode must be auto, sync or job", param="mode")
    if note and "notes" not in request.app.state.modules:
        raise ApiError(400, "note=true needs the notes module, which this gateway does not serve",
                       code="module_not_mounted", param="note")  # fmt: skip
    options = MedicalOptions(
        type=type, specialty=specialty, vocabulary=_vocabulary(vocabulary), redact_phi=redact_phi,
        model=model, language=language or None, specialty_hotwords=specialty_hotwords, correct_terms=correct_terms,
    )  # fmt: skip
    check_transcription(asr.TranscribeOptions(model=model, language=options.language), settings)
    data = await _read(file)
    try:
        info = await asyncio.to_thread(asr.probe, data)
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc
    seconds = info.duration
    if seconds is not None and seconds > settings.job_max_seconds:
        raise ApiError(413, f"the audio lasts {seconds:.0f} s; at most {settings.job_max_seconds:.0f} s",
                       code="audio_too_long", param="file")  # fmt: skip
    long_audio = seconds is None or seconds > settings.medical_sync_max_seconds
    if mode == "job" or (mode == "auto" and long_audio):
        return accepted(jobs.accept(MEDICAL_JOB, {"options": options.model_dump(), "note": note}, {"audio": data}))
    audio = await decode_audio(data, settings.sync_max_seconds, "are transcribed synchronously; use mode=job")
    try:
        result = await asyncio.to_thread(
            transcribe_medical, audio, options, pool=pool, priority=Priority.INTERACTIVE, settings=settings,
            allow_passthrough=False,
        )  # fmt: skip
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc
    body = result.model_dump()
    if note:
        body.update(await asyncio.to_thread(_note, result, pool, Priority.INTERACTIVE))
    return body


def _note(transcript: MedicalTranscript, pool: ModelPool, priority: int) -> dict[str, Any]:
    from api.compose.notes import note_for_transcript  # the notes module is mounted (checked): its extra is here

    return note_for_transcript(transcript, pool=pool, priority=priority)
