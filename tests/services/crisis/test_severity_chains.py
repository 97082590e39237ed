"""Severity levels and notification chains: every write × every role (levels: managers and admins on the
workspace; chains: whoever runs the crisis room, community managers included, a brand's only on that
brand), an audit row per change, bad values refused naming the field, a stale copy refused, ordered
steps with people named in words, and a level in use by an incident kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.db import write_session
from app.models import AuditLog, Incident, NotificationStep
from app.models.enums import NotifyVia, Role
from app.services.core import Actor, Conflict, PermissionDenied, ValidationError
from app.services.crisis import chains, severity
from app.services.org import users
from tests.services.writekit import acme, audits, module_store, role_actor, rolled_back

ADMIN = Actor.system("test:crisis")
STEPS = [
    {"contact": "Community manager on duty", "via": "in_app", "after_minutes": 0},
    {"contact": "Account manager", "via": "email", "after_minutes": 30},
]


def _build(engine: Engine) -> dict[str, int]:
    with write_session(engine) as s:
        lumi, teh = acme(s, ADMIN)
        mira = users.add_user(s, ADMIN, email="mira@acme.test", name="Mira Tan", role="manager")
        low = severity.create_level(s, ADMIN, level=1, name="Low", response_minutes=240)
        high = severity.create_level(
            s, ADMIN, level=3, name="High", response_minutes=30, pause_publishing=True
        )
        default = chains.create_chain(s, ADMIN, severity=low.id, name="Low chain", steps=STEPS)
        own = chains.create_chain(s, ADMIN, brand="lumi", severity=high.id, name="Lumi high", steps=STEPS)
        return {
            "lumi": lumi.id, "teh": teh.id, "mira": mira.id, "low": low.id, "high": high.id,
            "default": default.id, "own": own.id,
        }  # fmt: skip


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


Call = Callable[[Session, Actor, dict[str, int]], object]
LEVEL_WRITES: dict[str, Call] = {
    "create a level": lambda s, a, i: severity.create_level(
        s, a, level=4, name="Critical", response_minutes=15, pause_publishing=True
    ),
    "edit a level": lambda s, a, i: severity.update_level(s, a, i["high"], version=1, response_minutes=20),
    "delete a level": lambda s, a, i: severity.delete_level(s, a, i["low"], version=1),
}
CHAIN_WRITES: dict[str, Call] = {
    "create a default chain": lambda s, a, i: chains.create_chain(
        s, a, severity="level:3", name="High chain", steps=STEPS
    ),
    "create a brand's chain": lambda s, a, i: chains.create_chain(
        s, a, brand="lumi", severity="level:1", name="Lumi low", steps=STEPS[:1]
    ),
    "edit a default chain": lambda s, a, i: chains.update_chain(
        s, a, i["default"], version=1, steps=STEPS[::-1]
    ),
    "edit a brand's chain": lambda s, a, i: chains.update_chain(s, a, i["own"], version=1, name="Lumi: high"),
    "delete a brand's chain": lambda s, a, i: chains.delete_chain(s, a, i["own"], version=1),
}
BRAND_CHAIN_WRITES = {"create a brand's chain", "edit a brand's chain", "delete a brand's chain"}
CRISIS_ROLES = {Role.COMMUNITY_MANAGER, Role.MANAGER, Role.ADMIN}


@pytest.mark.parametrize("what", list(LEVEL_WRITES))
@pytest.mark.parametrize("role", list(Role))
def test_levels_are_written_by_managers_and_admins(
    session: Session, ids: dict[str, int], what: str, role: Role
) -> None:
    before = audits(session)
    if role in (Role.MANAGER, Role.ADMIN):
        LEVEL_WRITES[what](session, role_actor(role), ids)
        assert audits(session) == before + (2 if what == "delete a level" else 1)  # + Low's chain
    else:
        with pytest.raises(PermissionDenied, match="severity matrix"):
            LEVEL_WRITES[what](session, role_actor(role), ids)
        assert audits(session) == before
    with pytest.raises(PermissionDenied):  # a brand's manager does not set the workspace's matrix
        LEVEL_WRITES[what](session, role_actor(Role.MANAGER, ids["lumi"]), ids)


@pytest.mark.parametrize("what", list(CHAIN_WRITES))
@pytest.mark.parametrize("role", list(Role))
def test_chains_are_written_by_whoever_runs_the_crisis_room(
    session: Session, ids: dict[str, int], what: str, role: Role
) -> None:
    before = audits(session)
    if role in CRISIS_ROLES:
        CHAIN_WRITES[what](session, role_actor(role), ids)
        assert audits(session) == before + 1
    else:
        with pytest.raises(PermissionDenied, match="run the crisis room"):
            CHAIN_WRITES[what](session, role_actor(role), ids)
        assert audits(session) == before


@pytest.mark.parametrize("what", list(CHAIN_WRITES))
def test_a_brand_community_manager_writes_their_brands_chains_only(
    session: Session, ids: dict[str, int], what: str
) -> None:
    cm = role_actor(Role.COMMUNITY_MANAGER, ids["lumi"])
    if what in BRAND_CHAIN_WRITES:
        CHAIN_WRITES[what](session, cm, ids)
    else:
        with pytest.raises(PermissionDenied):
            CHAIN_WRITES[what](session, cm, ids)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"level": 0}, "level"),
        ({"level": "two"}, "level"),
        ({"level": 1}, "level"),  # Low has it
        ({"name": ""}, "name"),
        ({"name": "high"}, "name"),  # level 3 has it
        ({"response_minutes": 0}, "response_minutes"),
        ({"response_minutes": -30}, "response_minutes"),
        ({"response_minutes": "fast"}, "response_minutes"),
    ],
)
def test_bad_levels_are_refused_naming_the_field(
    session: Session, values: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"level": 2, "name": "Moderate", "response_minutes": 60, **values}
    with pytest.raises(ValidationError) as err:
        severity.create_level(session, role_actor(Role.ADMIN), **args)  # type: ignore[arg-type]
    assert err.value.field == field and field in str(err.value)


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([], "steps"),
        ([{"via": "email", "after_minutes": 0}], "contact"),
        ([{"contact": "AM", "via": "pigeon", "after_minutes": 0}], "via"),
        ([{"contact": "AM", "via": "email", "after_minutes": -1}], "after_minutes"),
        ([{"contact": "AM", "via": "email", "after_minutes": "later"}], "after_minutes"),
        ([{"user": "nobody@acme.test", "via": "email", "after_minutes": 0}], "user"),
    ],
)
def test_bad_steps_are_refused_naming_the_field(
    session: Session, steps: list[dict[str, object]], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        chains.create_chain(
            session, role_actor(Role.ADMIN), severity="level:3", name="High chain", steps=steps
        )
    assert err.value.field == field and field in str(err.value)


def test_one_chain_per_level_and_brand(session: Session, ids: dict[str, int]) -> None:
    admin = role_actor(Role.ADMIN)
    with pytest.raises(ValidationError, match="already has the chain 'Low chain'") as err:
        chains.create_chain(session, admin, severity=ids["low"], name="Another", steps=STEPS)
    assert err.value.field == "severity"
    chains.create_chain(session, admin, brand="teh", severity=ids["low"], name="Teh low", steps=STEPS)
    with pytest.raises(ValidationError, match="no level 7"):
        chains.create_chain(session, admin, severity="level:7", name="X", steps=STEPS)


def test_steps_keep_their_order_and_name_people_in_words(session: Session, ids: dict[str, int]) -> None:
    manager = role_actor(Role.MANAGER)
    steps = [
        {"user": "mira@acme.test", "via": "phone", "after_minutes": 0},
        {"contact": "Client legal counsel", "via": "email", "after_minutes": 15},
    ]
    info = chains.update_chain(session, manager, ids["own"], version=1, steps=steps)
    assert [(s.position, s.who, s.via, s.after_minutes) for s in info.steps] == [
        (1, "Mira Tan (manager)", NotifyVia.PHONE, 0),
        (2, "Client legal counsel", NotifyVia.EMAIL, 15),
    ]
    assert info.steps[0].via_label == "Phone call" and info.version == 2
    assert session.scalar(select(func.count()).select_from(NotificationStep)) == 4
    row = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert row is not None and set(row.after) == {"steps"} and row.object_label == "Lumi high"
    with pytest.raises(Conflict, match="reload"):  # a change of steps alone makes other copies stale
        chains.update_chain(session, manager, ids["own"], version=1, name="Old copy")


def test_a_stale_level_is_refused_and_an_unchanged_save_writes_nothing(
    session: Session, ids: dict[str, int]
) -> None:
    admin = role_actor(Role.ADMIN)
    before = audits(session)
    severity.update_level(session, admin, ids["high"], version=1, name="High")
    assert audits(session) == before
    severity.update_level(session, admin, ids["high"], version=1, criteria="Trending in one market")
    with pytest.raises(Conflict):
        severity.update_level(session, admin, ids["high"], version=1, criteria="Older")
    with pytest.raises(Conflict):
        severity.delete_level(session, admin, ids["high"], version=1)


def test_a_level_an_incident_uses_is_kept(session: Session, ids: dict[str, int]) -> None:
    session.add(Incident(brand_id=ids["lumi"], severity_id=ids["high"], title="Spoiled batch"))
    session.flush()
    with pytest.raises(ValidationError, match="severity of 1 incident") as err:
        severity.delete_level(session, role_actor(Role.ADMIN), ids["high"], version=1)
    assert err.value.field == "level"


def test_deleting_a_level_takes_its_chains(session: Session, ids: dict[str, int]) -> None:
    admin = role_actor(Role.ADMIN)
    before = audits(session)
    severity.delete_level(session, admin, ids["low"], version=1)
    assert audits(session) == before + 2  # the level and its chain
    assert [c.name for c in chains.list_chains(session, admin)] == ["Lumi high"]
    assert [lv.label for lv in severity.list_levels(session, role_actor(Role.VIEWER))] == ["3 · High"]


def test_listing_hides_unseen_brands_chains(session: Session, ids: dict[str, int]) -> None:
    admin = role_actor(Role.ADMIN)
    chains.create_chain(session, admin, brand="teh", severity=ids["high"], name="Teh high", steps=STEPS)
    seen = [c.name for c in chains.list_chains(session, role_actor(Role.VIEWER, ids["lumi"]))]
    assert seen == ["Lumi high", "Low chain"]
