"""Settings → Sheets in the app (AppTest, signed in as an admin): the connected worksheet, Sync now against
the local Sheets server, the open sync problems listed with what the editor typed, a conflict shown with
both values and decided from the page."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from conftest import EDITOR, KEY, service_account
from sheetkit import CAL, make_post, person, post_of
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))

from pagekit import assert_page_ok, new_app, shown, signed_in
from test_jobs_cli import write_secrets

from app.db import write_session
from app.services.content import composer, drafts

ADMIN = "admin@kopi.example"


def _frame(at, column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_sync_now_and_the_problems_it_lists(
    db: Engine, fake, private_key_pem: str, connect, use_db, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    use_db(db)
    secrets = write_secrets(tmp_path / "secrets.toml", service_account(fake, private_key_pem), fake.url)
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(secrets))
    vid = make_post(db, EDITOR, "Both sides")
    connect("content_calendar")
    at = signed_in(new_app(), ADMIN).run()
    at.switch_page("pages/admin/settings.py").run()
    assert_page_ok(at, "Settings")
    assert "socialops@test-project" in " ".join(shown(c.value) for c in at.caption)
    sync_now = next(b for b in at.button if b.label == "Sync now")
    sync_now.click().run()
    assert_page_ok(at, "Settings")
    synced = [shown(s.value) for s in at.success if "Synced" in s.value]
    assert synced and re.match(
        r"Synced 1 worksheet\(s\) \([1-9][\d,]* rows on the sheets\) in 4 requests", synced[0]
    )
    assert _frame(at, "last sync").iloc[0]["status"] == "ok"

    row = fake.row_of(KEY, CAL, "ID", vid)
    fake.type(KEY, CAL, row, "Status", "approved")
    fake.type(KEY, CAL, row, "Title", "Sheet title")
    post, variant = post_of(db, vid)
    with write_session(db) as s:
        composer.update_post(
            s,
            person(db, EDITOR),
            post.id,
            drafts.PostDraft(
                title="App title",
                master_copy=post.master_copy,
                post_type="text",
                variants=(drafts.VariantDraft("lumi-facebook", variant.copy, variant.scheduled_at),),
            ),
            post.version,
        )
    next(b for b in at.button if b.label == "Sync now").click().run()
    problems = _frame(at, "sheet values")
    (conflict,) = problems.to_dict("records")
    assert conflict["problem"] == "Conflict" and "Title: Sheet title" in conflict["sheet values"]
    assert "Title: App title" in conflict["database values"], "a flagged conflict shows both values"

    at.selectbox(key="sheet_problem_decision").select("sheet")
    at.button(key="sheet_problem_decide").click().run()
    assert any("next sync carries it out" in shown(s.value) for s in at.success)
    next(b for b in at.button if b.label == "Sync now").click().run()
    problems = _frame(at, "sheet values")
    (refused,) = problems.to_dict("records")
    assert refused["problem"] == "Edit refused" and "not to approved" in refused["message"], (
        "the sheet cannot approve"
    )
    assert post_of(db, vid)[0].title == "App title", "the row was refused as a whole: nothing half-applied"
    assert "Refused" in fake.records(KEY, CAL)[row - 2]["Sync status"]
