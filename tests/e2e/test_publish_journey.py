"""The publishing journey, in Chromium against `streamlit run` and a local Mastodon server (mastodon-mock):
Warisan gets a Mastodon channel on the local server, and two approved posts for it. The editor schedules
the first in the composer; `python -m jobs.publish_due`, run as the runner runs it, posts it once; the
composer shows it published with the server's link, the calendar shows it published, and the admin's
Jobs & connections page shows the run ok and the connection healthy. Then the server refuses for good
(a 403 with its own words): the job fails the second post, and the editor sees the platform's words in
the sidebar and on the post, with no traceback. A screenshot of every step goes to tests/.artifacts/e2e/.
"""

from __future__ import annotations

import re
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from e2ekit import ADMIN, EDITOR, RunningApp, mastodon_channel, run_job
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import Engine, select, update
from streamlit_ui import choose, click, expect_success, open_page, screenshot, sign_in, wait_idle

from app.db import read_session, write_session
from app.models import ApprovalRequest, Brand, Post, PostVariant
from app.models.enums import Decision, PostStatus, PostType
from app.services.approvals import decisions as approval_decisions
from app.services.content import composer, workflow
from app.services.content.drafts import MIN_LEAD, PostDraft, VariantDraft
from app.services.org import users
from tests.servers.mastodon_server import MastodonServer, MockAccount

pytestmark = pytest.mark.slow

BRAND = "warisan"
CHANNEL = "warisan-mastodon"
TOKEN_ENV = "SOCIALOPS_E2E_WARISAN_MASTODON_TOKEN"
# Warisan's flow: the brand's approver, then a manager (app/services/demo/approvals.py).
DECIDERS = ("rachel.ng@kopi.example", "mei.lim@kopi.example")
TITLE = "Teh tarik Tuesday (e2e)"
COPY = "Teh tarik Tuesday: a second glass free with any breakfast set at every Warisan outlet."
REFUSED_TITLE = "Roti bakar Wednesday (e2e)"
REFUSED_COPY = "Roti bakar Wednesday: kaya and butter toast for RM2.50 until 11 am."
PLATFORM_SAYS = "Your login is currently disabled"


def warisan_zone(engine: Engine) -> ZoneInfo:
    with read_session(engine) as s:
        return ZoneInfo(s.scalars(select(Brand).where(Brand.slug == BRAND)).one().market.timezone)


def whole_minute_after(moment: datetime) -> datetime:
    """The composer shows times to the minute: a time with seconds would read as an unsaved edit there."""
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def approved_post(engine: Engine, title: str, copy: str, at: datetime) -> int:
    """Arrangement, through the services as the people would: the editor writes and submits a text post
    for the Mastodon channel at `at`; Warisan's two stages approve it. Returns the post id."""
    with read_session(engine) as s:
        editor, *deciders = (users.load_actor(s, email) for email in (EDITOR.email, *DECIDERS))
    assert editor is not None and all(deciders)
    draft = PostDraft(
        title=title,
        master_copy=copy,
        post_type=PostType.TEXT.value,
        variants=(VariantDraft(channel=CHANNEL, copy=copy, scheduled_at=at),),
    )
    with write_session(engine) as s:
        post_id = composer.create_post(s, editor, BRAND, draft).post_id
    with write_session(engine) as s:
        workflow.submit(s, editor, post_id)
        request_id = s.scalars(select(ApprovalRequest.id).where(ApprovalRequest.post_id == post_id)).one()
    for decider in deciders:
        with write_session(engine) as s:
            approval_decisions.decide(s, decider, request_id, Decision.APPROVE)
    with read_session(engine) as s:
        post = s.get(Post, post_id)
        assert post is not None and post.status == PostStatus.APPROVED
        assert workflow.schedule_blockers(s, post) == []
    return post_id


def schedule_as_editor(engine: Engine, post_id: int) -> None:
    with read_session(engine) as s:
        editor = users.load_actor(s, EDITOR.email)
    with write_session(engine) as s:
        workflow.schedule(s, editor, post_id)


def time_comes(engine: Engine, post_id: int) -> None:
    """The post's time comes: its variant's moment is moved to a few seconds ago, as the clock would have
    it after the composer's lead time, instead of the test sleeping through those minutes."""
    with write_session(engine) as s:
        s.execute(
            update(PostVariant)
            .where(PostVariant.post_id == post_id)
            .values(scheduled_at=datetime.now(UTC) - timedelta(seconds=5))
        )


def variant(engine: Engine, post_id: int) -> PostVariant:
    with read_session(engine) as s:
        return s.scalars(select(PostVariant).where(PostVariant.post_id == post_id)).one()


def grid_rows(where: Locator) -> list[dict[str, str]]:
    """The rows of the one st.dataframe in `where` as its grid's accessible table gives them (header ->
    cell text; the grid draws on a canvas and keeps this table for screen readers, rows in view only)."""
    frame = (
        where.get_by_test_id("stDataFrame") if where.get_attribute("data-testid") != "stDataFrame" else where
    )
    expect(frame.locator("table[role=grid]")).to_have_count(1)
    expect(frame.locator("table[role=grid] tbody tr").first).to_be_attached()
    return frame.locator("table[role=grid]").evaluate(
        """(t) => {
          const heads = [...t.querySelectorAll("thead th")].map((th) => th.textContent.trim());
          return [...t.querySelectorAll("tbody tr")].map((tr) =>
            Object.fromEntries([...tr.querySelectorAll("td")].map((td, i) => [heads[i], td.textContent.trim()]))
          );
        }"""
    )


def grid_with(page: Page, column: str) -> Locator:
    """The one st.dataframe on the page with a column headed `column`."""
    header = page.locator("th[role=columnheader]").filter(has_text=re.compile(rf"^{re.escape(column)}$"))
    frame = page.get_by_test_id("stDataFrame").filter(has=header)
    expect(frame).to_have_count(1)
    return frame


def row_where(rows: list[dict[str, str]], **wanted: str) -> dict[str, str]:
    found = [r for r in rows if all(r.get(k) == v for k, v in wanted.items())]
    assert len(found) == 1, f"{len(found)} rows with {wanted} in {rows}"
    return found[0]


def open_expander(page: Page, label: str) -> Locator:
    expander = page.get_by_test_id("stExpander").filter(has=page.get_by_text(label, exact=True))
    if expander.locator("details[open]").count() == 0:
        expander.get_by_text(label, exact=True).click()
        wait_idle(page)
    return expander


def open_post(page: Page, app: RunningApp, post_id: int, status: str) -> None:
    """The post in the composer, whose caption says `status`."""
    open_page(page, f"{app.url}/compose?brand={BRAND}&post={post_id}")
    expect(page.get_by_text(re.compile(rf"· {status} · version \d+"))).to_be_visible()


def test_a_scheduled_post_is_published_on_mastodon_and_a_refused_one_fails_in_the_platforms_words(
    serve_configured: Callable[..., RunningApp],
    demo_db: Engine,
    mastodon_server: MastodonServer,
    mastodon_account: MockAccount,
    new_context: Callable[[str], BrowserContext],
    artifacts: Path,
) -> None:
    started = clock.monotonic()
    shots = artifacts
    token = mastodon_account.access_token
    mastodon_channel(demo_db, BRAND, mastodon_server.base_url, mastodon_account.username, TOKEN_ENV)
    # The first post is due as soon as the composer allows; the second a minute later, so the first run
    # of the job finds only the first one due.
    due = whole_minute_after(datetime.now(UTC) + MIN_LEAD)
    refused_due = due + timedelta(minutes=1)
    post_id = approved_post(demo_db, TITLE, COPY, due)
    refused_id = approved_post(demo_db, REFUSED_TITLE, REFUSED_COPY, refused_due)
    schedule_as_editor(demo_db, refused_id)
    app = serve_configured(env={TOKEN_ENV: token})

    # The editor schedules the approved post; the composer says Scheduled.
    editor = sign_in(new_context("editor"), app.url, EDITOR.sub)
    open_post(editor, app, post_id, "Approved")
    screenshot(editor, shots, "publish-01-editor-opens-approved-post")
    click(editor, "Schedule")
    expect_success(editor, "Scheduled.")
    expect(editor.get_by_text(re.compile(r"· Scheduled · version \d+"))).to_be_visible()
    screenshot(editor, shots, "publish-02-editor-scheduled")

    # The job runs once the post is due (and before the second one is): one status on the server.
    time_comes(demo_db, post_id)
    first_run = run_job(demo_db, "publish_due", **{TOKEN_ENV: token})
    assert first_run.counts["published"] == 1, first_run.counts
    statuses = mastodon_server.statuses_of(mastodon_account)
    assert len(statuses) == 1, statuses
    [status] = statuses
    assert COPY in status["content"]
    published = variant(demo_db, post_id)
    assert published.status == PostStatus.PUBLISHED
    assert published.external_id == str(status["id"]) and published.permalink == status["url"]
    assert variant(demo_db, refused_id).status == PostStatus.SCHEDULED

    # From now on the server refuses new statuses for good, in its own words.
    mastodon_server.add_fault(
        status=403, path="/api/v1/statuses", methods=["POST"], body={"error": PLATFORM_SAYS}, count=None
    )

    # The composer shows it published, with the server's link.
    open_post(editor, app, post_id, "Published")
    [row] = grid_rows(open_expander(editor, "Publishing"))
    assert (row["channel"], row["status"], row["link"]) == (CHANNEL, "published", status["url"]), row
    assert row["last error"] == "", row
    screenshot(editor, shots, "publish-03-editor-sees-published")

    # The calendar shows it published; opening it says so, with the time it went out.
    open_page(editor, f"{app.url}/calendar?brand={BRAND}")
    choose(editor, "stMultiSelect", "Channel", "Mastodon")
    grid = editor.frame_locator("iframe[title*='streamlit_calendar']")
    event = grid.get_by_text(f"[Mastodon] {TITLE}")
    expect(event).to_be_visible()
    event.click()
    wait_idle(editor)
    went_out = published.published_at.astimezone(warisan_zone(demo_db))
    expect(
        editor.get_by_text(
            f"Mastodon · @{mastodon_account.username} · Published · {went_out:%a %d %b %Y, %H:%M}"
        )
    ).to_be_visible()
    screenshot(editor, shots, "publish-04-calendar-shows-published")

    # The admin: a check of the connection says it is healthy, and the job's last run was this one, ok.
    admin = sign_in(new_context("admin"), app.url, ADMIN.sub)
    open_page(admin, f"{app.url}/jobs?brand={BRAND}")
    choose(admin, "stSelectbox", "Channel", CHANNEL)
    click(admin, "Check now")
    expect(admin.get_by_test_id("stAlertContentSuccess").filter(has_text=CHANNEL)).to_contain_text(
        f"ok — signed in as @{mastodon_account.username}@"
    )
    connection = row_where(grid_rows(grid_with(admin, "channel")), channel=CHANNEL)
    assert connection["status"] == "ok" and connection["last error"] == "", connection
    job = row_where(grid_rows(grid_with(admin, "job")), job="publish_due")
    assert (job["state"], job["last status"]) == ("ok", "ok"), job
    assert job["last run"] == f"{first_run.started_at:%Y-%m-%d %H:%M:%S}+00:00", (job, first_run)
    assert "published: 1" in job["counts"], job
    screenshot(admin, shots, "publish-05-admin-jobs-and-connections")

    # The second post's time comes while the server refuses: the job fails it, in the server's words.
    time_comes(demo_db, refused_id)
    second_run = run_job(demo_db, "publish_due", **{TOKEN_ENV: token})
    assert second_run.counts["failed"] >= 1 and second_run.counts["published"] == 0, second_run.counts
    refused = variant(demo_db, refused_id)
    assert refused.status == PostStatus.FAILED and refused.last_error == PLATFORM_SAYS, refused
    assert len(mastodon_server.statuses_of(mastodon_account)) == 1

    # The editor is told in the sidebar, on any page, and the post says why; no traceback anywhere.
    open_page(editor, f"{app.url}/compose?brand={BRAND}")
    told = f"{REFUSED_TITLE!r} could not be published: {PLATFORM_SAYS}"
    notifications = editor.get_by_test_id("stSidebar").get_by_test_id("stExpander")
    expect(notifications.filter(has_text="unread notification")).to_contain_text(told)
    wait_idle(editor)
    screenshot(editor, shots, "publish-06-editor-notified")
    notifications.filter(has_text=told).get_by_role("link", name="Open the post").first.click()
    wait_idle(editor, settle=False)
    expect(editor.get_by_text(re.compile(r"· Failed · version \d+"))).to_be_visible()
    [row] = grid_rows(open_expander(editor, "Publishing"))
    assert (row["channel"], row["status"], row["last error"]) == (CHANNEL, "failed", PLATFORM_SAYS), row
    assert row["link"] == "", row
    assert "Traceback" not in editor.get_by_test_id("stApp").inner_text()
    screenshot(editor, shots, "publish-07-editor-sees-failure")

    print(f"\npublish journey on {demo_db.dialect.name}: {clock.monotonic() - started:.1f} s")
