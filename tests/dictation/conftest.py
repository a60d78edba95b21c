"""One gateway (dictation only) and one model pool for the socket tests, so tiny.en loads once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from workers import ModelPool, make_pool


@pytest.fixture(scope="session")
def dictation_pool() -> Iterator[ModelPool]:
    pool = make_pool()
    yield pool
    pool.shutdown()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, dictation_pool: ModelPool) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("dictation")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'voxgate.db'}", artifact_dir=tmp / "artifacts", api_keys=[],
        modules=["dictation"],
    )  # fmt: skip
    with TestClient(create_app(settings, pool=dictation_pool)) as client:
        yield client
