"""bots routes: Rasa's REST channel and socket.io channel per bot, the bot list, and the chat widget script.

Each bot's Rasa server runs as a managed sidecar (bots.sidecar) started in startup(app); replies are fetched from
its REST channel and returned as-is (REST) or re-emitted in the shape of Rasa's socket.io channel. Per-bot API keys
and CORS origins come from Settings.bots (VOXGATE_BOT_API_KEYS / VOXGATE_BOT_CORS_ORIGINS).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import socketio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from api.auth import TOKEN_QUERY, Refused, bearer_token, key_matches, resolve_tenant
from api.errors import ApiError, error_body, error_responses
from api.settings import Settings
from api.tenancy import DEFAULT_TENANT, TENANT_HEADER, current_tenant, tenant_scope
from bots import BotService, BotUnavailable, SidecarConfig, to_socketio
from bots.channel import MAX_MESSAGE_CHARS, UserMessage

log = logging.getLogger(__name__)
router = APIRouter(tags=["bots"])

WIDGET_DIR = Path(__file__).resolve().parent.parent / "static" / "widget"
UNAVAILABLE = "the assistant is unavailable, try again"
SOCKET_PATH = re.compile(r"^/v1/bots/([a-z0-9-]+)/socket\.io/?$")


class BotInfo(BaseModel):
    name: str
    title: str
    state: str
    ready: bool
    restarts: int
    pid: int | None
    detail: str | None
    rest_url: str
    socket_path: str
    rasa_url: str | None  # the loopback Rasa server behind the gateway (for benchmarks and debugging)


class BotChannels:
    """The gateway's side of the bots: the module's BotService, the socket.io server, and who may talk to which
    bot (per-bot keys and browser origins from Settings.bots)."""

    def __init__(self, settings: Settings) -> None:
        bots = settings.bots
        run_dir = bots.run_dir or settings.artifact_dir.parent / "bots"
        sidecars = SidecarConfig(database_url=settings.database_url, run_dir=run_dir, venv=bots.rasa_venv,
                                 demo_orders=bots.demo_orders)  # fmt: skip
        self.service = BotService(sidecars, bots.urls, namespace=_tenant_namespace, session_turns=bots.session_turns)
        self.names = self.service.names
        self.keys = bots.api_keys
        self.gateway_keys = list(settings.api_keys)
        self.origins = bots.cors_origins
        self.sio = make_socket_server(self)

    def origin_allowed(self, bot: str, origin: str | None) -> bool:
        allowed = self.origins.get(bot, ["*"])
        return origin is None or "*" in allowed or origin in allowed

    def bot_keys(self, bot: str) -> list[str]:
        """A bot with keys needs one of them (or a gateway key); a bot without keys follows the gateway's keys
        (open only while the gateway has none)."""
        return self.keys.get(bot, []) + self.gateway_keys

    def key_allowed(self, bot: str, presented: str | None) -> bool:
        keys = self.bot_keys(bot)
        return not keys or key_matches(presented, keys)

    def info(self, bot: str) -> BotInfo:
        status = self.service.status(bot)
        return BotInfo(
            name=bot,
            title=bot.replace("-", " ").capitalize(),
            state=status.state,
            ready=self.service.rasa_url(bot) is not None,
            restarts=status.restarts,
            pid=status.pid,
            detail=status.detail,
            rest_url=f"/v1/bots/{bot}/webhooks/rest/webhook",
            socket_path=f"/v1/bots/{bot}/socket.io/",
            rasa_url=self.service.configured_url(bot),
        )


def _channels(app: FastAPI) -> BotChannels:
    channels = getattr(app.state, "bots", None)
    if channels is None:
        raise ApiError(503, UNAVAILABLE, code="bot_unavailable", details="bots not started")
    return channels


def _cors_headers(origin: str | None) -> dict[str, str]:
    if origin is None:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _tenant_namespace() -> str | None:
    """Bot conversations are per tenant (api.tenancy): the same sender id under two tenants is two conversations.
    The default tenant keeps Rasa's plain sender ids."""
    tenant = current_tenant()
    return None if tenant == DEFAULT_TENANT else tenant


def _check_bot(channels: BotChannels, bot: str, request: Request) -> dict[str, str]:
    """Unknown bot, disallowed origin or missing per-bot key -> ApiError; else the CORS headers to answer with."""
    origin = request.headers.get("origin")
    if bot not in channels.names:
        raise ApiError(404, f"unknown bot '{bot}'; GET /v1/bots lists them", code="unknown_bot", param="bot")
    if not channels.origin_allowed(bot, origin):
        raise ApiError(403, f"origin {origin} may not use bot '{bot}'", code="origin_not_allowed")
    headers = _cors_headers(origin)
    if not channels.key_allowed(bot, bearer_token(request.headers, request.query_params)):
        raise ApiError(401, f"bot '{bot}' needs its API key", code="invalid_bot_key", headers=headers)
    return headers


# -- startup / shutdown (awaited by api/app.py's lifespan) -----------------------------------------------------


async def startup(app: FastAPI) -> None:
    channels = BotChannels(app.state.settings)
    app.state.bots = channels
    if app.state.settings.bots.sidecars:
        await asyncio.to_thread(channels.service.start)


async def shutdown(app: FastAPI) -> None:
    channels = getattr(app.state, "bots", None)
    if channels is not None:
        await channels.service.close()


# -- REST channel ----------------------------------------------------------------------------------------------


@router.get("/v1/bots", response_model=list[BotInfo], summary="List the assistants and whether each is ready")
async def list_bots(request: Request) -> list[BotInfo]:
    channels = _channels(request.app)
    return [channels.info(bot) for bot in channels.names]


@router.post(
    "/v1/bots/{bot}/webhooks/rest/webhook",
    summary="Rasa REST channel: send a user message, get the bot's replies",
    response_model=list[dict[str, Any]],
    responses=error_responses(403, 404),
)
async def rest_webhook(bot: str, body: UserMessage, request: Request) -> JSONResponse:
    channels = _channels(request.app)
    headers = _check_bot(channels, bot, request)
    try:
        replies = await channels.service.ask(bot, body.sender, body.message, body.metadata)
    except BotUnavailable as exc:
        raise ApiError(
            503, UNAVAILABLE, code="bot_unavailable", details=str(exc), headers={**headers, "Retry-After": "5"}
        ) from exc
    return JSONResponse(replies, headers=headers)


async def _preflight(request: Request) -> Response:
    """CORS preflight for the REST channel: answered before auth, as browsers send no credentials here."""
    channels = _channels(request.app)
    bot, origin = request.path_params["bot"], request.headers.get("origin")
    if bot not in channels.names or not channels.origin_allowed(bot, origin):
        return Response(status_code=403)
    headers = {
        **_cors_headers(origin),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "authorization, content-type, x-request-id",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


# Plain routes (full paths): not behind the gateway's API-key dependency, which would refuse a browser's preflight
# and the public widget script.
router.add_route("/v1/bots/{bot}/webhooks/rest/webhook", _preflight, methods=["OPTIONS"], include_in_schema=False)


# -- socket.io channel -----------------------------------------------------------------------------------------


def make_socket_server(channels: BotChannels) -> socketio.AsyncServer:
    """A socket.io server speaking Rasa's socket.io channel events: session_request -> session_confirm,
    user_uttered -> bot_uttered (one per reply part, as rasa.core.channels.socketio emits them)."""
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", logger=False, engineio_logger=False)

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        match = SOCKET_PATH.match(environ.get("PATH_INFO", ""))
        bot = match[1] if match else None
        if bot not in channels.names:
            raise socketio.exceptions.ConnectionRefusedError(f"unknown bot '{bot}'")
        if not channels.origin_allowed(bot, environ.get("HTTP_ORIGIN")):
            raise socketio.exceptions.ConnectionRefusedError(f"origin may not use bot '{bot}'")
        # socket.io clients pass the key as auth {"token": ...}, or like any request (header, ?token=).
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        if isinstance(auth, dict) and auth.get(TOKEN_QUERY):
            query[TOKEN_QUERY] = str(auth[TOKEN_QUERY])
        presented = bearer_token({"authorization": environ.get("HTTP_AUTHORIZATION", "")}, query)
        # No request here for the gateway's key check: the same check, on the bot's keys, names the tenant the
        # conversation runs under (its key's, or X-Tenant with keys off).
        header = environ.get("HTTP_" + TENANT_HEADER.upper().replace("-", "_"))
        try:
            tenant = resolve_tenant(channels.bot_keys(bot), presented, header)
        except Refused as exc:
            message = f"bot '{bot}' needs its API key" if exc.status == 401 else exc.message
            raise socketio.exceptions.ConnectionRefusedError(message) from None
        await sio.save_session(sid, {"bot": bot, "session_id": None, "base": _gateway_base(environ), "tenant": tenant})

    @sio.on("session_request")
    async def session_request(sid: str, data: Any = None) -> None:
        session_id = (data or {}).get("session_id") if isinstance(data, dict) else None
        session_id = str(session_id or uuid.uuid4().hex)[:128]
        async with sio.session(sid) as session:
            session["session_id"] = session_id
        await sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Any = None) -> None:
        session = await sio.get_session(sid)
        data = data if isinstance(data, dict) else {}
        message = str(data.get("message") or "").strip()
        session_id = str(data.get("session_id") or session.get("session_id") or sid)[:128]
        if not message or len(message) > MAX_MESSAGE_CHARS:
            reason = "empty message" if not message else f"message longer than {MAX_MESSAGE_CHARS} characters"
            await sio.emit(
                "bot_uttered", {"text": f"Sorry, I can't read that ({reason}).", "error": "invalid_message"}, room=sid
            )
            return
        metadata = data.get("customData") if isinstance(data.get("customData"), dict) else None
        try:
            with tenant_scope(session["tenant"]):
                replies = await channels.service.ask(session["bot"], session_id, message, metadata)
        except BotUnavailable:
            await sio.emit("bot_uttered", {"text": UNAVAILABLE, "error": "bot_unavailable"}, room=sid)
            return
        room = session_id if session.get("session_id") == session_id else sid
        for reply in replies:
            for payload in to_socketio(reply):
                await sio.emit("bot_uttered", _absolute_media(payload, session.get("base")), room=room)

    return sio


def _gateway_base(environ: dict[str, Any]) -> str | None:
    """The gateway's origin as the socket.io client reached it (scheme from the ASGI scope, host from Host)."""
    scope = environ.get("asgi.scope") or {}
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return f"{scheme}://{host}"


def _absolute_media(payload: dict[str, Any], base: str | None) -> dict[str, Any]:
    """An image attachment whose src is a gateway path (/widget/...) made absolute: off-the-shelf widgets such as
    rasa-webchat run on the customer's origin and would resolve it there (our widget resolves it itself)."""
    attachment = payload.get("attachment")
    inner = attachment.get("payload") if isinstance(attachment, dict) else None
    src = inner.get("src") if isinstance(inner, dict) else None
    if not base or not isinstance(src, str) or not src.startswith("/") or src.startswith("//"):
        return payload
    return {**payload, "attachment": {**attachment, "payload": {**inner, "src": base + src}}}


class _SocketEndpoint:
    """ASGI endpoint handing /v1/bots/{bot}/socket.io/ (polling and websocket) to the app's socket.io server."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        channels = getattr(scope["app"].state, "bots", None)
        if channels is None:
            if scope["type"] == "http":
                body = error_body(503, UNAVAILABLE, None, code="bot_unavailable")
                await JSONResponse(body, status_code=503)(scope, receive, send)
            return
        await channels.sio.handle_request(scope, receive, send)


router.add_route(
    "/v1/bots/{bot}/socket.io/", _SocketEndpoint(), methods=["GET", "POST", "OPTIONS"], include_in_schema=False
)
router.add_websocket_route("/v1/bots/{bot}/socket.io/", _SocketEndpoint())


# -- the widget ------------------------------------------------------------------------------------------------


async def _widget_file(request: Request) -> Response:
    name = request.path_params.get("name", "widget.js")
    path = (WIDGET_DIR / name).resolve()
    if path.parent != WIDGET_DIR or not path.is_file():
        return JSONResponse(error_body(404, f"no widget file {name}", None, code="not_found"), status_code=404)
    headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"}
    return FileResponse(path, headers=headers)


router.add_route("/widget.js", _widget_file, methods=["GET"], include_in_schema=False)
router.add_route("/widget/{name}", _widget_file, methods=["GET"], include_in_schema=False)
