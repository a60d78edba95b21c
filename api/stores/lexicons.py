"""Stored pronunciation lexicons (W3C PLS), one row per (tenant, name), on the gateway's database. Every method
works in the caller's tenant (api.tenancy.current_tenant): another tenant's lexicons are invisible."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.db import Base
from api.tenancy import DEFAULT_TENANT, current_tenant


class LexiconRow(Base):
    __tablename__ = "tts_lexicons"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True, default=DEFAULT_TENANT)
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(35))
    alphabet: Mapped[str] = mapped_column(String(16))
    lexemes: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LexiconStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, name: str, content: str, language: str, alphabet: str, lexemes: int) -> LexiconRow:
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.get(LexiconRow, (current_tenant(), name)) or LexiconRow(tenant=current_tenant(), name=name)
            row.content, row.language, row.alphabet = content, language, alphabet
            row.lexemes, row.size, row.modified = lexemes, len(content.encode()), datetime.now(UTC)
            session.add(row)
            session.commit()
            return row

    def get(self, name: str) -> LexiconRow | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(LexiconRow, (current_tenant(), name))

    def list(self) -> list[LexiconRow]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(
                session.scalars(
                    select(LexiconRow).where(LexiconRow.tenant == current_tenant()).order_by(LexiconRow.name)
                )
            )

    def delete(self, name: str) -> bool:
        with Session(self.engine) as session:
            row = session.get(LexiconRow, (current_tenant(), name))
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True
