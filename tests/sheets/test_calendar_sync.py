"""The content calendar worksheet against the local Sheets server, with gspread for real: the first export,
edits in the sheet applied through the composer and the status flow, invalid edits refused and kept on
the sheet, rows added and removed, and edits on both sides under each conflict policy."""

from __future__ import annotations

import pytest
from conftest import EDITOR, KEY, SYSTEM
from sheetkit import CAL, local, make_post, open_problems, person, post_of, soon
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import ApprovalRequest, AuditLog, Post, PostVariant, SheetProblem
from app.models.enums import PostStatus
from app.models.sheets import ProblemKind, ProblemStatus
from app.services.content import composer, drafts, workflow
from app.sheets import bindings, problems


def test_first_export_writes_every_row_as_raw_text_never_a_formula(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    sneaky = make_post(
        db, EDITOR, '=HYPERLINK("http://evil.example","win")', copy="+60 12 345 @lumi -50% =1+1"
    )
    binding = connect("content_calendar")
    result = sync(binding)
    assert result.ok, result.error
    # One GET for the tabs, one request making the tab, one its dropdowns (by the id the server gave
    # the tab), one with every cell.
    assert [(c.method, c.path.rsplit("/", 1)[-1]) for c in fake.api_calls()] == [
        ("GET", KEY),
        ("POST", f"{KEY}:batchUpdate"),
        ("POST", f"{KEY}:batchUpdate"),
        ("POST", "values:batchUpdate"),
    ]
    rows = fake.records(KEY, CAL)
    header = fake.grid(KEY, CAL)[0]
    assert (
        header[:4] == ["ID", "Scheduled (Asia/Singapore)", "Channel", "Title"] and header[-1] == "Sync status"
    )
    with read_session(db) as s:
        assert len(rows) == result.counts["rows"] > 10
        assert {int(r["ID"]) for r in rows} == set(
            s.scalars(
                select(PostVariant.id).where(
                    PostVariant.brand_id == 1, PostVariant.id.in_([int(r["ID"]) for r in rows])
                )
            )
        )
    row = fake.row_of(KEY, CAL, "ID", sneaky)
    title = fake.tab(KEY, CAL).cells[(row - 1, fake.column(KEY, CAL, "Title"))]
    assert title.formula is None and title.value == '=HYPERLINK("http://evil.example","win")'
    copy = fake.tab(KEY, CAL).cells[(row - 1, fake.column(KEY, CAL, "Copy"))]
    assert copy.formula is None and copy.value == "+60 12 345 @lumi -50% =1+1"
    tab = fake.tab(KEY, CAL)
    assert tab.frozen_rows == 1 and any(
        v["range"]["startColumnIndex"] == fake.column(KEY, CAL, "Status") for v in tab.validations
    )

    fake.reset_log()
    again = sync(binding)
    assert again.ok and again.requests == 2, "nothing changed: the tabs and one read, no write"
    assert not open_problems(db), "the formula-looking text it wrote itself reads back unchanged"


def test_sheet_edits_land_through_the_services_and_are_audited_as_the_sync_person(
    db: Engine, fake, connect, sync
) -> None:  # type: ignore[no-untyped-def]
    vid = make_post(db, EDITOR, "Monsoon routine")
    moved = make_post(db, EDITOR, "Sunscreen myths")
    binding = connect("content_calendar")
    assert sync(binding).ok
    row = fake.row_of(KEY, CAL, "ID", vid)
    fake.type(KEY, CAL, row, "Title", "Monsoon routine, step by step")
    fake.type(KEY, CAL, row, "Copy", "Three steps for humid days.")
    fake.type(KEY, CAL, row, "Status", "in review")
    new_time = soon(days=5, hour=4)
    fake.type(KEY, CAL, fake.row_of(KEY, CAL, "ID", moved), "Scheduled", local(new_time))
    result = sync(binding)
    assert result.ok and result.counts["applied"] == 2, result.counts
    post, variant = post_of(db, vid)
    assert (post.title, variant.copy, post.status) == (
        "Monsoon routine, step by step",
        "Three steps for humid days.",
        PostStatus.IN_REVIEW,
    )
    assert post_of(db, moved)[1].scheduled_at == new_time
    with read_session(db) as s:
        assert (
            s.scalar(
                select(func.count()).select_from(ApprovalRequest).where(ApprovalRequest.post_id == post.id)
            )
            == 1
        )
        actors = set(
            s.scalars(
                select(AuditLog.actor).where(
                    AuditLog.object_id.in_([str(post.id), str(post_of(db, moved)[1].id)])
                )
            )
        )
    assert f"sheets:{EDITOR}" in actors
    shown = fake.records(KEY, CAL)[row - 2]
    assert (shown["Status"], shown["Sync status"]) == ("in_review", "")
    assert sync(binding).counts.get("written_rows", 0) == 0, "the sheet already shows the database"


def test_invalid_edits_are_refused_kept_as_typed_and_listed(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    ids = [make_post(db, EDITOR, f"Post {n}") for n in range(6)]
    binding = connect("content_calendar")
    assert sync(binding).ok
    rows = [fake.row_of(KEY, CAL, "ID", v) for v in ids]
    fake.type(KEY, CAL, rows[0], "Scheduled", "next tuesday")  # wrong type
    fake.type(KEY, CAL, rows[1], "Status", "postponed")  # unknown enum
    fake.type(KEY, CAL, rows[2], "Status", "approved")  # a sheet cannot approve
    fake.type(KEY, CAL, rows[3], "Title", '=IMPORTXML("http://x.example","//a")')  # a formula
    fake.type(KEY, CAL, rows[4], "Owner", "Someone Else")  # read-only
    fake.type(KEY, CAL, rows[5], "Channel", "lumi-threads")  # only on a new row
    before = {
        v: (post_of(db, v)[0].title, post_of(db, v)[0].status, post_of(db, v)[1].scheduled_at) for v in ids
    }
    result = sync(binding)
    assert result.ok and result.counts["refused"] == 6, result.counts
    assert {
        v: (post_of(db, v)[0].title, post_of(db, v)[0].status, post_of(db, v)[1].scheduled_at) for v in ids
    } == before
    shown = {r["_row"]: r for r in fake.records(KEY, CAL)}
    status = {n: shown[n]["Sync status"] for n in rows}
    assert (
        shown[rows[0]]["Scheduled (Asia/Singapore)"] == "next tuesday"
        and "is not a date and time" in status[rows[0]]
    )
    assert shown[rows[1]]["Status"] == "postponed" and "not one of: idea, draft" in status[rows[1]]
    assert shown[rows[2]]["Status"] == "approved" and "not to approved" in status[rows[2]]
    formula = fake.tab(KEY, CAL).cells[(rows[3] - 1, fake.column(KEY, CAL, "Title"))]
    assert formula.formula == '=IMPORTXML("http://x.example","//a")' and "formula" in status[rows[3]]
    assert shown[rows[4]]["Owner"] == "Someone Else" and "filled in by the hub" in status[rows[4]]
    assert "cannot change on an existing row" in status[rows[5]]
    assert all(s.startswith("Refused: ") for s in status.values())
    with read_session(db) as s:
        listed = problems.list_problems(s, person(db, "admin@kopi.example"), [1])
    assert len(listed) == 6 and set(listed["problem"]) == {"Edit refused"}
    assert "postponed" in " ".join(listed["sheet values"])

    fake.type(KEY, CAL, rows[1], "Status", "draft")  # the editor puts it right
    again = sync(binding)
    assert again.counts["refused"] == 5 and again.counts["problems_resolved"] == 1
    assert fake.records(KEY, CAL)[rows[1] - 2]["Sync status"] == ""
    assert len(open_problems(db)) == 5, "the others stay open: never silently dropped"


def test_added_rows_create_posts_and_refused_ones_stay_on_the_sheet(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    assert sync(binding).ok
    when = soon(days=4)
    good = fake.add_row(
        KEY,
        CAL,
        {
            "Channel": "lumi-facebook",
            "Title": "From the sheet",
            "Copy": "Hi there",
            "Scheduled": local(when),
            "Status": "idea",
        },
    )
    bad_channel = fake.add_row(KEY, CAL, {"Channel": "lumi-myspace", "Title": "Nowhere"})
    far = fake.add_row(
        KEY,
        CAL,
        {"Channel": "lumi-facebook", "Title": "Next year", "Copy": "x", "Scheduled": local(soon(days=200))},
    )
    scheduled = fake.add_row(
        KEY,
        CAL,
        {"Channel": "lumi-facebook", "Title": "Straight to scheduled", "Copy": "x", "Status": "scheduled"},
    )
    with read_session(db) as s:
        posts_before = s.scalar(select(func.count()).select_from(Post))
    result = sync(binding)
    assert result.ok and result.counts["created"] == 1 and result.counts["refused"] == 3, result.counts
    shown = {r["_row"]: r for r in fake.records(KEY, CAL)}
    new_id = int(shown[good]["ID"])
    post, variant = post_of(db, new_id)
    assert (post.title, variant.copy, variant.scheduled_at, post.status) == (
        "From the sheet",
        "Hi there",
        when,
        PostStatus.IDEA,
    )
    assert "no channel 'lumi-myspace'" in shown[bad_channel]["Sync status"] and shown[bad_channel]["ID"] == ""
    assert "outside this worksheet" in shown[far]["Sync status"]
    assert "not to scheduled" in shown[scheduled]["Sync status"]
    with read_session(db) as s:
        assert s.scalar(select(func.count()).select_from(Post)) == posts_before + 1, (
            "refused rows created nothing"
        )
    kinds = {(p.kind, p.identity.startswith("new:")) for p in open_problems(db)}
    assert kinds == {(ProblemKind.REFUSED, True)}


def test_a_lost_write_back_never_creates_the_post_twice(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    assert sync(binding).ok
    row = fake.add_row(KEY, CAL, {"Channel": "lumi-facebook", "Title": "Only once", "Copy": "x"})
    fake.fail(500, times=10, path_contains="values:batchUpdate")
    failed = sync(binding)
    assert not failed.ok and "500" in failed.error
    fake.faults.clear()
    assert sync(binding).ok
    with read_session(db) as s:
        assert s.scalar(select(func.count()).select_from(Post).where(Post.title == "Only once")) == 1
        vid = s.scalar(select(PostVariant.id).join(Post).where(Post.title == "Only once"))
    assert fake.records(KEY, CAL)[row - 2]["ID"] == str(vid)


def test_removed_rows_are_flagged_and_a_person_puts_them_back(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    vid = make_post(db, EDITOR, "Keep me")
    binding = connect("content_calendar")
    assert sync(binding).ok
    fake.delete_row(KEY, CAL, fake.row_of(KEY, CAL, "ID", vid))
    result = sync(binding)
    assert result.counts["removed"] == 1
    assert post_of(db, vid)[0].status == PostStatus.DRAFT, "never deleted or archived silently"
    (problem,) = open_problems(db)
    assert problem.kind == ProblemKind.REMOVED and "Keep me" in problem.message
    assert sync(binding).ok and str(vid) not in {r["ID"] for r in fake.records(KEY, CAL)}, (
        "it stays off while flagged"
    )
    assert [p.id for p in open_problems(db)] == [problem.id]
    with write_session(db) as s:
        problems.decide(s, person(db, "admin@kopi.example"), problem.id, "restore")
    assert sync(binding).ok
    assert str(vid) in {r["ID"] for r in fake.records(KEY, CAL)} and not open_problems(db)


def test_removed_rows_archive_or_come_back_by_policy(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    archived, back = make_post(db, EDITOR, "Archive me"), make_post(db, EDITOR, "Come back")
    binding = connect("content_calendar", removed_rows="archive")
    assert sync(binding).ok
    fake.delete_row(KEY, CAL, fake.row_of(KEY, CAL, "ID", archived))
    assert sync(binding).counts["archived"] == 1
    assert post_of(db, archived)[0].status == PostStatus.ARCHIVED
    with write_session(db) as s:
        bindings.update_binding(s, SYSTEM, binding, removed_rows="ignore")
    fake.delete_row(KEY, CAL, fake.row_of(KEY, CAL, "ID", back))
    assert sync(binding).counts["restored"] == 1
    assert (
        str(back) in {r["ID"] for r in fake.records(KEY, CAL)}
        and post_of(db, back)[0].status == PostStatus.DRAFT
    )


def test_a_cleared_sheet_archives_nothing(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar", removed_rows="archive")
    first = sync(binding)
    n = first.counts["rows"]
    fake.tab(KEY, CAL).delete_rows(1, n + 1)
    result = sync(binding)
    assert result.counts["removed"] == n and result.counts.get("archived", 0) == 0
    with read_session(db) as s:
        assert (
            s.scalar(select(func.count()).select_from(Post).where(Post.status == PostStatus.ARCHIVED)) == 9
        )  # the demo's
    assert "nothing was archived" in open_problems(db)[0].message


def test_a_record_that_leaves_the_window_leaves_the_sheet(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    leaving, staying = make_post(db, EDITOR, "Moving far"), make_post(db, EDITOR, "Staying put")
    binding = connect("content_calendar")
    assert sync(binding).ok
    with write_session(db) as s:
        composer.reschedule_variant(s, person(db, EDITOR), leaving, soon(days=300))
    fake.reset_log()
    result = sync(binding)
    # The tabs, one read and one structural request deleting the row: no cell needed writing.
    assert result.ok and result.requests == 3 and result.counts["left_sheet"] == 1
    ids = [r["ID"] for r in fake.records(KEY, CAL)]
    assert str(leaving) not in ids and str(staying) in ids and "" not in ids, "the row is gone, no gap left"


@pytest.mark.parametrize("policy", ["database_wins", "sheet_wins", "flag"])
def test_edits_on_both_sides_follow_the_conflict_policy(db: Engine, fake, connect, sync, policy: str) -> None:  # type: ignore[no-untyped-def]
    vid = make_post(db, EDITOR, "Original title")
    binding = connect("content_calendar", conflict_policy=policy)
    assert sync(binding).ok
    row = fake.row_of(KEY, CAL, "ID", vid)
    fake.type(KEY, CAL, row, "Title", "Sheet title")
    post, _ = post_of(db, vid)
    with write_session(db) as s:
        draft = drafts.PostDraft(
            title="App title",
            master_copy=post.master_copy,
            post_type="text",
            variants=(
                drafts.VariantDraft("lumi-facebook", "Hello from the test", post_of(db, vid)[1].scheduled_at),
            ),
        )
        composer.update_post(s, person(db, EDITOR), post.id, draft, expected_version=post.version)
    result = sync(binding)
    assert result.ok and result.counts["conflicts"] == 1
    shown = fake.records(KEY, CAL)[row - 2]
    title = post_of(db, vid)[0].title
    with read_session(db) as s:
        logged = s.scalars(select(SheetProblem).where(SheetProblem.record_key == str(vid))).all()
    if policy == "database_wins":
        assert (title, shown["Title"]) == ("App title", "App title") and shown["Sync status"].startswith(
            "Replaced"
        )
        (p,) = logged
        assert p.kind == ProblemKind.OVERWRITTEN and p.status == ProblemStatus.RESOLVED
        assert p.sheet_values["Title"] == "Sheet title" and p.db_values["Title"] == "App title", (
            "both values kept"
        )
    elif policy == "sheet_wins":
        assert (title, shown["Title"], shown["Sync status"]) == ("Sheet title", "Sheet title", "")
        assert not logged
    else:
        assert (title, shown["Title"]) == ("App title", "Sheet title") and shown["Sync status"].startswith(
            "Conflict"
        )
        (p,) = logged
        assert p.kind == ProblemKind.CONFLICT and p.status == ProblemStatus.OPEN
        assert (p.sheet_values["Title"], p.db_values["Title"]) == ("Sheet title", "App title")
        with write_session(db) as s:
            problems.decide(s, person(db, EDITOR), p.id, "sheet")
        assert sync(binding).ok
        assert (
            post_of(db, vid)[0].title == "Sheet title"
            and fake.records(KEY, CAL)[row - 2]["Sync status"] == ""
        )


def test_a_scheduled_post_cannot_be_unscheduled_into_approval_by_the_sheet(
    db: Engine, fake, connect, sync
) -> None:  # type: ignore[no-untyped-def]
    vid = make_post(db, EDITOR, "Ready to go")
    with write_session(db) as s:
        post = s.get(PostVariant, vid).post_id
        workflow.submit(s, person(db, EDITOR), post)
    binding = connect("content_calendar")
    assert sync(binding).ok
    row = fake.row_of(KEY, CAL, "ID", vid)
    fake.type(KEY, CAL, row, "Status", "scheduled")
    assert sync(binding).counts["refused"] == 1
    assert post_of(db, vid)[0].status == PostStatus.IN_REVIEW
    assert "not to scheduled" in fake.records(KEY, CAL)[row - 2]["Sync status"]


def test_a_server_that_chooses_its_own_tab_ids_keeps_syncing(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    """Issue 14, finding 6: a Sheets-compatible server may give a new tab an id of its own. The sync uses
    the id in the reply, so its dropdowns land on the tab and the next syncs find it (they said "the
    worksheet was deleted" when the sync kept the id it had proposed)."""
    fake.assigns_ids = True
    binding = connect("content_calendar")
    first = sync(binding)
    assert first.ok, first.error
    made = fake.api_calls()[1].body["requests"][0]["addSheet"]["properties"]["sheetId"]
    tab = next(t for t in fake.spreadsheets[KEY].tabs if t.title == CAL)
    assert tab.sheet_id != made  # the server's own
    dropdowns = [r["setDataValidation"]["range"]["sheetId"] for r in fake.api_calls()[2].body["requests"]]
    assert dropdowns and set(dropdowns) == {tab.sheet_id}
    rows = fake.records(KEY, CAL)
    fake.type(KEY, CAL, rows[0]["_row"], "Title", rows[0]["Title"] + " (edited)")
    for _ in range(2):
        again = sync(binding)
        assert again.ok, again.error
    assert again.counts["rows"] == first.counts["rows"]
