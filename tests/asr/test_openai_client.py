"""The official `openai` client against a real uvicorn server on 127.0.0.1, with base_url."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

openai = pytest.importorskip("openai", reason="the [dev] extra (openai) is not installed")
uvicorn = pytest.importorskip("uvicorn")

from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from tests.asr.conftest import TEST_MODEL, word_error_rate  # noqa: E402
from workers import EmbeddedPool  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory, asr_settings, asr_pool: EmbeddedPool) -> Iterator[openai.OpenAI]:
    tmp = tmp_path_factory.mktemp("server")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}", artifact_dir=tmp / "artifacts", model_dir=asr_settings.model_dir
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, pool=asr_pool), host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0)
    server.should_exit = True
    thread.join(timeout=10)


def test_transcriptions_json_text_and_verbose(client: openai.OpenAI, speech_dir: Path, clips: dict[str, str]) -> None:
    path = speech_dir / "general" / "jfk.flac"
    with path.open("rb") as f:
        result = client.audio.transcriptions.create(model=TEST_MODEL, file=f)
    assert word_error_rate(clips["jfk.wav"], result.text) < 0.15
    with path.open("rb") as f:
        text = client.audio.transcriptions.create(model=TEST_MODEL, file=f, response_format="text")
    assert text.strip() == result.text
    with path.open("rb") as f:
        verbose = client.audio.transcriptions.create(
            model=TEST_MODEL, file=f, response_format="verbose_json", timestamp_granularities=["word", "segment"]
        )
    assert verbose.duration == pytest.approx(11.0, abs=0.1) and verbose.language == "english"
    assert verbose.words and verbose.segments and verbose.words[0].start < verbose.words[-1].end


def test_streaming_events(client: openai.OpenAI, speech_dir: Path) -> None:
    with (speech_dir / "general" / "jfk.flac").open("rb") as f:
        events = list(client.audio.transcriptions.create(model=TEST_MODEL, file=f, stream=True))
    assert events[-1].type == "transcript.text.done"
    assert "fellow Americans" in events[-1].text
    assert all(e.type == "transcript.text.delta" for e in events[:-1]) and len(events) >= 2


def test_translation_with_the_default_model(client: openai.OpenAI, speech_dir: Path) -> None:
    with (speech_dir / "general" / "jfk.flac").open("rb") as f:
        result = client.audio.translations.create(model="whisper-1", file=f)
    assert "country" in result.text.lower()


def test_unknown_model_is_a_bad_request(client: openai.OpenAI, speech_dir: Path) -> None:
    with (speech_dir / "general" / "jfk.flac").open("rb") as f, pytest.raises(openai.BadRequestError) as error:
        client.audio.transcriptions.create(model="gpt-4o-transcribe", file=f)
    assert error.value.code == "model_not_found"


def test_term_correction_switch_from_the_official_client(
    client: openai.OpenAI, speech_dir: Path, marking_correction: str
) -> None:
    """`correct_terms` is no OpenAI field: the official client sends it as extra_body, in the same form. A stand-in
    correction marks what it is given."""
    path = speech_dir / "general" / "jfk.flac"
    with path.open("rb") as f:
        corrected = client.audio.transcriptions.create(model=TEST_MODEL, file=f)
    with path.open("rb") as f:
        raw = client.audio.transcriptions.create(model=TEST_MODEL, file=f, extra_body={"correct_terms": False})
    assert marking_correction in corrected.text and marking_correction not in raw.text
