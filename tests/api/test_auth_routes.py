"""With API keys on, every route of a gateway with every installed module mounted refuses a caller without a key:
HTTP routes (each method), WebSockets, the socket.io channel (polling and websocket transports) and the AWS routes.
The test walks app.routes, so a route added later that forgets the key check fails here. The few public paths
(api.auth.PUBLIC_PATHS, PUBLIC_PAGES) are pages and static files only, and answer with the pages' CSP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.auth import PUBLIC_PAGES, PUBLIC_PATHS
from api.security import PAGE_CSP
from api.settings import Settings

KEY = "sk-walk-0123456789"
PUBLIC = set(PUBLIC_PATHS) | set(PUBLIC_PAGES)
# A CORS preflight carries no credentials by design (browsers send none); it answers headers only.
PUBLIC_METHODS = {("OPTIONS", "/v1/bots/{bot}/webhooks/rest/webhook")}
SOCKET_IO = "/v1/bots/{bot}/socket.io/"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("walk")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}",
        artifact_dir=tmp / "artifacts",
        api_keys=[f"acme:{KEY}"],
        job_workers=0,
        bots={"sidecars": False},
        voice={"prewarm": False},
    )
    with TestClient(create_app(settings)) as client:
        yield client


def walk(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every leaf route, through FastAPI's included routers (which keep the original router's routes)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from walk(inner.routes)
        else:
            yield route


def fill(path: str, bot: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: bot if m[1] == "bot" else "x", path)


def test_walk_sees_every_kind_of_route(keyed: TestClient) -> None:
    routes = list(walk(keyed.app.routes))
    assert len(routes) > 60
    assert any(isinstance(r, (WebSocketRoute, APIWebSocketRoute)) for r in routes)
    assert any(getattr(r, "path", "") == "/aws/{path:aws_path}" for r in routes)  # the AWS catch-all


def test_every_http_route_refuses_without_a_key(keyed: TestClient) -> None:
    bot = keyed.app.state.bots.names[0]
    checked, leaks = 0, []
    for route in walk(keyed.app.routes):
        if not isinstance(route, Route) or route.path in PUBLIC or route.path == SOCKET_IO:
            continue
        for method in sorted(route.methods or ()):
            if method == "HEAD" or (method, route.path) in PUBLIC_METHODS:
                continue
            response = keyed.request(method, fill(route.path, bot))
            checked += 1
            if route.path.startswith("/aws"):  # AWS clients sign; an unsigned call gets AWS's own refusal
                ok = response.status_code == 403 and "UnrecognizedClientException" in response.text
            else:
                ok = response.status_code == 401 and '"code":"missing_api_key"' in response.text.replace(" ", "")
            if not ok:
                leaks.append(f"{method} {route.path} -> {response.status_code} {response.text[:120]}")
            wrong = keyed.request(method, fill(route.path, bot), headers={"Authorization": "Bearer sk-wrong"})
            if not route.path.startswith("/aws") and wrong.status_code != 401:
                leaks.append(f"{method} {route.path} with a wrong key -> {wrong.status_code}")
    assert not leaks, "routes answering without a valid key:\n" + "\n".join(leaks)
    assert checked > 50


def test_every_websocket_refuses_without_a_key(keyed: TestClient) -> None:
    bot = keyed.app.state.bots.names[0]
    sockets = [r for r in walk(keyed.app.routes) if isinstance(r, (WebSocketRoute, APIWebSocketRoute))]
    assert {r.path for r in sockets} >= {"/v1/medical/dictation", "/v1/bots/{bot}/voice", SOCKET_IO}
    for route in sockets:
        if route.path == SOCKET_IO:
            continue  # socket.io: below, with its own handshake
        with keyed.websocket_connect(fill(route.path, bot)) as ws:
            try:
                message = ws.receive_json()
            except WebSocketDisconnect:
                continue  # closed at once: refused
            assert message["type"] == "error" and message["code"] == "missing_api_key", (route.path, message)
            with pytest.raises(WebSocketDisconnect):
                ws.receive_json()


def _socket_io_connect_packet(keyed: TestClient, path: str, token: str | None) -> str:
    """Engine.IO polling handshake, then a socket.io CONNECT: the server's answer packet ("40": connected,
    "44": refused)."""
    query = "EIO=4&transport=polling"
    opened = keyed.get(f"{path}?{query}")
    assert opened.status_code == 200, opened.text
    sid = json.loads(opened.text[1:])["sid"]
    connect = "40" + (json.dumps({"token": token}) if token else "")
    assert keyed.post(f"{path}?{query}&sid={sid}", content=connect).status_code == 200
    return keyed.get(f"{path}?{query}&sid={sid}").text


def test_socket_io_refuses_without_a_key(keyed: TestClient) -> None:
    path = fill(SOCKET_IO, keyed.app.state.bots.names[0])
    refused = _socket_io_connect_packet(keyed, path, None)
    assert refused.startswith("44") and "API key" in refused
    assert _socket_io_connect_packet(keyed, path, "sk-wrong").startswith("44")
    assert _socket_io_connect_packet(keyed, path, KEY).startswith("40{")
    with keyed.websocket_connect(f"{path}?EIO=4&transport=websocket", headers={"Upgrade": "websocket"}) as ws:
        assert ws.receive_text().startswith("0{")
        ws.send_text("40")
        assert ws.receive_text().startswith("44")


def test_public_paths_are_pages_only(keyed: TestClient) -> None:
    """What answers without a key: GET pages and their static files (with the pages' CSP), the docs, health."""
    bot = keyed.app.state.bots.names[0]
    public = [r for r in walk(keyed.app.routes) if getattr(r, "path", None) in PUBLIC]
    assert public
    for route in public:
        if isinstance(route, Mount):
            continue
        assert set(route.methods or ()) <= {"GET", "HEAD"}, route.path
    for page in ("/dictate", "/notes", "/music", f"/talk/{bot}", "/widget/demo.html"):
        response = keyed.get(page)
        assert response.status_code == 200, page
        assert response.headers["content-security-policy"] == PAGE_CSP
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/metrics").status_code == 401  # /metrics is public only with VOXGATE_METRICS_PUBLIC


def test_metrics_can_be_made_public(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "a",
                        api_keys=[KEY], metrics_public=True, modules=["nlp"], job_workers=0)  # fmt: skip
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 200
        assert client.get("/v1/jobs").status_code == 401
