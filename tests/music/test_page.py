"""The /music page in headless Chromium against a real gateway: keyboard melody in, chorale out, played and
downloaded; then a MIDI upload extended."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import REPO_ROOT
from music.weights import weights_dir
from tests.server import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    gateway = Server(tmp_path_factory.mktemp("music-page"), modules='["music"]')
    try:
        yield gateway
    finally:
        gateway.kill()


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium is not installed")
def test_music_page_in_headless_chromium(server: Server, tmp_path: Path, melody_midi: bytes) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    out = REPO_ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    tune = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72]  # C D E F G F E D C E G C
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(server.url + "/music")
            for pitch in tune:
                page.click(f'.key[data-pitch="{pitch}"]')
            page.select_option("#task", "accompany-arcnn")
            page.click("#generate")
            page.wait_for_function("() => window.music.result !== null || window.music.errors.length", timeout=60_000)
            state = page.evaluate("() => ({result: window.music.result, errors: window.music.errors})")
            assert not state["errors"], state["errors"]
            voices = state["result"]["voices"]
            assert [v["name"] for v in voices] == ["Soprano", "Alto", "Tenor", "Bass"]
            assert [n["pitch"] for n in voices[0]["notes"]] == tune
            assert all(v["notes"] for v in voices[1:])
            page.click("#play")
            assert page.evaluate("() => window.music.playing") is True
            assert page.evaluate("() => window.music.played") == sum(len(v["notes"]) for v in voices)
            page.screenshot(path=str(out / "music.png"), full_page=True)
            with page.expect_download() as download:
                page.click("#download")
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            assert saved.suffix == ".mid" and saved.read_bytes().startswith(b"MThd")
            page.click("#stop")

            # a MIDI file instead of the keyboard, continued by the transformer
            if (weights_dir() / "transformer.safetensors").exists():
                upload = tmp_path / "melody.mid"
                upload.write_bytes(melody_midi)
                page.set_input_files("#file", str(upload))
                page.select_option("#task", "extend")
                page.fill("#bars", "2")
                page.evaluate("() => { window.music.result = null; }")
                page.click("#generate")
                page.wait_for_function(
                    "() => window.music.result !== null || window.music.errors.length", timeout=60_000
                )
                result = page.evaluate("() => window.music.result")
                assert result["model"] == "transformer" and result["metrics"]["bars_added"] == 2
        finally:
            browser.close()
