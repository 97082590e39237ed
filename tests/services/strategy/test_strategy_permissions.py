"""Every strategy write × every role: viewers, editors, approvers and community managers are refused,
managers and admins get through and leave an audit row; a role held on one brand does not reach
another. Each call runs in a transaction that is rolled back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.models import AuditLog, Brand
from app.models.enums import Role
from app.services.core import ROLE_PERMISSIONS, Actor, Perm, PermissionDenied, ValidationError
from app.services.strategy import campaigns, objectives, pillars, segments

Call = Callable[[Session, Actor, dict[str, int]], object]

# (what, the audit action it writes, the call)
WRITES: list[tuple[str, str, Call]] = [
    (
        "create an objective",
        "create",
        lambda s, a, i: objectives.create_objective(
            s, a, brand="lumi", name="Keep customers", kind="retention"
        ),
    ),
    (
        "edit an objective",
        "update",
        lambda s, a, i: objectives.update_objective(s, a, i["objective"], version=1, target_value=60000),
    ),
    ("archive an objective", "archive", lambda s, a, i: objectives.archive_objective(s, a, i["objective"])),
    (
        "create a segment",
        "create",
        lambda s, a, i: segments.create_segment(s, a, brand="lumi", name="Parents", markets="sg"),
    ),
    (
        "edit a segment",
        "update",
        lambda s, a, i: segments.update_segment(s, a, i["segment"], version=1, description="25-35, office"),
    ),
    ("archive a segment", "archive", lambda s, a, i: segments.archive_segment(s, a, i["segment"])),
    (
        "create a pillar",
        "create",
        lambda s, a, i: pillars.create_pillar(s, a, brand="lumi", name="Routines", target_share_pct=30),
    ),
    (
        "edit a pillar",
        "update",
        lambda s, a, i: pillars.update_pillar(s, a, i["pillar"], version=1, color="#112233"),
    ),
    ("archive a pillar", "archive", lambda s, a, i: pillars.archive_pillar(s, a, i["pillar"])),
    (
        "create a campaign",
        "create",
        lambda s, a, i: campaigns.create_campaign(
            s,
            a,
            brand="lumi",
            slug="summer",
            name="Summer",
            start_date=date(2027, 6, 1),
            end_date=date(2027, 8, 31),
        ),
    ),
    (
        "edit a campaign",
        "update",
        lambda s, a, i: campaigns.update_campaign(s, a, i["campaign"], version=1, budget="1500.50"),
    ),
    ("archive a campaign", "archive", lambda s, a, i: campaigns.archive_campaign(s, a, i["campaign"])),
]


def _audit_count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(AuditLog)) or 0


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("what", "action", "call"), WRITES, ids=[w[0] for w in WRITES])
def test_only_managers_and_admins_write_the_strategy(
    shared_strategy_db: tuple[Engine, dict[str, int]], as_role, role: Role, what: str, action: str, call: Call
) -> None:  # type: ignore[no-untyped-def]
    engine, ids = shared_strategy_db
    allowed = role in (Role.MANAGER, Role.ADMIN)
    assert (Perm.STRATEGY_EDIT in ROLE_PERMISSIONS[role]) == allowed
    with Session(engine) as s:
        try:
            before = _audit_count(s)
            if allowed:
                call(s, as_role(role), ids)
                s.flush()
                entry = s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
                assert _audit_count(s) == before + 1, f"{what}: one audit row"
                assert entry.action == action and entry.actor == f"{role.value}@acme.test"
                lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
                assert entry.brand_id == lumi
            else:
                with pytest.raises(
                    PermissionDenied, match="may not edit objectives, segments, pillars and campaigns"
                ):
                    call(s, as_role(role), ids)
                assert _audit_count(s) == before
        finally:
            s.rollback()


@pytest.mark.parametrize(("what", "action", "call"), WRITES, ids=[w[0] for w in WRITES])
def test_a_manager_of_another_brand_cannot_write_here(
    shared_strategy_db: tuple[Engine, dict[str, int]], as_role, what: str, action: str, call: Call
) -> None:  # type: ignore[no-untyped-def]
    engine, ids = shared_strategy_db
    with Session(engine) as s:
        teh = s.scalars(select(Brand.id).where(Brand.slug == "teh")).one()
        lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        outsider = Actor(email="m@teh.test", brand_roles={teh: Role.MANAGER})
        viewer_here = Actor(email="v@lumi.test", brand_roles={teh: Role.MANAGER, lumi: Role.VIEWER})
        try:
            before = _audit_count(s)
            # Lumi is not theirs to see: it does not exist for them.
            with pytest.raises((ValidationError, LookupError), match="no "):
                call(s, outsider, ids)
            with pytest.raises(PermissionDenied, match=r"v@lumi\.test \(viewer on brand 'lumi'\)"):
                call(s, viewer_here, ids)
            assert _audit_count(s) == before
        finally:
            s.rollback()


def test_everyone_who_views_reads_the_strategy_of_their_brands(
    shared_strategy_db: tuple[Engine, dict[str, int]], as_role
) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = shared_strategy_db
    with Session(engine) as s:
        teh = s.scalars(select(Brand.id).where(Brand.slug == "teh")).one()
        for role in Role:
            actor = as_role(role)
            assert [o.name for o in objectives.list_objectives(s, actor)] == ["Be known in Singapore"]
            assert [c.slug for c in campaigns.list_campaigns(s, actor, brand="lumi")] == ["spring-glow"]
        teh_viewer = Actor(email="v@teh.test", brand_roles={teh: Role.VIEWER})
        assert objectives.list_objectives(s, teh_viewer) == []
        assert pillars.list_pillars(s, teh_viewer) == [] and segments.list_segments(s, teh_viewer) == []
        with pytest.raises(LookupError, match="no brand 'lumi'"):
            campaigns.list_campaigns(s, teh_viewer, brand="lumi")
        with pytest.raises(PermissionDenied):
            campaigns.list_campaigns(s, Actor(email="nobody@x.test"))
