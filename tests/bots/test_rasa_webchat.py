"""An existing widget, unchanged: rasa-webchat (npm, socket.io) in headless Chromium against the gateway's socket.io.

The bundle is lib/index.js of the npm package rasa-webchat 1.0.1 (`npm pack rasa-webchat@1.0.1`; tarball sha256
cd2a8ee5211df95c626fc78bcf9d7d3a50368eacd43c7154476d29e519d42685, index.js sha256
bfedd788e4bd7df12f64b5bf2963e634f84bac1cb176b6cede60c507d3553f1e), vendored with its Apache-2.0 LICENSE under
tests/bots/vendor/rasa-webchat/. 1.x is the line built on socket.io-client 3 (Engine.IO 4), the protocol
python-socketio 5 and Rasa 3.6 speak; its README documents the script-tag API as `WebChat.default(props, element)`
(0.x's `WebChat.default.init({selector, ...})` came with socket.io-client 2, Engine.IO 3, which neither Rasa 3.6 nor
the gateway serves).
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from api.settings import REPO_ROOT
from tests.bots.conftest import requires_rasa
from tests.bots.test_widget_browser import CHROMIUM, FLAGS

pytestmark = [requires_rasa, pytest.mark.slow]
BUNDLE = Path(__file__).resolve().parent / "vendor" / "rasa-webchat" / "index.js"
SCREENSHOT = REPO_ROOT / "bench" / "out" / "rasa_webchat.png"


@pytest.fixture
def site(tmp_path: Path, bots_gateway) -> Iterator[str]:
    """A customer's page on its own origin that mounts rasa-webchat exactly as its README shows."""
    shutil.copy(BUNDLE, tmp_path / "webchat.js")
    props = {
        "socketUrl": bots_gateway.url,
        "socketPath": "/v1/bots/clinic/socket.io/",
        "customData": {"language": "en"},
        "initPayload": "/greet",
        "title": "Riverside Clinic",
        "params": {"storage": "local"},
    }
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>Clinic</title></head><body><h1>Riverside Clinic</h1>"
        "<div id='webchat'></div><script src='webchat.js'></script>"
        f"<script>WebChat.default({json.dumps(props)}, document.getElementById('webchat'));</script>"
        "</body></html>"
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def _session_id(page) -> str | None:  # noqa: ANN001 - a playwright Page
    stored = page.evaluate("window.localStorage.getItem('chat_session')")
    return json.loads(stored).get("session_id") if stored else None


def test_rasa_webchat_against_gateway(site: str, bots_gateway) -> None:
    gateway = bots_gateway.url
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/apt-packages.txt)")
    if not BUNDLE.exists():
        pytest.skip(f"rasa-webchat bundle missing at {BUNDLE}")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text))
        page.goto(site)
        try:
            page.locator(".rw-launcher").click(timeout=30_000)  # shown once the socket is connected
            responses = page.locator(".rw-response")
            responses.filter(has_text="I'm the clinic assistant").first.wait_for(timeout=60_000)  # initPayload /greet
            session_id = _session_id(page)
            assert session_id, "no session_id stored after session_confirm"
            confirmed = [line for line in console if line.startswith("session_confirm:")]
            assert confirmed and confirmed[-1].endswith(f"session_id:{session_id}"), console

            page.locator(".rw-new-message").fill("what are your opening hours")
            page.keyboard.press("Enter")
            page.locator(".rw-client").filter(has_text="what are your opening hours").wait_for(timeout=10_000)
            responses.filter(has_text="Monday to Friday 08:00-18:00").first.wait_for(timeout=60_000)
            # The reply's image (a gateway path, /widget/clinic-hours.svg) must load on the customer's page too.
            image = page.locator("img.rw-image-frame").first
            image.wait_for(timeout=30_000)
            assert image.get_attribute("src") == f"{gateway}/widget/clinic-hours.svg"
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

            # The session survives a page load: the widget asks for its stored id, the gateway confirms that id,
            # and the conversation so far is still there.
            page.reload()
            page.locator(".rw-response").filter(has_text="Monday to Friday 08:00-18:00").first.wait_for(timeout=30_000)
            for _ in range(100):
                if sum(line.startswith("session_confirm:") for line in console) >= 2:
                    break
                page.wait_for_timeout(100)
            confirmed = [line for line in console if line.startswith("session_confirm:")]
            assert len(confirmed) >= 2 and confirmed[-1].endswith(f"session_id:{session_id}"), console
            assert _session_id(page) == session_id
            page.locator(".rw-new-message").fill("are you a bot?")
            page.keyboard.press("Enter")
            page.locator(".rw-response").filter(has_text="I'm a virtual assistant").first.wait_for(timeout=60_000)
        finally:
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            browser.close()
