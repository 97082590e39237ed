"""Publishing as people see it (AppTest on the demo workspace): the Ready to post queue with its text to
copy and the permalink form, "Publish now" on a scheduled post, the pause switch with its banner, and
the unread notification in the sidebar."""

from __future__ import annotations

from datetime import UTC, datetime

from pagekit import assert_page_ok, open_as, shown
from sqlalchemy import Engine, delete, insert, select
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.models import (
    Asset,
    AuditLog,
    Brand,
    ConnectorAccount,
    Post,
    PostVariant,
    User,
    Workspace,
    variant_assets,
)
from app.models.enums import AssetKind, ConnectorKind, PostStatus
from app.services.core import notifications
from app.services.org import users

EDITOR = "farah.aziz@kopi.example"
MANAGER = "mei.lim@kopi.example"


def _open(email: str, page: str, brand: str = "warisan", **params: str) -> AppTest:
    return open_as(email, page, brand, **params)


def _manual_variant(engine: Engine, queued: bool) -> tuple[int, int]:
    """A warisan post scheduled (or already queued for a person) on a manual channel: (post, variant)."""
    with write_session(engine) as s:
        brand = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        v = s.scalars(
            select(PostVariant)
            .join(ConnectorAccount, ConnectorAccount.channel_id == PostVariant.channel_id)
            .join(Post, Post.id == PostVariant.post_id)
            .where(
                PostVariant.brand_id == brand,
                ConnectorAccount.kind == ConnectorKind.MANUAL,
                Post.status == PostStatus.SCHEDULED,
            )
        ).first()
        post = s.get(Post, v.post_id)
        for other in post.variants:  # one channel only, so the post's status is that variant's
            if other.id != v.id:
                other.status = PostStatus.ARCHIVED
        v.copy = "Kopi & kaya at 7am <b>sharp</b> *every* day"
        if queued:  # with a picture to download
            asset = s.scalars(
                select(Asset).where(Asset.brand_id == brand, Asset.kind == AssetKind.IMAGE)
            ).first()
            s.execute(delete(variant_assets).where(variant_assets.c.variant_id == v.id))
            s.execute(insert(variant_assets).values(variant_id=v.id, asset_id=asset.id, position=0))
        if queued:
            v.status, v.manual_queued_at, v.claimed_by = PostStatus.PUBLISHING, datetime.now(UTC), "test:1:x"
            v.attempts = 1
            post.status = PostStatus.PUBLISHING
        return post.id, v.id


def test_ready_to_post_lists_the_text_and_records_the_permalink(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    post_id, variant_id = _manual_variant(demo_db, queued=True)
    at = _open(EDITOR, "pages/plan/ready_to_post.py")
    assert_page_ok(at, "Ready to post")
    # The copy is shown as typed (st.code: never rendered, with a copy button).
    assert any("Kopi & kaya at 7am <b>sharp</b> *every* day" in c.value for c in at.code)
    downloads = at.get("download_button")
    assert len(downloads) == 1 and "Download" in downloads[0].proto.label

    at.text_input(key=f"link_{variant_id}").input("instagram.com/p/abc")
    at.button(key=f"FormSubmitter:posted_{variant_id}-Posted: record it").click().run()
    assert any("permalink" in shown(e.value) and "not a web address" in shown(e.value) for e in at.error)
    with read_session(demo_db) as s:
        assert s.get(PostVariant, variant_id).status == PostStatus.PUBLISHING

    at.text_input(key=f"link_{variant_id}").input("https://www.instagram.com/p/abc123/")
    at.text_input(key=f"ext_{variant_id}").input("abc123")
    at.button(key=f"FormSubmitter:posted_{variant_id}-Posted: record it").click().run()
    assert_page_ok(at, "Ready to post")
    with read_session(demo_db) as s:
        v = s.get(PostVariant, variant_id)
        assert (v.status, v.permalink, v.external_id) == (
            PostStatus.PUBLISHED,
            "https://www.instagram.com/p/abc123/",
            "abc123",
        )
        assert s.get(Post, post_id).status == PostStatus.PUBLISHED
        who = s.scalars(
            select(AuditLog.actor).where(
                AuditLog.action == "published_by_hand", AuditLog.object_id == str(variant_id)
            )
        ).all()
    assert who == [EDITOR]
    assert not any(c.value.startswith("Kopi & kaya") for c in at.code)


def test_publish_now_is_offered_to_a_manager_not_an_editor(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    post_id, variant_id = _manual_variant(demo_db, queued=False)
    editor = _open(EDITOR, "pages/plan/compose.py", post=str(post_id))
    assert_page_ok(editor, "Compose")
    assert not [b for b in editor.button if b.label == "Publish now"]

    at = _open(MANAGER, "pages/plan/compose.py", post=str(post_id))
    next(b for b in at.button if b.label == "Publish now").click().run()
    assert_page_ok(at, "Compose")
    assert any("1 manual queued" in shown(s.value) for s in at.success)
    with read_session(demo_db) as s:
        v = s.get(PostVariant, variant_id)
        assert v.status == PostStatus.PUBLISHING and v.manual_queued_at is not None
        assert s.scalars(select(AuditLog.actor).where(AuditLog.action == "ready_to_post")).all() == [MANAGER]


def test_pausing_all_publishing_shows_a_banner_everywhere(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = _open(MANAGER, "pages/admin/jobs.py")
    assert_page_ok(at, "Jobs & connections")
    at.text_input(key="pause_reason").input("Product recall rumour")
    at.button(key="pause_ws").click().run()
    assert any("Publishing is paused for the whole workspace" in w.value for w in at.warning)
    at.switch_page("pages/plan/calendar.py").run()
    assert any("Publishing is paused for the whole workspace" in w.value for w in at.warning)
    with read_session(demo_db) as s:
        assert s.scalars(select(Workspace.publishing_paused)).one() is True
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "pause_publishing")).one()
    assert entry.actor == MANAGER and entry.after["reason"] == "Product recall rumour"

    # One brand paused (the workspace running again): its pages say so.
    at.switch_page("pages/community/crisis.py").run()
    at.button(key="pause_ws").click().run()
    with read_session(demo_db) as s:
        warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
    at.button(key=f"pause_brand_{warisan}").click().run()
    assert_page_ok(at, "Crisis")
    assert any("Publishing is paused for" in w.value and "Warisan" in w.value for w in at.warning)
    with read_session(demo_db) as s:
        assert s.get(Brand, warisan).publishing_paused is True
        assert s.scalars(select(Workspace.publishing_paused)).one() is False


def test_an_unread_notification_shows_in_the_sidebar_until_read(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    with write_session(demo_db) as s:
        uid = s.scalars(select(User.id).where(User.email == EDITOR)).one()
        post_id = s.scalars(select(Post.id).where(Post.owner_id == uid)).first()
        notifications.notify(
            s, uid, "publish_failed", "'Kaya week' could not be published: account suspended", post_id=post_id
        )
    at = _open(EDITOR, "pages/home/overview.py")
    assert any("could not be published: account suspended" in shown(m.value) for m in at.sidebar.markdown)
    at.sidebar.button(key="notifications_read").click().run()
    assert not any("account suspended" in shown(m.value) for m in at.sidebar.markdown)
    with read_session(demo_db) as s:
        assert notifications.unread_count(s, users.load_actor(s, EDITOR)) == 0
