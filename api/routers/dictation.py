"""Live dictation: `WS /v1/medical/dictation` and the browser page at `/dictate`.

Protocol (JSON text messages with a `type`, plus binary audio frames):
client `start` {sample_rate, encoding, language, model, specialty, vocabulary} or `resume`
{session_id, last_final}, then binary PCM16 (or webm) frames, then `stop`; server `ready`,
`partial`, `final`, `done`, `error`. The socket is thin: `asr.dictation.DictationSession` does
the work, off the event loop; this file moves messages, enforces limits, and parks a dropped
session for `resume_window_s` so a reconnecting client loses no final.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from pydantic import BaseModel, ValidationError
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from api.audio_pace import AudioPace
from api.auth import WebSocketRejected, authorize_websocket
from api.shedding import socket_admission
from api.socket_tasks import run_until_both_end
from asr.dictation import (
    DictationConfig,
    DictationError,
    DictationSession,
    DictationSettings,
    ErrorEvent,
    ReadyEvent,
    SessionRegistry,
)
from workers import PoolBusy, admit_unchecked, drop_optional, new_turn

STATIC = Path(__file__).resolve().parent.parent / "static" / "dictate"
# A client that reconnects at once may beat the server to noticing its old socket dropped.
RESUME_GRACE_S = 5.0
MAX_FRAME_BYTES = 1 << 20  # 32 s of 16 kHz PCM16 in one frame is not live audio
POLICY, TRY_LATER, INTERNAL = 1008, 1013, 1011
log = logging.getLogger(__name__)


class _Stop(Exception):
    """The client sent `stop`."""


def _registry(app: Any, settings: DictationSettings) -> SessionRegistry:
    registry = getattr(app.state, "dictation_sessions", None)
    if registry is None:
        registry = SessionRegistry(settings.max_sessions, settings.resume_window_s)
        app.state.dictation_sessions = registry
    return registry


def _message(text: str) -> dict[str, Any]:
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DictationError(f"messages must be JSON objects: {exc.msg} at {exc.pos}", code="invalid_json") from exc
    except RecursionError as exc:  # a hostile message nested thousands deep
        raise DictationError("messages must be JSON objects, not nested thousands deep", code="invalid_json") from exc
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise DictationError('messages must be JSON objects with a string "type"', code="invalid_message")
    return message


class Connection:
    """One WebSocket attached to one session: a receiver and a processor task."""

    def __init__(self, websocket: WebSocket, settings: DictationSettings, registry: SessionRegistry) -> None:
        self.ws = websocket
        self.settings = settings
        self.registry = registry
        self.session: DictationSession | None = None
        self.wake = asyncio.Event()
        self.stopping = False
        self.pace = AudioPace(settings.max_speed, settings.burst_s)
        self.received_at_connect = 0

    async def send(self, event: BaseModel) -> None:
        # A client that does not read fills its socket buffer; past the timeout it is dropped.
        try:
            await asyncio.wait_for(self.ws.send_text(event.model_dump_json()), self.settings.send_timeout_s)
        except (TimeoutError, WebSocketDisconnect):
            raise
        except Exception as exc:  # the server ASGI layer's own "closed" errors: the client has gone
            raise WebSocketDisconnect(1006) from exc

    async def fail(self, message: str, code: str, close_code: int = POLICY, retry_after_s: float | None = None) -> None:
        with contextlib.suppress(Exception):
            await self.send(ErrorEvent(message=message, code=code, retry_after_s=retry_after_s))
            await self.ws.close(close_code, reason=code)

    async def open(self, caller: str) -> None:
        """The first message: start a session or resume a dropped one."""
        first = await asyncio.wait_for(self.ws.receive(), self.settings.idle_timeout_s)
        if first["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(first.get("code", 1000))
        if first.get("text") is None:
            raise DictationError("send a JSON `start` (or `resume`) message before any audio", code="start_expected")
        message = _message(first["text"])
        if message["type"] == "resume":
            await self._resume(message, caller)
            return
        if message["type"] != "start":
            raise DictationError(f"the first message must be `start` or `resume`, not {message['type']!r}")
        try:
            config = DictationConfig.model_validate(message)
        except ValidationError as exc:
            detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DictationError(f"invalid start message: {detail}", code="invalid_start") from exc
        session = DictationSession(
            config, settings=self.settings, asr_settings=self.ws.app.state.settings.asr, pool=self.ws.app.state.pool
        )
        session.owner = caller
        self.registry.add(session)
        self.session = session
        try:  # the session's first model call: where an overloaded pool refuses it (sheddable in the handler)
            await asyncio.to_thread(session.warm_up)
        except PoolBusy as exc:
            raise DictationError(str(exc), code="pool_busy", retry_after_s=exc.retry_after_s) from exc
        await self.send(ReadyEvent(session_id=session.id, model=session.model, sample_rate=config.sample_rate))

    async def _take_parked(self, session_id: str) -> DictationSession:
        """Wait briefly while the old connection still holds the session, then take it over."""
        deadline = time.monotonic() + RESUME_GRACE_S
        while True:
            try:
                return self.registry.resume(session_id)
            except DictationError as exc:
                if exc.code != "session_in_use" or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(0.1)

    async def _resume(self, message: dict[str, Any], caller: str) -> None:
        admit_unchecked()  # coming back: its finals so far must not be lost to a refusal
        session = await self._take_parked(str(message.get("session_id", "")))
        if getattr(session, "owner", caller) != caller:
            self.registry.park(session)
            raise DictationError("that session belongs to another caller", code="session_not_found")
        self.session = session
        self.received_at_connect = session.received
        last = message.get("last_final", -1)
        last = last if isinstance(last, int) else -1
        ready = ReadyEvent(session_id=session.id, model=session.model, sample_rate=session.config.sample_rate,
                           resumed=True, finals=len(session.finals))  # fmt: skip
        await self.send(ready)
        for final in session.finals[last + 1 :]:
            await self.send(final)
        self.wake.set()

    async def receive(self) -> None:
        assert self.session is not None
        while True:
            message = await asyncio.wait_for(self.ws.receive(), self.settings.idle_timeout_s)
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if message.get("bytes") is not None:
                self._audio(message["bytes"])
                continue
            control = _message(message.get("text") or "")
            if control["type"] == "stop":
                self.stopping = True
                drop_optional()  # a partial still queued would only delay the final
                self.wake.set()
                return
            if control["type"] == "ping":
                await self.ws.send_text('{"type": "pong"}')
                continue
            raise DictationError(f"unknown message type {control['type']!r}; expected binary audio or `stop`")

    def _audio(self, frame: bytes) -> None:
        assert self.session is not None
        if len(frame) > MAX_FRAME_BYTES:
            raise DictationError(f"audio frames are limited to {MAX_FRAME_BYTES} bytes", code="frame_too_large")
        self.session.feed(frame)
        refused = self.pace.too_fast((self.session.received - self.received_at_connect) / 16000)
        if refused:
            raise DictationError(refused, code="too_fast")
        self.wake.set()

    async def process(self) -> None:
        assert self.session is not None
        while not self.stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), 0.5)
            self.wake.clear()
            if self.stopping:
                break
            if self.session.has_pending():
                new_turn()  # each chunk queues as a request of its own would, the session having been admitted once
                for event in await asyncio.to_thread(self.session.step):
                    await self.send(event)
        new_turn(urgent=True)  # the clinician pressed stop and waits for the note: the final goes first
        for event in await asyncio.to_thread(self.session.finish):
            await self.send(event)
        raise _Stop


async def dictation_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    settings: DictationSettings = websocket.app.state.settings.dictation
    conn = Connection(websocket, settings, _registry(websocket.app, settings))
    # Park the session for resume unless it ended on purpose (stop, a refused request, a bug): a drop can
    # arrive as a disconnect, a failed send or the handler's cancellation, and none of those may lose finals.
    keep = True
    try:
        caller = authorize_websocket(websocket)
        # One admission for the whole session, as for an HTTP request: refused (1013, pool_busy) at its first
        # model call when the pool is overloaded, else never; each chunk then queues as a new turn (new_turn).
        with socket_admission(websocket):
            await conn.open(caller)
            await run_until_both_end(conn.receive(), conn.process())
    except _Stop:
        keep = False
        with contextlib.suppress(Exception):
            await websocket.close(1000)
    except WebSocketRejected as exc:
        keep = False
        await conn.fail(exc.message, exc.code)
    except DictationError as exc:
        keep = False
        close = TRY_LATER if exc.code in ("too_many_sessions", "pool_busy") else POLICY
        await conn.fail(exc.message, exc.code, close, exc.retry_after_s)
    except WebSocketDisconnect:
        pass
    except TimeoutError:
        # No message within idle_timeout_s, or the client stopped reading what we send.
        await conn.fail("the connection was idle or too slow to read; it can be resumed", "timeout")
    except Exception:
        keep = False
        log.exception("dictation session failed")
        await conn.fail("internal error in the dictation session", "internal_error", INTERNAL)
    finally:
        if conn.session is not None:
            if keep and not conn.session.closed:
                conn.registry.park(conn.session)
            else:
                conn.registry.remove(conn.session)


async def dictation_page(_request: Any) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


router = APIRouter(tags=["dictation"])
# Plain Starlette routes: the gateway's API-key dependencies take a Request, which a WebSocket is not
# (keys are checked by api.auth.authorize_websocket instead), and the page itself is public (it asks for a key).
router.routes.append(WebSocketRoute("/v1/medical/dictation", dictation_socket, name="medical_dictation"))
router.routes.append(Route("/dictate", dictation_page, methods=["GET"], name="dictate_page"))
router.routes.append(Mount("/dictate/static", StaticFiles(directory=STATIC, check_dir=False), name="dictate_static"))
