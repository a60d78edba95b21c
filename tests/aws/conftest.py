"""boto3 clients on a voxgate gateway in this process, with no socket: botocore's `before-send` hook hands each
prepared request to a TestClient (the gateway's real ASGI app, lifespan and job workers included) and returns the
answer to botocore as if it came over HTTP. Signing, serialisation, parsing and error handling are botocore's own."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

# Each test file starts with this, so that without boto3 the files are skipped (with this reason), not failed.
NO_BOTO3 = "boto3 is not installed (pip install voxgate[aws]; make test-aws builds .venv-aws)"

ENDPOINT = "http://testserver/aws"
MODULES = ["aws", "tts", "asr", "nlp", "translate", "ocr", "calls"]


class _Raw(io.BytesIO):
    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.getvalue()


def socketless(client: TestClient) -> Callable[..., Any]:
    from botocore.awsrequest import AWSResponse

    def send(request: Any, **kwargs: Any) -> AWSResponse:
        headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        response = client.request(request.method, request.url, headers=headers, content=body or b"")
        return AWSResponse(request.url, response.status_code, dict(response.headers), _Raw(response.content))

    return send


def make_client(test_client: TestClient, service: str, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    aws = boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=config.pop("key", "test"),
        aws_secret_access_key=config.pop("secret", "test"),
        config=Config(retries={"max_attempts": 1}, **config),
    )
    aws.meta.events.register("before-send", socketless(test_client))
    return aws


def aws_settings(tmp: Path, **extra: Any) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp / 'voxgate.db'}",
        artifact_dir=tmp / "artifacts",
        api_keys=[],
        modules=extra.pop("modules", MODULES),
        bots={"sidecars": False},
        **extra,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """aws_long tests run only when asked for (-m aws_long: make test-aws-long), to keep the default suite short."""
    if "aws_long" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="runs for minutes: make test-aws-long (pytest -m aws_long tests/aws)")
    for item in items:
        if "aws_long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("aws")
    with TestClient(create_app(aws_settings(tmp, aws={"media_roots": [str(tmp)]}))) as client:
        client.tmp = tmp  # type: ignore[attr-defined]
        yield client


@pytest.fixture(scope="module")
def aws(gateway: TestClient) -> Callable[[str], Any]:
    """aws("polly") -> a boto3 client on the in-process gateway."""
    return lambda service, **config: make_client(gateway, service, **config)
