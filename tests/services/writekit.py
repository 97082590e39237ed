"""What the tests of every write × every role share (response-time policies, severity levels and
notification chains): the Acme workspace with its brands Lumi and Teh in Singapore, a test module's own
store built once (the strategy tests' shared one too), a session whose writes are rolled back after each
test, someone with a role on the workspace or on one brand, and the count of audit rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.db import dispose_engine, get_engine
from app.models import AuditLog
from app.models.enums import Role
from app.services.core import Actor
from app.services.org import BrandInfo, brands, markets
from app.services.org.workspace import create_workspace


def acme(s: Session, admin: Actor) -> tuple[BrandInfo, BrandInfo]:
    """The workspace, its Singapore market and two brands of it: (Lumi Skincare, Teh Tarik House)."""
    create_workspace(s, admin, name="Acme", slug="acme")
    markets.create_market(
        s, admin, code="sg", name="Singapore", country_code="SG", languages="en",
        timezone="Asia/Singapore", currency="SGD",
    )  # fmt: skip
    lumi = brands.create_brand(s, admin, slug="lumi", name="Lumi Skincare", market="sg")
    teh = brands.create_brand(s, admin, slug="teh", name="Teh Tarik House", market="sg")
    return lumi, teh


def module_store(
    databases: Any, template: str, build: Callable[[Engine], dict[str, int]]
) -> Iterator[tuple[Engine, dict[str, int]]]:
    """For a module-scoped fixture to yield from: a store of its own, made by `build` (which returns the
    ids the tests use), dropped after the module."""
    url = databases.new(template=template)
    engine = get_engine(url)
    ids = build(engine)
    yield engine, ids
    dispose_engine(url)
    databases.drop(url)


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A session whose writes are rolled back at the end (services flush, they never commit)."""
    with engine.connect() as conn:
        trans = conn.begin()
        s = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield s
        finally:
            s.close()
            trans.rollback()


def role_actor(role: Role, brand_id: int | None = None) -> Actor:
    """Someone with `role` on the whole workspace, or (brand_id given) on that brand only."""
    if brand_id is None:
        return Actor(email=f"{role.value}@acme.test", workspace_role=role)
    return Actor(email=f"{role.value}@lumi.test", brand_roles={brand_id: role})


def audits(s: Session) -> int:
    """How many audit rows there are."""
    return s.scalar(select(func.count()).select_from(AuditLog)) or 0
