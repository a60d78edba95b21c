"""Appointments, tickets and orders for the assistants: the one place their schema lives.

SQLAlchemy Core only, written so that it runs under SQLAlchemy 1.4 (the Rasa venv) and 2.x (the gateway's venv):
the action server writes, the gateway and the tests read. The database is VOXGATE_DATABASE_URL, the gateway's own.
"""

from __future__ import annotations

import os
import random
import string
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, insert, select, update
from sqlalchemy.engine import Engine

metadata = MetaData()

appointments = Table(
    "bot_appointments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(16), unique=True, nullable=False, index=True),
    Column("bot", String(64), nullable=False),
    Column("sender_id", String(128), nullable=False),
    Column("name", String(200), nullable=False),
    Column("date", String(10), nullable=False),  # ISO date
    Column("time", String(5), nullable=False),  # HH:MM
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, default="booked"),  # booked | moved | cancelled
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

tickets = Table(
    "bot_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(16), unique=True, nullable=False, index=True),
    Column("bot", String(64), nullable=False),
    Column("sender_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # handoff | complaint
    Column("priority", String(16), nullable=False),  # normal | escalated
    Column("summary", Text, nullable=False),
    Column("status", String(16), nullable=False, default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

orders = Table(
    "bot_orders",
    metadata,
    Column("number", String(32), primary_key=True),  # canonical form: ORD-<digits>
    Column("status", String(32), nullable=False),  # processing | shipped | delivered | cancelled
    Column("carrier", String(64), nullable=True),
    Column("eta", String(10), nullable=True),  # ISO date
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

DEMO_ORDERS = [
    ("ORD-10452", "shipped", "DHL", "2030-01-15"),
    ("ORD-20077", "processing", None, "2030-01-20"),
    ("ORD-30991", "delivered", "UPS", None),
]


def now() -> datetime:
    return datetime.now(timezone.utc)  # noqa: UP017 - runs on Python 3.10 in the Rasa venv


def connect(url: str | None = None) -> Engine:
    """The voxgate database, with the assistants' tables created when missing."""
    url = url or os.environ.get("VOXGATE_DATABASE_URL", "sqlite:///var/voxgate.db")
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    metadata.create_all(engine)
    return engine


def new_ref(prefix: str) -> str:
    return f"{prefix}-{''.join(random.choices(string.digits, k=4))}{random.choice(string.ascii_uppercase)}"


def canonical_order_number(text: str) -> str | None:
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"ORD-{digits}" if 4 <= len(digits) <= 10 else None


def add_appointment(engine: Engine, **values: Any) -> str:
    ref = new_ref("A")
    stamp = now()
    with engine.begin() as conn:
        conn.execute(
            insert(appointments).values(ref=ref, status="booked", created_at=stamp, updated_at=stamp, **values)
        )
    return ref


def find_appointment(engine: Engine, ref: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(appointments).where(appointments.c.ref == ref.upper())).mappings().first()
    return dict(row) if row else None


def update_appointment(engine: Engine, ref: str, **values: Any) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            update(appointments)
            .where(appointments.c.ref == ref.upper(), appointments.c.status != "cancelled")
            .values(updated_at=now(), **values)
        )
    return result.rowcount > 0


def add_ticket(engine: Engine, **values: Any) -> str:
    ref = new_ref("T")
    with engine.begin() as conn:
        conn.execute(insert(tickets).values(ref=ref, status="open", created_at=now(), **values))
    return ref


def find_order(engine: Engine, number: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(orders).where(orders.c.number == number)).mappings().first()
    return dict(row) if row else None


def put_order(engine: Engine, number: str, status: str, carrier: str | None = None, eta: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(orders.delete().where(orders.c.number == number))
        conn.execute(insert(orders).values(number=number, status=status, carrier=carrier, eta=eta, updated_at=now()))


def seed_demo_orders(engine: Engine) -> None:
    """A few orders to try the contact-centre assistant with (VOXGATE_BOTS_DEMO_ORDERS=1)."""
    for number, status, carrier, eta in DEMO_ORDERS:
        if find_order(engine, number) is None:
            put_order(engine, number, status, carrier, eta)
