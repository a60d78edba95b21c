"""voicebots routes: talk to the assistants. `POST /v1/bots/{bot}/utterance` (one audio turn in, the reply's text and
speech out), `WS /v1/bots/{bot}/voice` (a live voice conversation) and the voice-only page `/talk/{bot}`.

HTTP only: the turn is `api.compose.voicebots.recognize_utterance`, the conversation
`api.compose.voice_conversation.VoiceConversation`. Per-bot keys and origins are the bots module's (Settings.bots).

Socket protocol (JSON text messages with a `type`, plus binary frames):
- client `start` {sample_rate (16000), encoding ("pcm16" | "webm"), sender, model, audio_format ("mp3"),
  greeting (true), max_turn_s, silence_timeout_s}; then binary audio frames (16-bit little-endian mono PCM, or
  MediaRecorder webm/opus chunks); `text` {text} for a typed turn (a button's title or payload); `stop`; `ping`.
- server `ready` {sender, model, voice, sample_rate, audio_format}; `partial` {turn, text} while the user speaks;
  `user` {turn, text} when the user's turn ends (VAD); `bot` {turn, messages} (Rasa's replies); `audio` {turn,
  index, text, format, media_type, bytes, duration} followed by ONE binary frame holding that sentence's audio
  (a whole file); `audio_end` {turn, sentences, interrupted}; `barge_in` {turn} (the user talks over the bot: stop
  playing that turn's audio now); `done` {turns}; `error` {message, code}, after which the server closes the socket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.routing import Route, WebSocketRoute

from api.auth import WebSocketRejected, authorize_websocket, bearer_token
from api.compose.voice_conversation import ConversationEnded, ErrorEvent, StartMessage, VoiceConversation
from api.compose.voicebots import UtteranceResult, VoiceBots, VoiceError, recognize_utterance, voice_bots
from api.errors import ApiError, error_body, error_responses
from api.shedding import socket_admission
from bots import BotUnavailable
from bots.voice import VoiceProfile

log = logging.getLogger(__name__)
router = APIRouter(tags=["voice bots"])
STATIC = Path(__file__).resolve().parent.parent / "static" / "talk"
UNAVAILABLE = "the assistant is unavailable, try again"
_STATUS = {"audio_too_long": 413, "no_speech": 422, "unknown_bot": 404, "model_not_installed": 503,
           "bots_not_started": 503, "voice_not_found": 500}  # fmt: skip
POLICY, TRY_LATER, INTERNAL, TOO_BIG = 1008, 1013, 1011, 1009


def to_api_error(exc: VoiceError, headers: dict[str, str] | None = None) -> ApiError:
    return ApiError(_STATUS.get(exc.code, 400), exc.message, code=exc.code, param=exc.param, headers=headers)


async def startup(app: Any) -> None:
    """Speak the bots' prompts into the cache in the background (batch priority), when Settings.voice.prewarm.
    A bad voice in a profile does not stop the gateway: turns will report it."""
    state = app.state
    if not state.settings.voice.prewarm or getattr(state, "bots", None) is None:
        return
    state.background.start(
        "voice-prewarm", lambda stop: f"{voice_bots(state).prewarm(stop=stop)} prompt sentences spoken ahead"
    )


def _voice(state: Any) -> VoiceBots:
    try:
        return voice_bots(state)
    except VoiceError as exc:
        raise to_api_error(exc) from exc


def _refusal(state: Any, bot: str, origin: str | None, token: str | None) -> tuple[int, str, str] | None:
    """(status, code, message) when the bots module's per-bot origins or keys refuse the caller, else None."""
    channels = state.bots
    if not channels.origin_allowed(bot, origin):
        return 403, "origin_not_allowed", f"origin {origin} may not use bot '{bot}'"
    if not channels.key_allowed(bot, token):
        return 401, "invalid_bot_key", f"bot '{bot}' needs its API key"
    return None


class UtteranceJson(BaseModel):
    """The JSON answer of POST /v1/bots/{bot}/utterance."""

    transcript: str
    messages: list[dict[str, Any]]
    audio: str | None = Field(description="the spoken reply, base64")
    audio_format: str
    sender: str
    spoken: str
    duration: float
    asr_model: str
    voice: str
    timings: dict[str, float]


def _json_answer(result: UtteranceResult, headers: dict[str, str]) -> JSONResponse:
    body = UtteranceJson(
        transcript=result.transcript, messages=result.messages,
        audio=base64.b64encode(result.audio).decode() if result.audio else None, audio_format=result.audio_format,
        sender=result.sender, spoken=result.spoken, duration=result.duration, asr_model=result.asr_model,
        voice=result.voice, timings=result.timings,
    )  # fmt: skip
    return JSONResponse(body.model_dump(), headers=headers)


def _audio_answer(result: UtteranceResult, headers: dict[str, str]) -> Response:
    """The reply's audio, the texts in headers: X-Transcript and X-Spoken percent-encoded UTF-8, X-Messages the
    replies as base64 JSON."""
    headers = {
        **headers,
        "X-Transcript": quote(result.transcript),
        "X-Spoken": quote(result.spoken),
        "X-Messages": base64.b64encode(json.dumps(result.messages).encode()).decode(),
        "X-Sender": quote(result.sender),
        "Access-Control-Expose-Headers": "X-Transcript, X-Spoken, X-Messages, X-Sender",
    }
    if result.audio is None:
        return Response(status_code=204, headers=headers)
    return Response(result.audio, media_type=result.media_type, headers=headers)


@router.post(
    "/v1/bots/{bot}/utterance",
    summary="One spoken turn: the user's audio in; the bot's reply as text and speech out",
    response_model=UtteranceJson,
    responses={
        200: {"content": {t: {"schema": {"type": "string", "format": "binary"}} for t in
                          ("audio/mpeg", "audio/ogg", "audio/aac", "audio/flac", "audio/wav", "audio/pcm")},
              "description": "JSON, or the audio itself with Accept: audio/*"},
        204: {"description": "Accept: audio/* and the reply has nothing to speak (texts in the X- headers)"},
        **error_responses(403, 404),
    },  # fmt: skip
)
async def utterance(
    bot: str,
    request: Request,
    file: Annotated[UploadFile, File(description="the user's speech: any audio format FFmpeg reads")],
    sender: Annotated[str | None, Form(min_length=1, max_length=128)] = None,
    format: Annotated[str, Form(description="reply audio: mp3, opus, aac, flac, wav, pcm")] = "mp3",  # noqa: A002
    model: Annotated[str | None, Form(description="ASR model; default the bot's (tiny.en)")] = None,
) -> Response:
    voice = _voice(request.app.state)
    origin = request.headers.get("origin")
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin else {}
    try:
        voice.profile(bot)
    except VoiceError as exc:
        raise to_api_error(exc, headers) from exc
    refused = _refusal(request.app.state, bot, origin, bearer_token(request.headers, request.query_params))
    if refused is not None:
        raise ApiError(refused[0], refused[2], code=refused[1], headers=headers)
    data = await file.read()
    if not data:
        raise ApiError(400, "the audio file is empty", code="invalid_audio", param="file", headers=headers)
    try:
        result = await recognize_utterance(voice, bot, sender or f"voice-{uuid.uuid4().hex}", data, fmt=format,
                                           model=model)  # fmt: skip
    except VoiceError as exc:
        raise to_api_error(exc, headers) from exc
    except BotUnavailable as exc:
        raise ApiError(503, UNAVAILABLE, code="bot_unavailable", details=str(exc),
                       headers={**headers, "Retry-After": "5"}) from exc  # fmt: skip
    if request.headers.get("accept", "").lower().startswith("audio/"):
        return _audio_answer(result, headers)
    return _json_answer(result, headers)


class VoiceInfo(BaseModel):
    bot: str
    profile: VoiceProfile
    prewarmed: bool = Field(description="the bots' fixed replies are spoken into the cache")


@router.get(
    "/v1/bots/{bot}/voice-profile", response_model=VoiceInfo, summary="A bot's voice profile",
    responses=error_responses(404),
)
async def voice_profile(bot: str, request: Request) -> VoiceInfo:
    voice = _voice(request.app.state)
    try:
        return VoiceInfo(bot=bot, profile=voice.profile(bot), prewarmed=voice.prewarmed)
    except VoiceError as exc:
        raise to_api_error(exc) from exc


# -- the voice socket -----------------------------------------------------------------------------------------


class _Socket:
    """Sends events (and their binary frames) in order, from the conversation's tasks."""

    def __init__(self, websocket: WebSocket, timeout: float) -> None:
        self.ws = websocket
        self.timeout = timeout
        self.lock = asyncio.Lock()

    async def send(self, event: BaseModel, data: bytes | None = None) -> None:
        async with self.lock:
            try:
                await asyncio.wait_for(self.ws.send_text(event.model_dump_json()), self.timeout)
                if data is not None:
                    await asyncio.wait_for(self.ws.send_bytes(data), self.timeout)
            except (TimeoutError, WebSocketDisconnect):
                raise
            except Exception as exc:  # the ASGI server's own "closed" errors: the client has gone
                raise WebSocketDisconnect(1006) from exc

    async def receive(self) -> bytes | str:
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        return message["bytes"] if message.get("bytes") is not None else message.get("text") or ""

    async def fail(self, message: str, code: str, close_code: int = POLICY, retry_after_s: int | None = None) -> None:
        with contextlib.suppress(Exception):
            await self.send(ErrorEvent(message=message, code=code, retry_after_s=retry_after_s))
        with contextlib.suppress(Exception):
            await self.ws.close(close_code, reason=code[:120])


def _start(text: str | None) -> StartMessage:
    if text is None:
        raise VoiceError("send a JSON `start` message before any audio", "start_expected")
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VoiceError(f"messages must be JSON objects: {exc.msg} at {exc.pos}", "invalid_json") from exc
    except RecursionError as exc:  # a hostile message nested thousands deep
        raise VoiceError("messages must be JSON objects, not nested thousands deep", "invalid_json") from exc
    if not isinstance(message, dict) or message.get("type") != "start":
        raise VoiceError('the first message must be {"type": "start", ...}', "start_expected")
    try:
        return StartMessage.model_validate(message)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise VoiceError(f"invalid start message: {detail}", "invalid_start") from exc


def _slots(state: Any) -> dict[str, int]:
    slots = getattr(state, "voice_sockets", None)
    if slots is None:
        slots = state.voice_sockets = {"open": 0}
    return slots


async def voice_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    state = websocket.app.state
    settings = state.settings.voice
    socket = _Socket(websocket, timeout=10.0)
    bot = websocket.path_params["bot"]
    slots = _slots(state)
    counted = False
    conversation: VoiceConversation | None = None
    try:
        authorize_websocket(websocket)
        voice = voice_bots(state)
        voice.profile(bot)
        refused = _refusal(state, bot, websocket.headers.get("origin"),
                           bearer_token(websocket.headers, websocket.query_params))  # fmt: skip
        if refused is not None:
            raise WebSocketRejected(refused[2], refused[1])
        if slots["open"] >= settings.max_sessions:
            raise VoiceError(f"the server is at its limit of {settings.max_sessions} voice conversations; try again "
                             "shortly", "too_many_sessions")  # fmt: skip
        slots["open"] += 1
        counted = True
        first = await asyncio.wait_for(websocket.receive(), settings.idle_timeout_s)
        if first["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(first.get("code", 1000))
        start = _start(first.get("text"))
        conversation = VoiceConversation(voice, bot, start, socket.send)
        # One admission for the whole conversation, as for a dictation: refused (1013, pool_busy) at its first
        # model call when the pool is overloaded, else never; each chunk and reply sentence then queues as a new turn.
        with socket_admission(websocket):
            await conversation.run(socket.receive)
        with contextlib.suppress(Exception):
            await websocket.close(1000)
    except ConversationEnded:
        with contextlib.suppress(Exception):
            await websocket.close(1000)
    except WebSocketRejected as exc:
        await socket.fail(exc.message, exc.code)
    except VoiceError as exc:
        close = TRY_LATER if exc.code in ("too_many_sessions", "bots_not_started", "pool_busy") else POLICY
        close = TOO_BIG if exc.code in ("frame_too_large", "turn_too_long") else close
        await socket.fail(exc.message, exc.code, close, exc.retry_after_s)
    except WebSocketDisconnect:
        pass
    except TimeoutError:
        await socket.fail(f"no message for {settings.idle_timeout_s:.0f} s, or the client stopped reading", "timeout")
    except Exception:
        log.exception("voice conversation failed")
        await socket.fail("internal error in the voice conversation", "internal_error", INTERNAL)
    finally:
        if conversation is not None:
            await conversation.close()
        if counted:
            slots["open"] -= 1


async def talk_page(request: Request) -> Response:
    bot = request.path_params["bot"]
    channels = getattr(request.app.state, "bots", None)
    if channels is None or bot not in channels.names:
        return JSONResponse(error_body(404, f"unknown bot '{bot}'", None, code="unknown_bot"), status_code=404)
    return FileResponse(STATIC / "index.html", media_type="text/html")


async def talk_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file():
        return JSONResponse(error_body(404, f"no file {name}", None, code="not_found"), status_code=404)
    return FileResponse(path)


# Plain routes: the socket checks keys itself (api.auth.authorize_websocket), and the page is public.
router.routes.append(WebSocketRoute("/v1/bots/{bot}/voice", voice_socket, name="bot_voice"))
router.routes.append(Route("/talk/static/{name}", talk_file, methods=["GET"], name="talk_static"))
router.routes.append(Route("/talk/{bot}", talk_page, methods=["GET"], name="talk_page"))
