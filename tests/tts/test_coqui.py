"""coqui-tts checkpoints through the gateway, with a tiny VITS checkpoint the test builds itself.

Plumbing only: the checkpoint is randomly initialised (scripts/build_tiny_coqui.py), so the "voice" is noise.
What is tested is the real path of a user's checkpoint: `models/coqui/<name>/model.pth + config.json` found
as voice `coqui-<name>`, loaded by coqui-tts in its own venv through the worker process the pool holds, and
audio of the model's sample rate whose length follows the text. Skips when .venv-coqui is absent.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import REPO_ROOT, Settings
from tts.engines.coqui import CoquiProcess, coqui_spec, venv_python
from tts.errors import EngineFailedError

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not venv_python().exists(),
        reason=f"coqui venv not found at {venv_python().parent.parent}: `make test-coqui` makes it",
    ),
]
SAMPLE_RATE = 16000  # what build_tiny_coqui.py sets


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("coqui-models")
    subprocess.run(
        [str(venv_python()), str(REPO_ROOT / "scripts" / "build_tiny_coqui.py"), str(models / "coqui" / "tiny")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (models / "coqui" / "incomplete").mkdir()  # no model.pth: not a voice
    (models / "coqui" / "incomplete" / "config.json").write_text("{}")
    return models


@pytest.fixture(scope="module")
def client(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("coqui-gateway")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'voxgate.db'}",
        artifact_dir=tmp / "artifacts",
        api_keys=[],
        model_dir=model_dir,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _speak(client: TestClient, text: str, **extra: object) -> tuple[int, float]:
    body = {"model": "tts-1", "voice": "coqui-tiny", "input": text, "response_format": "wav", **extra}
    response = client.post("/v1/audio/speech", json=body)
    assert response.status_code == 200, response.text
    samples, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    assert len(samples) > 0 and float(abs(samples).max()) > 0.0, "silent or empty audio"
    return rate, len(samples) / rate


def test_checkpoint_dir_is_a_neural_coqui_voice(client: TestClient) -> None:
    voices = {v["id"]: v for v in client.get("/v1/voices", params={"engine": "coqui"}).json()["data"]}
    assert set(voices) == {"coqui-tiny"}  # the directory without model.pth is not listed
    tiny = voices["coqui-tiny"]
    assert (tiny["engine"], tiny["backend"], tiny["sample_rate"]) == ("neural", "coqui", SAMPLE_RATE)


def test_speech_through_the_gateway(client: TestClient) -> None:
    rate, short = _speak(client, "Take two tablets.")
    assert rate == SAMPLE_RATE
    _, long = _speak(client, "Take two tablets every morning with water, and call the clinic if the rash returns.")
    assert long > 1.5 * short > 0.1
    # speed reaches the model's length scale (slower: longer; the random durations round up to whole frames,
    # so the tiny model stretches less than 2x)
    _, slow = _speak(
        client, "Take two tablets every morning with water, and call the clinic if the rash returns.", speed=0.5
    )
    assert slow > 1.2 * long
    # the engine name as `model` picks the same voice
    response = client.post("/v1/audio/speech", json={"model": "coqui", "voice": "coqui-tiny", "input": "Hello."})
    assert response.status_code == 200 and len(response.content) > 1000


def test_pool_unload_stops_the_worker(model_dir: Path) -> None:
    spec = coqui_spec(str(model_dir / "coqui" / "tiny"))
    process = spec.loader("cpu")
    samples, rate = process.speak("hello", 1.0)
    assert rate == SAMPLE_RATE and len(samples) > 0
    assert spec.unloader is not None
    spec.unloader(process)
    assert process.process.poll() is not None


def test_broken_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "model.pth").write_bytes(b"not a checkpoint")
    (tmp_path / "config.json").write_text('{"model": "vits"}')
    with pytest.raises(EngineFailedError, match="coqui could not load"):
        CoquiProcess(venv_python(), tmp_path / "model.pth", tmp_path / "config.json")
