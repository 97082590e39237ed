"""The demo workspace and the synthetic agency: what a newcomer sees on first start, and what the
agency-scale builder writes."""

from __future__ import annotations

import hashlib
import statistics
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import get_engine, upgrade
from app.demo import build_agency, seed_demo_workspace
from app.models import (
    ApprovalRequest,
    ApprovalStage,
    Asset,
    AuditLog,
    Base,
    Brand,
    Channel,
    ChannelDailyMetric,
    Comment,
    InboxMessage,
    Incident,
    Market,
    Membership,
    Post,
    PostMetricSnapshot,
    PostVariant,
    SopRun,
    SopTemplate,
    SopTemplateVersion,
    User,
    Workspace,
    approval_stage_approvers,
)
from app.models.enums import (
    ApprovalRequestStatus,
    Direction,
    InboxStatus,
    IncidentStatus,
    Platform,
    PostStatus,
    Role,
    Sentiment,
    SopRunStatus,
)
from app.services.core import Actor, PermissionDenied, ValidationError


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), UTC)


@pytest.fixture(scope="module")
def db(module_demo_db: Engine) -> Engine:
    return module_demo_db


def test_three_brands_in_three_markets_with_five_or_six_channels(db: Engine) -> None:
    with Session(db) as s:
        ws = s.scalars(select(Workspace)).one()
        assert ws.is_demo and ws.slug == "kopi-digital"
        markets = {m.code: m for m in s.scalars(select(Market))}
        assert set(markets) == {"sg", "my", "id"}
        assert markets["sg"].languages == ["en", "zh"] and markets["sg"].currency == "SGD"
        brands = s.scalars(select(Brand)).all()
        assert len(brands) == 3 and len({b.market_id for b in brands}) == 3
        assert [b.slug for b in brands if b.regulated] == ["lumi"]
        for b in brands:
            assert 5 <= len(b.channels) <= 6
            assert all(c.slug == f"{b.slug}-{c.platform.value}" for c in b.channels)


def test_people_and_roles(db: Engine) -> None:
    with Session(db) as s:
        users = {u.email: u for u in s.scalars(select(User))}
        assert "admin@localhost" not in users
        assert users["admin@kopi.example"].role == Role.ADMIN
        assert all(e.endswith("@kopi.example") for e in users)
        approver = users["rachel.ng@kopi.example"]
        assert approver.role is None and [(m.brand.slug, m.role) for m in approver.memberships] == [
            ("warisan", Role.APPROVER)
        ]
        roles = {u.role for u in users.values()}
        assert {Role.MANAGER, Role.EDITOR, Role.COMMUNITY_MANAGER, Role.VIEWER} <= roles
        assert s.scalar(select(func.count()).select_from(Membership)) >= 3


def test_180_days_of_metrics_per_channel_ending_yesterday(db: Engine, demo_today: date) -> None:
    with Session(db) as s:
        rows = s.execute(
            select(
                ChannelDailyMetric.channel_id,
                func.count(),
                func.min(ChannelDailyMetric.date),
                func.max(ChannelDailyMetric.date),
            ).group_by(ChannelDailyMetric.channel_id)
        ).all()
        assert len(rows) == s.scalar(select(func.count()).select_from(Channel))
        for _, n, first, last in rows:
            assert n == 180
            assert last == demo_today - timedelta(days=1) and first == demo_today - timedelta(days=180)


def test_every_post_status_occurs(db: Engine) -> None:
    with Session(db) as s:
        statuses = set(s.scalars(select(Post.status).distinct()))
        assert statuses == set(PostStatus)
        per_brand = s.execute(select(Post.brand_id, func.count()).group_by(Post.brand_id)).all()
        assert all(80 <= n <= 120 for _, n in per_brand)
        failed = s.scalars(select(PostVariant).where(PostVariant.status == PostStatus.FAILED)).all()
        assert failed and all(v.last_error for v in failed)
        keys = s.scalars(
            select(PostVariant.idempotency_key).where(PostVariant.idempotency_key.is_not(None))
        ).all()
        assert len(keys) == len(set(keys))


def test_inbox_speaks_four_languages_with_a_believable_mood(db: Engine) -> None:
    with Session(db) as s:
        inbound = s.scalars(select(InboxMessage).where(InboxMessage.direction == Direction.INBOUND)).all()
        assert {"en", "ms", "id", "zh"} <= {m.language for m in inbound}
        negative = sum(m.sentiment == Sentiment.NEGATIVE for m in inbound) / len(inbound)
        assert 0.08 <= negative <= 0.25
        answered = [m.first_response_seconds for m in inbound if m.first_response_seconds]
        assert 15 * 60 <= statistics.median(answered) <= 75 * 60
        assert any(m.status == InboxStatus.NEW for m in inbound)
        replies = s.scalars(select(InboxMessage).where(InboxMessage.direction == Direction.OUTBOUND)).all()
        threads = {m.thread_key for m in inbound}
        assert replies and all(r.thread_key in threads for r in replies)


def test_one_resolved_incident_with_a_timeline_and_its_messages(db: Engine) -> None:
    with Session(db) as s:
        incident = s.scalars(select(Incident)).one()
        assert incident.status == IncidentStatus.RESOLVED and incident.postmortem
        assert incident.resolved_at is not None and incident.resolved_at - incident.opened_at > timedelta(
            days=3
        )
        assert len(incident.timeline) >= 8 and len({e.kind for e in incident.timeline}) >= 4
        linked = s.scalars(select(InboxMessage).where(InboxMessage.incident_id == incident.id)).all()
        assert len([m for m in linked if m.sentiment == Sentiment.NEGATIVE]) >= 15


def test_the_viral_tiktok_day_stands_out(db: Engine, demo_today: date) -> None:
    with Session(db) as s:
        channel = s.scalars(select(Channel).where(Channel.slug == "warisan-tiktok")).one()
        series = s.execute(
            select(ChannelDailyMetric.date, ChannelDailyMetric.impressions)
            .where(ChannelDailyMetric.channel_id == channel.id)
            .order_by(ChannelDailyMetric.date)
        ).all()
        peak = max(range(len(series)), key=lambda i: series[i][1])
        assert 35 <= (demo_today - series[peak][0]).days <= 45
        baseline = statistics.median(v for _, v in series[peak - 28 : peak])
        assert series[peak][1] > 4 * baseline
        top = s.execute(
            select(PostMetricSnapshot.impressions, PostVariant.channel_id)
            .join(PostVariant, PostVariant.id == PostMetricSnapshot.variant_id)
            .order_by(PostMetricSnapshot.impressions.desc())
            .limit(1)
        ).one()
        assert top.channel_id == channel.id


def test_sop_templates_with_a_second_version_and_a_run_still_on_the_first(
    db: Engine, demo_today: date
) -> None:
    with Session(db) as s:
        templates = {t.name: t for t in s.scalars(select(SopTemplate))}
        assert {"Content approval", "Crisis response", "Monthly reporting", "Community response"} <= set(
            templates
        )
        approval = templates["Content approval"]
        assert approval.current_version == 2 and [v.number for v in approval.versions] == [1, 2]
        v1, v2 = approval.versions
        assert [st.title for st in v1.steps] != [st.title for st in v2.steps]
        assert "links_have_utm" in {st.auto_check for st in v1.steps}
        on_v1 = s.scalars(select(SopRun).where(SopRun.template_version_id == v1.id)).all()
        assert any(r.status == SopRunStatus.OPEN for r in on_v1)
        overdue = [
            r
            for r in on_v1
            if r.status == SopRunStatus.OPEN and r.due_at and r.due_at < _start_of(demo_today)
        ]
        assert overdue
        for run in s.scalars(select(SopRun)):
            version = s.get(SopTemplateVersion, run.template_version_id)
            assert version is not None
            assert {r.step_id for r in run.results} == {st.id for st in version.steps}


def test_regulated_flow_has_a_named_legal_stage_and_a_rejected_round(db: Engine) -> None:
    with Session(db) as s:
        legal = s.scalars(select(User).where(User.email == "priya.nair@kopi.example")).one()
        stage = s.scalars(select(ApprovalStage).where(ApprovalStage.role.is_(None))).one()
        approvers = s.scalars(
            select(approval_stage_approvers.c.user_id).where(approval_stage_approvers.c.stage_id == stage.id)
        ).all()
        assert approvers == [legal.id] and len(stage.flow.stages) == 4
        rejected = s.scalars(
            select(ApprovalRequest).where(ApprovalRequest.status == ApprovalRequestStatus.REJECTED)
        ).one()
        second = s.scalars(
            select(ApprovalRequest).where(
                ApprovalRequest.post_id == rejected.post_id, ApprovalRequest.round == 2
            )
        ).one()
        assert second.status == ApprovalRequestStatus.PENDING
        assert s.scalars(
            select(Comment).where(Comment.object_id == rejected.post_id, Comment.author_id == legal.id)
        ).first()


def test_asset_files_are_real_media_stored_by_hash(db: Engine, demo_today: date) -> None:
    root = get_settings().data_dir / "assets"
    with Session(db) as s:
        assets = s.scalars(select(Asset)).all()
        assert len(assets) >= 18 and any(a.ugc_permission for a in assets)
        assert any(
            a.rights_expire_at is not None and a.rights_expire_at < _start_of(demo_today) for a in assets
        )
        for a in assets:
            data = (root / a.storage_path).read_bytes()
            magic = b"\x89PNG\r\n\x1a\n" if a.kind.value == "image" else b"\x00\x00\x00\x18ftyp"
            assert data[:8] == magic and hashlib.sha256(data).hexdigest() == a.content_hash


def test_orm_reads_bulk_rows_as_aware_utc_and_enum_members(db: Engine) -> None:
    with Session(db) as s:
        variant = s.scalars(select(PostVariant).where(PostVariant.scheduled_at.is_not(None))).first()
        assert variant is not None and isinstance(variant.status, PostStatus)
        assert variant.scheduled_at is not None and variant.scheduled_at.tzinfo == UTC
        assert s.scalars(select(Channel)).first().platform in set(Platform)  # type: ignore[union-attr]
        row = s.scalars(select(ChannelDailyMetric)).first()
        assert row is not None and row.updated_at.tzinfo == UTC


def test_exactly_one_audit_row_describes_the_seed(db: Engine) -> None:
    with Session(db) as s:
        rows = s.scalars(select(AuditLog)).all()
        assert len(rows) == 1
        entry = rows[0]
        assert (entry.action, entry.object_type) == ("seed", "workspace")
        assert entry.after is not None and entry.after["posts"] == s.scalar(
            select(func.count()).select_from(Post)
        )


def test_new_rows_get_fresh_ids_after_the_seed(demo_db: Engine) -> None:
    with Session(demo_db) as s, s.begin():
        ws = s.scalars(select(Workspace)).one()
        s.add(User(workspace_id=ws.id, email="newcomer@kopi.example", name="Newcomer"))
        s.add(
            Market(
                workspace_id=ws.id,
                code="th",
                name="Thailand",
                country_code="TH",
                languages=["th"],
                timezone="Asia/Bangkok",
                currency="THB",
            )
        )
        s.flush()


def _fingerprint(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        out: dict[str, object] = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar()
            for t in Base.metadata.sorted_tables
            if t.name != "audit_log"
        }
        out["impressions"] = conn.execute(
            text("SELECT SUM(impressions), SUM(followers) FROM channel_daily_metrics")
        ).one()
        out["snapshots"] = conn.execute(
            text("SELECT SUM(impressions), SUM(clicks) FROM post_metric_snapshots")
        ).one()
        titles = conn.execute(text("SELECT title, status FROM posts ORDER BY id")).all()
        bodies = conn.execute(text("SELECT body, received_at FROM inbox_messages ORDER BY id")).all()
        out["text"] = hashlib.sha256(repr((titles, bodies)).encode()).hexdigest()
    return out


def test_same_day_gives_identical_data(empty_db: Engine, databases, system_actor: Actor) -> None:  # type: ignore[no-untyped-def]
    other = get_engine(databases.new())
    upgrade(other)
    day = date(2026, 3, 14)
    seed_demo_workspace(empty_db, actor=system_actor, today=day)
    seed_demo_workspace(other, actor=system_actor, today=day)
    assert _fingerprint(empty_db) == _fingerprint(other)


def test_seeding_a_database_with_a_workspace_is_refused(demo_db: Engine, system_actor: Actor) -> None:
    with pytest.raises(ValidationError, match="already holds workspace 'kopi-digital'; use --reset"):
        seed_demo_workspace(demo_db, actor=system_actor)
    with pytest.raises(ValidationError, match="use --reset"):
        build_agency(demo_db, actor=system_actor, brands=2, days=5)


def test_only_admins_may_seed(empty_db: Engine) -> None:
    manager = Actor(email="mei@kopi.example", workspace_role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        seed_demo_workspace(empty_db, actor=manager)
    with pytest.raises(PermissionDenied):
        build_agency(empty_db, actor=manager, brands=1, days=1)
    with Session(empty_db) as s:
        assert s.scalar(select(func.count()).select_from(Workspace)) == 0


def test_progress_is_reported_up_to_done(empty_db: Engine, system_actor: Actor) -> None:
    seen: list[tuple[float, str]] = []
    summary = seed_demo_workspace(empty_db, actor=system_actor, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(m for _, m in seen)
    assert summary.counts["audit_log"] == 1 and summary.seconds > 0


def test_small_synthetic_agency(empty_db: Engine, system_actor: Actor) -> None:
    seen: list[float] = []
    summary = build_agency(
        empty_db, actor=system_actor, brands=3, days=30, seed=11, progress=lambda f, m: seen.append(f)
    )
    assert seen[-1] == 1.0
    with Session(empty_db) as s:
        ws = s.scalars(select(Workspace)).one()
        assert ws.is_demo and ws.name == "Synthetic Agency"
        assert {m.code for m in s.scalars(select(Market))} == {"sg", "my", "id", "cn"}
        assert s.scalar(select(func.count()).select_from(Channel)) == 15
        assert s.scalar(select(func.count()).select_from(ChannelDailyMetric)) == 450
        for model in (Post, PostVariant, PostMetricSnapshot, InboxMessage):
            n = s.scalar(select(func.count()).select_from(model))
            assert n and n == summary.counts[model.__tablename__]
        published = s.scalars(select(PostVariant).where(PostVariant.status == PostStatus.PUBLISHED)).all()
        assert published and all(
            v.published_at is not None and v.published_at.tzinfo == UTC for v in published
        )
        assert s.scalar(select(func.count()).select_from(PostMetricSnapshot)) == len(published)
        assert {p.status for p in s.scalars(select(Post))} >= {PostStatus.PUBLISHED, PostStatus.SCHEDULED}
        assert [a.action for a in s.scalars(select(AuditLog))] == ["seed"]
        assert s.scalar(select(func.count()).select_from(SopTemplate)) == 4


def test_demo_posts_that_went_or_go_out_pass_the_platform_rules(db: Engine) -> None:
    """A newcomer opening any approved, scheduled or published demo post sees no rule errors."""
    from app.services.content.assets.media import media_for_variant
    from app.services.platforms import check_variant, errors

    bad = []
    with Session(db) as s:
        posts = s.scalars(select(Post).where(Post.status.in_(["approved", "scheduled", "published"]))).all()
        for post in posts:
            for v in post.variants:
                platform = s.get(Channel, v.channel_id).platform
                found = errors(check_variant(platform, v.copy, media_for_variant(s, v.id), post.link_url))
                bad += [f"{post.title} / {platform.value}: {e.message}" for e in found]
    assert not bad, bad[:5]
