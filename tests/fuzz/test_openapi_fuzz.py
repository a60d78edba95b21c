"""The short fuzz run of `make test`: Schemathesis generates requests from the gateway's own OpenAPI document
(every module mounted) and checks that no answer is a 5xx and that every answer's status, content type and body
are the ones the document declares. Few examples per operation (positive and negative); `make fuzz`
(bench/fuzz.py) is the long run against a real gateway process, bots and job links included. The AWS operations
are in the document (api/aws/openapi.py); bench/fuzz_hooks.py lets Schemathesis send and read their AWS JSON.

Left out here, and only here: the two bot routes that need the Rasa sidecars (this gateway runs without them,
so they can only answer 503 bot_unavailable). Jobs stay queued (job_workers=0): this run tests the API, not
long synthesis of generated text; tests/fuzz/test_job_records.py runs a job to its end."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import bench.fuzz_hooks  # noqa: F401 - the AWS json media type and Lex's audio, for Schemathesis
from api.app import create_app
from api.settings import Settings
from workers import make_pool

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEEDS_SIDECARS = r"^/v1/bots/\{bot\}/(webhooks/rest/webhook|utterance)$"


# Built at collection, as Schemathesis makes one test per operation from the document. Schemathesis runs the
# app's lifespan around each test; the pool is ours, so the models it loads stay loaded across operations.
_TMP = Path(tempfile.mkdtemp(prefix="voxgate-fuzz-"))
SETTINGS = Settings(
    database_url=f"sqlite:///{_TMP / 'voxgate.db'}",
    artifact_dir=_TMP / "artifacts",
    api_keys=[],
    job_workers=0,
    modules=None,
    bots={"sidecars": False},
    voice={"prewarm": False},
)
POOL = make_pool(SETTINGS.workers)
APP = create_app(SETTINGS, pool=POOL)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path_regex=NEEDS_SIDECARS)
schema.config.generation.update(modes=["positive", "negative"], max_examples=2, no_shrink=True)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    POOL.shutdown()
    shutil.rmtree(_TMP, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_openapi_fuzz(case: schemathesis.Case) -> None:
    # /readyz answers its declared 503 here by design (the bots' sidecars are off); its status and body still checked.
    excluded = [not_a_server_error] if case.path == "/readyz" else []
    case.call_and_validate(checks=CHECKS, excluded_checks=excluded, timeout=180)
