"""Voice in headless Chromium against the real gateway, Rasa, ASR and TTS: the microphone is a WAV file our TTS made
(--use-file-for-fake-audio-capture), the question appears as the user's text and the bot's reply is shown and played
(decoded and started on WebAudio)."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import soundfile

import asr
from tests.bots.conftest import requires_rasa
from tests.bots.test_widget_browser import FLAGS
from tests.bots.voice import spoken

pytestmark = [requires_rasa, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def microphone(tmp_path: Path) -> Path:
    """The question, then silence (Chromium loops the file)."""
    speech = asr.decode(spoken("What are your opening hours?")).samples
    samples = np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(16000 * 6, np.float32)])
    path = tmp_path / "question.wav"
    soundfile.write(path, samples, 16000, subtype="PCM_16")
    return path


@pytest.fixture
def browser(microphone: Path) -> Iterator:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/apt-packages.txt)")
    args = [
        *FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}", "--autoplay-policy=no-user-gesture-required",
    ]  # fmt: skip
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


@pytest.fixture
def site(tmp_path: Path, bots_gateway) -> Iterator[str]:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>Clinic</title></head><body><h1>Riverside Clinic</h1>"
        f"<script src='{bots_gateway.url}/widget.js' data-bot='clinic' data-title='Riverside Clinic' data-voice='true'"
        " data-open='true'></script></body></html>"
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def test_widget_mic_hands_free(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(site)
    dialog = page.get_by_role("dialog", name="Riverside Clinic")
    log = dialog.get_by_role("log")
    log.get_by_text("I'm the clinic assistant").wait_for(timeout=30_000)  # the typed chat still greets
    dialog.get_by_label("Hands-free").check()
    mic = dialog.get_by_role("button", name="Start or stop talking")
    mic.focus()
    page.keyboard.press("Enter")  # keyboard reachable
    assert mic.get_attribute("aria-pressed") == "true"
    log.locator(".vxg-user", has_text="opening hours").first.wait_for(timeout=90_000)  # the spoken question, as text
    log.get_by_text("Monday to Friday 08:00-18:00").first.wait_for(timeout=60_000)  # the reply shown
    page.wait_for_function("() => Number(document.querySelector('.vxg-panel').dataset.voicePlayed || 0) >= 1",
                           timeout=60_000)  # fmt: skip  # and played
    page.close()


def test_talk_page_one_button(browser, bots_gateway) -> None:
    page = browser.new_page()
    page.goto(f"{bots_gateway.url}/talk/clinic")
    button = page.get_by_role("button", name="Start talking")
    button.click()
    log = page.get_by_role("log")
    log.get_by_text("Riverside Clinic assistant").first.wait_for(timeout=60_000)  # the greeting, shown and spoken
    log.locator(".user", has_text="opening hours").first.wait_for(timeout=90_000)
    log.get_by_text("Monday to Friday").first.wait_for(timeout=60_000)
    page.wait_for_function("() => Number(document.body.dataset.voicePlayed || 0) >= 2", timeout=60_000)
    page.get_by_role("button", name="End").click()
    page.close()


def test_microphone_denied_is_explained(bots_gateway, site: str) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*FLAGS, "--use-fake-device-for-media-stream",
                                                                     "--deny-permission-prompts"])  # fmt: skip
        page = browser.new_page()
        page.goto(site)
        dialog = page.get_by_role("dialog", name="Riverside Clinic")
        dialog.get_by_role("button", name="Hold to talk (or press and hold Space)").dispatch_event("pointerdown")
        dialog.get_by_role("status").get_by_text("Microphone access was denied").wait_for(timeout=30_000)
        browser.close()
