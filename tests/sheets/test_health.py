"""A worksheet that cannot sync shows on Jobs & connections with Google's reason, and in the red banner
of those who manage its brand's connections; a worksheet that syncs again drops out of the banner."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ADMIN, EDITOR, KEY
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))

from pagekit import assert_page_ok, new_app, signed_in
from sheetkit import person

from app.db import read_session
from app.services import ops
from app.ui.shell import health_banner


def _banner(db: Engine, email: str) -> list[ops.Problem]:
    with read_session(db) as s:
        return [p for p in ops.problems_for_banner(s, person(db, email), []) if "Sheets" in p.subject]


def test_a_failing_worksheet_is_on_the_health_page_and_in_the_admin_banner(
    db: Engine, fake, connect, sync, use_db
) -> None:  # type: ignore[no-untyped-def]
    binding = connect("content_calendar")
    assert sync(binding).ok
    assert _banner(db, ADMIN) == []
    fake.forbidden.add(KEY)  # someone took the service account off the spreadsheet
    assert not sync(binding).ok

    (problem,) = _banner(db, ADMIN)
    assert problem.subject == "Sheets: lumi / Calendar" and "may not open" in problem.detail
    assert _banner(db, EDITOR) == [], "editors cannot fix a connection, so they get no banner"

    use_db(db)
    health_banner.clear()
    at = signed_in(new_app(), ADMIN).run()
    at.switch_page("pages/admin/jobs.py").run()
    assert_page_ok(at, "Jobs & connections")
    assert any("1 worksheet(s) failed their last sync" in e.value for e in at.error)
    sheet_rows = next(d.value for d in at.dataframe if "open problems" in d.value.columns)
    assert list(sheet_rows["status"]) == ["failed"] and "may not open" in sheet_rows["last error"].iloc[0]
    # Markdown-escaped as all user text is (`plain`): "Sheets\\: lumi / Calendar".
    assert any("lumi / Calendar" in e.value and "need attention" in e.value for e in at.error)

    fake.forbidden.discard(KEY)
    assert sync(binding).ok
    assert _banner(db, ADMIN) == []
