"""Security headers on every HTTP answer (pages, API, files): no MIME sniffing, no referrer, no framing, and a
Content-Security-Policy per kind of answer.

- Web pages (text/html: /dictate, /notes, /calls/{id}, /music, /talk/{bot}, the widget demo): scripts only from
  the gateway itself (no inline script: the pages' scripts are files), inline styles allowed (the chat widget
  injects its stylesheet; a style cannot run code), media and workers from blob: (recorded audio), connections
  to the gateway only (HTTP and its WebSockets).
- The API documentation (/docs, /redoc): FastAPI's pages load Swagger UI / ReDoc from cdn.jsdelivr.net with an
  inline bootstrap script, so they get a looser policy limited to that CDN.
- Everything else (JSON, audio, files): `default-src 'none'`, so a file served by mistake as HTML runs nothing.

Headers a route set itself are kept. CORS is not touched here: the bots' channels answer their own (per-bot
origins), everything else is same-origin.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self' blob: data:; connect-src 'self'; worker-src 'self' blob:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc")

COMMON = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"permissions-policy": b"camera=(), geolocation=(), microphone=(self)",
}


def csp_for(path: str, content_type: bytes) -> str:
    if path in DOCS_PATHS or path.startswith("/docs/"):
        return DOCS_CSP
    if content_type.startswith(b"text/html"):
        return PAGE_CSP
    return API_CSP


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = {**COMMON, b"content-security-policy": csp_for(scope["path"], content_type).encode()}
                headers += [(name, value) for name, value in extra.items() if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
