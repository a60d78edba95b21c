"""Amazon Transcribe onto asr, as voxgate jobs (kind aws.transcribe): standard and medical transcription jobs,
started, read, listed and deleted by their JobName. The transcript is Transcribe's own JSON; with no output bucket
(or no S3 endpoint configured) TranscriptFileUri is a voxgate URL serving it, as the service-managed bucket does."""

from __future__ import annotations

import re
from typing import Any

from api.aws import media
from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from api.jobs import JobNotFound, JobStatus
from api.stores.aws_tasks import AwsTaskStore

JOB_KIND = "aws.transcribe"
JOB_NAME = re.compile(r"^[0-9a-zA-Z._-]{1,200}$")
STATUS = {
    JobStatus.QUEUED: "QUEUED",
    JobStatus.RUNNING: "IN_PROGRESS",
    JobStatus.SUCCEEDED: "COMPLETED",
    JobStatus.FAILED: "FAILED",
    JobStatus.CANCELLED: "FAILED",
}
NOT_FOUND = "The requested job couldn't be found. Check the job name and try your request again."


class _Flavour:
    def __init__(self, medical: bool) -> None:
        self.medical = medical
        self.kind = "transcribe-medical" if medical else "transcribe"
        self.name_key = "MedicalTranscriptionJobName" if medical else "TranscriptionJobName"
        self.job_key = "MedicalTranscriptionJob" if medical else "TranscriptionJob"
        self.summaries_key = "MedicalTranscriptionJobSummaries" if medical else "TranscriptionJobSummaries"


STANDARD, MEDICAL = _Flavour(False), _Flavour(True)


def _language(p: dict[str, Any], medical: bool) -> str | None:
    code = p.get("LanguageCode")
    if medical and code != "en-US":
        raise AwsError("BadRequestException", "medical transcription is offered in en-US")
    if code is None and not p.get("IdentifyLanguage"):
        raise AwsError("BadRequestException", "give LanguageCode or IdentifyLanguage")
    return code.split("-")[0] if code else None


def _start(flavour: _Flavour, ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p[flavour.name_key]
    if not JOB_NAME.match(name):
        raise AwsError("BadRequestException", "job names are 1-200 letters, digits, '.', '_' or '-'")
    store = AwsTaskStore(ctx.engine)
    if store.get(flavour.kind, name) is not None:
        raise AwsError("ConflictException", "The requested job name already exists. Use a different job name.")
    settings = p.get("Settings") or {}
    if settings.get("VocabularyName") or settings.get("VocabularyFilterName") or p.get("ContentRedaction"):
        raise AwsError("BadRequestException", "custom vocabularies, vocabulary filters and redaction are not offered")
    if not p["Media"].get("MediaFileUri"):  # the model lets Media be empty (RedactedMediaFileUri is its other member)
        raise AwsError("BadRequestException", "give Media.MediaFileUri")
    uri = media.check(p["Media"]["MediaFileUri"], ctx.settings.aws)
    params = {
        "name": name,
        "medical": flavour.medical,
        "uri": uri,
        "language": _language(p, flavour.medical),
        "speakers": bool(settings.get("ShowSpeakerLabels")),
        "channels": bool(settings.get("ChannelIdentification")),
        "type": p.get("Type"),
        "bucket": p.get("OutputBucketName"),
        "key": p.get("OutputKey"),
    }
    job = ctx.jobs.accept(JOB_KIND, params)
    echo = {k: v for k, v in p.items() if k not in ("Tags", "KMSEncryptionContext")}
    store.add(flavour.kind, name, job.id, echo)
    return {flavour.job_key: _job(flavour, ctx, name, job.id, echo)}


def _job(
    flavour: _Flavour, ctx: AwsContext, name: str, job_id: str, echo: dict[str, Any], summary: bool = False
) -> dict[str, Any]:
    try:
        job = ctx.jobs.get(job_id)
    except JobNotFound as exc:
        raise AwsError("BadRequestException", NOT_FOUND) from exc
    out: dict[str, Any] = {
        flavour.name_key: name,
        "TranscriptionJobStatus": STATUS[job.status],
        "LanguageCode": echo.get("LanguageCode"),
        "CreationTime": job.created_at,
        "StartTime": job.started_at,
        "CompletionTime": job.finished_at,
    }
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        out["FailureReason"] = (job.error or {}).get("message", "cancelled")
    if flavour.medical:
        out.update(Specialty=echo.get("Specialty"), Type=echo.get("Type"))
    result = job.result if job.status == JobStatus.SUCCEEDED else None
    if summary:
        out["OutputLocationType"] = "CUSTOMER_BUCKET" if result and result.get("output_uri") else "SERVICE_BUCKET"
        return out
    out.update(
        Media=echo.get("Media"),
        MediaFormat=echo.get("MediaFormat"),
        Settings=echo.get("Settings"),
        MediaSampleRateHertz=echo.get("MediaSampleRateHertz"),
    )
    if not flavour.medical and echo.get("IdentifyLanguage"):
        out["IdentifyLanguage"] = True
    if result:
        if out["LanguageCode"] is None and result.get("language"):
            out["LanguageCode"] = {"en": "en-US", "es": "es-ES", "fr": "fr-FR", "de": "de-DE"}.get(
                result["language"], result["language"]
            )
        uri = result.get("output_uri") or ctx.url(result["files"]["transcript"])
        out["Transcript"] = {"TranscriptFileUri": uri}
    return out


def _get(flavour: _Flavour, ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p[flavour.name_key]
    row = AwsTaskStore(ctx.engine).get(flavour.kind, name)
    if row is None:
        raise AwsError("BadRequestException", NOT_FOUND)
    return {flavour.job_key: _job(flavour, ctx, name, row.job_id, row.request)}


def _list(flavour: _Flavour, ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    rows = list(reversed(AwsTaskStore(ctx.engine).list(flavour.kind)))
    if p.get("JobNameContains"):
        rows = [r for r in rows if p["JobNameContains"].lower() in r.name.lower()]
    if p.get("Status") and p["Status"] not in STATUS.values():  # botocore checks no enums; the answer echoes it
        raise AwsError("BadRequestException", f"Status must be one of {', '.join(sorted(set(STATUS.values())))}")
    jobs = [_job(flavour, ctx, r.name, r.job_id, r.request, summary=True) for r in rows]
    if p.get("Status"):
        jobs = [j for j in jobs if j["TranscriptionJobStatus"] == p["Status"]]
    token = p.get("NextToken") or "0"
    if not re.fullmatch(r"[0-9]{1,9}", token):  # ours are offsets; not str.isdigit, which passes "²" and 10**5000
        raise AwsError("BadRequestException", f"NextToken {token[:40]!r} is not one this gateway handed out")
    start = int(token)
    size = p.get("MaxResults") or 5
    out: dict[str, Any] = {flavour.summaries_key: jobs[start : start + size]}
    if p.get("Status"):
        out["Status"] = p["Status"]
    if start + size < len(jobs):
        out["NextToken"] = str(start + size)
    return out


def _delete(flavour: _Flavour, ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p[flavour.name_key]
    store = AwsTaskStore(ctx.engine)
    row = store.get(flavour.kind, name)
    if row is None:
        raise AwsError("BadRequestException", NOT_FOUND)
    try:
        if not ctx.jobs.get(row.job_id).status.finished:
            ctx.jobs.cancel(row.job_id)
        ctx.jobs.delete_files(row.job_id)
    except JobNotFound:
        pass
    store.delete(flavour.kind, name)
    return {}


def _bind(fn: Any, flavour: _Flavour) -> Any:
    def operation(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
        return fn(flavour, ctx, p)

    return operation


OPERATIONS = {
    "StartTranscriptionJob": _bind(_start, STANDARD),
    "GetTranscriptionJob": _bind(_get, STANDARD),
    "ListTranscriptionJobs": _bind(_list, STANDARD),
    "DeleteTranscriptionJob": _bind(_delete, STANDARD),
    "StartMedicalTranscriptionJob": _bind(_start, MEDICAL),
    "GetMedicalTranscriptionJob": _bind(_get, MEDICAL),
    "ListMedicalTranscriptionJobs": _bind(_list, MEDICAL),
    "DeleteMedicalTranscriptionJob": _bind(_delete, MEDICAL),
}
