"""Stored pronunciation lexicons (W3C PLS), one row per name, on the gateway's database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.db import Base


class LexiconRow(Base):
    __tablename__ = "tts_lexicons"

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
            row = session.get(LexiconRow, name) or LexiconRow(name=name)
            row.content, row.language, row.alphabet = content, language, alphabet
            row.lexemes, row.size, row.modified = lexemes, len(content.encode()), datetime.now(UTC)
            session.add(row)
            session.commit()
            return row

    def get(self, name: str) -> LexiconRow | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(LexiconRow, name)

    def list(self) -> list[LexiconRow]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(LexiconRow).order_by(LexiconRow.name)))

    def delete(self, name: str) -> bool:
        with Session(self.engine) as session:
            row = session.get(LexiconRow, name)
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True
