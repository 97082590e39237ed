"""The issue's proof, in Chromium: a newcomer runs `python -m app start` on an empty store (local mode, no
sign-in), sets the workspace up in the browser and publishes a post in a campaign to a local Mastodon.

1. `python -m app start` on a brand-new database of the store under test (SOCIALOPS_DEMO=0, its own data
   folder, publish_due every 15 s, metrics read every 20 s, the channel token in the environment).
2. The local admin lands on Setup; adds a market, a brand, a Mastodon channel on the local server and
   three people (an editor, a manager and a client approver: the agency flow's two stages) on the
   Settings page's forms, then loads the agency starter pack with Setup's Load button.
3. Strategy page: an objective, a content pillar and a campaign for the brand; on the SOPs page the
   brand requires the pack's "Multi-stage approval" checklist of the campaign's posts.
4. KPIs page: a target for the dictionary's Reach with its "Set a target" form.
5. Acting as the editor (sidebar "Act as"): a text post in the campaign and pillar for the Mastodon
   channel, a few minutes ahead (time for the steps until it is scheduled; the composer's minimum is 2),
   submitted; the editor starts the required checklist while the post is in review and ticks the
   editor's steps.
6. Acting as the manager, then the approver: each approves their stage on the Approvals page; the
   approver ticks the checklist's step that is theirs.
7. The editor, in the composer, schedules the post.
8. Back as the admin, Jobs & connections shows the runner that `start` launched at work (publish_due has
   run, and ran well). The runner publishes the post: the store is polled (bounded) until the variant is
   published, and the local Mastodon holds exactly one status.
9. The admin's Overview, "Pillars & campaigns" view, filtered to the campaign: its panel lists the post as
   published on the Mastodon channel with the status's link, and the pillar mix counts it.

Everything runs in one browser tab, as one person on a laptop would: the admin's "Act as" box switches
who the app runs as. A screenshot of every step goes to tests/.artifacts/e2e/clean-*.png.
"""

from __future__ import annotations

import re
import time as clock
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clean_start import Product, act_as, choose_exact, start_product
from e2ekit import tail
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from streamlit_ui import (
    choose,
    click,
    expect_page,
    expect_success,
    fill,
    open_page,
    open_tab,
    screenshot,
    set_date,
    set_time,
    table_rows,
    visit_from_sidebar,
    wait_idle,
    widget,
)

from app.db import get_engine, read_session
from app.models import Campaign, Post, PostVariant
from app.models.enums import PostStatus
from tests.servers.mastodon_server import MastodonServer, MockAccount

pytestmark = pytest.mark.slow

TOKEN_ENV = "SOCIALOPS_E2E_KOPIPAGI_MASTODON_TOKEN"
ZONE = "Asia/Kuala_Lumpur"
BRAND, BRAND_NAME = "kopipagi", "Kopi Pagi"
EDITOR = ("nadia@agency.example", "Nadia Rahman")
MANAGER = ("hafiz@agency.example", "Hafiz Ismail")
APPROVER = ("siewlin@kopipagi.example", "Siew Lin Tan")
OBJECTIVE = "Grow breakfast awareness"
PILLAR = "Breakfast rituals"
CAMPAIGN, CAMPAIGN_SLUG = "Morning kopi month", "morning-kopi"
CHECKLIST = "Multi-stage approval"
TITLE = "Kopi pagi launch (e2e)"
COPY = "Kopi pagi is here: a hot kopi and kaya toast for RM4.90 before 10 am, all month at Kopi Pagi."
# When the post is to go out, from the moment it is written: the steps until it is scheduled (a checklist,
# two approvals, more checklist, scheduling) took 1.5 minutes in Chromium beside a CI run on two cores.
LEAD = timedelta(minutes=4)
PUBLISH_WAIT_S = 240  # past its time: the runner reads due posts every 15 s here


@pytest.fixture
def product(
    databases, mastodon_account: MockAccount, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Product]:  # type: ignore[no-untyped-def]
    """`python -m app start` on a new, empty database of the store under test; stopped (SIGINT, then
    SIGKILL by PID) and the database dropped at the end, the log printed when the test failed."""
    url = databases.new()
    env = {
        TOKEN_ENV: mastodon_account.access_token,
        "SOCIALOPS_JOB_PUBLISH_DUE": "15s",
        "SOCIALOPS_JOB_IMPORT_METRICS": "20s",
        # Nothing to sync or report in a new workspace: keep the two cores for the journey.
        "SOCIALOPS_JOB_SHEETS_SYNC": "off",
        "SOCIALOPS_JOB_SEND_REPORTS": "off",
        "SOCIALOPS_JOB_REFRESH_ROLLUPS": "off",
    }
    try:
        with start_product(url, tmp_path / "product", env) as running:
            try:
                yield running
            finally:
                report = getattr(request.node, "rep_call", None)
                if report is not None and report.failed:
                    print(tail(running.log, 120))
    finally:
        databases.drop(url)


def shot(page: Page, artifacts: Path, name: str) -> None:
    screenshot(page, artifacts, f"clean-{name}")


def settings_tab(page: Page, tab: str) -> None:
    if not page.get_by_role("heading", level=1, name="Settings", exact=True).is_visible():
        visit_from_sidebar(page, "Settings")
    open_tab(page, tab)


def submit_form(page: Page, button: str, flash: str | re.Pattern[str]) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect_success(page, flash)


def type_in(page: Page, label: str, value: str) -> None:
    """A text input inside an st.form (nothing reruns until the form is sent)."""
    widget(page, "stTextInput", label).locator("input").fill(value)


def add_person(page: Page, email: str, name: str, role: str, brand: str = "") -> None:
    type_in(page, "E-mail", email)
    type_in(page, "Name", name)
    choose_exact(page, "stSelectbox", "Role", role)
    if brand:
        choose_exact(page, "stSelectbox", "Only on brand", brand)
    submit_form(page, "Add user", f"User {email} added.")


def set_up_workspace(page: Page, mastodon: MastodonServer, account: MockAccount, shots: Path) -> None:
    settings_tab(page, "Markets")
    for label, value in [
        ("Code", "my"),
        ("Name", "Malaysia"),
        ("Country code", "MY"),
        ("Languages", "en, ms"),
        ("Time zone", ZONE),
        ("Currency", "MYR"),
    ]:
        type_in(page, label, value)
    submit_form(page, "Add market", "Market Malaysia added.")
    shot(page, shots, "02-market-added")

    settings_tab(page, "Brands")
    type_in(page, "Name", BRAND_NAME)
    type_in(page, "Slug", BRAND)
    type_in(page, "Industry", "Food & beverage")
    submit_form(page, "Add brand", f"Brand {BRAND_NAME} added.")
    shot(page, shots, "03-brand-added")

    settings_tab(page, "Channels")
    choose(page, "stSelectbox", "Platform", "Mastodon")
    type_in(page, "Handle", f"@{account.username}")
    type_in(page, "Base URL", mastodon.base_url)
    type_in(page, "Token environment variable", TOKEN_ENV)
    submit_form(page, "Add channel", f"Channel @{account.username} added.")
    shot(page, shots, "04-channel-added")

    settings_tab(page, "Users & roles")
    add_person(page, *EDITOR, "Editor")
    add_person(page, *MANAGER, "Manager")
    add_person(page, *APPROVER, "Approver", brand=BRAND)
    shot(page, shots, "05-people-added")


def load_starter(page: Page, shots: Path) -> None:
    visit_from_sidebar(page, "Setup")
    button = page.get_by_role("button", name=re.compile(r"^Load Social media agency"))
    expect(button).to_have_count(1)
    button.click()
    expect(
        page.get_by_test_id("stAlertContentSuccess").filter(has_text="Loaded Social media agency")
    ).to_be_visible(timeout=180_000)
    wait_idle(page)
    summary = {r["part"]: r for r in table_rows(page, "starter-agency-summary")}
    flows = next(r for part, r in summary.items() if "pproval" in part)
    assert int(flows["created"]) == 1, summary  # the agency flow for the one brand there is
    shot(page, shots, "06-starter-loaded")


def build_strategy(page: Page, shots: Path) -> None:
    if not page.get_by_test_id("stSidebarNavLink").filter(has_text="Strategy").count():
        pytest.fail(
            "The sidebar has no Strategy page: objectives, pillars and campaigns cannot be made in the browser"
        )
    visit_from_sidebar(page, "Strategy")
    page.get_by_text("New objective", exact=True).click()
    wait_idle(page)
    type_in(page, "Name", OBJECTIVE)
    choose(page, "stSelectbox", "Kind", "Awareness")
    choose_exact(page, "stSelectbox", "KPI", "Reach")
    type_in(page, "Target", "50,000")
    submit_form(page, "Create objective", f"Objective {OBJECTIVE} created for {BRAND_NAME}.")
    shot(page, shots, "07-objective")

    open_tab(page, "Content pillars")
    page.get_by_text("New content pillar", exact=True).click()
    wait_idle(page)
    type_in(page, "Name", PILLAR)
    share = widget(page, "stNumberInput", "Target share (%)").locator("input")
    share.fill("40")
    submit_form(page, "Create pillar", f"Pillar {PILLAR} created for {BRAND_NAME}.")
    shot(page, shots, "08-pillar")

    open_tab(page, "Campaigns")
    page.get_by_text("New campaign", exact=True).click()
    wait_idle(page)
    type_in(page, "Name", CAMPAIGN)
    type_in(page, "Slug", CAMPAIGN_SLUG)
    choose(page, "stSelectbox", "Status", "Active")
    choose(page, "stSelectbox", "Objective", OBJECTIVE)
    choose(page, "stMultiSelect", "Pillars", PILLAR)
    type_in(page, "Budget", "3,000")
    choose(page, "stMultiSelect", "Channels", "Mastodon")
    submit_form(page, "Create campaign", f"Campaign {CAMPAIGN} created for {BRAND_NAME}.")
    shot(page, shots, "09-campaign")

    pick_brand(page)  # a brand's requirements are changed with that brand chosen
    visit_from_sidebar(page, "SOPs")
    choose(page, "stSelectbox", "Checklist", CHECKLIST)
    choose(page, "stSelectbox", "And of campaign", CAMPAIGN)
    submit_form(page, "Require it", f"{BRAND_NAME} now requires {CHECKLIST}.")
    shot(page, shots, "10-checklist-required")


def set_kpi_target(page: Page, shots: Path) -> None:
    """The KPIs page's "Set a target for <brand>" form (in its "Progress to period end" tab)."""
    visit_from_sidebar(page, "KPIs")
    page.get_by_text(f"Set a target for {BRAND_NAME}", exact=True).click()
    wait_idle(page)
    choose_exact(page, "stSelectbox", "Metric", "Reach")
    fill(page, "Target", "50,000")
    shot(page, shots, "11-kpi-target-form")
    click(page, "Save target")
    expect(
        page.get_by_test_id("stAlertContentSuccess").filter(has_text="Target saved: Reach")
    ).to_be_visible()
    wait_idle(page)
    shot(page, shots, "12-kpi-target-saved")


def pick_brand(page: Page) -> None:
    choose(page, "stSelectbox", "Brand", BRAND_NAME)


def compose_and_submit(page: Page, at: datetime, shots: Path) -> int:
    act_as(page, EDITOR[1])
    pick_brand(page)
    visit_from_sidebar(page, "Compose")
    fill(page, "Title", TITLE)
    choose(page, "stSelectbox", "Type", "Text")
    choose(page, "stSelectbox", "Campaign", CAMPAIGN)
    choose(page, "stSelectbox", "Content pillar", PILLAR)
    fill(page, "Master copy", COPY, area=True)
    choose(page, "stMultiSelect", "Channels", "Mastodon")
    set_date(page, f"Date ({ZONE})", at.date())
    set_time(page, "Time", at.time())
    shot(page, shots, "13-editor-writes")
    click(page, "Save")
    expect_success(page, "Saved as a draft.")
    post_id = int(re.search(r"[?&]post=(\d+)", page.url).group(1))
    click(page, "Submit for approval")
    expect_success(page, "Submitted for approval.")
    expect(page.get_by_text(re.compile(r"· In review · version \d+"))).to_be_visible()
    shot(page, shots, "14-editor-submitted")
    return post_id


def decide(page: Page, person: str, stage: str, shots: Path, name: str) -> None:
    act_as(page, person)
    pick_brand(page)
    visit_from_sidebar(page, "Approvals")
    choose(page, "stMultiSelect", "Posts", f"{TITLE} · {stage}")
    widget(page, "stRadio", "Decision").get_by_text("Approve", exact=True).click()
    wait_idle(page)
    shot(page, shots, f"{name}-picked")
    click(page, "Send decision")
    expect_success(page, "1 decided.")
    shot(page, shots, f"{name}-decided")


def tick(page: Page, step: str) -> None:
    choose(page, "stSelectbox", "Step", step)
    widget(page, "stRadio", "Outcome").get_by_text("Done", exact=True).click()
    wait_idle(page)
    click(page, "Save step")
    expect_success(page, re.compile(rf"{re.escape(step)} \(.*\): done"))


def open_checklist(page: Page) -> None:
    visit_from_sidebar(page, "SOPs")
    open_tab(page, re.compile(r"^Runs$"))


def start_checklist(page: Page, shots: Path) -> None:
    """The editor, still acting, starts the checklist the campaign requires and ticks their steps while
    the post is in review (the approvers need not wait for it)."""
    open_checklist(page)
    choose(page, "stSelectbox", "On a", "Post")
    choose(page, "stSelectbox", "Template", CHECKLIST)
    choose(page, "stSelectbox", "Post", TITLE)
    click(page, "Start checklist")
    expect_success(page, f"Started {CHECKLIST}")
    choose(page, "stSelectbox", "Checklist", f"Post: {TITLE} · {CHECKLIST}")
    tick(page, "Copy proofread by a second person")
    tick(page, "Scheduled in the best window, clear of sensitive dates")
    shot(page, shots, "15-editor-ticks")


def approver_ticks(page: Page, shots: Path) -> None:
    """The approver (acting already) ticks the checklist's step that is theirs."""
    open_checklist(page)
    choose(page, "stSelectbox", "Checklist", f"Post: {TITLE} · {CHECKLIST}")
    tick(page, "Claims checked against the approved claims list")
    shot(page, shots, "20-approver-ticks")


def open_in_composer(page: Page) -> None:
    """The post in the composer: the session keeps it open (?post=) once it has been opened there."""
    visit_from_sidebar(page, "Compose")
    caption = page.get_by_text(re.compile(rf"^{re.escape(BRAND_NAME)} · [\w ]+ · version \d+$"))
    if not caption.count():
        choose(page, "stSelectbox", "Post", TITLE)


def schedule(page: Page, shots: Path) -> None:
    act_as(page, EDITOR[1])
    pick_brand(page)
    open_in_composer(page)
    expect(page.get_by_text(re.compile(r"· Approved · version \d+"))).to_be_visible()
    not_ready = page.get_by_test_id("stAlertContentWarning").filter(has_text="Not ready to schedule")
    if not_ready.count():
        pytest.fail(f"the approved post cannot be scheduled: {not_ready.first.inner_text()}")
    click(page, "Schedule")
    expect_success(page, "Scheduled.")
    expect(page.get_by_text(re.compile(r"· Scheduled · version \d+"))).to_be_visible()
    shot(page, shots, "21-editor-scheduled")


def wait_published(product: Product, post_id: int, at: datetime) -> PostVariant:
    engine = get_engine(product.database_url)
    deadline = clock.monotonic() + max(PUBLISH_WAIT_S, (at - datetime.now(UTC)).total_seconds() + 120)
    while True:
        with read_session(engine) as s:
            variant = s.scalars(select(PostVariant).where(PostVariant.post_id == post_id)).one()
        if variant.status != PostStatus.SCHEDULED or clock.monotonic() > deadline:
            break
        clock.sleep(3)
    assert variant.status == PostStatus.PUBLISHED, (variant.status, variant.last_error, tail(product.log))
    scheduled = variant.scheduled_at
    scheduled = scheduled if scheduled.tzinfo else scheduled.replace(tzinfo=UTC)
    assert scheduled == at, f"the composer kept {scheduled}, not the {at} typed"  # to the minute
    return variant


def runner_at_work(page: Page, shots: Path) -> None:
    """Back as the admin: Jobs & connections shows the runner `start` launched at work, publish_due run
    and well (the banner a missing runner raises would say "no successful run")."""
    click(page, "Back to admin")
    expect(page.get_by_text("Acting as ")).to_have_count(0)
    visit_from_sidebar(page, "Jobs & connections")
    jobs = {r["job"]: r for r in table_rows(page, "jobs")}
    assert jobs["publish_due"]["state"] in ("ok", "running"), jobs["publish_due"]
    assert int(jobs["publish_due"]["runs 24h"]) >= 1, jobs["publish_due"]
    expect(page.get_by_text("no successful run")).to_have_count(0)
    shot(page, shots, "22-runner-at-work")


def campaign_dashboard(page: Page, permalink: str, shots: Path) -> None:
    """The Overview's "Pillars & campaigns" view, filtered to the campaign: the campaign's panel lists the
    post, published on the Mastodon channel with its link, and the pillar mix counts it."""
    pick_brand(page)
    visit_from_sidebar(page, "Overview")
    page.get_by_test_id("stButtonGroup").get_by_text("Pillars & campaigns", exact=True).click()
    wait_idle(page)
    page.get_by_text(re.compile(r"^Filters: ")).first.click()  # the filter bar opens from this box
    wait_idle(page)
    choose(page, "stSelectbox", "Campaign", CAMPAIGN)
    expect(page.get_by_text(f"Campaign: {CAMPAIGN}")).to_be_visible()
    expect(page.get_by_text("Posts by status: Published 1")).to_be_visible()
    posts = table_rows(page, "campaign-posts")
    assert [(r["post"], r["status"], r["link"]) for r in posts] == [(TITLE, "Published", permalink)], posts
    assert posts[0]["channel"].startswith("Mastodon "), posts
    mix = {r["pillar"]: r for r in table_rows(page, "pillar-mix")}
    assert mix[PILLAR]["posts"] == "1" and mix[PILLAR]["actual share"] == "100%", mix
    shot(page, shots, "24-campaign-dashboard")


def test_a_newcomer_goes_from_an_empty_store_to_a_published_campaign_post(
    product: Product,
    mastodon_server: MastodonServer,
    mastodon_account: MockAccount,
    new_context: Callable[..., BrowserContext],
    artifacts: Path,
) -> None:
    started = clock.monotonic()
    shots = artifacts
    page = new_context("admin").new_page()

    # 2. The local admin lands on Setup, sets the workspace up and loads the agency pack.
    open_page(page, product.url)
    expect_page(page, "Setup")
    shot(page, shots, "01-lands-on-setup")
    set_up_workspace(page, mastodon_server, mastodon_account, shots)
    load_starter(page, shots)

    # 3. The brand's strategy, and the checklist its campaign's posts need.
    build_strategy(page, shots)

    # 4. A KPI target.
    set_kpi_target(page, shots)

    # 5.-7. Written as the editor, approved at both stages, checklist done, scheduled.
    at = (datetime.now(ZoneInfo(ZONE)) + LEAD).replace(second=0, microsecond=0) + timedelta(minutes=1)
    writing = clock.monotonic()
    post_id = compose_and_submit(page, at, shots)
    start_checklist(page, shots)
    decide(page, MANAGER[1], "Agency review", shots, "16-manager")
    decide(page, APPROVER[1], "Client approval", shots, "18-approver")
    approver_ticks(page, shots)
    schedule(page, shots)
    to_schedule = clock.monotonic() - writing

    # 8. The runner `start` launched is at work, and publishes the post once.
    runner_at_work(page, shots)
    variant = wait_published(product, post_id, at)
    statuses = mastodon_server.statuses_of(mastodon_account)
    assert len(statuses) == 1, statuses
    assert COPY in statuses[0]["content"] and variant.permalink == statuses[0]["url"]

    # 9. The campaign's dashboard shows it.
    campaign_dashboard(page, variant.permalink, shots)
    with read_session(get_engine(product.database_url)) as s:
        post = s.get(Post, post_id)
        campaign = s.scalars(select(Campaign).where(Campaign.slug == CAMPAIGN_SLUG)).one()
        assert post is not None and post.campaign_id == campaign.id and post.pillar_id is not None
    print(
        f"\nclean-start journey: {clock.monotonic() - started:.1f} s "
        f"(writing to scheduled: {to_schedule:.1f} s of the {LEAD.total_seconds():.0f} s lead)"
    )
