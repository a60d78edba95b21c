"""The note page in headless Chromium: paste a consultation, make the note, and hovering or focusing a line lights
up the turns it cites."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.notes.test_api import CONSULTATION

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_dir=tmp_path / "artifacts",
                        api_keys=[], modules=["asr", "nlp", "notes"], job_workers=0)  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(20)


def test_evidence_lights_up_on_hover_and_focus(live_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/apt-packages.txt)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        page.goto(f"{live_server}/notes")
        page.fill("#input", CONSULTATION)
        page.click("#make")
        page.wait_for_selector("#note .item", timeout=120000)
        assert "CHIEF COMPLAINT" in page.locator("#note").inner_text()
        assert page.locator("#transcript-view .turn").count() == 16
        denial = page.locator("#note .item", has_text="Denies fever").first  # HPI, and ROS by body system
        denial.hover()
        lit = page.locator("#transcript-view .turn.evidence")
        assert lit.count() == 2 and "fever" in lit.nth(0).inner_text()
        page.mouse.move(0, 0)
        assert page.locator("#transcript-view .turn.evidence").count() == 0
        denial.focus()  # keyboard users get the same
        assert page.locator("#transcript-view .turn.evidence").count() == 2
        out = Path(__file__).resolve().parents[2] / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / "notes_page.png"), full_page=True)
        browser.close()
