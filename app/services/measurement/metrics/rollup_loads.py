"""Bulk loads of the daily metrics (the demo and agency builders): write them without marking dirty days,
then roll everything up once inside the builder's own connection and transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.services.core import Actor
from app.services.measurement.metrics.rollups import RefreshResult, rebuild

_TRIGGERS = (
    "trg_channel_daily_metrics_ins",
    "trg_channel_daily_metrics_upd",
    "trg_channel_daily_metrics_del",
)


@contextmanager
def triggers_suspended(conn: Connection) -> Iterator[None]:
    """Inside the caller's transaction, write channel_daily_metrics without marking dirty days (a bulk
    load that rolls itself up afterwards with `rebuild`). The triggers are back before the transaction
    ends; the table is locked against other writers meanwhile (SQLite's write transaction; PostgreSQL's
    ALTER TABLE lock), so no other write can slip through unmarked."""
    if conn.dialect.name == "postgresql":
        for name in _TRIGGERS:
            conn.exec_driver_sql(f"ALTER TABLE channel_daily_metrics DISABLE TRIGGER {name}")
        try:
            yield
        finally:
            for name in _TRIGGERS:
                conn.exec_driver_sql(f"ALTER TABLE channel_daily_metrics ENABLE TRIGGER {name}")
        return
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'channel_daily_metrics'"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _, sql in found:
            conn.exec_driver_sql(sql)


def rebuild_in(conn: Connection, actor: Actor, brand_ids: Sequence[int] | None = None) -> RefreshResult:
    """`rebuild` inside a seeder's connection and transaction (no audit row: the seed writes its own)."""
    with Session(bind=conn) as session:
        result = rebuild(session, actor, brand_ids, audit=False)
        session.flush()
    return result
