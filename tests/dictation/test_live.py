"""Against a real uvicorn gateway: real-time streaming, concurrent sessions, expiry of dropped
sessions, and the /dictate page in headless Chromium with a recording as its microphone."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from api.settings import REPO_ROOT
from tests.dictation.helpers import frames, pcm16, reference, wer, word_recall
from tests.server import Server

START = {"type": "start", "sample_rate": 16000, "language": "en", "model": "tiny.en"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    mp = pytest.MonkeyPatch()
    mp.setenv("VOXGATE_DICTATION_RESUME_WINDOW_S", "2")
    try:
        # nlp and notes too: the page's "Make note" opens the dictation on the note page
        gateway = Server(tmp_path_factory.mktemp("live"), modules='["asr","dictation","nlp","notes"]')
    finally:
        mp.undo()
    yield gateway
    gateway.kill()


def ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/v1/medical/dictation"


def dictate(server: Server, audio: bytes, pace: float) -> tuple[list[tuple[float, dict]], list[float]]:
    """Stream `audio` in 100 ms frames, `pace` x real time (0: as fast as possible); returns the
    messages with their arrival times and each frame's send time."""
    received: list[tuple[float, dict]] = []
    sent_at: list[float] = []
    with connect(ws_url(server), open_timeout=30, max_size=None) as ws:
        ws.send(json.dumps(START))
        assert json.loads(ws.recv(timeout=120))["type"] == "ready"

        def send() -> None:
            began = time.monotonic()
            for i, frame in enumerate(frames(audio, 0.1)):
                if pace:
                    time.sleep(max(0.0, began + i * 0.1 / pace - time.monotonic()))
                ws.send(frame)
                sent_at.append(time.monotonic())
            ws.send(json.dumps({"type": "stop"}))

        sender = threading.Thread(target=send)
        sender.start()
        while True:
            message = json.loads(ws.recv(timeout=120))
            received.append((time.monotonic(), message))
            if message["type"] in ("done", "error"):
                break
        sender.join()
    return received, sent_at


def test_real_time_stream_shows_partials_before_the_utterance_ends(server: Server, data_dir: Path) -> None:
    # One 7 s sentence read without a pause: partials have time to show while it is spoken.
    clip = "librivox_0870.wav"
    received, sent_at = dictate(server, pcm16(data_dir / "speech/general/clips" / clip), pace=1.0)
    done = received[-1][1]
    assert done["type"] == "done", done
    assert wer(reference(data_dir, clip), done["text"]) <= 0.25, done["text"]
    finals = [(t, m) for t, m in received if m["type"] == "final"]
    partials = [(t, m) for t, m in received if m["type"] == "partial"]
    assert finals and len(partials) >= 2

    # Some utterance shows a partial while its audio is still being sent, i.e. before the speaker
    # has finished it (on a quiet machine every one does; on 2 busy cores decodes can lag).
    def speech_end(index: int) -> float:
        end = next(m["end"] for _, m in finals if m["index"] == index)
        return sent_at[min(len(sent_at) - 1, int(end / 0.1))]

    early = [m for t, m in partials if m["utterance"] < len(finals) and t < speech_end(m["utterance"])]
    assert early, [(round(t - sent_at[0], 2), m["utterance"], m["text"]) for t, m in partials]


def test_sessions_run_side_by_side(server: Server, data_dir: Path) -> None:
    clips = ["jfk.wav", "stereo_left.wav"]
    results: dict[str, dict] = {}

    def run(clip: str) -> None:
        received, _ = dictate(server, pcm16(data_dir / "speech/general/clips" / clip), pace=0)
        results[clip] = received[-1][1]

    threads = [threading.Thread(target=run, args=(clip,)) for clip in clips]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    for clip in clips:
        assert results[clip]["type"] == "done", results[clip]
        assert wer(reference(data_dir, clip), results[clip]["text"]) <= 0.25, results[clip]["text"]


def test_a_dropped_session_is_freed_after_the_resume_window(server: Server, data_dir: Path) -> None:
    with connect(ws_url(server), open_timeout=30) as ws:
        ws.send(json.dumps(START))
        session_id = json.loads(ws.recv(timeout=120))["session_id"]
        for frame in frames(pcm16(data_dir / "speech/general/clips/goforward.wav"), 0.1):
            ws.send(frame)
    time.sleep(3)  # past the 2 s window this server was given
    with connect(ws_url(server), open_timeout=30) as ws:
        ws.send(json.dumps({"type": "resume", "session_id": session_id, "last_final": -1}))
        message = json.loads(ws.recv(timeout=30))
    assert message["type"] == "error" and message["code"] == "session_not_found", message
    assert server.client.get("/healthz").status_code == 200


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium is not installed")
def test_dictation_page_in_headless_chromium(server: Server, data_dir: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    wav = data_dir / "speech/general/clips/jfk.wav"
    out = REPO_ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]  # fmt: skip
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            page = browser.new_page()
            page.goto(server.url + "/dictate")
            page.click("#start")
            # The fake microphone plays the recording (looped): wait until its two sentences that
            # end in "country" are finals, i.e. the whole recording has been heard once.
            page.wait_for_function(
                "() => (window.dictation.finals.map(f => f.text).join(' ').toLowerCase().match(/country/g) || [])"
                " .length >= 2",
                timeout=120_000,
            )
            page.click("#stop")
            page.wait_for_function("() => window.dictation.note !== null", timeout=60_000)
            note = page.inner_text("#note")
            state = page.evaluate("() => ({partials: window.dictation.partials, errors: window.dictation.errors})")
            page.screenshot(path=str(out / "dictate.png"), full_page=True)
            assert page.is_enabled("#copy") and page.is_enabled("#download")
            with page.expect_download() as download:
                page.click("#download")
            assert download.value.suggested_filename.startswith("dictation-")
            # "Make note": the note page makes the dictated note; a line's focus lights up the sentence it came from
            page.click("#make-note")
            page.wait_for_url("**/notes#make")
            page.wait_for_selector("#note .item", timeout=60_000)
            assert page.input_value("#source") == "dictation"
            made = page.locator("#note .item")
            sentences = page.locator("#transcript-view .turn.clinician")
            assert made.count() >= 1 and sentences.count() == made.count()  # a dictation keeps every sentence
            made.first.focus()
            lit = page.locator("#transcript-view .turn.evidence")
            assert lit.count() == 1 and made.first.inner_text().split()[0].lower() in lit.inner_text().lower()
            page.screenshot(path=str(out / "dictate_note.png"), full_page=True)
        finally:
            browser.close()
    assert not state["errors"], state
    assert state["partials"] >= 1
    # Words, not word order: tiny.en decodes JFK's short pauses as separate utterances ("Ask not."),
    # and a busy machine can drop a few fake-microphone blocks; garbled or lost audio scores far lower.
    assert word_recall(reference(data_dir, "jfk.wav"), note) >= 0.8, note
