"""Getting a database ready: migrate it, and on first start fill it with the demo workspace (or an
empty workspace when demo data is switched off). Used by the app's first start and by the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, inspect

from app.db import (
    current_revision,
    drop_everything,
    head_revision,
    known_revisions,
    read_session,
    upgrade,
    write_session,
)
from app.models import User
from app.models.enums import Role
from app.services.core import Actor, Perm, audit, require, validation
from app.services.org.workspace import create_workspace, get_workspace

Progress = Callable[[float, str], None]
# Fills a new database with a workspace (the demo's seeder). Passed in by the app shell and the CLI, so
# services never import the demo, which sits above them and uses them.
Seeder = Callable[[Engine, Actor, Progress], object]


class DbState(StrEnum):
    EMPTY = "empty"  # no tables at all: a brand-new file or database
    BEHIND = "behind"  # migrated, but not to the newest revision
    NO_WORKSPACE = "no_workspace"  # schema current, nothing in it
    READY = "ready"
    UNKNOWN_REVISION = "unknown_revision"  # newer than this code knows (an older app on a newer database)


@dataclass(frozen=True)
class SetupResult:
    state_before: DbState
    seeded_demo: bool
    created_empty: bool


def database_state(engine: Engine) -> DbState:
    rev = current_revision(engine)
    if rev is None:
        return DbState.EMPTY if not inspect(engine).get_table_names() else DbState.UNKNOWN_REVISION
    if rev != head_revision():
        return DbState.BEHIND if rev in known_revisions() else DbState.UNKNOWN_REVISION
    with read_session(engine) as session:
        return DbState.READY if get_workspace(session) is not None else DbState.NO_WORKSPACE


def prepare_database(
    engine: Engine, *, seed_demo: Seeder | None, progress: Progress | None = None
) -> SetupResult:
    """Migrate to the newest schema; if no workspace exists, fill it with `seed_demo` (or, without one,
    create an empty workspace)."""
    progress = progress or (lambda _f, _m: None)
    state = database_state(engine)
    if state == DbState.UNKNOWN_REVISION:
        raise RuntimeError(
            "the database was migrated by a newer SocialOps Hub (or holds unknown tables); "
            "update the code or point DATABASE_URL at another database"
        )
    if state in (DbState.EMPTY, DbState.BEHIND):
        progress(0.02, "Creating the database schema" if state == DbState.EMPTY else "Upgrading the schema")
        upgrade(engine)
    if database_state(engine) == DbState.READY:
        return SetupResult(state, seeded_demo=False, created_empty=False)
    system = Actor.system("system:first-start")
    if seed_demo is not None:
        seed_demo(engine, system, lambda f, m: progress(0.05 + 0.95 * f, m))
        return SetupResult(state, seeded_demo=True, created_empty=False)
    with write_session(engine) as session:
        create_workspace(session, system, name="My workspace", slug="my-workspace")
    progress(1.0, "Empty workspace created")
    return SetupResult(state, seeded_demo=False, created_empty=True)


def reset_database(
    engine: Engine, actor: Actor, *, workspace_name: str = "My workspace", keep_admin_email: str | None = None
) -> None:
    """Remove everything (demo data included) and start with an empty, migrated workspace.
    `keep_admin_email` (the signed-in admin doing it) stays an admin, so they are not locked out."""
    require(actor, Perm.ADMIN)
    name = validation.required_text(workspace_name, "workspace name")
    drop_everything(engine)
    upgrade(engine)
    with write_session(engine) as session:
        ws = create_workspace(session, actor, name=name, slug=validation.slugify(name) or "workspace")
        if keep_admin_email:
            admin = User(workspace_id=ws.id, email=keep_admin_email, name="", role=Role.ADMIN)
            session.add(admin)
            session.flush()
            audit.record(
                session, actor, "create", "user", admin.id, label=admin.email, after=audit.snapshot(admin)
            )
