"""The HTTP surface: OpenAI audio routes and medical transcriptions, bad input as 4xx JSON."""

from __future__ import annotations

import json
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.asr.conftest import TEST_MODEL, wav_bytes, word_error_rate
from workers import EmbeddedPool


@pytest.fixture
def app_settings(tmp_path: Path, asr_settings) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'voxgate.db'}",
        artifact_dir=tmp_path / "artifacts",
        api_keys=[],
        model_dir=asr_settings.model_dir,
    )


@pytest.fixture
def api(app_settings: Settings, asr_pool: EmbeddedPool) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, pool=asr_pool)) as client:
        yield client


def post(client: TestClient, data: bytes, route: str = "/v1/audio/transcriptions", **fields):
    fields.setdefault("model", TEST_MODEL)
    return client.post(route, files={"file": ("upload.bin", data)}, data=fields)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["request_id"]
    if code:
        assert error["code"] == code
    return error


def wait_for(client: TestClient, url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {url} did not finish")


def test_formats(api: TestClient, jfk_bytes: bytes, clips: dict[str, str]) -> None:
    body = post(api, jfk_bytes).json()
    assert word_error_rate(clips["jfk.wav"], body["text"]) < 0.15
    text = post(api, jfk_bytes, response_format="text")
    assert text.headers["content-type"].startswith("text/plain") and text.text.strip() == body["text"]
    srt = post(api, jfk_bytes, response_format="srt").text
    assert srt.startswith("1\n00:00:0") and " --> " in srt
    assert post(api, jfk_bytes, response_format="vtt").text.startswith("WEBVTT")
    verbose = post(api, jfk_bytes, response_format="verbose_json", **{"timestamp_granularities[]": ["word", "segment"]})
    verbose = verbose.json()
    assert verbose["segments"] and len(verbose["words"]) >= 20 and verbose["duration"] == pytest.approx(11, abs=0.1)


def test_subtitles_of_long_audio_are_sentences_with_the_same_words(
    app_settings: Settings, asr_pool: EmbeddedPool, speech_dir: Path
) -> None:
    """Long audio is decoded in pause-aligned clips of up to 29.5 s (asr.engines.windows; tiny.en, by default
    decoded in Whisper's windows, too here); srt asks for word times, so its cues are sentences, and its words are
    the json answer's."""
    import asr

    recording = speech_dir / "medical" / "RES0198.mp3"
    if not recording.is_file():
        pytest.skip(f"{recording} is absent")
    data = wav_bytes(asr.decode(recording).samples[: 70 * 16000])
    pause_windows = app_settings.asr.model_copy(update={"whisper_windows_models": []})
    settings = app_settings.model_copy(update={"asr": pause_windows})
    with TestClient(create_app(settings, pool=asr_pool)) as api:
        text = post(api, data).json()["text"]
        srt = post(api, data, response_format="srt").text
    cues = [c.split("\n") for c in srt.strip().split("\n\n")]
    assert len(cues) >= 8  # 70 s is three clips
    seconds = [[float(t[:2]) * 3600 + float(t[3:5]) * 60 + float(t[6:].replace(",", ".")) for t in c[1].split(" --> ")]
               for c in cues]  # fmt: skip
    assert all(0 <= end - start < 20 for start, end in seconds)
    assert all(a[1] <= b[0] + 0.01 for a, b in zip(seconds, seconds[1:], strict=False))
    assert " ".join(" ".join(c[2:]) for c in cues).split() == text.split()


def test_stream_is_server_sent_events(api: TestClient, jfk_bytes: bytes) -> None:
    response = post(api, jfk_bytes, stream="true")
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    assert [e["type"] for e in events[:-1]] == ["transcript.text.delta"] * (len(events) - 1)
    assert events[-1]["type"] == "transcript.text.done"
    assert events[-1]["text"] == "".join(e["delta"] for e in events[:-1])


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"model": "gpt-9"}, "model"),
        ({"model": "../../etc"}, "model"),
        ({"language": "klingon"}, "language"),
        ({"language": "fr"}, "language"),
        ({"response_format": "docx"}, "response_format"),
        ({"temperature": "3"}, "temperature"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api: TestClient, jfk_bytes: bytes, fields: dict, param: str) -> None:
    assert assert_error(post(api, jfk_bytes, **fields), 400)["param"] == param


def test_term_correction_is_a_field_of_both_routes(
    api: TestClient, jfk_bytes: bytes, marking_correction: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """correct_terms (not an OpenAI field: its clients send it as extra_body) reaches the engine from either route;
    empty takes the setting (on). The real model decodes; a stand-in correction marks what it was given."""
    from asr.medical import phrases

    mark = marking_correction
    checked: list[str] = []  # the phrase check follows the same switch (false: Whisper's own words)
    monkeypatch.setattr(phrases, "candidates", lambda text: checked.append(text) or [])
    for route in ("/v1/audio/transcriptions", "/v1/medical/transcriptions"):
        by_default = post(api, jfk_bytes, route=route)
        assert checked, route
        checked.clear()
        switched_off = post(api, jfk_bytes, route=route, correct_terms="false")
        assert not checked, route
        asked = post(api, jfk_bytes, route=route, correct_terms="true")
        assert by_default.status_code == switched_off.status_code == asked.status_code == 200, route
        assert mark in by_default.json()["text"].lower() and mark in asked.json()["text"].lower(), route
        assert mark not in switched_off.json()["text"].lower(), route
        assert assert_error(post(api, jfk_bytes, route=route, correct_terms="perhaps"), 422)["param"] == "correct_terms"


def test_bad_audio_is_400_never_500(api: TestClient, speech_dir: Path) -> None:
    truncated = (speech_dir / "medical" / "RES0198.mp3").read_bytes()[:30000]
    assert_error(post(api, b""), 400, "invalid_audio")
    assert_error(post(api, b"definitely not audio " * 100), 400, "invalid_audio")
    assert_error(post(api, truncated), 400, "invalid_audio")
    assert_error(post(api, wav_bytes(np.zeros(800, dtype=np.float32))), 400, "audio_too_short")
    assert_error(post(api, b"", route="/v1/medical/transcriptions"), 400)
    assert_error(post(api, truncated, route="/v1/medical/transcriptions"), 400, "invalid_audio")
    assert api.post("/v1/audio/transcriptions", data={"model": TEST_MODEL}).status_code == 422  # no file at all


def test_tenth_of_a_second_gives_empty_text(api: TestClient) -> None:
    response = post(api, wav_bytes(np.zeros(1600, dtype=np.float32)))
    assert response.status_code == 200 and response.json()["text"] == ""


def long_silence_wav(path: Path, seconds: int) -> bytes:
    """Hours of 8 kHz 8-bit silence: a real, valid file, built fast."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * (8000 * seconds))
    return path.read_bytes()


def test_two_hours_is_refused_sync_and_queued_as_a_job(
    app_settings: Settings, asr_pool: EmbeddedPool, tmp_path: Path
) -> None:
    data = long_silence_wav(tmp_path / "two_hours.wav", 2 * 3600)
    settings = app_settings.model_copy(update={"job_workers": 0})  # accept, but do not spend CPU on it here
    with TestClient(create_app(settings, pool=asr_pool)) as client:
        assert_error(post(client, data), 413, "audio_too_long")
        accepted = post(client, data, route="/v1/medical/transcriptions")
        assert accepted.status_code == 202, accepted.text
        job = client.get(accepted.json()["url"]).json()
        assert job["status"] == "queued" and job["kind"] == "asr.medical_transcription"


def test_medical_sync(api: TestClient, jfk_bytes: bytes) -> None:
    response = post(
        api, jfk_bytes, route="/v1/medical/transcriptions", vocabulary='["Americans", "country"]', redact_phi="true"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "dictation" and body["hotwords"] == "Americans, country" and body["redacted"]
    assert body["segments"] and body["words"] and isinstance(body["entities"], list)
    assert_error(post(api, jfk_bytes, route="/v1/medical/transcriptions", type="lecture"), 400)


def test_medical_job_runs_and_reports(api: TestClient, speech_dir: Path) -> None:
    stereo = (speech_dir / "general" / "stereo_diarization.wav").read_bytes()
    accepted = post(api, stereo, route="/v1/medical/transcriptions", type="conversation", mode="job", note="true")
    assert accepted.status_code == 202
    job = wait_for(api, accepted.json()["url"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100 and job["result"]["speakers"] == ["clinician", "patient"]
    # note=true: the note, or why none can come from this (a short non-clinical clip): never a lost transcript
    assert job["result"]["note"] is not None or job["result"]["note_error"]["code"], job["result"]
    transcript = api.get(job["result"]["files"]["transcript"])
    assert transcript.status_code == 200 and transcript.json()["words"]


def test_medical_job_with_undecodable_audio_fails_clearly(api: TestClient, speech_dir: Path) -> None:
    lfs_pointer = (speech_dir / "general" / "physicsworks.wav").read_bytes()
    accepted = post(api, wav_bytes(np.zeros(16000, dtype=np.float32)), route="/v1/medical/transcriptions", mode="job")
    assert wait_for(api, accepted.json()["url"])["status"] == "succeeded"
    assert_error(post(api, lfs_pointer, route="/v1/medical/transcriptions", mode="job"), 400, "invalid_audio")


def test_gateway_model_dir_is_honoured(app_settings: Settings, asr_pool: EmbeddedPool, tmp_path: Path) -> None:
    # VOXGATE_MODEL_DIR (the root's model_dir) reaches the asr section when the settings are made.
    empty = Settings(database_url=app_settings.database_url, artifact_dir=app_settings.artifact_dir,
                     model_dir=tmp_path / "no-models")  # fmt: skip
    assert empty.asr.model_dir == tmp_path / "no-models"
    with TestClient(create_app(empty, pool=asr_pool)) as client:
        error = assert_error(post(client, b"RIFF"), 503, "model_not_installed")
        assert str(tmp_path / "no-models") in error["message"]


def test_a_running_medical_job_can_be_cancelled(api: TestClient, speech_dir: Path) -> None:
    """Seven minutes of consultation as a job: cancelling it mid-way frees the worker promptly."""
    data = (speech_dir / "medical" / "RES0198.mp3").read_bytes()
    url = post(api, data, route="/v1/medical/transcriptions", type="conversation").json()["url"]  # long: auto job
    deadline = time.monotonic() + 60
    while (job := api.get(url).json())["progress"] < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job["status"] == "running", job
    assert api.delete(url).status_code == 200
    assert wait_for(api, url, timeout=90)["status"] == "cancelled"


def test_an_overloaded_pool_sheds_http_requests_with_retry_after(app_settings: Settings, jfk_bytes: bytes) -> None:
    """A standing model queue (the request ahead has waited past VOXGATE_MAX_QUEUE_WAIT_S) answers a new
    transcription 503 pool_busy with Retry-After at once, instead of a wait its caller would time out in; once the
    queue drains the same request is served."""
    import threading

    from workers import ModelSpec, PoolSettings, Priority

    pool = EmbeddedPool(PoolSettings(cpu_threads=1, use_cuda=False, max_queue_wait_s=0.5), devices=["cpu"])
    hog = ModelSpec(id="stand-in-hog", loader=lambda device: object(), memory_mb=1)  # plumbing only, says so
    gate = threading.Event()
    try:
        with TestClient(create_app(app_settings.model_copy(update={"modules": ["asr"]}), pool=pool)) as client:
            running = pool.submit(hog, lambda model: gate.wait(30))  # a job-like task holds the only thread
            time.sleep(0.1)
            # and a live task waits behind it (a batch task would not count: live work runs before it)
            queued = pool.submit(hog, lambda model: "queued", priority=Priority.INTERACTIVE)
            time.sleep(0.7)
            started = time.monotonic()
            refused = post(client, jfk_bytes)
            assert time.monotonic() - started < 5  # refused at once, not after a wait
            assert_error(refused, 503, "pool_busy")
            assert int(refused.headers["retry-after"]) >= 1
            assert client.get("/v1/models").json()["devices"][0]["shed"] == 1
            gate.set()
            assert running.result(10) is True and queued.result(10) == "queued"
            served = post(client, jfk_bytes)
            assert served.status_code == 200 and "country" in served.json()["text"].lower()
    finally:
        gate.set()
        pool.shutdown()
