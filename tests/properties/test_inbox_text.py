"""Arbitrary text in the inbox: what a stranger writes (tags, SQL, formulas, RTL, zero-width, NUL,
100 kB) is stored as written (NUL aside, which PostgreSQL cannot hold) and read back unchanged in the
thread; what a community manager types as a reply is sent trimmed or refused naming the reply, never a
traceback."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.connectors.base import InboxItem, InboxKind
from app.models import Channel, InboxMessage
from app.models.enums import Platform
from app.services.community import work as inbox_work
from app.services.community.sync import _store_page
from app.services.core import ValidationError
from app.services.org import users
from app.services.platforms import rules as platform_rules
from tests.properties.test_bad_input import NASTY

TEXT = st.one_of(st.sampled_from([*NASTY, "x" * 100_000]), st.text(max_size=400))
_ids = count(1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=TEXT, author=TEXT)
def test_a_strangers_message_is_stored_and_shown_as_written(
    module_demo_db: Engine, body: str, author: str
) -> None:
    with Session(module_demo_db) as s:  # rolled back: the shared demo copy is left as it was
        channel = s.scalars(select(Channel).where(Channel.slug == "lumi-instagram")).one()
        item = InboxItem(f"fuzz-{next(_ids)}", InboxKind.MENTION, author, body, datetime.now(UTC))
        assert _store_page(s, channel, [item]) == 1
        s.flush()
        stored = s.scalars(select(InboxMessage).where(InboxMessage.external_id == item.external_id)).one()
        assert stored.body == body.replace("\x00", "")
        assert stored.author_handle == author.replace("\x00", "")[:200]
        cm = users.load_actor(s, "weiling.chua@kopi.example")
        view = inbox_work.message_view(s, cm, stored.id)
        assert [t.body for t in view.thread] == [stored.body]
        s.rollback()


@settings(max_examples=300, deadline=None)
@given(text=TEXT, platform=st.sampled_from(list(Platform)))
def test_a_reply_is_sent_trimmed_or_refused_by_name(text: str, platform: Platform) -> None:
    try:
        body = inbox_work.reply_text(text, platform)
    except ValidationError as exc:
        assert exc.field == "reply" and str(exc).startswith("reply")
        return
    assert body == text.strip() and body
    assert platform_rules.count_chars(platform, body) <= platform_rules.RULES[platform].max_chars


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_reply_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="write something"):
        inbox_work.reply_text(text, Platform.MASTODON)
