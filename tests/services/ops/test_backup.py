"""Backup and restore round trip on the store under test: what was there comes back exactly, changes
made after the backup are gone, and files that are not backups of this store are refused."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from app.db import read_session, write_session
from app.models import AuditLog, Brand, ChannelDailyMetric, Post
from app.models.enums import Role
from app.services.core import Actor, PermissionDenied, ValidationError, clock
from app.services.ops import backup, restore
from app.services.org import brands

ADMIN = Actor.system("test:admin")


def fingerprint(engine: Engine) -> tuple:
    with read_session(engine) as s:
        return (
            tuple(s.scalars(select(Brand.name).order_by(Brand.id))),
            s.scalar(select(func.count()).select_from(Post)),
            s.scalar(select(func.sum(ChannelDailyMetric.impressions))),
        )


def test_round_trip_brings_back_exactly_what_was_backed_up(demo_db: Engine, tmp_path: Path) -> None:
    before = fingerprint(demo_db)
    info = backup(demo_db, ADMIN, tmp_path / "hub.backup")
    assert info.size_bytes > 0 and info.kind == demo_db.dialect.name
    with write_session(demo_db) as s:
        brands.update_brand(s, ADMIN, "lumi", name="Renamed after the backup")
        s.execute(text("DELETE FROM channel_daily_metrics WHERE date < '2026-01-01'"))
    assert fingerprint(demo_db) != before
    restore(demo_db, ADMIN, info.path)
    assert fingerprint(demo_db) == before
    with read_session(demo_db) as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert last.action == "restore" and last.actor == "test:admin"


def test_files_that_are_not_backups_of_this_store_are_refused(demo_db: Engine, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(ValidationError, match="not a SocialOps Hub backup"):
        restore(demo_db, ADMIN, junk)
    other = tmp_path / "other.backup"
    other.write_bytes(
        b"PGDMP" if demo_db.dialect.name == "sqlite" else b"SQLite format 3\x00" + b"\x00" * 100
    )
    with pytest.raises(ValidationError, match="backup; this store is"):
        restore(demo_db, ADMIN, other)
    with pytest.raises(ValidationError, match="no backup file"):
        restore(demo_db, ADMIN, tmp_path / "missing.backup")


def test_only_admins_back_up_and_restore(demo_db: Engine, tmp_path: Path) -> None:
    manager = Actor(email="m@x.test", workspace_role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        backup(demo_db, manager, tmp_path / "x.backup")
    with pytest.raises(PermissionDenied):
        restore(demo_db, manager, tmp_path / "x.backup")


def test_a_backup_says_the_moment_its_snapshot_holds(demo_db: Engine, tmp_path: Path) -> None:
    """Its audit row is written when it is done, after whatever committed while it ran; the row and the
    result name the snapshot's own moment, taken as the copy starts (issue 14, finding 5)."""
    started = clock.now()
    info = backup(demo_db, ADMIN, tmp_path / "hub.backup")
    assert info.snapshot_at is not None and started <= info.snapshot_at <= clock.now()
    with read_session(demo_db) as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "backup")).one()
    assert row.after["snapshot_at"] == info.snapshot_at.isoformat()
    assert row.at.replace(tzinfo=row.at.tzinfo or UTC) >= info.snapshot_at
