"""Call-analytics category rules, stored per tenant on the gateway's database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Engine, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.db import Base
from calls import CategoryRule


class CallRuleRow(Base):
    __tablename__ = "calls_rules"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule: Mapped[dict] = mapped_column(JSON)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallRuleStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine, tables=[CallRuleRow.__table__])

    def put(self, tenant: str, rule: CategoryRule) -> CategoryRule:
        with Session(self.engine) as session:
            row = session.get(CallRuleRow, (tenant, rule.name)) or CallRuleRow(tenant=tenant, name=rule.name)
            row.rule = rule.model_dump(exclude_none=True)
            row.modified = datetime.now(UTC)
            session.add(row)
            session.commit()
        return rule

    def list(self, tenant: str) -> list[CategoryRule]:
        with Session(self.engine) as session:
            rows = session.scalars(select(CallRuleRow).where(CallRuleRow.tenant == tenant).order_by(CallRuleRow.name))
            return [CategoryRule.model_validate(r.rule) for r in rows]

    def delete(self, tenant: str, name: str) -> bool:
        with Session(self.engine) as session:
            row = session.get(CallRuleRow, (tenant, name))
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True
