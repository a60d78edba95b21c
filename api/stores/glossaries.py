"""Stored translation glossaries, one row per (tenant, name), on the gateway's database. Every method works in
the caller's tenant (api.tenancy.current_tenant): another tenant's glossaries are invisible."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Engine, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.db import Base
from api.tenancy import DEFAULT_TENANT, current_tenant
from nlp.translate.models import Glossary, GlossaryEntry


class GlossaryRow(Base):
    __tablename__ = "nlp_glossaries"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True, default=DEFAULT_TENANT)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str | None] = mapped_column(String(8), nullable=True)
    target: Mapped[str | None] = mapped_column(String(8), nullable=True)
    entries: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _glossary(row: GlossaryRow) -> Glossary:
    return Glossary(
        name=row.name, source=row.source, target=row.target, entries=[GlossaryEntry(**e) for e in row.entries]
    )


class GlossaryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, glossary: Glossary) -> Glossary:
        with Session(self.engine) as session:
            key = (current_tenant(), glossary.name)
            row = session.get(GlossaryRow, key) or GlossaryRow(tenant=key[0], name=glossary.name)
            row.source, row.target = glossary.source, glossary.target
            row.entries = [e.model_dump() for e in glossary.entries]
            row.size = len(glossary.entries)
            row.modified = datetime.now(UTC)
            session.add(row)
            session.commit()
        return glossary

    def get(self, name: str) -> Glossary | None:
        with Session(self.engine) as session:
            row = session.get(GlossaryRow, (current_tenant(), name))
            return _glossary(row) if row is not None else None

    def list(self) -> list[dict[str, object]]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(GlossaryRow).where(GlossaryRow.tenant == current_tenant()).order_by(GlossaryRow.name)
            ).all()
            return [
                {"name": r.name, "source": r.source, "target": r.target, "entries": r.size, "modified": r.modified}
                for r in rows
            ]

    def delete(self, name: str) -> bool:
        with Session(self.engine) as session:
            row = session.get(GlossaryRow, (current_tenant(), name))
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True
