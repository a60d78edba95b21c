"""Amazon Transcribe jobs (standard and medical): read the media, transcribe it with asr, write the transcript in
Transcribe's own JSON (transcript.json, served at /v1/jobs/{id}/files/transcript.json), and into the output bucket
when one was named and an S3-compatible endpoint is configured."""

from __future__ import annotations

import json
from typing import Any

from api.aws import media, transcript
from api.jobs import JobContext
from workers import Priority


def run_transcribe_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """params: name, medical (bool), uri, language (ISO 639-1 or None), speakers, channels, type, bucket, key."""
    import asr  # the engines load with the job, not when the aws module mounts
    from asr.medical import MedicalOptions, transcribe_medical

    settings = ctx.settings
    ctx.set_progress(0.0, "reading the media")
    data = media.read(params["uri"], settings.aws)
    audio = asr.decode(data, max_seconds=settings.asr.job_max_seconds)
    ctx.set_progress(2.0, f"transcribing {audio.duration:.0f} s of audio")

    def progress(fraction: float) -> None:
        ctx.set_progress(2.0 + 96.0 * fraction, "transcribing")

    speakers, channels = params["speakers"], params["channels"]
    if params["medical"] or speakers or channels:
        kind = "conversation" if (speakers or channels or params.get("type") == "CONVERSATION") else "dictation"
        options = MedicalOptions(type=kind, language=params["language"], format=params["medical"])
        result = transcribe_medical(
            audio,
            options,
            pool=ctx.pool,
            priority=Priority.BATCH,
            settings=settings.asr,
            allow_passthrough=False,
            progress=progress,
        )
        words, segments, language, duration = result.words, result.segments, result.language, result.duration
    else:
        options = asr.TranscribeOptions(language=params["language"], word_timestamps=True)
        plain = asr.transcribe(
            audio, options, pool=ctx.pool, priority=Priority.BATCH, settings=settings.asr, allow_passthrough=False
        )
        words, segments, language, duration = plain.words, plain.segments, plain.language, plain.duration
    body = transcript.build(params["name"], words, segments, speakers=speakers, channels=channels)
    out = ctx.output_path("transcript.json")
    out.write_text(json.dumps(body))
    output_uri = None
    if params.get("bucket") and settings.aws.s3_endpoint_url:
        key = params.get("key") or f"{params['name']}.json"
        media.s3_client(settings.aws).put_object(Bucket=params["bucket"], Key=key, Body=out.read_bytes())
        output_uri = f"{settings.aws.s3_endpoint_url.rstrip('/')}/{params['bucket']}/{key}"
    return {
        "language": language,
        "duration": duration,
        "output_uri": output_uri,
        "files": {"transcript": ctx.file_url(out.name)},
    }
