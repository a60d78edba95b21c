"""The voxgate command against a real gateway process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.settings import REPO_ROOT
from tests.server import Server


def voxgate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_help_lists_the_commands() -> None:
    out = voxgate("--help").stdout
    # the gateway's own, then each installed module's, as api/modules.py declares them
    for command in ("serve", "models", "jobs", "transcribe", "say", "ocr", "translate", "calls", "music"):
        assert f" {command} " in out, command


def test_models_and_jobs_read_a_running_gateway(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        server.client.post("/v1/embeddings", json={"input": "load the model"})
        job_id = server.client.post("/v1/embeddings/jobs", json={"input": ["a", "b", "c"]}).json()["id"]
        models = voxgate("models", "--url", server.url)
        assert models.returncode == 0, models.stderr
        assert "all-MiniLM-L6-v2" in models.stdout and "cpu" in models.stdout
        waited = voxgate("jobs", "wait", job_id, "--url", server.url)
        assert waited.returncode == 0, waited.stdout + waited.stderr
        assert "succeeded" in waited.stdout
        listed = voxgate("jobs", "--url", server.url)
        assert job_id in listed.stdout
    finally:
        server.kill()


def test_cli_says_when_no_gateway_runs() -> None:
    result = voxgate("models", "--url", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert "no gateway" in result.stdout
