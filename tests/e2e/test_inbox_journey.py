"""The inbox journey, in Chromium against `streamlit run` and a local Mastodon server (mastodon-mock): a
fan mentions Lumi on Mastodon with a message full of HTML, Markdown, emoji and right-to-left text;
`python -m jobs.sync_inbox`, run as the runner runs it, brings it into the inbox. The community manager
finds it at the top of the queue, shown exactly as written (no tag, script or link takes effect),
claims it, raises its priority, and answers; the answer lands on the server as a reply to the fan, the
conversation shows it, and the thread moves to "Waiting on the customer" with its first response time.
A screenshot of every step goes to tests/.artifacts/e2e/."""

from __future__ import annotations

import html
import re
import time as clock
from collections.abc import Callable
from pathlib import Path

import pytest
from e2ekit import COMMUNITY_MANAGER, RunningApp, mastodon_channel, run_job
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import Engine, select
from streamlit_ui import (
    choose,
    click,
    expect_success,
    fill,
    open_page,
    screenshot,
    sign_in,
    wait_idle,
    widget,
)

from app.db import read_session
from app.models import AuditLog, InboxMessage
from app.models.enums import Direction, InboxStatus
from app.ui.widgets.text import WORD_JOINER
from tests.servers.mastodon_server import MastodonServer

pytestmark = pytest.mark.slow

BRAND = "lumi"
TOKEN_ENV = "SOCIALOPS_E2E_LUMI_MASTODON_TOKEN"
# What a stranger may write: markup that would run or restyle the page if it were ever rendered.
TRICKY = (
    'Is the serum <b>halal</b>? <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> '
    "**really** [win a prize](http://evil.example) :red[alert] هل هو حلال 😍"
)
REPLY = "Yes, Lumi's serum is halal-certified by JAKIM 🙏 We'll DM you the certificate."


def test_a_mention_is_synced_triaged_and_answered_from_the_hub(
    serve_configured: Callable[..., RunningApp],
    demo_db: Engine,
    mastodon_server: MastodonServer,
    new_context: Callable[[str], BrowserContext],
    artifacts: Path,
) -> None:
    started = clock.monotonic()
    shots = artifacts
    brand = mastodon_server.create_account()
    fan = mastodon_server.create_account()
    channel_id = mastodon_channel(demo_db, BRAND, mastodon_server.base_url, brand.username, TOKEN_ENV)
    fan_status = mastodon_server.post_as(fan, f"@{brand.username} {TRICKY}")
    run_job(demo_db, "sync_inbox", **{TOKEN_ENV: brand.access_token})
    with read_session(demo_db) as s:
        message = s.scalars(select(InboxMessage).where(InboxMessage.channel_id == channel_id)).one()
    assert message.status == InboxStatus.NEW and "<script>" in message.body, "stored as written"

    # The app can answer: it has the channel's token in its environment, as in production.
    app = serve_configured(env={TOKEN_ENV: brand.access_token})
    cm = sign_in(new_context("community-manager"), app.url, COMMUNITY_MANAGER.sub)
    open_page(cm, f"{app.url}/inbox?brand={BRAND}&message={message.id}")
    expect(cm.get_by_role("heading", name="Work the inbox")).to_be_visible()
    bubble = cm.get_by_test_id("stChatMessage").filter(has_text="Is the serum")
    expect(bubble).to_have_count(1)
    # Exactly as stored: the tags are text on the page, nothing in them ran, no link or style was made
    # (the word joiner app.ui.text puts into "://" is invisible; it is what keeps the address a text).
    expect(bubble).to_contain_text('<img src=x onerror="window.__pwned=1">')
    expect(bubble).to_contain_text("<script>window.__pwned=2</script>")
    assert message.body in bubble.inner_text().replace(WORD_JOINER, "")
    assert cm.evaluate("window.__pwned") is None
    assert bubble.locator("img, script, a, b, strong, span[style]").count() == 0
    screenshot(cm, shots, "inbox-01-thread-as-written")

    # Triage: claim it, then mark it high priority.
    click(cm, "Claim this thread")
    expect_success(cm, "Claimed: the thread is yours.")
    choose(cm, "stSelectbox", "Priority", "high")
    click(cm, "Save")
    expect_success(cm, "Saved.")
    screenshot(cm, shots, "inbox-02-claimed-and-triaged")

    # Answer from the hub: the reply goes to Mastodon as an answer to the fan.
    fill(cm, f"Reply on Mastodon @{brand.username}", REPLY, area=True)
    click(cm, "Send reply")
    expect_success(cm, re.compile(r"Reply sent on Mastodon .* First response after [\d.]+ min\."))
    expect(cm.get_by_test_id("stChatMessage").filter(has_text="halal-certified by JAKIM")).to_have_count(1)
    screenshot(cm, shots, "inbox-03-replied")
    posted = mastodon_server.statuses_of(brand)
    assert len(posted) == 1
    assert posted[0]["in_reply_to_id"] == fan_status["id"]
    assert REPLY in html.unescape(re.sub(r"<[^>]+>", "", posted[0]["content"]))

    # The thread now waits on the customer; it is listed under that queue.
    expect(
        widget(cm, "stTextArea", f"Reply on Mastodon @{brand.username}").locator("textarea")
    ).to_have_value("")
    cm.get_by_text("Waiting on the customer", exact=True).click()
    wait_idle(cm)
    threads = cm.get_by_test_id("stSelectbox").filter(has=cm.get_by_text(re.compile(r"^Thread \(")))
    threads.get_by_role("combobox").click()
    expect(cm.get_by_role("option", name=re.compile(re.escape(f"@{fan.username}")))).to_have_count(1)
    cm.keyboard.press("Escape")
    screenshot(cm, shots, "inbox-04-waiting-on-customer")

    with read_session(demo_db) as s:
        opener = s.get(InboxMessage, message.id)
        assert opener is not None
        assert (opener.status, opener.priority.value) == (InboxStatus.WAITING, "high")
        assert opener.first_response_at is not None and opener.assignee_id is not None
        outbound = s.scalars(
            select(InboxMessage).where(
                InboxMessage.channel_id == channel_id, InboxMessage.direction == Direction.OUTBOUND
            )
        ).one()
        assert outbound.body == REPLY and outbound.external_id == posted[0]["id"]
        actions = s.scalars(
            select(AuditLog.action)
            .where(AuditLog.object_type == "inbox_message", AuditLog.object_id == str(message.id))
            .order_by(AuditLog.id)
        ).all()
    assert actions == ["inbox.triage", "inbox.triage", "inbox.reply"]
    print(f"\ninbox journey on {demo_db.dialect.name}: {clock.monotonic() - started:.1f} s")
