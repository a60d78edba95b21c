"""Long-form speech as a job: synthesis into a file with progress per sentence."""

from __future__ import annotations

from typing import Any

import tts
from api.jobs import JobContext
from tts.encode import FORMATS
from workers import Priority


def speech_file_name(fmt: str) -> str:
    return "speech.marks.jsonl" if fmt == "json" else f"speech.{FORMATS[fmt].container or fmt}"


def run_speech_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """params: the Polly-style request the route validated, with its lexicons' documents."""
    model_dir = ctx.settings.model_dir
    fmt = params["output_format"]
    request = tts.prepare(
        params["text"],
        params["voice"],
        "pcm" if fmt == "json" else fmt,
        text_type=params["text_type"],
        engine=params["engine"],
        sample_rate=params["sample_rate"],
        speed=params["speed"],
        lexicons=[tts.parse_pls(name, content) for name, content in params.get("lexicon_documents", {}).items()],
        max_chars=tts.MAX_JOB_CHARS,
        model_dir=model_dir,
        coqui_venv=ctx.settings.tts.coqui_venv,
    )
    out = ctx.output_path(speech_file_name(fmt))

    def progress(done: int, total: int) -> None:
        ctx.set_progress(100.0 * done / total, f"{done} of {total} sentences")

    with out.open("wb") as fh:
        sentences = tts.write_request(
            request, fh, mark_types=params["speech_mark_types"] if fmt == "json" else (), pool=ctx.pool,
            priority=Priority.BATCH, model_dir=model_dir, progress=progress,
        )  # fmt: skip
    return {
        "voice": request.voice.id,
        "format": fmt,
        "sentences": sentences,
        "files": {"marks" if fmt == "json" else "audio": ctx.file_url(out.name)},
    }
