"""The job table and the job shapes the API returns."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.tenancy import DEFAULT_TENANT


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes (it stores no zone): they were written as UTC, so say so. Job records
    then serialise as RFC 3339 date-times, with an offset, as their schema (format: date-time) promises."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Who submitted it (api/tenancy.py); added to older databases by api.db.migrate_tenants.
    tenant: Mapped[str] = mapped_column(String(64), index=True, default=DEFAULT_TENANT, server_default=DEFAULT_TENANT)
    kind: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobRecord(BaseModel):
    id: str
    kind: str
    status: JobStatus
    progress: float
    message: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    result: Any = None
    error: dict[str, Any] | None = None
    url: str

    @classmethod
    def from_row(cls, row: JobRow, with_result: bool = True) -> JobRecord:
        return cls(
            id=row.id,
            kind=row.kind,
            status=JobStatus(row.status),
            progress=round(row.progress, 1),
            message=row.message,
            created_at=as_utc(row.created_at),
            started_at=as_utc(row.started_at),
            finished_at=as_utc(row.finished_at),
            attempts=row.attempts,
            result=row.result if with_result else None,
            error=row.error,
            url=f"/v1/jobs/{row.id}",
        )


class JobAccepted(BaseModel):
    id: str
    status: JobStatus
    url: str
