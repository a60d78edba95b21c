"""A gateway client with the translate module mounted, on the process-wide pool."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from workers import default_pool

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # The process-wide pool, shared with the module-level tests: lingua's models load once per session.
    with TestClient(create_app(settings, pool=default_pool())) as test_client:
        yield test_client
