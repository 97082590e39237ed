"""Talking to Sheets: the number of requests a sync makes does not grow with its rows, 429 and 5xx answers
are retried within bounds and then reported (and stored for the health page), a renamed tab is
followed, a deleted one or an unknown spreadsheet is reported with nothing changed, and a column
removed by an editor is put back without blanking anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import EDITOR, KEY, MANAGER, SYSTEM
from sheetkit import CAL, bulk_brand, make_post, open_problems, post_of
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Post, PostVariant, SheetBinding, SheetRowState
from app.models.sheets import SyncStatus
from app.sheets import bindings
from app.sheets.client import make_client
from app.sheets.sync import sync_brands


def test_requests_per_sync_do_not_grow_with_rows(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    counts = {}
    for size in (10, 1000):
        slug = f"bulk{size}"
        bulk_brand(db, slug, size)
        binding = connect("content_calendar", brand=slug, worksheet_title=f"Calendar {size}")
        tab = f"Calendar {size}"
        first = sync(binding)
        assert first.ok and first.counts["rows"] == size
        rows = fake.records(KEY, tab)
        for r in rows[:3]:
            fake.type(KEY, tab, r["_row"], "Title", r["Title"] + " (edited)")
        fake.delete_row(KEY, tab, rows[-1]["_row"])
        fake.add_row(KEY, tab, {"Channel": f"{slug}-facebook", "Title": "Added in the sheet", "Copy": "new"})
        edited = sync(binding)
        assert edited.ok and (
            edited.counts["applied"],
            edited.counts["created"],
            edited.counts["removed"],
        ) == (3, 1, 1)
        quiet = sync(binding)
        counts[size] = (first.requests, edited.requests, quiet.requests)
    # First export: tabs + new tab + its dropdowns + one write. With edits: tabs + one read + one write.
    # Unchanged: tabs + read.
    assert counts[10] == counts[1000] == (4, 3, 2), counts


def test_a_whole_brand_stays_far_under_the_quota(db: Engine, fake, connect, settings) -> None:  # type: ignore[no-untyped-def]
    for schema, who in (
        ("content_calendar", EDITOR),
        ("sop_checklists", EDITOR),
        ("kpi_targets", MANAGER),
        ("metrics_dictionary", EDITOR),
        ("inbox_response_times", EDITOR),
    ):
        connect(schema, sync_as=who)
    results = sync_brands(db, SYSTEM, [1], settings=settings)
    assert all(r.ok for r in results) and len(results) == 5
    total = sum(r.requests for r in results)
    assert total == len(fake.api_calls()) <= 1 + 5 * 3, (
        "one GET of the tabs for the spreadsheet, up to three per new tab (the tab, its dropdowns, its cells)"
    )
    again = sync_brands(db, SYSTEM, [1], settings=settings)
    assert sum(r.requests for r in again) == 1 + 5, (
        "then one read per worksheet: 6 of the 60 a minute allowed"
    )


def test_429_and_500_answers_are_retried_then_the_sync_goes_on(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    assert sync(binding).ok
    fake.reset_log()
    fake.fail(429, times=2, path_contains="values:batchGet")
    fake.fail(500, times=1, method="GET", path_contains="values:batchGet")
    result = sync(binding)
    assert result.ok and result.requests == 1 + 4
    assert [c.path.endswith("values:batchGet") for c in fake.api_calls()].count(True) == 4


def test_a_sync_that_keeps_getting_429_gives_up_and_reports(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    fake.fail(429, times=100)
    result = sync(binding)
    assert not result.ok and result.requests == 4  # max_attempts, then reported
    assert "after 4 attempt(s)" in result.error and "429 RESOURCE_EXHAUSTED" in result.error
    with read_session(db) as s:
        b = s.get(SheetBinding, binding)
        assert b.last_status == SyncStatus.FAILED and "429" in b.last_error and b.last_error_at is not None
        assert not s.scalars(select(SheetRowState)).first()
        (info,) = bindings.list_bindings(s, SYSTEM, [1])
    assert info.last_status == "failed" and "429" in info.last_error


def test_the_overall_time_limit_bounds_the_waiting(db: Engine, fake, connect, settings) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from app.sheets.sync import sync_bindings

    binding = connect("content_calendar")
    slow = dataclasses.replace(
        settings, backoff_seconds=5, backoff_max_seconds=30, deadline_seconds=1, max_attempts=10
    )
    fake.fail(503, times=100)
    started = datetime.now(UTC)
    (result,) = sync_bindings(db, SYSTEM, [binding], client=make_client(slow))
    assert not result.ok and "time limit" in result.error
    assert (datetime.now(UTC) - started).total_seconds() < 3


def test_a_lost_answer_to_a_structural_change_is_not_sent_twice(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    fake.fail(500, times=1, method="POST", path_contains=":batchUpdate")
    failed = sync(binding)
    assert not failed.ok and "HTTP 500" in failed.error
    assert sum(1 for c in fake.api_calls() if c.path.endswith(f"{KEY}:batchUpdate")) == 1
    assert sync(binding).ok and fake.records(KEY, CAL)


def test_a_renamed_tab_is_followed_and_a_deleted_one_reported(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    vid = make_post(db, EDITOR, "Before the rename")
    binding = connect("content_calendar")
    assert sync(binding).ok
    fake.rename(KEY, CAL, "Plan (team)")
    fake.type(
        KEY, "Plan (team)", fake.row_of(KEY, "Plan (team)", "ID", vid), "Title", "Renamed tab, still synced"
    )
    assert sync(binding).counts["applied"] == 1
    assert post_of(db, vid)[0].title == "Renamed tab, still synced"
    with read_session(db) as s:
        assert s.get(SheetBinding, binding).worksheet_title == "Plan (team)"
    fake.remove_tab(KEY, "Plan (team)")
    with read_session(db) as s:
        statuses = dict(s.execute(select(Post.id, Post.status)).all())
    result = sync(binding)
    assert not result.ok and "missing from the spreadsheet" in result.error
    with read_session(db) as s:
        assert dict(s.execute(select(Post.id, Post.status)).all()) == statuses, "nothing archived or changed"
    assert not open_problems(db)
    with write_session(db) as s:
        bindings.export_again(s, SYSTEM, binding)
    assert sync(binding).ok and len(fake.records(KEY, "Plan (team)")) > 10


@pytest.mark.parametrize("forbidden", [False, True])
def test_an_unreachable_spreadsheet_says_what_to_do(db: Engine, fake, connect, sync, forbidden: bool) -> None:  # type: ignore[no-untyped-def]
    if forbidden:
        fake.forbidden.add(KEY)
        binding = connect("content_calendar")
    else:
        with write_session(db) as s:
            binding = bindings.connect(
                s,
                SYSTEM,
                brand="lumi",
                schema="content_calendar",
                spreadsheet="https://docs.google.com/spreadsheets/d/NoSuchSpreadsheetKey123/edit",
                sync_as=EDITOR,
            ).id
    result = sync(binding)
    assert not result.ok and "socialops@test-project.iam.gserviceaccount.com" in result.error
    assert ("may not open" if forbidden else "was not found") in result.error


def test_a_column_removed_in_the_sheet_comes_back_without_blanking_anything(
    db: Engine, fake, connect, sync
) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    assert sync(binding).ok
    copy_col = fake.column(KEY, CAL, "Copy")
    tab = fake.tab(KEY, CAL)
    before = {int(r["ID"]): r["Copy"] for r in fake.records(KEY, CAL)}
    tab.cells = {k: v for k, v in tab.cells.items() if k[1] != copy_col}
    result = sync(binding)
    assert result.ok and not result.counts.get("applied") and not result.counts.get("refused")
    after = {int(r["ID"]): r["Copy"] for r in fake.records(KEY, CAL)}
    assert after == before and fake.grid(KEY, CAL)[0][-1] == "Copy", "put back at the end, with every value"
    with read_session(db) as s:
        for vid, copy in list(before.items())[:5]:
            assert s.get(PostVariant, vid).copy == copy
    key_col = fake.column(KEY, CAL, "ID")
    tab.cells = {k: v for k, v in tab.cells.items() if k[1] != key_col}
    broken = sync(binding)
    assert not broken.ok and "no 'ID' column" in broken.error
