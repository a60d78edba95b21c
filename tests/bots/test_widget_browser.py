"""The chat widget in headless Chromium: a plain page on another origin with one script tag, against real Rasa."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.bots.conftest import requires_rasa

pytestmark = [requires_rasa, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def site(tmp_path: Path, bots_gateway) -> Iterator[str]:
    """A customer's web page, served from its own origin, with the widget's script tag."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>Clinic</title></head><body><h1>Riverside Clinic</h1>"
        f"<script src='{bots_gateway.url}/widget.js' data-bot='clinic' data-title='Riverside Clinic'></script>"
        "</body></html>"
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def test_widget_chat_in_chromium(site: str, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/apt-packages.txt)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # playwright makes a fresh profile
        page = browser.new_page()
        page.goto(site)
        bubble = page.get_by_role("button", name="Open chat: Riverside Clinic")
        bubble.focus()
        page.keyboard.press("Enter")  # opens by keyboard; the widget greets
        dialog = page.get_by_role("dialog", name="Riverside Clinic")
        log = dialog.get_by_role("log")
        log.get_by_text("I'm the clinic assistant").wait_for(timeout=30_000)
        dialog.get_by_role("button", name="Opening hours").click()
        log.get_by_text("Monday to Friday 08:00-18:00").wait_for(timeout=30_000)
        assert log.locator("img").count() == 1
        dialog.get_by_label("Your message").fill("are you a bot?")
        page.keyboard.press("Enter")
        log.get_by_text("I'm a virtual assistant").wait_for(timeout=30_000)

        page.reload()  # the conversation survives a page load
        page.get_by_role("log").get_by_text("I'm a virtual assistant").wait_for(timeout=10_000)
        page.get_by_label("Your message").focus()
        page.keyboard.press("Escape")  # closes, and focus returns to the bubble
        bubble = page.get_by_role("button", name="Open chat: Riverside Clinic")
        assert bubble.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.className") == "vxg-bubble"
        browser.close()
