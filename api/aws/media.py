"""Where Transcribe's media may come from: http(s):// URLs, s3:// on the S3-compatible endpoint the administrator
configured (VOXGATE_AWS_S3_ENDPOINT_URL), or a file inside a server folder the administrator allowed
(VOXGATE_AWS_MEDIA_ROOTS; a plain path or file:// URI). Checked when a job starts (a 4xx), read when it runs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from api.aws.protocol import AwsError
from api.settings import AwsSettings

MAX_MEDIA_BYTES = 2 * 1024**3
FETCH_TIMEOUT_S = 120


def check(uri: str, settings: AwsSettings) -> str:
    """The URI if voxgate may read it, else BadRequestException saying why."""
    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        if not parsed.netloc:
            raise AwsError("BadRequestException", f"MediaFileUri {uri!r} has no host")
        return uri
    if parsed.scheme == "s3":
        if not settings.s3_endpoint_url:
            raise AwsError(
                "BadRequestException",
                "s3:// media needs an S3-compatible endpoint; the administrator "
                "sets VOXGATE_AWS_S3_ENDPOINT_URL (or use http(s):// or an allowed server folder)",
            )
        if not parsed.netloc or not parsed.path.strip("/"):
            raise AwsError("BadRequestException", f"MediaFileUri {uri!r} is not s3://bucket/key")
        return uri
    if parsed.scheme in ("", "file"):
        path = local_path(uri, settings)
        if not path.is_file():
            raise AwsError("BadRequestException", f"The media file {uri} doesn't exist")
        return uri
    raise AwsError("BadRequestException", f"MediaFileUri scheme {parsed.scheme!r}: use s3://, http(s):// or a path")


def local_path(uri: str, settings: AwsSettings) -> Path:
    parsed = urlparse(uri)
    path = Path(unquote(parsed.path) if parsed.scheme == "file" else uri).resolve()
    roots = [Path(r).resolve() for r in settings.media_roots]
    if not any(path.is_relative_to(root) for root in roots):
        raise AwsError(
            "BadRequestException", f"{path} is outside the server folders voxgate may read (VOXGATE_AWS_MEDIA_ROOTS)"
        )
    return path


def s3_client(settings: AwsSettings):  # noqa: ANN201 - a boto3 S3 client
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
    )


def read(uri: str, settings: AwsSettings) -> bytes:
    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        with httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=True) as client:
            response = client.get(uri)
            response.raise_for_status()
            return response.content
    if parsed.scheme == "s3":
        body = s3_client(settings).get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"]
        return body.read(MAX_MEDIA_BYTES)
    return local_path(uri, settings).read_bytes()
