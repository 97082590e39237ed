"""Backups and restores of the whole store: SQLite through its online backup API (a consistent copy
while the app runs), PostgreSQL through pg_dump/pg_restore in their custom format. A restore checks
the file first and refuses anything that is not a SocialOps Hub backup of the same store kind."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from app.db import current_revision, dispose_engine, write_session
from app.services.core import Actor, Perm, ValidationError, audit, clock, require

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Bounded: a backup of a large agency takes minutes, not hours.
PG_TOOL_TIMEOUT_S = 1800


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    size_bytes: int
    revision: str | None
    seconds: float
    # The moment the copy's snapshot was taken (UTC): it holds what was committed before, not what was
    # committed while it ran, though its audit row is written after both.
    snapshot_at: datetime | None = None


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it, so the
    password never shows on a command line (where `ps` could read it)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    clean = url.set(drivername="postgresql", password=None)
    return clean.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ValidationError(f"{name} is not installed on this machine; install the PostgreSQL client tools")
    return path


def _sqlite_path(engine: Engine) -> Path:
    return Path(str(engine.url.database))


def backup(engine: Engine, actor: Actor, target: Path) -> BackupInfo:
    require(actor, Perm.ADMIN)
    started = time.perf_counter()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = engine.dialect.name
    # Both copies read one snapshot taken as they start (SQLite's backup in one step holds a read
    # transaction; pg_dump opens a serializable one), so a moment read just before is its moment.
    snapshot_at = clock.now()
    if kind == "sqlite":
        src = sqlite3.connect(_sqlite_path(engine))
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # a consistent snapshot, even with writers in WAL mode
        finally:
            dst.close()
            src.close()
    else:
        dsn, env = _libpq(engine)
        result = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_TOOL_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            raise ValidationError(
                f"pg_dump failed: {result.stderr.strip().splitlines()[-1] if result.stderr else result.returncode}"
            )
    info = BackupInfo(
        target,
        kind,
        target.stat().st_size,
        current_revision(engine),
        time.perf_counter() - started,
        snapshot_at,
    )
    with write_session(engine) as session:
        audit.record(
            session,
            actor,
            "backup",
            "database",
            label=str(target),
            after={
                "kind": kind,
                "bytes": info.size_bytes,
                "revision": info.revision,
                "snapshot_at": snapshot_at.isoformat(),
            },
        )
    return info


def check_backup_file(engine: Engine, source: Path) -> str:
    """The store kind of a backup file; a clear refusal when it cannot be restored into this store."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"no backup file at {source}", field="file")
    head = source.open("rb").read(16)
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_MAGIC) else None
    if kind is None:
        raise ValidationError(
            f"{source} is not a SocialOps Hub backup (neither SQLite nor pg_dump custom format)"
        )
    if kind != engine.dialect.name:
        raise ValidationError(
            f"{source} is a {kind} backup; this store is {engine.dialect.name}. Restore it into a {kind} store"
        )
    if kind == "sqlite":
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
        if not {"alembic_version", "workspaces"} <= tables:
            raise ValidationError(f"{source} is a SQLite file, but not a SocialOps Hub database")
    return kind


def restore(engine: Engine, actor: Actor, source: Path) -> BackupInfo:
    """Replace everything in the store with the backup's content, then log who restored what."""
    require(actor, Perm.ADMIN)
    started = time.perf_counter()
    kind = check_backup_file(engine, source)
    url = engine.url.render_as_string(hide_password=False)
    dispose_engine(url)  # close pooled connections: SQLite's copy and pg_restore's drops need them gone
    engine.dispose()
    if kind == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(_sqlite_path(engine))
        try:
            src.backup(dst)  # page by page into the live file, under its own lock
        finally:
            dst.close()
            src.close()
    else:
        dsn, env = _libpq(engine)
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={dsn}",
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_TOOL_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            raise ValidationError(
                f"pg_restore failed: {result.stderr.strip().splitlines()[-1] if result.stderr else result.returncode}"
            )
    info = BackupInfo(
        Path(source),
        kind,
        Path(source).stat().st_size,
        current_revision(engine),
        time.perf_counter() - started,
    )
    with write_session(engine) as session:
        audit.record(
            session,
            actor,
            "restore",
            "database",
            label=str(source),
            after={"kind": kind, "revision": info.revision},
        )
    return info
