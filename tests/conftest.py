"""Test fixtures: every database test runs on the store chosen with `--store` (sqlite by default,
postgresql in the second CI run). Databases are real: a SQLite file, or a PostgreSQL database created
for the test and dropped afterwards.

A PostgreSQL run never skips: if the server cannot be reached the run errors out.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text

from app.db import dispose_engine, get_engine, upgrade
from app.services.core import Actor, clock

REPO = Path(__file__).resolve().parent.parent
# Local counterparts of the platforms (mastodon_server, webhook_receiver, ...), usable from every test folder.
pytest_plugins = [
    "tests.servers.mastodon_server",
    "tests.servers.webhook_receiver",
    "tests.servers.bluesky_fixture",
]
PG_ADMIN_URL = os.environ.get(
    "SOCIALOPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_counter = itertools.count(1)
# PostgreSQL: the threads that create and drop test databases, and how many copies of a template they
# keep ready.
WORKERS, AHEAD = 3, 2

# CI (`.ci/run`) draws the property tests' examples from a fixed seed, so whether a submission lands never
# depends on a lucky draw; run anywhere else they explore new examples each time, and a failure prints
# the example to keep as a regression test.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("SOCIALOPS_HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("SOCIALOPS_TEST_STORE", "sqlite"),
        help="which store the database tests run on (default sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Before any fixture runs (session ones included): tests never touch the developer's data folder or
    # secrets. Asset files the demo writes go to a throw-away folder.
    os.environ["SOCIALOPS_DATA_DIR"] = tempfile.mkdtemp(prefix="soh-test-data-")
    os.environ["SOCIALOPS_SECRETS_FILE"] = str(Path(os.environ["SOCIALOPS_DATA_DIR"]) / "absent-secrets.toml")
    os.environ.pop("DATABASE_URL", None)


def pytest_report_header(config: pytest.Config) -> str:
    return f"SocialOps Hub test store: {config.getoption('--store')}"


class Databases:
    """Creates throw-away databases on the selected store and removes them at the end of the session.

    On PostgreSQL a copy of a template and a drop each wait on the server for 0.2-0.9 s (every file of
    the database written and flushed), nearly all of it idle on our side, and copies made side by side
    share their flushes (12 copies: 0.22 s each one after another, 0.03 s each two at a time). So
    background threads do that work while the tests run: they keep the next copies of each template
    ready, and drop what tests are done with. A test still gets a database nobody else has touched, and
    nothing is left at the end."""

    def __init__(self, store: str, tmp: Path) -> None:
        self.store = store
        self.tmp = tmp
        self.created: list[str] = []
        self._admin: Engine | None = None
        self._work: ThreadPoolExecutor | None = None
        self._ready: dict[str, list[Future[str]]] = {}  # template name -> its next copies
        self._drops: list[Future[None]] = []  # checked at the end: a failed drop is not left unsaid
        if store == "postgresql":
            # Commits that do not wait for the WAL to reach the disk: a test server never outlives a crash
            # that would lose them, and creating and dropping a database takes half the time.
            self._admin = create_engine(
                PG_ADMIN_URL,
                isolation_level="AUTOCOMMIT",
                connect_args={"options": "-c synchronous_commit=off"},
            )
            try:
                with self._admin.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except Exception as exc:  # fail, never skip: a PostgreSQL run that skips proves nothing
                raise pytest.UsageError(
                    f"--store postgresql but {PG_ADMIN_URL} is unreachable: {exc}"
                ) from None
            self._work = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="test-databases")

    def _pg_url(self, name: str) -> str:
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def _pg_create(self, template: str | None = None) -> str:
        name = f"soh_test_{os.getpid()}_{next(_counter)}"
        assert self._admin is not None
        with self._admin.connect() as conn:
            if template:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            else:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            # The same for every session a test opens on it (the app's, the jobs' it starts).
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        url = self._pg_url(name)
        self.created.append(url)
        return url

    def _pg_drop(self, name: str) -> None:
        assert self._admin is not None
        with self._admin.connect() as conn:
            # FORCE ends the sessions still on it (a job a test started may connect again just before).
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def new(self, template: str | None = None) -> str:
        """A new, empty database URL; or a copy of `template` (a URL this object made, which must not
        change once copied: its next copy is made ahead)."""
        if self.store == "sqlite":
            path = self.tmp / f"db{next(_counter)}.sqlite"
            if template:
                src = sqlite3.connect(template.split("///", 1)[1])
                dst = sqlite3.connect(path)
                src.backup(dst)
                dst.close()
                src.close()
            url = f"sqlite:///{path}"
            self.created.append(url)
            return url
        if not template:
            return self._pg_create()
        assert self._work is not None
        name = template.rsplit("/", 1)[1]
        queue = self._ready.setdefault(name, [])
        if not queue:
            dispose_engine(template)  # a template with a session open on it cannot be copied
        while len(queue) < AHEAD + 1:
            queue.append(self._work.submit(self._pg_create, name))
        return queue.pop(0).result()

    def drop(self, url: str) -> None:
        """Close the app's pooled connections to `url` and remove it (each test's copy goes at its end,
        so a PostgreSQL run never piles up idle connections or databases)."""
        dispose_engine(url)
        if url in self.created:
            self.created.remove(url)
        if self.store == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
            return
        assert self._work is not None
        name = url.rsplit("/", 1)[1]
        # A template that goes: its copies made ahead first (a database being copied cannot be dropped).
        for ahead in self._ready.pop(name, []):
            self.drop(ahead.result())
        self._drops.append(self._work.submit(self._pg_drop, name))

    def close(self) -> None:
        if self._work is not None:
            for queue in self._ready.values():
                for ahead in queue:
                    ahead.result()
            self._ready.clear()
            self._work.shutdown(wait=True)
            self._work = None
            for dropped in self._drops:
                dropped.result()  # raises what a background drop met
            for url in list(reversed(self.created)):
                dispose_engine(url)
                self._pg_drop(url.rsplit("/", 1)[1])
            self.created.clear()
        else:
            for url in list(reversed(self.created)):
                self.drop(url)
        if self._admin is not None:
            self._admin.dispose()


@pytest.fixture(scope="session")
def store(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--store"))


@pytest.fixture(scope="session")
def databases(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(store, tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def demo_today() -> date:
    """The demo data is built relative to this day (the clock's today, so pages show recent data; a run
    under SOCIALOPS_CLOCK builds it for that day)."""
    return clock.today()


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("test:system")


@pytest.fixture(scope="session")
def empty_template(databases: Databases) -> str:
    """URL of a migrated, empty database built once per session; tests get copies of it."""
    url = databases.new()
    upgrade(get_engine(url))
    dispose_engine(url)
    return url


@pytest.fixture
def empty_db(databases: Databases, empty_template: str) -> Iterator[Engine]:
    """A migrated database with no workspace in it (dropped after the test)."""
    url = databases.new(template=empty_template)
    yield get_engine(url)
    databases.drop(url)


@pytest.fixture(scope="session")
def demo_template(databases: Databases, demo_today: date) -> str:
    """URL of a database with the demo workspace, built once per session; never used directly."""
    from app.demo import seed_demo_workspace

    url = databases.new()
    engine = get_engine(url)
    upgrade(engine)
    seed_demo_workspace(engine, actor=Actor.system("test:seed"), today=demo_today)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    dispose_engine(url)
    return url


@pytest.fixture
def demo_db(databases: Databases, demo_template: str) -> Iterator[Engine]:
    """A private copy of the demo workspace for one test (write to it freely; dropped afterwards)."""
    url = databases.new(template=demo_template)
    yield get_engine(url)
    databases.drop(url)


@pytest.fixture(scope="module")
def module_demo_db(databases: Databases, demo_template: str) -> Iterator[Engine]:
    """One copy of the demo workspace shared by the tests of a module (for read-mostly tests)."""
    url = databases.new(template=demo_template)
    yield get_engine(url)
    databases.drop(url)


@pytest.fixture
def use_db(monkeypatch: pytest.MonkeyPatch) -> Callable[[Engine], None]:
    """Point the app (DATABASE_URL, as a user would) at a test database, e.g. for AppTest."""

    def _use(engine: Engine) -> None:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))

    return _use


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """On PostgreSQL a skipped test is a failure: the point of that run is that everything ran there."""
    if session.config.getoption("--store") == "postgresql" and _skipped and exitstatus == 0:
        session.config.get_terminal_writer().line(
            f"FAILED: {len(_skipped)} test(s) skipped on the PostgreSQL run: {', '.join(_skipped[:5])}",
            red=True,
        )
        session.exitstatus = 1
