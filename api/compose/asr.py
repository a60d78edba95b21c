"""Medical transcription of long recordings as a job."""

from __future__ import annotations

from typing import Any

import asr
from api.jobs import JobContext
from asr.medical import MedicalOptions, transcribe_medical
from workers import Priority


def run_medical_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Batch priority, progress per segment, cancellable between segments."""
    settings: asr.AsrSettings = ctx.settings.asr
    options = MedicalOptions(**params["options"])
    ctx.set_progress(0.0, "decoding audio")
    audio = asr.decode(ctx.input_path("audio"), max_seconds=settings.job_max_seconds)
    ctx.set_progress(1.0, f"transcribing {audio.duration:.0f} s of audio")
    result = transcribe_medical(
        audio, options, pool=ctx.pool, priority=Priority.BATCH, settings=settings, allow_passthrough=False,
        progress=lambda fraction: ctx.set_progress(1.0 + 98.0 * fraction, "transcribing"),
    )  # fmt: skip
    # Words of a long recording would bloat the job row: the full transcript goes to a file.
    out = ctx.output_path("transcript.json")
    out.write_text(result.model_dump_json())
    body = result.model_dump(exclude={"words"})
    body["files"] = {"transcript": ctx.file_url(out.name)}
    if params.get("note"):  # the route checked that the notes module is mounted
        from api.compose.notes import note_for_transcript

        ctx.set_progress(99.0, "writing the note")
        body.update(note_for_transcript(result, pool=ctx.pool, priority=Priority.BATCH))
    return body
