"""The issue's browser journey, in Chromium against `streamlit run`: an editor writes a text post for
Warisan and submits it; the brand's approver and then its manager approve it at the two stages of its
flow; the editor finds scheduling refused until the checklist Warisan requires of text posts is done,
works the checklist, schedules the post, and the calendar shows it scheduled. Each person signs in
through the identity provider in their own browser context. A screenshot of every step goes to
tests/.artifacts/e2e/."""

from __future__ import annotations

import re
import time as clock
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from e2ekit import APPROVER, EDITOR, MANAGER, RunningApp
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine, select
from streamlit_ui import (
    choose,
    click,
    expect_success,
    fill,
    open_page,
    open_tab,
    screenshot,
    set_date,
    set_time,
    sign_in,
    wait_idle,
    widget,
)

from app.db import read_session, write_session
from app.models import ApprovalDecision, ApprovalRequest, Brand, Post, PostVariant, SopRun, User
from app.models.enums import (
    ApprovalRequestStatus,
    Decision,
    PostStatus,
    Role,
    SopObjectType,
    SopRunStatus,
)
from app.services.core import Actor
from app.services.sops import StepInput
from app.services.sops import templates as sop_templates

pytestmark = pytest.mark.slow

BRAND = "warisan"
CHECKLIST = "Text post ready to schedule"
MANUAL_STEP = "Proofread the copy"
RUNS_TAB = re.compile(r"^Runs$")
TITLE = "Kopi O and kaya toast week (e2e)"
COPY = "Kopi O and kaya toast for RM5.90 all week at every Warisan outlet. See you at breakfast!"


def require_checklist_for_text_posts(engine: Engine) -> None:
    """Arrangement, through the services: Warisan requires a small checklist of its text posts (one
    step the editor ticks, one automatic check that passes for a post without links)."""
    setup = Actor.system("test:setup")
    with write_session(engine) as s:
        template = sop_templates.create_template(
            s,
            setup,
            name=CHECKLIST,
            applies_to=SopObjectType.POST,
            steps=[
                StepInput(MANUAL_STEP, "Names, prices and dates; read it aloud once.", Role.EDITOR),
                StepInput("Links carry UTM tags", auto_check="links_have_utm"),
            ],
            description="What a text post needs before it goes in the queue.",
        )
        sop_templates.set_requirement(s, setup, brand=BRAND, template_slug=template.slug, post_type="text")


def brand_zone(engine: Engine) -> ZoneInfo:
    with read_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == BRAND)).one()
        return ZoneInfo(brand.market.timezone)


def decide(page: Page, app: RunningApp, stage: str, shots: Path, name: str) -> None:
    """On the Approvals page: pick this post at `stage` in "Posts", approve, send the decision."""
    open_page(page, f"{app.url}/approvals?brand={BRAND}")
    expect(page.get_by_text(re.compile(r"Waiting on you: \d+"))).to_be_visible()
    choose(page, "stMultiSelect", "Posts", f"{TITLE} · {stage}")
    widget(page, "stRadio", "Decision").get_by_text("Approve", exact=True).click()
    wait_idle(page)
    screenshot(page, shots, f"{name}-picked")
    click(page, "Send decision")
    expect_success(page, "1 decided.")
    screenshot(page, shots, f"{name}-decided")


def test_post_goes_from_draft_through_two_approvals_and_a_checklist_to_the_calendar(
    app_server: RunningApp, demo_db: Engine, new_context: Callable[[str], BrowserContext], artifacts: Path
) -> None:
    started = clock.monotonic()
    require_checklist_for_text_posts(demo_db)
    zone = brand_zone(demo_db)
    day = (datetime.now(zone) + timedelta(days=3)).date()
    at = time(10, 30)
    app, shots = app_server, artifacts

    # The editor writes the post and submits it.
    editor = sign_in(new_context("editor"), app.url, EDITOR.sub)
    open_page(editor, f"{app.url}/compose?brand={BRAND}")
    fill(editor, "Title", TITLE)
    choose(editor, "stSelectbox", "Type", "Text")
    fill(editor, "Master copy", COPY, area=True)
    choose(editor, "stMultiSelect", "Channels", "Facebook")
    set_date(editor, f"Date ({zone.key})", day)
    set_time(editor, "Time", at)
    screenshot(editor, shots, "01-editor-writes")
    click(editor, "Save")
    expect_success(editor, "Saved as a draft.")
    post_id = int(re.search(r"[?&]post=(\d+)", editor.url).group(1))
    click(editor, "Submit for approval")
    expect_success(editor, "Submitted for approval.")
    expect(editor.get_by_text(re.compile(r"· In review · version \d+"))).to_be_visible()
    screenshot(editor, shots, "02-editor-submitted")

    # Stage 1, "Content check": the brand's approver. Stage 2, "Final sign-off": the manager.
    approver = sign_in(new_context("approver"), app.url, APPROVER.sub)
    decide(approver, app, "Content check", shots, "03-approver")
    manager = sign_in(new_context("manager"), app.url, MANAGER.sub)
    decide(manager, app, "Final sign-off", shots, "04-manager")

    # Approved, but the checklist Warisan requires of text posts has not been started: no scheduling.
    open_page(editor, f"{app.url}/compose?brand={BRAND}&post={post_id}")
    expect(editor.get_by_text(re.compile(r"· Approved · version \d+"))).to_be_visible()
    warning = editor.get_by_test_id("stAlertContentWarning").filter(has_text="Not ready to schedule")
    expect(warning).to_contain_text(f"Checklist '{CHECKLIST}' has not been started")
    expect(editor.get_by_role("button", name="Schedule")).to_be_disabled()
    screenshot(editor, shots, "05-editor-schedule-refused")

    # The editor starts the checklist on the post and ticks the manual step (the Runs tab stays open
    # through the page's reruns).
    open_page(editor, f"{app.url}/sops?brand={BRAND}")
    open_tab(editor, RUNS_TAB)
    choose(editor, "stSelectbox", "On a", "Post")
    choose(editor, "stSelectbox", "Template", CHECKLIST)
    choose(editor, "stSelectbox", "Post", f"{TITLE} (approved)")
    screenshot(editor, shots, "06-editor-starts-checklist")
    click(editor, "Start checklist")
    expect_success(editor, f"Started {CHECKLIST}")
    choose(editor, "stSelectbox", "Checklist", f"Post: {TITLE} · {CHECKLIST} v1")
    expect(editor.get_by_text("1 of 2 steps done")).to_be_visible()
    choose(editor, "stSelectbox", "Step", MANUAL_STEP)
    widget(editor, "stRadio", "Outcome").get_by_text("Done", exact=True).click()
    wait_idle(editor)
    screenshot(editor, shots, "07-editor-ticks-step")
    click(editor, "Save step")
    expect_success(editor, f"{MANUAL_STEP} (editor): done")
    open_tab(editor, "History")
    screenshot(editor, shots, "08-editor-checklist-done")

    # Nothing blocks it now: schedule.
    open_page(editor, f"{app.url}/compose?brand={BRAND}&post={post_id}")
    expect(
        editor.get_by_test_id("stAlertContentWarning").filter(has_text="Not ready to schedule")
    ).to_have_count(0)
    click(editor, "Schedule")
    expect_success(editor, "Scheduled.")
    expect(editor.get_by_text(re.compile(r"· Scheduled · version \d+"))).to_be_visible()
    screenshot(editor, shots, "09-editor-scheduled")

    # The calendar (FullCalendar in its iframe) shows it; opening it says Scheduled.
    open_page(manager, f"{app.url}/calendar?brand={BRAND}")
    # Only this brand's scheduled Facebook posts, so the day's cell cannot overflow into "+N more".
    choose(manager, "stMultiSelect", "Status", "Scheduled")
    choose(manager, "stMultiSelect", "Channel", "Facebook")
    grid = manager.frame_locator("iframe[title*='streamlit_calendar']")
    event = grid.get_by_text(f"[Facebook] {TITLE}")
    expect(event).to_be_visible()
    screenshot(manager, shots, "10-calendar-shows-post")
    event.click()
    wait_idle(manager)
    expect(
        manager.get_by_text(re.compile(rf"Facebook · .* · Scheduled · .*{day:%d %b %Y}, 10:30"))
    ).to_be_visible()
    screenshot(manager, shots, "11-calendar-post-opened")

    # And in the database: scheduled, two approval decisions, a complete checklist run.
    with read_session(demo_db) as s:
        post = s.get(Post, post_id)
        assert post is not None and post.status == PostStatus.SCHEDULED
        variants = s.scalars(select(PostVariant).where(PostVariant.post_id == post_id)).all()
        assert [v.status for v in variants] == [PostStatus.SCHEDULED]
        assert variants[0].scheduled_at.astimezone(zone) == datetime.combine(day, at, zone)
        request = s.scalars(select(ApprovalRequest).where(ApprovalRequest.post_id == post_id)).one()
        assert request.status == ApprovalRequestStatus.APPROVED
        deciders = s.execute(
            select(User.email, ApprovalDecision.decision)
            .join(ApprovalDecision, ApprovalDecision.decided_by_id == User.id)
            .where(ApprovalDecision.request_id == request.id)
            .order_by(ApprovalDecision.decided_at)
        ).all()
        assert deciders == [(APPROVER.email, Decision.APPROVE), (MANAGER.email, Decision.APPROVE)]
        runs = s.scalars(
            select(SopRun).where(SopRun.object_type == SopObjectType.POST, SopRun.object_id == post_id)
        ).all()
        assert [r.status for r in runs] == [SopRunStatus.COMPLETE]
    print(f"\njourney on {demo_db.dialect.name}: {clock.monotonic() - started:.1f} s")
