"""Writing posts: platform rules enforced on save, variants per channel, optimistic saves, edits of
approved copy going back through approval, and rescheduling with the composer's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import ApprovalRequest, AuditLog, Post, PostVariant
from app.models.enums import ApprovalRequestStatus, PostStatus
from app.services.approvals import decisions as approval_decisions
from app.services.content import PostDraft, VariantDraft, composer, drafts, workflow
from app.services.core import Actor, Conflict, PermissionDenied, ValidationError
from app.services.org import users

EDITOR = "farah.aziz@kopi.example"  # editor on every brand
APPROVER = "rachel.ng@kopi.example"  # approver on warisan
LEAD = "mei.lim@kopi.example"  # manager
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)


def actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def draft(*variants: VariantDraft, title: str = "Teh tarik Tuesday") -> PostDraft:
    return PostDraft(title=title, master_copy="Kopi o kosong, anyone?", post_type="text", variants=variants)


def fb(
    copy: str = "Teh tarik Tuesday is back! Datang awal ya.", when: datetime | None = SOON
) -> VariantDraft:
    return VariantDraft(channel="warisan-facebook", copy=copy, scheduled_at=when)


def create(engine: Engine, d: PostDraft, email: str = EDITOR, brand: str = "warisan") -> drafts.SaveResult:
    with write_session(engine) as s:
        return composer.create_post(s, actor(engine, email), brand, d)


def test_a_post_with_variants_is_saved_and_audited(demo_db: Engine) -> None:
    x = VariantDraft(
        channel="warisan-x", copy="Teh tarik Tuesday: RM3 all day ☕ #tehtarik", scheduled_at=SOON
    )
    result = create(demo_db, draft(fb(), x))
    assert result.status == "draft" and result.version == 1
    with read_session(demo_db) as s:
        post = s.get(Post, result.post_id)
        assert sorted(v.copy[:8] for v in post.variants) == ["Teh tari", "Teh tari"]
        assert {v.brand_id for v in post.variants} == {post.brand_id}
        entry = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "post", AuditLog.object_id == str(post.id))
        ).one()
    assert entry.action == "create" and entry.actor == EDITOR


def test_platform_limits_are_enforced_on_save(demo_db: Engine) -> None:
    long_x = VariantDraft(channel="warisan-x", copy="a" * 281, scheduled_at=SOON)
    with pytest.raises(ValidationError, match="X: 281 characters, the limit is 280"):
        create(demo_db, draft(long_x))
    no_media = VariantDraft(channel="warisan-instagram", copy="Pagi!", scheduled_at=SOON)
    with pytest.raises(ValidationError, match="Instagram: needs an image or a video"):
        create(demo_db, draft(no_media))
    with read_session(demo_db) as s:
        assert s.scalars(select(Post).where(Post.title == "Teh tarik Tuesday")).first() is None


def test_x_counts_links_as_23_characters(demo_db: Engine) -> None:
    link = "https://warisan.example/" + "p" * 200
    ok = VariantDraft(channel="warisan-x", copy="b" * 250 + " " + link, scheduled_at=SOON)
    assert create(demo_db, draft(ok)).status == "draft"


def test_times_in_the_past_and_foreign_channels_are_refused(demo_db: Engine) -> None:
    with pytest.raises(ValidationError, match="is in the past"):
        create(demo_db, draft(fb(when=datetime.now(UTC) - timedelta(hours=1))))
    with pytest.raises(ValidationError, match="'lumi-facebook' is not a channel of this brand"):
        create(demo_db, draft(VariantDraft(channel="lumi-facebook", copy="hi", scheduled_at=SOON)))


def test_a_viewer_cannot_write(demo_db: Engine) -> None:
    with pytest.raises(PermissionDenied, match="may not create and edit content"):
        create(demo_db, draft(fb()), email="jon.lee@kopi.example")


def test_a_stale_save_is_refused_and_nothing_is_overwritten(demo_db: Engine) -> None:
    result = create(demo_db, draft(fb()))
    with write_session(demo_db) as s:
        composer.update_post(s, actor(demo_db, LEAD), result.post_id, draft(fb("First editor's copy")), 1)
    with write_session(demo_db) as s, pytest.raises(Conflict, match="changed by someone else"):
        composer.update_post(s, actor(demo_db, EDITOR), result.post_id, draft(fb("Second editor's copy")), 1)
    with read_session(demo_db) as s:
        assert s.get(Post, result.post_id).variants[0].copy == "First editor's copy"


def _approve(engine: Engine, post_id: int) -> None:
    with write_session(engine) as s:
        workflow.submit(s, actor(engine, EDITOR), post_id)
    with read_session(engine) as s:
        rid = s.scalars(select(ApprovalRequest.id).where(ApprovalRequest.post_id == post_id)).one()
    for email in (APPROVER, LEAD):
        with write_session(engine) as s:
            approval_decisions.decide(s, actor(engine, email), rid, "approve")


def test_editing_approved_copy_sends_it_back_through_approval(demo_db: Engine) -> None:
    result = create(demo_db, draft(fb()))
    _approve(demo_db, result.post_id)
    with read_session(demo_db) as s:
        version = s.get(Post, result.post_id).version
        assert s.get(Post, result.post_id).status == PostStatus.APPROVED
    with write_session(demo_db) as s:
        saved = composer.update_post(
            s, actor(demo_db, EDITOR), result.post_id, draft(fb("Now RM2.50!")), version
        )
    assert saved.reapproval and saved.status == "in_review"
    with read_session(demo_db) as s:
        rounds = s.scalars(
            select(ApprovalRequest)
            .where(ApprovalRequest.post_id == result.post_id)
            .order_by(ApprovalRequest.round)
        ).all()
    assert [(r.round, r.status) for r in rounds] == [
        (1, ApprovalRequestStatus.CANCELLED),
        (2, ApprovalRequestStatus.PENDING),
    ]


def test_a_title_only_edit_of_an_approved_post_keeps_its_approval(demo_db: Engine) -> None:
    result = create(demo_db, draft(fb()))
    _approve(demo_db, result.post_id)
    with read_session(demo_db) as s:
        version = s.get(Post, result.post_id).version
    with write_session(demo_db) as s:
        renamed = draft(fb(), title="Teh tarik Tuesday (week 48)")
        saved = composer.update_post(s, actor(demo_db, EDITOR), result.post_id, renamed, version)
    assert (
        not saved.reapproval and saved.status == "approved" and saved.title == "Teh tarik Tuesday (week 48)"
    )


def test_reschedule_checks_time_role_version_and_approval_cover(demo_db: Engine) -> None:
    result = create(demo_db, draft(fb()))
    with read_session(demo_db) as s:
        variant = s.scalars(select(PostVariant).where(PostVariant.post_id == result.post_id)).one()
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="in the past"):
        composer.reschedule_variant(
            s, actor(demo_db, EDITOR), variant.id, datetime.now(UTC) - timedelta(days=1)
        )
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        composer.reschedule_variant(
            s, actor(demo_db, "jon.lee@kopi.example"), variant.id, SOON + timedelta(hours=1)
        )
    with write_session(demo_db) as s, pytest.raises(Conflict):
        composer.reschedule_variant(
            s, actor(demo_db, EDITOR), variant.id, SOON + timedelta(hours=1), expected_version=99
        )
    _approve(demo_db, result.post_id)
    with write_session(demo_db) as s:
        earlier = composer.reschedule_variant(
            s, actor(demo_db, EDITOR), variant.id, SOON - timedelta(hours=2)
        )
    assert not earlier.reapproval and earlier.status == "approved"
    with write_session(demo_db) as s:
        later = composer.reschedule_variant(s, actor(demo_db, EDITOR), variant.id, SOON + timedelta(days=2))
    assert later.reapproval and later.status == "in_review"


def test_another_brands_asset_cannot_be_attached(demo_db: Engine) -> None:
    from app.models import Asset, Brand

    with read_session(demo_db) as s:
        lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        foreign = s.scalars(select(Asset.id).where(Asset.brand_id == lumi)).first()
    v = VariantDraft(
        channel="warisan-facebook", copy="Borrowed picture", scheduled_at=SOON, asset_ids=(foreign,)
    )
    with pytest.raises(ValidationError, match=f"asset #{foreign} is not in this brand's library"):
        create(demo_db, draft(v))
