"""The database drops every connection while the app runs (a PostgreSQL restart or failover): the next
page the user opens reconnects (pool_pre_ping) and renders, with no traceback."""

from __future__ import annotations

import pytest
from pagekit import assert_page_ok, new_app
from sqlalchemy import Engine, text

from app.db import get_engine


def test_pages_recover_after_the_server_drops_all_connections(demo_db: Engine, use_db, store: str) -> None:  # type: ignore[no-untyped-def]
    if store != "postgresql":
        pytest.skip("a server restart is a PostgreSQL matter; SQLite is a file in the app's own process")
    use_db(demo_db)
    at = new_app().run()
    assert_page_ok(at, "Overview")
    name = demo_db.url.database
    admin = get_engine(demo_db.url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        ).scalar()
        conn.commit()
    assert killed >= 1, "the app held pooled connections that are now gone"
    at.switch_page("pages/plan/calendar.py").run()
    assert_page_ok(at, "Calendar")
    at.switch_page("pages/home/overview.py").run()
    assert_page_ok(at, "Overview")
