"""The gateway's database: SQLAlchemy, a SQLite file by default (VOXGATE_DATABASE_URL for others)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, create_engine, event, insert, inspect, select
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Tables of every module that stores something register on this metadata."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the job writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_tables(engine: Engine) -> None:
    migrate_tenants(engine)
    Base.metadata.create_all(engine)


def migrate_tenants(engine: Engine) -> list[str]:
    """Bring databases made before tenancy up to date: every table whose model has a `tenant` column gets one,
    with the old rows in the tenant "default". A plain column (jobs) is added in place; where the tenant is part
    of the primary key (glossaries, lexicons, AWS tasks) the table is rebuilt and its rows copied. Returns the
    tables migrated. Idempotent: a table that has the column, or does not exist yet, is left alone."""
    existing = inspect(engine)
    names = set(existing.get_table_names())
    migrated = []
    for table in Base.metadata.sorted_tables:
        if "tenant" not in table.c or table.name not in names:
            continue
        if "tenant" in {c["name"] for c in existing.get_columns(table.name)}:
            continue
        if table.c.tenant.primary_key:
            _rebuild_with_tenant(engine, table, [i["name"] for i in existing.get_indexes(table.name)])
        else:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    f"ALTER TABLE {table.name} ADD COLUMN tenant VARCHAR(64) NOT NULL DEFAULT 'default'"
                )
                for index in table.indexes:
                    if "tenant" in index.columns:
                        index.create(conn, checkfirst=True)
        migrated.append(table.name)
    return migrated


def _rebuild_with_tenant(engine: Engine, table: Table, old_indexes: list[str]) -> None:
    old = f"{table.name}_before_tenants"
    with engine.begin() as conn:
        for index in old_indexes:  # they keep their names across the rename and would clash with the new ones
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
        conn.exec_driver_sql(f"ALTER TABLE {table.name} RENAME TO {old}")
        table.create(conn)
        columns = [c.name for c in table.c if c.name != "tenant"]
        source = Table(old, MetaData(), autoload_with=conn)
        rows = conn.execute(select(*[source.c[c] for c in columns])).mappings().all()
        if rows:
            conn.execute(insert(table), [{**row, "tenant": "default"} for row in rows])
        conn.exec_driver_sql(f"DROP TABLE {old}")
