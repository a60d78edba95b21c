"""AWS Transcribe jobs: fetch the media, transcribe it, write the transcript in Transcribe's own JSON."""

from __future__ import annotations

from typing import Any

from api.jobs import JobContext


def run_transcribe_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    raise NotImplementedError
