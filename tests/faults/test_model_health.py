"""A model file missing or corrupt at start: its module reports itself unhealthy on /healthz with the reason,
the other modules keep serving."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.settings import Settings
from tests.server import Server


def test_corrupt_and_missing_models_are_reported_and_others_serve(tmp_path: Path, servers: list[Server]) -> None:
    pytest.importorskip("faster_whisper")
    installed = Settings().model_dir / "whisper" / "base"
    if not (installed / "model.bin").is_file():
        pytest.skip(f"whisper base is not installed in {installed.parent} (make setup)")
    models = tmp_path / "models"
    corrupt = models / "whisper" / "base"  # asr's default: cut short, as by a full disk during a copy
    corrupt.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt", ".voxgate-installed.json"):
        if (installed / name).exists():
            shutil.copy(installed / name, corrupt / name)
    with (installed / "model.bin").open("rb") as source:
        (corrupt / "model.bin").write_bytes(source.read(1 << 20))
    # dictation's default (tiny.en) is simply absent from this model folder.
    server = Server(tmp_path, modules='["asr", "dictation", "nlp"]', env={"VOXGATE_MODEL_DIR": str(models)})
    servers.append(server)

    health = server.client.get("/healthz")
    assert health.status_code == 200  # liveness: the process is up
    body = health.json()
    assert body["status"] == "degraded", body
    assert set(body["unhealthy"]) == {"asr", "dictation"}, body
    assert "'base'" in body["unhealthy"]["asr"] and "corrupt" in body["unhealthy"]["asr"]
    assert "'tiny.en'" in body["unhealthy"]["dictation"] and "missing" in body["unhealthy"]["dictation"]
    assert set(body["modules"]) == {"asr", "dictation", "nlp"}
    ready = server.client.get("/readyz")  # a load balancer sends nothing to a module its start-up check failed
    assert ready.status_code == 503, ready.text
    modules = ready.json()["modules"]
    assert not modules["asr"]["ready"] and "corrupt" in modules["asr"]["reason"], modules
    assert not modules["dictation"]["ready"] and modules["nlp"]["ready"], modules
    sentiment = server.client.post("/v1/sentiment", json={"texts": ["this works well"]})
    assert sentiment.status_code == 200, sentiment.text
