"""Response-time policies: every write × every role (managers and admins only; a brand manager on their
brand only, not the workspace defaults), an audit row per change, bad values refused naming the field,
no second policy for a brand and priority, and a stale copy refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db import write_session
from app.models import AuditLog, Brand
from app.models.enums import Priority, Role
from app.services.community import policies
from app.services.core import Actor, Conflict, NotFound, PermissionDenied, ValidationError
from tests.services.writekit import acme, audits, module_store, role_actor, rolled_back

ADMIN = Actor.system("test:policies")


def _build(engine: Engine) -> dict[str, int]:
    with write_session(engine) as s:
        lumi, teh = acme(s, ADMIN)
        default = policies.create_policy(s, ADMIN, priority="urgent", first_response_minutes=15)
        own = policies.create_policy(s, ADMIN, brand="lumi", priority="high", first_response_minutes=60)
        return {"lumi": lumi.id, "teh": teh.id, "default": default.id, "own": own.id}


@pytest.fixture(scope="module")
def db(databases, empty_template: str) -> Iterator[tuple[Engine, dict[str, int]]]:  # type: ignore[no-untyped-def]
    yield from module_store(databases, empty_template, _build)


@pytest.fixture
def session(db: tuple[Engine, dict[str, int]]) -> Iterator[Session]:
    """A session whose writes are rolled back after the test."""
    with rolled_back(db[0]) as s:
        yield s


@pytest.fixture
def ids(db: tuple[Engine, dict[str, int]]) -> dict[str, int]:
    return db[1]


WRITES = {
    "create a default": lambda s, a, i: policies.create_policy(
        s, a, priority="low", first_response_minutes=1440, resolution_minutes=4320
    ),
    "create a brand's": lambda s, a, i: policies.create_policy(
        s, a, brand="lumi", priority="urgent", first_response_minutes=10
    ),
    "edit a default": lambda s, a, i: policies.update_policy(
        s, a, i["default"], version=1, first_response_minutes=20
    ),
    "edit a brand's": lambda s, a, i: policies.update_policy(
        s, a, i["own"], version=1, business_hours_only=True
    ),
    "delete a brand's": lambda s, a, i: policies.delete_policy(s, a, i["own"], version=1),
}
BRAND_WRITES = {"create a brand's", "edit a brand's", "delete a brand's"}


@pytest.mark.parametrize("what", list(WRITES))
@pytest.mark.parametrize("role", list(Role))
def test_every_write_by_every_workspace_role(
    session: Session, ids: dict[str, int], what: str, role: Role
) -> None:
    actor = role_actor(role)
    before = audits(session)
    if role in (Role.MANAGER, Role.ADMIN):
        WRITES[what](session, actor, ids)
        assert audits(session) == before + 1
    else:
        with pytest.raises(PermissionDenied, match="may not set response-time policies"):
            WRITES[what](session, actor, ids)
        assert audits(session) == before


@pytest.mark.parametrize("what", list(WRITES))
def test_a_brand_manager_writes_their_brand_only(session: Session, ids: dict[str, int], what: str) -> None:
    manager = role_actor(Role.MANAGER, ids["lumi"])
    if what in BRAND_WRITES:
        WRITES[what](session, manager, ids)
    else:
        with pytest.raises(PermissionDenied):
            WRITES[what](session, manager, ids)
    with pytest.raises((PermissionDenied, ValidationError)):
        policies.create_policy(session, manager, brand="teh", priority="low", first_response_minutes=60)


def test_the_audit_row_names_the_policy_and_what_changed(session: Session, ids: dict[str, int]) -> None:
    manager = role_actor(Role.MANAGER)
    info = policies.update_policy(session, manager, ids["default"], version=1, first_response_minutes=20)
    assert info.first_response_minutes == 20 and info.version == 2
    row = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert row is not None and row.object_label == "Urgent priority · All brands"
    assert row.before == {"first_response_minutes": 15} and row.after == {"first_response_minutes": 20}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"first_response_minutes": -5}, "first_response_minutes"),
        ({"first_response_minutes": "soon"}, "first_response_minutes"),
        ({"first_response_minutes": 1.5}, "first_response_minutes"),
        ({"first_response_minutes": None}, "first_response_minutes"),
        ({"first_response_minutes": 60, "resolution_minutes": 30}, "resolution_minutes"),
        ({"first_response_minutes": 60, "priority": "asap"}, "priority"),
        ({"first_response_minutes": 60, "priority": "urgent"}, "priority"),  # the default has it
        ({"first_response_minutes": 60, "brand": "nope"}, "brand"),
    ],
)
def test_bad_values_are_refused_naming_the_field(
    session: Session, values: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"priority": "normal", **values}
    before = audits(session)
    with pytest.raises(ValidationError) as err:
        policies.create_policy(session, role_actor(Role.ADMIN), **args)  # type: ignore[arg-type]
    assert err.value.field == field and field in str(err.value)
    assert audits(session) == before


def test_the_same_priority_is_free_for_a_brand_and_taken_twice_is_refused(
    session: Session, ids: dict[str, int]
) -> None:
    admin = role_actor(Role.ADMIN)
    policies.create_policy(session, admin, brand="teh", priority="urgent", first_response_minutes=30)
    with pytest.raises(ValidationError, match="Teh Tarik House already has") as err:
        policies.create_policy(session, admin, brand="teh", priority="urgent", first_response_minutes=30)
    assert err.value.field == "priority"
    policies.create_policy(session, admin, brand="lumi", priority="urgent", first_response_minutes=5)
    with pytest.raises(ValidationError, match="Lumi Skincare already has"):
        policies.update_policy(session, admin, ids["own"], version=1, priority="urgent")


def test_a_stale_copy_is_refused(session: Session, ids: dict[str, int]) -> None:
    admin = role_actor(Role.ADMIN)
    policies.update_policy(session, admin, ids["default"], version=1, resolution_minutes=240)
    with pytest.raises(Conflict, match="reload"):
        policies.update_policy(session, admin, ids["default"], version=1, resolution_minutes=300)
    with pytest.raises(Conflict):
        policies.delete_policy(session, admin, ids["default"], version=1)


def test_listing_shows_defaults_first_and_hides_unseen_brands(session: Session, ids: dict[str, int]) -> None:
    admin = role_actor(Role.ADMIN)
    policies.create_policy(session, admin, brand="teh", priority="low", first_response_minutes=600)
    everyone = policies.list_policies(session, admin)
    assert [(p.brand_name, p.priority) for p in everyone] == [
        ("All brands", Priority.URGENT),
        ("Lumi Skincare", Priority.HIGH),
        ("Teh Tarik House", Priority.LOW),
    ]
    lumi_only = policies.list_policies(session, role_actor(Role.VIEWER, ids["lumi"]))
    assert {p.brand_name for p in lumi_only} == {"All brands", "Lumi Skincare"}
    teh_id = next(p.id for p in everyone if p.brand_name == "Teh Tarik House")
    with pytest.raises(NotFound):
        policies.update_policy(
            session, role_actor(Role.MANAGER, ids["lumi"]), teh_id, version=1, priority="high"
        )
    assert session.get(Brand, ids["lumi"]) is not None


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(15, "15 min"), (60, "1 h"), (90, "1 h 30 min"), (1440, "1 d"), (4380, "3 d 1 h"), (None, "")],
)
def test_durations_read_as_people_say_them(minutes: int | None, text: str) -> None:
    assert policies.duration_text(minutes) == text
