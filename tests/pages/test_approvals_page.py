"""Approving from the Approvals page: the form lists what waits on the signed-in approver, a decision
moves the post on, and a rejection without a reason is refused on the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pagekit import new_app, shown, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.models import (
    ApprovalDecision,
    ApprovalFlow,
    ApprovalRequest,
    Brand,
    Channel,
    Post,
    PostVariant,
    User,
)
from app.models.enums import PostStatus

RACHEL = "rachel.ng@kopi.example"  # approver on Warisan only
FARAH = "farah.aziz@kopi.example"  # an editor


def open_as(email: str) -> AppTest:
    at = signed_in(new_app(), email).run()
    return at.switch_page("pages/plan/approvals.py").run()


def decisions_by(engine: Engine, email: str) -> int:
    with read_session(engine) as s:
        uid = s.scalars(select(User.id).where(User.email == email)).one()
        return len(s.scalars(select(ApprovalDecision).where(ApprovalDecision.decided_by_id == uid)).all())


def submit_for_review(engine: Engine, brand_slug: str, title: str) -> None:
    """A post of the brand in review at stage 1 of its flow, written by an editor (what waits on the
    demo's approvers depends on the day the demo was built, so the test brings its own)."""
    with write_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == brand_slug)).one()
        author = s.scalars(select(User).where(User.email == FARAH)).one()
        flow = s.scalars(
            select(ApprovalFlow).where(ApprovalFlow.brand_id == brand.id, ApprovalFlow.active.is_(True))
        ).first()
        channel = s.scalars(select(Channel).where(Channel.brand_id == brand.id)).first()
        post = Post(
            brand_id=brand.id,
            title=title,
            master_copy=title,
            status=PostStatus.IN_REVIEW,
            owner_id=author.id,
            created_by_id=author.id,
        )
        post.variants.append(
            PostVariant(
                channel_id=channel.id,
                brand_id=brand.id,
                copy=title,
                status=PostStatus.IN_REVIEW,
                scheduled_at=datetime.now(UTC) + timedelta(days=3),
            )
        )
        s.add(post)
        s.flush()
        s.add(
            ApprovalRequest(
                post_id=post.id, flow_id=flow.id, round=1, current_position=1, submitted_by_id=author.id
            )
        )


def test_an_approver_decides_one_or_several_from_the_page(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    submit_for_review(demo_db, "warisan", "Kuih raya hamper: the making of")
    submit_for_review(demo_db, "warisan", "Rendang week: three family recipes")
    at = open_as(RACHEL)
    assert not at.exception
    box = next(m for m in at.multiselect if m.label == "Posts")
    waiting = list(box.options)
    assert sum("Kuih raya hamper" in o or "Rendang week" in o for o in waiting) == 2, waiting
    before = decisions_by(demo_db, RACHEL)

    box.select(waiting[0])
    at.radio[0].set_value("reject")
    next(b for b in at.button if b.label == "Send decision").click().run()
    assert any("needs a comment" in shown(e.value) for e in at.error)
    assert decisions_by(demo_db, RACHEL) == before

    box = next(m for m in at.multiselect if m.label == "Posts")
    box.set_value([box.options[0], box.options[1]])
    at.radio[0].set_value("approve")
    next(b for b in at.button if b.label == "Send decision").click().run()
    assert not at.exception
    assert any(shown(s.value).startswith("2 decided.") for s in at.success)
    assert decisions_by(demo_db, RACHEL) == before + 2
    left = [m for m in at.multiselect if m.label == "Posts"]
    assert (len(left[0].options) if left else 0) == len(waiting) - 2


def test_a_manager_saves_a_flow_from_the_page(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    from app.models import ApprovalFlow

    use_db(demo_db)
    at = signed_in(new_app(), "mei.lim@kopi.example")
    at.query_params["brand"] = "senja"
    at.run()
    at.switch_page("pages/plan/approvals.py").run()
    assert not at.exception
    next(b for b in at.button if b.label == "Save flow").click().run()
    assert not at.exception
    assert any("saved" in shown(s.value) for s in at.success)
    with read_session(demo_db) as s:
        flows = s.scalars(select(ApprovalFlow).join(ApprovalFlow.stages).distinct()).all()
    # The demo flow was used, so saving it made a new active flow and switched the old one off.
    assert sum(1 for f in flows if f.name == "Agency + client") == 2
