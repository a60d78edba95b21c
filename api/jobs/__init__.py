"""Durable background jobs for long work (batch analytics, long audio, multi-page documents)."""

from api.jobs.context import JobCancelled, JobContext, JobInterrupted
from api.jobs.models import JobAccepted, JobRecord, JobStatus
from api.jobs.service import JobHandler, JobNotFound, JobQueueFull, JobService, UnknownJobKind

__all__ = [
    "JobAccepted",
    "JobCancelled",
    "JobContext",
    "JobHandler",
    "JobInterrupted",
    "JobNotFound",
    "JobQueueFull",
    "JobRecord",
    "JobService",
    "JobStatus",
    "UnknownJobKind",
]
