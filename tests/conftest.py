"""Shared fixtures: settings on a temporary database, a gateway client, the shared data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import REPO_ROOT, Settings
from tests.server import Server

# The gateway's ASR start-up loads the default model in the background (AsrSettings.prewarm): in every test app and
# server process that would be a model load competing with the test. Only tests/asr/test_prewarm.py turns it on.
os.environ.setdefault("VOXGATE_ASR_PREWARM", "false")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'voxgate.db'}",
        artifact_dir=tmp_path / "artifacts",
        api_keys=[],
        bots={"sidecars": False},  # Rasa servers start only in the bots tests that ask for them
        # The voice bots' start-up speaks every bot prompt into a cache (a piper voice in the pool): only the
        # voice tests that measure it turn it on.
        voice={"prewarm": False},
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data, or VOXGATE_DATA; tests that need it skip when it is absent."""
    path = Path(os.environ.get("VOXGATE_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"test data not found at {path} (set VOXGATE_DATA to the shared data folder)")
    return path


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Every gateway process a test starts (tests/server.py); those still running are killed at the end."""
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.kill()


MARK = "zzmarked"


@pytest.fixture
def marking_correction(monkeypatch: pytest.MonkeyPatch) -> str:
    """A stand-in for term post-correction that appends a marker to whatever it is given (segments and texts), for
    tests of where correction is applied: no clip here reliably decodes to a misspelt drug name (the real correction:
    tests/asr/test_term_correction.py). Returns the marker."""
    from asr.medical import correction

    def mark_segment(segment):
        return segment.model_copy(update={"text": f"{segment.text} {MARK}"}), [("x", MARK)]

    monkeypatch.setattr(correction, "correct_segment", mark_segment)
    monkeypatch.setattr(correction, "correct_text", lambda text: (f"{text} {MARK}", [("x", MARK)]))
    return MARK
