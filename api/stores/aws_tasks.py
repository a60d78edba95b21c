"""AWS-named tasks (Transcribe jobs by their JobName, Polly synthesis tasks by TaskId) and the voxgate job behind
each, with the request as the client made it (AWS echoes its settings back in Get/List answers). Per tenant: every
method works in the caller's tenant (api.tenancy.current_tenant)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.db import Base
from api.tenancy import DEFAULT_TENANT, current_tenant


class AwsTaskRow(Base):
    __tablename__ = "aws_tasks"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True, default=DEFAULT_TENANT)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # polly, transcribe, transcribe-medical
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AwsTaskStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, kind: str, name: str, job_id: str, request: dict[str, Any]) -> AwsTaskRow:
        with Session(self.engine, expire_on_commit=False) as session:
            row = AwsTaskRow(
                tenant=current_tenant(), kind=kind, name=name, job_id=job_id, request=request, created=datetime.now(UTC)
            )
            session.add(row)
            session.commit()
            return row

    def get(self, kind: str, name: str) -> AwsTaskRow | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(AwsTaskRow, (current_tenant(), kind, name))

    def list(self, kind: str) -> list[AwsTaskRow]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.scalars(
                select(AwsTaskRow)
                .where(AwsTaskRow.tenant == current_tenant(), AwsTaskRow.kind == kind)
                .order_by(AwsTaskRow.created)
            )
            return list(rows)

    def delete(self, kind: str, name: str) -> bool:
        with Session(self.engine) as session:
            row = session.get(AwsTaskRow, (current_tenant(), kind, name))
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True
