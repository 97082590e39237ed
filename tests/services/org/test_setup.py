"""First start and starting clean: a new database is migrated and gets the demo workspace (or an
empty one), and a reset leaves an empty workspace whose admin is not locked out."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from app.db import current_revision, get_engine, head_revision, read_session
from app.demo import seed_first_start
from app.models import Brand, User, Workspace
from app.models.enums import Role
from app.services.core import Actor
from app.services.org import DbState, database_state, prepare_database, reset_database


def test_first_start_migrates_and_seeds_the_demo(databases) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(databases.new())
    assert database_state(engine) == DbState.EMPTY
    steps: list[float] = []
    result = prepare_database(engine, seed_demo=seed_first_start, progress=lambda f, _m: steps.append(f))
    assert result.seeded_demo and result.state_before == DbState.EMPTY
    assert current_revision(engine) == head_revision()
    assert database_state(engine) == DbState.READY
    assert steps == sorted(steps) and steps[-1] <= 1.0
    with read_session(engine) as s:
        assert s.scalars(select(Workspace)).one().is_demo
        assert s.scalar(select(func.count()).select_from(Brand)) >= 3
    again = prepare_database(engine, seed_demo=seed_first_start)
    assert not again.seeded_demo, "a second start changes nothing"


def test_first_start_without_demo_gives_an_empty_workspace(databases) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(databases.new())
    result = prepare_database(engine, seed_demo=None)
    assert result.created_empty and not result.seeded_demo
    with read_session(engine) as s:
        ws = s.scalars(select(Workspace)).one()
        assert not ws.is_demo
        assert s.scalar(select(func.count()).select_from(Brand)) == 0


def test_reset_removes_the_demo_and_keeps_the_admin(demo_db: Engine) -> None:
    reset_database(
        demo_db, Actor.system("test:admin"), workspace_name="Fresh Start", keep_admin_email="me@agency.test"
    )
    with read_session(demo_db) as s:
        ws = s.scalars(select(Workspace)).one()
        assert (ws.name, ws.is_demo) == ("Fresh Start", False)
        assert s.scalar(select(func.count()).select_from(Brand)) == 0
        assert [(u.email, u.role) for u in s.scalars(select(User))] == [("me@agency.test", Role.ADMIN)]
    assert database_state(demo_db) == DbState.READY


def test_reset_also_removes_tables_the_models_do_not_know(demo_db: Engine) -> None:
    from sqlalchemy import inspect, text

    with demo_db.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE legacy_export (id INTEGER PRIMARY KEY, brand_id INTEGER REFERENCES brands(id))"
            )
        )
    reset_database(demo_db, Actor.system("test:admin"))
    assert "legacy_export" not in inspect(demo_db).get_table_names()
    assert database_state(demo_db) == DbState.READY
