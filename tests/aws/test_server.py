"""The AWS layer on a real uvicorn gateway, over real HTTP: boto3 with endpoint_url, the AWS CLI once, and Lex V2
booking turns against the clinic bot's real Rasa server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)

from api.settings import Settings
from tests.server import Server

RASA_VENV = Settings().bots.rasa_venv
AWS_CLI = Path(sys.executable).parent / "aws"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def _serve(tmp: Path, modules: str) -> Iterator[Server]:
    gateway = Server(tmp, modules=modules)
    yield gateway
    gateway.process.terminate()
    gateway.process.wait(30)
    gateway.client.close()
    gateway.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _serve(tmp_path_factory.mktemp("aws-server"), '["aws", "tts"]')


@pytest.fixture(scope="module")
def bots_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """With the bots module: its Rasa sidecars start with the gateway (only the Lex test asks for this one)."""
    yield from _serve(tmp_path_factory.mktemp("aws-bots-server"), '["aws", "bots"]')


def client(server: Server, service: str):  # noqa: ANN201 - a boto3 client
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=f"{server.url}/aws",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def test_polly_over_http(server: Server) -> None:
    answer = client(server, "polly").synthesize_speech(Text="Over the wire.", VoiceId="Matthew", OutputFormat="mp3")
    assert answer["ContentType"] == "audio/mpeg" and len(answer["AudioStream"].read()) > 2000
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


@pytest.mark.skipif(not AWS_CLI.exists() and shutil.which("aws") is None, reason="awscli is not installed")
def test_aws_cli_polly_synthesize_speech(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "hello.mp3"
    cli = str(AWS_CLI) if AWS_CLI.exists() else "aws"
    done = subprocess.run(
        [
            cli,
            "--endpoint-url",
            f"{server.url}/aws",
            "polly",
            "synthesize-speech",
            "--output-format",
            "mp3",
            "--voice-id",
            "Joanna",
            "--text",
            "Hello from the AWS command line.",
            str(out),
        ],
        env={**os.environ, **CREDENTIALS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"ContentType": "audio/mpeg"' in done.stdout and out.stat().st_size > 2000
    bad = subprocess.run(
        [
            cli,
            "--endpoint-url",
            f"{server.url}/aws",
            "polly",
            "synthesize-speech",
            "--output-format",
            "mp3",
            "--voice-id",
            "Nobody",
            "--text",
            "x",
            str(out),
        ],
        env={**os.environ, **CREDENTIALS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "ValidationException" in bad.stderr


def _bots_ready(server: Server, timeout: float = 300) -> None:
    if not (RASA_VENV / "bin" / "rasa").exists():
        pytest.skip(f"Rasa venv not found at {RASA_VENV} (bots/setup_rasa.sh; or set VOXGATE_RASA_VENV)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bots = server.client.get("/v1/bots").json()
        clinic = next(b for b in bots if b["name"] == "clinic")
        if clinic["ready"] and not clinic["detail"]:
            return
        if clinic["state"] == "untrained":
            pytest.skip("the clinic bot is not trained (bots/train.sh)")
        time.sleep(1)
    raise AssertionError(f"clinic bot not ready in {timeout} s: {bots}")


@pytest.mark.slow
@pytest.mark.aws_long
def test_lex_booking_turns_against_the_clinic_bot(bots_server: Server) -> None:
    _bots_ready(bots_server)
    lex = client(bots_server, "lexv2-runtime")
    ids = {"botId": "CLINICBOT0", "botAliasId": "TSTALIASID", "localeId": "en_US", "sessionId": f"lex-{time.time_ns()}"}

    first = lex.recognize_text(text="I'd like to book an appointment with a doctor", **ids)
    assert first["sessionState"]["intent"]["name"] == "book_appointment"
    assert first["sessionState"]["intent"]["state"] == "InProgress"
    assert first["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "name"}
    top = first["interpretations"][0]
    assert top["intent"]["name"] == "book_appointment" and 0.5 < top["nluConfidence"]["score"] <= 1
    assert "name" in " ".join(m["content"] for m in first["messages"]).lower()

    second = lex.recognize_text(text="my name is Jane Smith", **ids)
    assert second["sessionState"]["intent"]["name"] == "book_appointment"
    assert second["sessionState"]["intent"]["slots"]["name"]["value"]["interpretedValue"] == "Jane Smith"
    assert second["sessionState"]["dialogAction"]["slotToElicit"] == "date"

    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    lex.recognize_text(text=day.strftime("%d %B %Y"), **ids)
    lex.recognize_text(text="10:30", **ids)
    done = lex.recognize_text(text="a sore throat for a week", **ids)
    assert done["sessionState"]["intent"]["name"] == "book_appointment"
    assert done["sessionState"]["intent"]["state"] == "Fulfilled"
    assert done["sessionState"]["dialogAction"]["type"] == "Close"
    assert "Booked: Jane Smith" in " ".join(m["content"] for m in done["messages"])

    with pytest.raises(lex.exceptions.ResourceNotFoundException):
        lex.recognize_text(text="hello", **{**ids, "botId": "NOSUCHBOT0"})


def _lex_header(value: str):  # noqa: ANN202 - Lex's gzip+base64 JSON header, decoded as a client does
    import base64
    import gzip
    import json

    return json.loads(gzip.decompress(base64.b64decode(value)))


@pytest.mark.slow
@pytest.mark.aws_long
def test_lex_recognize_utterance_by_voice(bots_server: Server) -> None:
    """A spoken turn (our TTS in another voice than the bot's, as 16 kHz L16) to the clinic bot through boto3:
    the transcript, the bot's question and the sessionState come back as Lex's headers, and the question spoken."""
    import asr
    from tests.bots.voice import pcm16, spoken

    _bots_ready(bots_server)
    lex = client(bots_server, "lexv2-runtime")
    ids = {"botId": "CLINICBOT0", "botAliasId": "TSTALIASID", "localeId": "en_US"}
    ids["sessionId"] = f"voice-{time.time_ns()}"
    first = lex.recognize_utterance(
        **ids, requestContentType="audio/l16; rate=16000; channels=1", responseContentType="audio/pcm",
        inputStream=pcm16(spoken("I would like to book an appointment with a doctor.")),
    )  # fmt: skip
    assert "book" in _lex_header(first["inputTranscript"]).lower() and first["inputMode"] == "Speech"
    state = _lex_header(first["sessionState"])
    assert state["intent"]["name"] == "book_appointment" and state["dialogAction"]["slotToElicit"] == "name"
    assert "name" in " ".join(m["content"] for m in _lex_header(first["messages"])).lower()
    assert _lex_header(first["interpretations"])[0]["intent"]["name"] == "book_appointment"
    pcm = first["audioStream"].read()
    assert first["contentType"] == "audio/pcm" and len(pcm) > 2 * 16000  # over a second of 16 kHz speech
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
    heard = asr.transcribe(asr.Audio.from_array(samples), asr.TranscribeOptions(model="tiny.en", language="en"),
                           settings=Settings().asr).text.lower()  # fmt: skip
    assert "name" in heard, heard  # the bot's question, spoken
    second = lex.recognize_utterance(
        **ids, requestContentType="audio/wav", responseContentType="audio/mpeg",
        inputStream=spoken("My name is Jane Smith."),
    )  # fmt: skip
    state = _lex_header(second["sessionState"])
    assert state["intent"]["slots"]["name"]["value"]["interpretedValue"] == "Jane Smith"
    assert state["dialogAction"]["slotToElicit"] == "date"
    assert second["contentType"] == "audio/mpeg" and len(second["audioStream"].read()) > 2000
    silence = bytes(32000)  # a second of it: no speech
    with pytest.raises(lex.exceptions.ValidationException):
        lex.recognize_utterance(**ids, requestContentType="audio/l16; rate=16000; channels=1", inputStream=silence)
