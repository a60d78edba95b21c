"""TTS through the gateway with real engines: a real uvicorn server and the official openai client,
plus the Polly-like route, speech marks, lexicons, jobs and bad input."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest

from api.settings import REPO_ROOT
from tests.tts.test_text import PLS

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("tts-server")
    port = _free_port()
    env = {
        **os.environ,
        "VOXGATE_DATABASE_URL": f"sqlite:///{tmp / 'voxgate.db'}",
        "VOXGATE_ARTIFACT_DIR": str(tmp / "artifacts"),
        "VOXGATE_MODULES": '["tts"]',
    }
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError((tmp / "server.log").read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _decode(data: bytes) -> tuple[float, int]:
    container = av.open(io.BytesIO(data))
    samples, rate = 0, 0
    for frame in container.decode(audio=0):
        samples, rate = samples + frame.samples, frame.sample_rate
    return samples / rate, rate


def test_voices_listed(server: str) -> None:
    voices = httpx.get(f"{server}/v1/voices").json()["data"]
    by_id = {v["id"]: v for v in voices}
    joe = by_id["en_US-joe-medium"]
    assert joe["engine"] == "neural" and joe["sample_rate"] == 22050 and "alloy" in joe["aliases"]
    for standard in (
        "flite-slt",
        "flite-awb",
        "flite-rms",
        "flite-kal",
        "festival-kal",
        "festival-slt-hts",
        "espeak-en-us",
    ):
        assert by_id[standard]["engine"] == "standard"
    assert by_id["flite-slt"]["gender"] == "female"


@pytest.mark.parametrize(
    ("fmt", "voice"),
    [("mp3", "alloy"), ("opus", "flite-slt"), ("aac", "festival-kal"), ("flac", "espeak-en-us"), ("wav", "nova")],
)
def test_openai_client_formats(server: str, fmt: str, voice: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="unused")
    response = client.audio.speech.create(
        model="tts-1", voice=voice, input="Take two tablets daily.", response_format=fmt
    )
    duration, _ = _decode(response.content)
    assert 0.8 < duration < 5.0


def test_openai_pcm_is_24k_and_streams_sentence_by_sentence(server: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="unused")
    text = " ".join(["The patient should take one tablet of amoxicillin every morning."] * 5)
    started = time.monotonic()
    first, chunks = None, []
    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=text, response_format="pcm"
    ) as response:
        for chunk in response.iter_bytes():
            first = first or time.monotonic() - started
            chunks.append(chunk)
    total = time.monotonic() - started
    data = b"".join(chunks)
    assert len(data) / 2 / 24000 > 10  # five sentences, 24 kHz 16-bit
    assert first < total * 0.6, (first, total)  # the first sentence arrived well before the end


def test_polly_speech_marks_from_alignments(server: str) -> None:
    text = "Hello there. Take 20 mg twice a day."
    body = {"text": text, "output_format": "json", "speech_mark_types": ["sentence", "word"]}
    response = httpx.post(f"{server}/v1/speech", json=body, timeout=60)
    assert response.status_code == 200, response.text
    marks = [json.loads(line) for line in response.text.splitlines()]
    words = [m for m in marks if m["type"] == "word"]
    assert [m["value"] for m in words] == ["Hello", "there", "Take", "20", "mg", "twice", "a", "day"]
    assert [text.encode()[m["start"] : m["end"]].decode() for m in words] == [m["value"] for m in words]
    times = [m["time"] for m in words]
    assert times == sorted(times) and times[-1] > 1000
    assert [m["value"] for m in marks if m["type"] == "sentence"] == ["Hello there.", "Take 20 mg twice a day."]
    # the marks match the audio: the last word starts before the audio ends
    audio = httpx.post(f"{server}/v1/speech", json={"text": text, "output_format": "wav"}, timeout=60).content
    assert times[-1] < _decode(audio)[0] * 1000


def test_ssml_marks_breaks_and_prosody(server: str) -> None:
    ssml = '<speak>One <break time="1s"/><mark name="here"/>two. <prosody rate="x-slow">three</prosody></speak>'
    body = {"text": ssml, "text_type": "ssml", "output_format": "json", "speech_mark_types": ["word", "ssml"]}
    marks = [json.loads(x) for x in httpx.post(f"{server}/v1/speech", json=body, timeout=60).text.splitlines()]
    one, mark, two = marks[0], marks[1], marks[2]
    assert mark["type"] == "ssml" and mark["value"] == "here"
    assert ssml[mark["start"] : mark["end"]] == '<mark name="here"/>'
    assert mark["time"] - one["time"] >= 1000 and two["time"] >= mark["time"]
    slow = httpx.post(f"{server}/v1/speech", json={"text": ssml, "text_type": "ssml", "output_format": "wav"})
    plain = httpx.post(f"{server}/v1/speech", json={"text": "One two. three", "output_format": "wav"})
    assert _decode(slow.content)[0] > _decode(plain.content)[0] + 1.0


def test_lexicon_lifecycle_and_use(server: str) -> None:
    put = httpx.put(f"{server}/v1/lexicons/med", content=PLS, headers={"content-type": "application/pls+xml"})
    assert put.status_code == 200 and put.json()["lexemes"] == 2
    assert httpx.get(f"{server}/v1/lexicons/med").json()["content"] == PLS
    assert [x["name"] for x in httpx.get(f"{server}/v1/lexicons").json()["data"]] == ["med"]
    body = {"text": "Ask the W3C.", "output_format": "wav", "voice": "flite-slt"}
    without = _decode(httpx.post(f"{server}/v1/speech", json=body).content)[0]
    with_lexicon = _decode(httpx.post(f"{server}/v1/speech", json={**body, "lexicons": ["med"]}).content)[0]
    assert with_lexicon > without + 0.5  # "World Wide Web Consortium" is longer than "W 3 C"
    assert httpx.delete(f"{server}/v1/lexicons/med").status_code == 204
    gone = httpx.post(f"{server}/v1/speech", json={**body, "lexicons": ["med"]})
    assert gone.status_code == 404 and "med" in gone.json()["error"]["message"]


def test_long_text_job(server: str, tmp_path: Path) -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    accepted = httpx.post(f"{server}/v1/speech/jobs", json={"text": text, "voice": "flite-kal", "output_format": "mp3"})
    assert accepted.status_code == 202
    url = accepted.json()["url"]
    for _ in range(300):
        job = httpx.get(f"{server}{url}").json()
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    audio = httpx.get(f"{server}{job['result']['files']['audio']}").content
    assert _decode(audio)[0] > 40


@pytest.mark.parametrize(
    ("route", "body", "status", "needle"),
    [
        ("/v1/audio/speech", {"model": "tts-1", "input": "", "voice": "alloy"}, 400, "empty"),
        ("/v1/audio/speech", {"model": "tts-1", "input": "x" * 200_000, "voice": "alloy"}, 413, "characters"),
        ("/v1/audio/speech", {"model": "tts-1", "input": "hi", "voice": "nobody"}, 400, "unknown voice"),
        ("/v1/audio/speech", {"model": "tts-9", "input": "hi", "voice": "alloy"}, 400, "unknown model"),
        ("/v1/audio/speech", {"model": "tts-1", "input": "hi", "response_format": "ogg"}, 400, "unsupported format"),
        ("/v1/speech", {"text": "<speak>hi <b/></speak>", "text_type": "ssml"}, 400, "line 1, column 11"),
        ("/v1/speech", {"text": "hi", "output_format": "wav", "sample_rate": 12345}, 400, "sample rate"),
        ("/v1/speech", {"text": "hi", "output_format": "json"}, 400, "speech_mark_types"),
        ("/v1/speech", {"text": "hi", "lexicons": ["nope"]}, 404, "nope"),
    ],
)
def test_bad_input(server: str, route: str, body: dict, status: int, needle: str) -> None:
    response = httpx.post(f"{server}{route}", json=body, timeout=30)
    assert response.status_code == status, response.text
    assert needle in response.json()["error"]["message"]


def test_bad_lexicon_upload(server: str) -> None:
    response = httpx.put(f"{server}/v1/lexicons/bad", content="<html><body/></html>")
    assert response.status_code == 400 and "not a PLS document" in response.json()["error"]["message"]
    response = httpx.put(f"{server}/v1/lexicons/bad", content="<lexicon")
    assert response.status_code == 400 and response.json()["error"]["details"]["position"]["line"] == 1
    assert httpx.get(f"{server}/healthz").status_code == 200  # nothing stuck
