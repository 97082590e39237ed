"""Working the inbox as a community manager sees it (AppTest on the demo workspace): the queue and the
thread as a conversation, claiming, a triage save refused when someone else changed the thread first,
and a reply typed on the page that lands on a real local Mastodon server. A stranger's message full of
Markdown and HTML is shown exactly as written."""

from __future__ import annotations

import html

import pytest
from pagekit import assert_page_ok, open_as, shown
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.models import Brand, InboxMessage
from app.models.enums import Direction, InboxStatus
from app.services.community import work as inbox_work
from app.services.community.sync import sync_channel
from app.services.org import users
from app.ui.widgets import plain
from tests.services.community.synckit import SYSTEM, mastodon_channel

CM = "weiling.chua@kopi.example"
MANAGER = "mei.lim@kopi.example"
PAGE = "pages/community/inbox.py"
TRICKY = "<script>alert(1)</script> **loud** [free](http://evil.example) :red[x] $x^2$ مرحبا \u200b😀"


def _open(email: str, brand: str = "lumi", **params: str) -> AppTest:
    return open_as(email, PAGE, brand, **params)


def _thread_box(at: AppTest):  # type: ignore[no-untyped-def]
    return next(s for s in at.selectbox if s.key == "ib_thread")


def _listed(at: AppTest, engine: Engine, thread: int) -> bool:
    """Whether the queue's select box offers the thread (its options are the labels people read)."""
    with read_session(engine) as s:
        m = s.get(InboxMessage, thread)
        handle, words = m.author_handle, " ".join(m.body.split())[:40]
    return any(f" · {handle} · " in o and words in o for o in _thread_box(at).options)


def _queue(at: AppTest, name: str) -> None:
    next(g for g in at.get("button_group") if g.key == "ib_queue").set_value(name).run()
    assert_page_ok(at, "Inbox")


def _new_unassigned(engine: Engine) -> int:
    with read_session(engine) as s:
        lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        actor = users.load_actor(s, CM)
        for item in inbox_work.work_queue(s, actor, [lumi]):
            m = s.get(InboxMessage, item.id)
            if m.status == InboxStatus.NEW and m.assignee_id is None:
                return item.id
    raise AssertionError("the demo has a new, unassigned lumi thread")


def test_the_queue_shows_the_most_urgent_thread_as_a_conversation(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = _open(CM)
    assert_page_ok(at, "Inbox")
    assert "Work the inbox" in [h.value for h in at.subheader]
    box = _thread_box(at)
    with read_session(demo_db) as s:
        lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        queue = inbox_work.work_queue(s, users.load_actor(s, CM), [lumi])
        first = inbox_work.message_view(s, users.load_actor(s, CM), queue[0].id)
    assert box.value == queue[0].id and box.options[0] == queue[0].label
    bodies = [m.value for m in at.markdown if m.value in {plain(t.body) for t in first.thread}]
    assert len(bodies) == len(first.thread)
    # Demo channels have no connection: the page says where to answer instead of offering to send.
    assert any("reply on the platform itself" in shown(i.value) for i in at.info)
    assert at.dataframe, "the period's table is still there below"


def test_claiming_then_a_stale_save_is_refused_with_both_versions(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    thread = _new_unassigned(demo_db)
    at = _open(CM, message=str(thread))
    assert _thread_box(at).value == thread
    next(b for b in at.button if b.label == "Claim this thread").click().run()
    assert_page_ok(at, "Inbox")
    assert any("Claimed" in shown(s.value) for s in at.success)
    with read_session(demo_db) as s:
        msg = s.get(InboxMessage, thread)
        cm_id = users.load_actor(s, CM).user_id
        assert (msg.assignee_id, msg.status) == (cm_id, InboxStatus.OPEN)
        version = msg.version

    # A colleague marks it spam meanwhile; this page still shows the version before that.
    with write_session(demo_db) as s:
        inbox_work.triage(s, users.load_actor(s, MANAGER), thread, status="spam")
    next(s for s in at.selectbox if s.key == f"ib_priority_{thread}").set_value("urgent")
    next(b for b in at.button if b.label == "Save").click().run()
    errors = [shown(e.value) for e in at.error]
    assert any(f"version {version + 1}" in e and f"version {version}" in e for e in errors), errors
    with read_session(demo_db) as s:
        msg = s.get(InboxMessage, thread)
        assert (msg.status, msg.priority.value) == (InboxStatus.SPAM, "normal"), "nothing was overwritten"
    # Reloading stands on the colleague's version (the thread stays in view, now spam); saving then works.
    next(b for b in at.button if b.label == "Reload the thread").click().run()
    assert_page_ok(at, "Inbox")
    assert _thread_box(at).value == thread
    assert next(s for s in at.selectbox if s.key == f"ib_status_{thread}").value == "spam"
    next(s for s in at.selectbox if s.key == f"ib_priority_{thread}").set_value("urgent")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("Saved" in shown(s.value) for s in at.success), [e.value for e in at.error]
    with read_session(demo_db) as s:
        msg = s.get(InboxMessage, thread)
        assert (msg.status, msg.priority.value) == (InboxStatus.SPAM, "urgent")
    # Another queue starts from its own most urgent thread; spam is under Spam.
    _queue(at, "Resolved")
    assert not _listed(at, demo_db, thread)
    _queue(at, "Spam")
    assert _listed(at, demo_db, thread)


@pytest.mark.slow
def test_a_reply_typed_on_the_page_lands_on_mastodon_and_odd_text_is_shown_as_written(
    demo_db: Engine, use_db, mastodon_server, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    brand, channel_id = mastodon_channel(demo_db, monkeypatch, mastodon_server)
    fan = mastodon_server.create_account()
    mastodon_server.post_as(fan, f"@{brand.username} {TRICKY}")
    assert sync_channel(demo_db, SYSTEM, channel_id).added == 1
    with read_session(demo_db) as s:
        msg = s.scalars(select(InboxMessage).where(InboxMessage.channel_id == channel_id)).one()
    at = _open(CM, message=str(msg.id))
    assert _thread_box(at).value == msg.id
    # Shown exactly as the stranger wrote it: escaped, so no tag, link, colour or formula takes effect.
    assert plain(msg.body) in [m.value for m in at.markdown]
    assert "alert(1)" in msg.body and not any(m.value == "<script>" for m in at.markdown)

    next(t for t in at.text_area if t.key == f"ib_reply_{msg.id}").input(
        "Thanks! We'll DM you the details 🙏"
    )
    next(b for b in at.button if b.label == "Send reply").click().run()
    assert_page_ok(at, "Inbox")
    assert any("Reply sent on Mastodon" in shown(s.value) for s in at.success), [e.value for e in at.error]
    posted = mastodon_server.statuses_of(brand)
    assert len(posted) == 1 and "We'll DM you the details 🙏" in html.unescape(posted[0]["content"])
    with read_session(demo_db) as s:
        opener = s.get(InboxMessage, msg.id)
        assert opener.status == InboxStatus.WAITING and opener.first_response_at is not None
        out = s.scalars(
            select(InboxMessage).where(
                InboxMessage.channel_id == channel_id, InboxMessage.direction == Direction.OUTBOUND
            )
        ).one()
    assert out.body == "Thanks! We'll DM you the details 🙏"
    # The thread now waits on the customer: it stays in view until another is chosen, and is under
    # that queue.
    assert _thread_box(at).value == msg.id
    _queue(at, "Resolved")
    assert not _listed(at, demo_db, msg.id)
    _queue(at, "Waiting on the customer")
    assert _listed(at, demo_db, msg.id)
