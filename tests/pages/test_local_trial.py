"""A local trial (no sign-in) can finish the approval flow: the local admin's own post says why they
cannot approve it and suggests acting as an approver; acting as one shows on every page, decides as
that person and is recorded as acted by the admin; "Back to admin" ends it. With sign-in configured
there is no picker, and a chosen person in the session is ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pagekit import new_app, shown, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.models import ApprovalFlow, ApprovalRequest, AuditLog, Brand, Channel, Post, PostVariant, User
from app.models.enums import PostStatus
from app.ui.approvals import SELF_HINT_LOCAL
from app.ui.shell.acting import ACTING_KEY, MYSELF, PICKER_KEY

LOCAL_ADMIN = "admin@localhost"
RACHEL = "rachel.ng@kopi.example"  # approver on Warisan only


def submitted_by_local_admin(engine: Engine, title: str) -> int:
    """The local admin's post on Warisan, waiting at stage 1 (what a newcomer makes on day one)."""
    with write_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == "warisan")).one()
        author = s.scalars(select(User).where(User.email == LOCAL_ADMIN)).one()
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
        req = ApprovalRequest(
            post_id=post.id, flow_id=flow.id, round=1, current_position=1, submitted_by_id=author.id
        )
        s.add(req)
        s.flush()
        return req.id


def user_id(engine: Engine, email: str) -> int:
    with read_session(engine) as s:
        return s.scalars(select(User.id).where(User.email == email)).one()


def texts(at: AppTest) -> list[str]:
    return [shown(str(m.value)) for m in at.markdown] + [shown(str(i.value)) for i in at.info]


def acting_notice(at: AppTest) -> list[str]:
    return [t for t in texts(at) if "Acting as" in t]


def test_the_local_admin_approves_their_post_by_acting_as_an_approver(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = new_app().run()  # local mode: the local admin is created on this first run
    assert not at.exception
    title = "Durian season: our first post"
    rid = submitted_by_local_admin(demo_db, title)

    at.switch_page("pages/plan/approvals.py").run()
    assert not at.exception
    assert not acting_notice(at)
    # Their own post is not theirs to decide, and the page says why and what to do in a trial.
    blocked = next(df for df in at.dataframe if "why you cannot decide" in df.value.columns)
    row = blocked.value[blocked.value["post"] == title].iloc[0]
    assert row["why you cannot decide"] == "you submitted it; approvals need another person"
    assert any(shown(SELF_HINT_LOCAL) == shown(i.value) for i in at.info)

    picker = at.sidebar.selectbox(key=PICKER_KEY)
    assert picker.label == "Act as"
    rachel = user_id(demo_db, RACHEL)
    assert "Rachel Ng (approver on 1 brand)" in picker.options
    assert picker.options[0] == "Myself (local admin)" and picker.value == MYSELF
    picker.set_value(rachel).run()
    assert not at.exception
    notice = acting_notice(at)
    assert notice and "Acting as Rachel Ng (approver on 1 brand)" in notice[0], notice
    assert "back to admin" in notice[0]
    # Her brands now, from the first: the admin's "All brands" is not hers to pick.
    assert at.sidebar.selectbox(key="brand").value == "warisan"

    # Every page shows it: another page, then back to Approvals to decide as Rachel.
    at.switch_page("pages/home/overview.py").run()
    assert not at.exception and acting_notice(at)
    at.switch_page("pages/plan/approvals.py").run()
    box = next(m for m in at.multiselect if m.label == "Posts")
    option = next(o for o in box.options if title in o)
    box.select(option)
    at.radio[0].set_value("approve")
    next(b for b in at.button if b.label == "Send decision").click().run()
    assert not at.exception
    assert any(shown(s.value).startswith("1 decided.") for s in at.success)
    with read_session(demo_db) as s:
        entry = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "approval_request", AuditLog.object_id == str(rid))
        ).one()
        started = s.scalars(select(AuditLog).where(AuditLog.action == "act_as.start")).all()
    assert entry.actor == f"{RACHEL} (acted by {LOCAL_ADMIN})"
    assert entry.actor_user_id == rachel
    assert [e.object_label for e in started] == [RACHEL] and started[0].actor == LOCAL_ADMIN

    next(b for b in at.button if b.label == "Back to admin").click().run()
    assert not at.exception
    assert not acting_notice(at)
    # "Myself" again, not an empty box (a select box shows a None value as "Choose an option").
    assert at.sidebar.selectbox(key=PICKER_KEY).value == MYSELF
    assert ACTING_KEY not in at.session_state
    assert at.sidebar.selectbox(key="brand").value == "__all__"


def test_no_acting_once_sign_in_is_configured(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = signed_in(new_app(), "admin@kopi.example")
    at.session_state[ACTING_KEY] = user_id(demo_db, RACHEL)  # as if left over, or forged
    at.run()
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.label == "Act as"]
    assert not acting_notice(at)
    assert ACTING_KEY not in at.session_state
