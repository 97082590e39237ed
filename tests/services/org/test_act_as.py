"""Acting as another person in a local trial: the local admin may, and then every service checks that
person's permissions and the audit log names both; with sign-in configured, for anyone but an admin in
person, or for someone inactive, the service refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, User
from app.models.enums import Role
from app.services.core import Actor, NotFound, PermissionDenied, audit
from app.services.org import (
    act_as,
    brands,
    ensure_local_admin,
    markets,
    people_to_act_as,
    record_acting,
    users,
)
from app.services.org.workspace import create_workspace

ADMIN = "admin@localhost"


@pytest.fixture
def org(empty_db: Engine, system_actor: Actor) -> Engine:
    with write_session(empty_db) as s:
        create_workspace(s, system_actor, name="Trial", slug="trial")
        markets.create_market(
            s,
            system_actor,
            code="sg",
            name="Singapore",
            country_code="SG",
            languages="en",
            timezone="Asia/Singapore",
            currency="SGD",
        )
        brands.create_brand(s, system_actor, slug="lumi", name="Lumi", market="sg")
        users.add_user(s, system_actor, email="dana@trial.test", role="editor", name="Dana Tan")
        users.add_user(s, system_actor, email="omar@trial.test", role="admin", name="Omar Said")
        users.add_user(s, system_actor, email="client@trial.test", role="approver", brand="lumi", name="Cli")
        users.add_user(s, system_actor, email="gone@trial.test", role="approver", name="Gone")
        users.set_active(s, system_actor, "gone@trial.test", False)
        ensure_local_admin(s, ADMIN)
    return empty_db


def _load(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        actor = users.load_actor(s, email)
    assert actor is not None
    return actor


def _id(engine: Engine, email: str) -> int:
    return _load(engine, email).user_id or 0


def test_the_local_admin_acts_as_a_person_with_their_roles(org: Engine) -> None:
    admin = _load(org, ADMIN)
    with read_session(org) as s:
        dana = act_as(s, admin, _id(org, "dana@trial.test"), local_mode=True)
        client = act_as(s, admin, _id(org, "client@trial.test"), local_mode=True)
    assert (dana.email, dana.name, dana.workspace_role) == ("dana@trial.test", "Dana Tan", Role.EDITOR)
    assert dana.acted_by == ADMIN and dana.kind == "user"
    assert client.workspace_role is None and list(client.brand_roles.values()) == [Role.APPROVER]
    # The services check Dana, not the admin: an editor may not list users or add a market.
    with read_session(org) as s, pytest.raises(PermissionDenied, match=r"dana@trial\.test \(editor\)"):
        users.list_users(s, dana)
    with write_session(org) as s, pytest.raises(PermissionDenied):
        markets.create_market(
            s,
            dana,
            code="my",
            name="Malaysia",
            country_code="MY",
            languages="ms",
            timezone="Asia/Kuala_Lumpur",
            currency="MYR",
        )


def test_the_audit_log_names_the_person_and_who_acted(org: Engine) -> None:
    admin = _load(org, ADMIN)
    with write_session(org) as s:
        omar = act_as(s, admin, _id(org, "omar@trial.test"), local_mode=True)
        markets.create_market(
            s,
            omar,
            code="my",
            name="Malaysia",
            country_code="MY",
            languages="ms",
            timezone="Asia/Kuala_Lumpur",
            currency="MYR",
        )
    with read_session(org) as s:
        entry = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "market").order_by(AuditLog.id.desc())
        ).first()
        # Filtering the log by either person finds it.
        by_admin = audit.list_entries(s, admin, audit.AuditFilter(actor=ADMIN, object_type="market"))
        by_omar = audit.list_entries(s, admin, audit.AuditFilter(actor="omar@", object_type="market"))
    assert entry is not None
    assert entry.actor == f"omar@trial.test (acted by {ADMIN})"
    assert entry.actor_user_id == omar.user_id
    assert len(by_admin) == len(by_omar) == 1
    assert Actor(email="x@y.z").audit_label == "x@y.z", "without acting, the label is the e-mail as before"


def test_starting_and_stopping_are_logged_under_the_admin(org: Engine) -> None:
    admin = _load(org, ADMIN)
    dana_id = _id(org, "dana@trial.test")
    with write_session(org) as s:
        record_acting(s, admin, dana_id, local_mode=True)
        record_acting(s, admin, None, local_mode=True)
    with read_session(org) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action.like("act_as%")).order_by(AuditLog.id)).all()
    assert [(r.action, r.actor, r.object_label) for r in rows] == [
        ("act_as.start", ADMIN, "dana@trial.test"),
        ("act_as.stop", ADMIN, ADMIN),
    ]
    assert rows[0].after == {"acting_as": "dana@trial.test", "role": "editor"}


def test_the_people_offered_are_active_others_with_a_role(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        users.add_user(s, system_actor, email="norole@trial.test", role="viewer", name="No Role")
        users.set_workspace_role(s, system_actor, "norole@trial.test", None)
    admin = _load(org, ADMIN)
    with read_session(org) as s:
        people = people_to_act_as(s, admin, local_mode=True)
    assert [p.email for p in people] == ["client@trial.test", "dana@trial.test", "omar@trial.test"]


def test_refused_once_sign_in_is_configured(org: Engine) -> None:
    admin = _load(org, ADMIN)
    dana_id = _id(org, "dana@trial.test")
    with read_session(org) as s:
        with pytest.raises(PermissionDenied, match="only possible when no sign-in is configured"):
            act_as(s, admin, dana_id, local_mode=False)
        with pytest.raises(PermissionDenied, match="only possible when no sign-in is configured"):
            people_to_act_as(s, admin, local_mode=False)
    with write_session(org) as s, pytest.raises(PermissionDenied):
        record_acting(s, admin, dana_id, local_mode=False)


@pytest.mark.parametrize(
    "who",
    ["dana", "cli", "already acting"],
)
def test_refused_to_anyone_but_the_admin_in_person(org: Engine, who: str) -> None:
    admin = _load(org, ADMIN)
    omar_id = _id(org, "omar@trial.test")
    with read_session(org) as s:
        real = {
            "dana": _load(org, "dana@trial.test"),
            "cli": Actor.cli(),  # an admin, but not a person: the command line does not act as people
            "already acting": act_as(s, admin, _id(org, "dana@trial.test"), local_mode=True),
        }[who]
        with pytest.raises(PermissionDenied, match="may not act as another person"):
            act_as(s, real, omar_id, local_mode=True)


def test_nobody_inactive_or_unknown(org: Engine) -> None:
    admin = _load(org, ADMIN)
    with read_session(org) as s:
        gone_id = s.scalars(select(User.id).where(User.email == "gone@trial.test")).one()
        for person_id in (gone_id, 999_999):
            with pytest.raises(NotFound, match="no active person"):
                act_as(s, admin, person_id, local_mode=True)
