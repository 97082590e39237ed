"""Markets, brands, channels and users through their services: validation that names the field, the
audit log row of every change, and permission checks that hold whoever calls."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AuditLog, ConnectorAccount
from app.models.enums import Role
from app.services.core import Actor, NotFound, PermissionDenied, ValidationError, audit
from app.services.org import brands, channels, markets, users
from app.services.org.workspace import create_workspace


@pytest.fixture
def org(empty_db: Engine, system_actor: Actor) -> Engine:
    """A workspace with two markets and two brands."""
    with write_session(empty_db) as s:
        create_workspace(s, system_actor, name="Acme", slug="acme")
        markets.create_market(
            s,
            system_actor,
            code="sg",
            name="Singapore",
            country_code="sg",
            languages="en, zh",
            timezone="Asia/Singapore",
            currency="sgd",
        )
        markets.create_market(
            s,
            system_actor,
            code="my",
            name="Malaysia",
            country_code="MY",
            languages=["ms", "en"],
            timezone="Asia/Kuala_Lumpur",
            currency="MYR",
        )
        brands.create_brand(s, system_actor, slug="lumi", name="Lumi Skincare", market="sg", regulated=True)
        brands.create_brand(s, system_actor, slug=None, name="Teh Tarik House", market="my")
    return empty_db


def _audit_rows(engine: Engine, object_type: str) -> list[AuditLog]:
    with read_session(engine) as s:
        return list(
            s.scalars(select(AuditLog).where(AuditLog.object_type == object_type).order_by(AuditLog.id))
        )


def test_markets_are_normalised_and_listed_with_brand_counts(org: Engine, system_actor: Actor) -> None:
    with read_session(org) as s:
        rows = {m.code: m for m in markets.list_markets(s, system_actor)}
    assert rows["sg"].languages == ["en", "zh"]
    assert rows["sg"].country_code == "SG" and rows["sg"].currency == "SGD"
    assert rows["sg"].brands == 1 and rows["my"].brands == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "not a known time zone"),
        ("currency", "DOLLARS", "must be 3 letters"),
        ("code", "Bad Code!", "lowercase letters"),
        ("languages", "english", "not a language code"),
    ],
)
def test_bad_market_input_names_the_field(
    org: Engine, system_actor: Actor, field: str, value: str, message: str
) -> None:
    good = dict(
        code="th", name="Thailand", country_code="TH", languages="th", timezone="Asia/Bangkok", currency="THB"
    )
    good[field] = value
    with write_session(org) as s, pytest.raises(ValidationError, match=message) as err:
        markets.create_market(s, system_actor, **good)
    assert field in (err.value.field or "")


def test_brand_slug_is_made_from_the_name_and_must_be_unique(org: Engine, system_actor: Actor) -> None:
    with read_session(org) as s:
        assert [b.slug for b in brands.list_brands(s, system_actor)] == ["lumi", "teh-tarik-house"]
    with write_session(org) as s, pytest.raises(ValidationError, match="'lumi' already exists"):
        brands.create_brand(s, system_actor, slug="lumi", name="Another", market="sg")
    with write_session(org) as s, pytest.raises(NotFound, match="no market 'xx'"):
        brands.create_brand(s, system_actor, slug="new", name="New", market="xx")


def test_every_change_writes_an_audit_row_with_before_and_after(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        brands.update_brand(s, system_actor, "lumi", name="Lumi Skin", regulated=True)
    created, updated = _audit_rows(org, "brand")[0], _audit_rows(org, "brand")[-1]
    assert created.action == "create" and created.after["slug"] == "lumi"
    assert updated.action == "update"
    assert updated.before == {"name": "Lumi Skincare"} and updated.after == {"name": "Lumi Skin"}
    assert updated.actor == "test:system" and updated.brand_id is not None
    assert updated.object_label == "Lumi Skin", "a renamed brand is logged under its new name"
    with write_session(org) as s:
        markets.update_market(s, system_actor, "sg", name="Singapura", languages="en, ms")
    market = _audit_rows(org, "market")[-1]
    assert (market.action, market.object_label, market.brand_id) == ("update", "Singapura", None)
    assert market.before == {"name": "Singapore", "languages": ["en", "zh"]}
    assert market.after == {"name": "Singapura", "languages": ["en", "ms"]}


def test_an_update_that_changes_nothing_logs_nothing(org: Engine, system_actor: Actor) -> None:
    before = len(_audit_rows(org, "brand"))
    with write_session(org) as s:
        brands.update_brand(s, system_actor, "lumi", name="Lumi Skincare")
    assert len(_audit_rows(org, "brand")) == before


def test_channel_keeps_only_the_name_of_its_token_variable(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        info = channels.create_channel(
            s,
            system_actor,
            brand="lumi",
            platform="Mastodon",
            handle="@lumi@social.example",
            base_url="http://127.0.0.1:3000/",
            credential_env="MASTODON_TOKEN_LUMI",
        )
    assert (info.slug, info.platform, info.connector) == ("lumi-mastodon", "mastodon", "mastodon")
    assert info.base_url == "http://127.0.0.1:3000"
    with write_session(org) as s, pytest.raises(ValidationError, match="NAME of the environment variable"):
        channels.create_channel(
            s, system_actor, brand="lumi", platform="x", handle="@l", credential_env="sk-live-123"
        )
    with write_session(org) as s:
        ig = channels.create_channel(s, system_actor, brand="lumi", platform="instagram", handle="@lumi")
    assert ig.connector == "manual"
    with read_session(org) as s:
        assert s.scalar(select(func.count()).select_from(ConnectorAccount)) == 2


def test_a_channel_edit_and_its_connector_edit_are_one_entry(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        ch = channels.create_channel(s, system_actor, brand="lumi", platform="instagram", handle="@lumi")
        channels.update_channel(
            s,
            system_actor,
            ch.slug,
            display_name="Lumi",
            connector="webhook",
            base_url="https://hook.example",
        )
        lumi_id = brands.get_brand(s, system_actor, "lumi").id
    created, updated = _audit_rows(org, "channel")
    assert created.action == "create"
    assert (updated.action, updated.object_id, updated.object_label, updated.brand_id) == (
        "update",
        str(ch.id),
        "lumi-instagram",
        lumi_id,
    )
    assert updated.before == {"display_name": None, "kind": "manual", "base_url": None}
    assert updated.after == {"display_name": "Lumi", "kind": "webhook", "base_url": "https://hook.example"}


def test_unknown_platform_lists_the_allowed_ones(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s, pytest.raises(ValidationError, match="not one of: facebook, instagram"):
        channels.create_channel(s, system_actor, brand="lumi", platform="myspace", handle="@lumi")


def test_users_get_a_workspace_role_or_a_brand_role(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        users.add_user(s, system_actor, email="Lead@Acme.com", role="manager")
        users.add_user(s, system_actor, email="client@lumi.com", role="approver", brand="lumi")
    with read_session(org) as s:
        lead = users.load_actor(s, "lead@acme.com")
        client = users.load_actor(s, "client@lumi.com")
        lumi = brands.get_brand(s, system_actor, "lumi")
        teh = brands.get_brand(s, system_actor, "teh-tarik-house")
    assert lead is not None and lead.workspace_role == Role.MANAGER and lead.sees_all_brands()
    assert client is not None and client.workspace_role is None
    assert client.brand_roles == {lumi.id: Role.APPROVER}
    with read_session(org) as s:
        assert [b.slug for b in brands.list_brands(s, client)] == ["lumi"]
        with pytest.raises(NotFound):
            brands.get_brand(s, client, "teh-tarik-house")
    assert teh.id not in client.brand_roles


def test_adding_an_existing_user_without_brand_is_refused(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        users.add_user(s, system_actor, email="ed@acme.com", role="editor")
    with write_session(org) as s, pytest.raises(ValidationError, match="already exists"):
        users.add_user(s, system_actor, email="ed@acme.com", role="viewer")
    with write_session(org) as s:
        info = users.add_user(s, system_actor, email="ed@acme.com", role="approver", brand="lumi")
    assert info.role == "editor" and info.brand_roles == {"lumi": "approver"}


def test_role_and_access_changes_are_logged(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        users.add_user(s, system_actor, email="ed@acme.com", role="editor")
        users.set_workspace_role(s, system_actor, "ed@acme.com", "manager")
        users.set_active(s, system_actor, "ed@acme.com", False)
        users.set_brand_role(s, system_actor, "ed@acme.com", "lumi", "approver")
        users.set_brand_role(s, system_actor, "ed@acme.com", "lumi", "manager")
        users.set_brand_role(s, system_actor, "ed@acme.com", "lumi", "manager")  # no change: no entry
        users.add_user(s, system_actor, email="local@acme.com", role="viewer")
        users.ensure_local_admin(s, "local@acme.com")
        lumi_id = brands.get_brand(s, system_actor, "lumi").id
    ed = [e for e in _audit_rows(org, "user") if e.object_label == "ed@acme.com"]
    assert [(e.action, e.before, e.after) for e in ed] == [
        ("create", None, ed[0].after),
        ("update", {"role": "editor"}, {"role": "manager"}),
        ("update", {"active": True}, {"active": False}),
    ]
    created, changed = _audit_rows(org, "membership")
    assert created.action == "create"
    assert (changed.action, changed.object_label, changed.brand_id) == (
        "update",
        "ed@acme.com on lumi",
        lumi_id,
    )
    assert (changed.before, changed.after) == ({"role": "approver"}, {"role": "manager"})
    local = _audit_rows(org, "user")[-1]
    assert (local.action, local.actor, local.object_label) == (
        "update",
        "system:local-mode",
        "local@acme.com",
    )
    assert (local.before, local.after) == ({"role": "viewer"}, {"role": "admin"})


def test_the_last_admin_cannot_be_removed(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        users.add_user(s, system_actor, email="boss@acme.com", role="admin")
    with write_session(org) as s, pytest.raises(ValidationError, match="last active admin"):
        users.set_workspace_role(s, system_actor, "boss@acme.com", "manager")
    with write_session(org) as s, pytest.raises(ValidationError, match="last active admin"):
        users.set_active(s, system_actor, "boss@acme.com", False)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_manage_the_organisation(org: Engine, role: Role) -> None:
    actor = Actor(email=f"{role.value}@acme.com", workspace_role=role)
    writes = [
        lambda s: brands.create_brand(s, actor, slug="x", name="X", market="sg"),
        lambda s: brands.update_brand(s, actor, "lumi", name="Hacked"),
        lambda s: markets.create_market(
            s,
            actor,
            code="th",
            name="T",
            country_code="TH",
            languages="th",
            timezone="Asia/Bangkok",
            currency="THB",
        ),
        lambda s: channels.create_channel(s, actor, brand="lumi", platform="x", handle="@x"),
        lambda s: users.add_user(s, actor, email="new@acme.com", role="admin"),
        lambda s: users.set_workspace_role(s, actor, f"{role.value}@acme.com", "admin"),
    ]
    for write in writes:
        with write_session(org) as s, pytest.raises(PermissionDenied, match="may not administer"):
            write(s)
    with read_session(org) as s:
        assert brands.get_brand(s, actor, "lumi").name == "Lumi Skincare"
        with pytest.raises(PermissionDenied):
            users.list_users(s, actor)


def test_audit_log_filters_and_brand_scope(org: Engine, system_actor: Actor) -> None:
    with write_session(org) as s:
        brands.update_brand(s, system_actor, "lumi", industry="Beauty")
        brands.update_brand(s, system_actor, "teh-tarik-house", industry="Food")
        lumi_id = brands.get_brand(s, system_actor, "lumi").id
    with read_session(org) as s:
        everything = audit.list_entries(s, system_actor)
        updates = audit.list_entries(s, system_actor, audit.AuditFilter(action="update"))
        lumi_manager = Actor(email="m@acme.com", brand_roles={lumi_id: Role.MANAGER})
        scoped = audit.list_entries(s, lumi_manager)
        with pytest.raises(PermissionDenied):
            audit.list_entries(s, Actor(email="v@acme.com", workspace_role=Role.EDITOR))
    assert len(everything) >= 7
    assert set(updates["action"]) == {"update"} and len(updates) == 2
    assert set(scoped["brand"]) == {"lumi"}
    assert everything["at"].is_monotonic_decreasing
