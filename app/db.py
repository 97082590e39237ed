"""Engines, sessions and schema upgrades for both stores (embedded SQLite, PostgreSQL for teams).

SQLite runs in WAL mode with foreign keys on and a busy timeout, and write sessions open with
`BEGIN IMMEDIATE`: a transaction that reads and then writes under a deferred BEGIN can fail with
"database is locked" even with a timeout (measured: 58 in 1,000), an immediate one does not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# How long a writer waits for SQLite's single write lock before "database is locked". Waiters poll
# (sleeps of up to 100 ms), so the queue is not fair: with 10 editors and 2 jobs on a busy 2-core
# machine some saves waited over 5 s while the median wait was 20 ms (benchmarks.load_test). A slow
# save is better than a lost one, so the wait is long.
SQLITE_BUSY_TIMEOUT_MS = 20_000
# Arbitrary constant that identifies "a schema upgrade is running" among PostgreSQL advisory locks.
PG_UPGRADE_LOCK_ID = 724_311_001

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL for the whole process (engines pool connections; they hold no user data)."""
    url = url or get_settings().database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            _engines[url] = engine
        return engine


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def dispose_engine(url: str) -> None:
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _sessionmaker(engine: Engine, write: bool) -> sessionmaker[Session]:
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    engine = engine or get_engine()
    with _sessionmaker(engine, write=True)() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading; anything it changed is discarded. Closing (not rolling back) keeps the
    loaded objects readable after the block, detached."""
    engine = engine or get_engine()
    with _sessionmaker(engine, write=False)() as session:
        yield session


# --- schema -------------------------------------------------------------------------------------


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None, "no migrations found"
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision`. On PostgreSQL an advisory lock keeps two replicas from racing."""
    engine = engine or get_engine()
    cfg = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_UPGRADE_LOCK_ID})
            try:
                command.upgrade(cfg, revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_UPGRADE_LOCK_ID})
                conn.commit()
    else:
        command.upgrade(cfg, revision)


def drop_everything(engine: Engine) -> None:
    """Remove every table, whatever revision created it (used by `db reset` and `demo --reset`); the
    schema is then rebuilt by the migrations."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        return
    # foreign_keys can only be switched outside a transaction, hence the driver connection (which the
    # connect hook put in autocommit mode); with it off the order of the drops does not matter.
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA foreign_keys=OFF")
        tables = [
            r[0]
            for r in cur.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        cur.execute("BEGIN IMMEDIATE")
        for table in tables:
            cur.execute(f'DROP TABLE IF EXISTS "{table}"')
        cur.execute("COMMIT")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
    finally:
        raw.close()


def make_revision(message: str, engine: Engine | None = None) -> None:
    """Write a new migration from the difference between the models and the (upgraded) database."""
    engine = engine or get_engine()
    command.revision(alembic_config(engine), message=message, autogenerate=True)
