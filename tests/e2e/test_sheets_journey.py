"""The Google Sheets journey, in Chromium against `streamlit run` and the local Sheets-compatible server:
the admin connects Lumi's content calendar to a spreadsheet in Settings → Sheets (pasting its URL) and
presses Sync now, and the calendar lands in the sheet (written RAW); an editor then types in the sheet,
retitling one post and approving another, which a sheet may not do. After the next Sync now the new
title is in the composer, the refused approval is listed as an open problem naming the row and the
reason, the row's "Sync status" cell says why, and the admin decides it: the problem closes and the
next sync puts the app's status back in the row. A screenshot of every step goes to tests/.artifacts/e2e/.
"""

from __future__ import annotations

import json
import re
import sys
import time as clock
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from e2ekit import ADMIN, EDITOR, REPO, RunningApp
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
    sign_in,
    table_rows,
    wait_idle,
)

from app.db import read_session
from app.models import Brand, Post, PostVariant, SheetProblem
from app.models.enums import PostStatus
from app.models.sheets import ProblemKind, ProblemStatus

# The local Sheets-compatible server lives with the Sheets tests (its own folder, not a package).
sys.path.insert(0, str(REPO / "tests" / "sheets"))
import fake_sheets

pytestmark = pytest.mark.slow

BRAND = "lumi"
KEY = "1E2eSheetsJourneyKopiKopiKopi0123456789"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
TAB = "Calendar"
SA_EMAIL = "socialops-e2e@test-project.iam.gserviceaccount.com"
NEW_TITLE = "Lumi rainy-day playlist (retitled in the sheet)"
SHEETS_TAB = re.compile(r"^Sheets$")


@pytest.fixture
def sheets_server() -> Iterator[fake_sheets.FakeSheets]:
    """The local Sheets server in this process on a free port of 127.0.0.1 (the app's server process
    reaches it there), holding one empty spreadsheet; stopped at teardown."""
    server, thread = fake_sheets.start()
    server.state.create(KEY, title="Lumi planning")
    try:
        yield server.state
    finally:
        fake_sheets.stop(server, thread)


def service_account_toml(fake: fake_sheets.FakeSheets) -> str:
    """A [sheets] section for the app's secrets.toml: the local endpoint, quick bounded retries, and a
    throw-away service account whose key the server will check (TOML basic strings take JSON's escapes)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    fake_sheets.register_key(fake, SA_EMAIL, pem)
    account = fake_sheets.service_account_info(fake.url, SA_EMAIL, pem)
    lines = [
        "",
        "[sheets]",
        f"api_url = {json.dumps(fake.url)}",
        "backoff_seconds = 0.05",
        "backoff_max_seconds = 0.2",
        "max_attempts = 3",
        "deadline_seconds = 30",
        "[sheets.service_account]",
        *(f"{k} = {json.dumps(v)}" for k, v in account.items()),
    ]
    return "\n".join(lines) + "\n"


def draft_posts(engine: Engine, variant_ids: list[int]) -> dict[int, tuple[str, list[int]]]:
    """Lumi's draft posts among these calendar rows: post id -> (title, its rows' variant ids)."""
    with read_session(engine) as s:
        rows = s.execute(
            select(Post.id, Post.title, PostVariant.id)
            .join(PostVariant, PostVariant.post_id == Post.id)
            .join(Brand, Brand.id == Post.brand_id)
            .where(PostVariant.id.in_(variant_ids), Brand.slug == BRAND, Post.status == PostStatus.DRAFT)
            .order_by(Post.id, PostVariant.id)
        ).all()
    drafts: dict[int, tuple[str, list[int]]] = {}
    for post_id, title, variant_id in rows:
        drafts.setdefault(int(post_id), (str(title), []))[1].append(int(variant_id))
    return drafts


def assert_written_raw(fake: fake_sheets.FakeSheets) -> None:
    """The app wrote cells, and every write asked for RAW input: no text it wrote became a formula."""
    writes = [
        c for c in fake.api_calls() if c.value_input_option is not None or "values:batchUpdate" in c.path
    ]
    assert writes, "the app wrote no cells"
    assert all(c.value_input_option == "RAW" for c in writes), [
        (c.path, c.value_input_option) for c in writes
    ]


def sheets_settings(page: Page, app: RunningApp) -> None:
    open_page(page, f"{app.url}/settings?brand={BRAND}")
    open_tab(page, SHEETS_TAB)


def still_on_sheets(page: Page) -> None:
    """The Sheets tab is still the one open: a flash message appearing or leaving above the tabs once made
    the browser reopen the first tab (app.ui.actions.show_flash now keeps its slot)."""
    expect(page.get_by_role("tab", name=SHEETS_TAB)).to_have_attribute("aria-selected", "true")


def sheets_table(page: Page, name: str) -> list[dict[str, str]]:
    """A table of the Sheets tab, downloaded (the download's rerun keeps the tab open)."""
    page.mouse.move(0, 0)  # a button's help tooltip left open by the last click would take this one
    rows = table_rows(page, name)
    still_on_sheets(page)
    return rows


def test_admin_connects_a_sheet_and_an_editors_edits_come_back_or_are_reported(
    serve_configured: Callable[..., RunningApp],
    sheets_server: fake_sheets.FakeSheets,
    demo_db: Engine,
    new_context: Callable[[str], BrowserContext],
    artifacts: Path,
) -> None:
    started = clock.monotonic()
    fake, shots = sheets_server, artifacts
    app = serve_configured(secrets_toml=service_account_toml(fake))

    # 1. The admin connects Lumi's content calendar to the spreadsheet (its URL pasted) and syncs.
    admin = sign_in(new_context("admin"), app.url, ADMIN.sub)
    sheets_settings(admin, app)
    expect(admin.get_by_text(f"Service account {SA_EMAIL}")).to_be_visible()
    admin.get_by_text("Connect a worksheet").click()
    wait_idle(admin)
    choose(admin, "stSelectbox", "Worksheet", "Content calendar")
    fill(admin, "Spreadsheet key or URL", URL)
    choose(admin, "stSelectbox", "Sync as", EDITOR.email)
    screenshot(admin, shots, "sheets-01-admin-connects")
    click(admin, "Connect")
    expect_success(admin, f"Connected Content calendar for {BRAND}")
    still_on_sheets(admin)
    click(admin, "Sync now")
    expect_success(
        admin,
        re.compile(
            r"Synced 1 worksheet\(s\) \([\d,]+ rows on the sheets\) in \d+ requests: 0 sheet edit\(s\) applied"
        ),
    )
    still_on_sheets(admin)
    (worksheet,) = sheets_table(admin, "sheet-worksheets")
    assert worksheet["brand"] == BRAND and worksheet["tab"] == TAB and worksheet["status"] == "ok"
    assert worksheet["sync as"] == EDITOR.email and worksheet["open problems"] == "0"
    screenshot(admin, shots, "sheets-02-admin-synced")

    rows = fake.records(KEY, TAB)
    assert len(rows) >= 10, "Lumi's calendar (a quarter around today) is in the sheet"
    assert_written_raw(fake)
    by_id = {int(r["ID"]): r for r in rows}
    drafts = draft_posts(demo_db, list(by_id))
    assert len(drafts) >= 2, "the demo has draft posts in Lumi's calendar"
    (retitled_post, (old_title, retitled_vids)), (refused_post, (refused_title, refused_vids)) = list(
        drafts.items()
    )[:2]
    assert all(by_id[v]["Title"] == old_title for v in retitled_vids)
    assert all(by_id[v]["Status"] == "draft" for v in refused_vids)
    retitled_vid, refused_vid = retitled_vids[0], refused_vids[0]

    # 2. The editor types in the sheet: a new title on one row, "approved" on another (only the app's
    # approval flow may approve a post).
    retitled_row = fake.row_of(KEY, TAB, "ID", retitled_vid)
    refused_row = fake.row_of(KEY, TAB, "ID", refused_vid)
    fake.type(KEY, TAB, retitled_row, "Title", NEW_TITLE)
    fake.type(KEY, TAB, refused_row, "Status", "approved")
    click(admin, "Sync now")
    expect_success(
        admin,
        re.compile(
            r"Synced 1 worksheet\(s\) \([\d,]+ rows on the sheets\) in \d+ requests: 1 sheet edit\(s\) applied, 1 refused"
        ),
    )
    still_on_sheets(admin)

    # 3. Settings → Sheets lists the refused edit: the row, what was typed, and why.
    (problem,) = sheets_table(admin, "sheet-problems")
    assert problem["problem"] == "Edit refused" and problem["row"] == str(refused_row)
    assert problem["record"] == str(refused_vid) and "Status: approved" in problem["sheet values"]
    assert problem["message"].startswith(f"{refused_title!r} is draft: it can move to"), problem
    assert problem["message"].endswith("not to approved"), "a sheet cannot approve a post"
    reason = problem["message"]
    screenshot(admin, shots, "sheets-03-admin-sees-refused-edit")
    # The sheet says the same in the row's "Sync status" cell and keeps what was typed; the retitled
    # row landed and carries no note.
    sheet = {r["_row"]: r for r in fake.records(KEY, TAB)}
    assert sheet[refused_row]["Status"] == "approved"
    assert sheet[refused_row]["Sync status"] == f"Refused: {reason}"
    assert sheet[retitled_row]["Sync status"] == ""
    retitled_rows = [fake.row_of(KEY, TAB, "ID", v) for v in retitled_vids]
    assert [sheet[r]["Title"] for r in retitled_rows] == [NEW_TITLE] * len(retitled_vids), (
        "the post's rows on its other channels show the new title too"
    )

    # The composer shows the title typed in the sheet.
    open_page(admin, f"{app.url}/compose?brand={BRAND}&post={retitled_post}")
    expect(admin.get_by_test_id("stTextInput").filter(has_text="Title").locator("input")).to_have_value(
        NEW_TITLE
    )
    screenshot(admin, shots, "sheets-04-composer-shows-sheet-title")

    # The admin decides the problem: the app's values go back in the row. It closes at once, and the
    # next sync carries it out.
    sheets_settings(admin, app)
    choose(admin, "stSelectbox", "Problem", f"row {refused_row}: Edit refused")
    choose(admin, "stSelectbox", "Decision", "Put the app's values back")
    screenshot(admin, shots, "sheets-05-admin-decides")
    click(admin, "Decide")
    expect_success(admin, "Decided: the next sync carries it out")
    still_on_sheets(admin)
    expect(admin.get_by_text("Nothing to show for this brand and period.")).to_be_visible()
    click(admin, "Sync now")
    expect_success(
        admin,
        re.compile(
            r"Synced 1 worksheet\(s\) \([\d,]+ rows on the sheets\) in \d+ requests: 0 sheet edit\(s\) applied, 0 refused"
        ),
    )
    still_on_sheets(admin)
    (worksheet,) = sheets_table(admin, "sheet-worksheets")
    assert worksheet["status"] == "ok" and worksheet["open problems"] == "0"
    screenshot(admin, shots, "sheets-06-admin-problem-closed")
    sheet = {r["_row"]: r for r in fake.records(KEY, TAB)}
    assert sheet[refused_row]["Status"] == "draft" and sheet[refused_row]["Sync status"] == ""

    # And in the database: the new title, the refused post still a draft, the problem decided by the admin.
    with read_session(demo_db) as s:
        assert s.get(Post, retitled_post).title == NEW_TITLE
        assert s.get(Post, refused_post).status == PostStatus.DRAFT
        (decided,) = s.scalars(select(SheetProblem)).all()
        assert decided.kind == ProblemKind.REFUSED and decided.status == ProblemStatus.RESOLVED
        assert decided.resolved_by == ADMIN.email and decided.row_number == refused_row
    assert_written_raw(fake)
    print(f"\nsheets journey on {demo_db.dialect.name}: {clock.monotonic() - started:.1f} s")
