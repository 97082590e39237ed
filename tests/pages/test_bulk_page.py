"""The Import & export page in AppTest: an editor checks a file (a dry run with the refused rows in a
table and a preview), imports it with the valid rows only, cannot import the same upload twice, and
finds the template and calendar downloads."""

from __future__ import annotations

from bulkfiles import COPY_MS, COPY_ZH, hootsuite_csv, hootsuite_time, local_time
from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import Post
from app.services.org import users
from app.ui.shell.navigation import pages_for

EDITOR = "farah.aziz@kopi.example"
PAGE = "pages/plan/bulk.py"


def open_page(email: str = EDITOR, brand: str | None = "warisan") -> AppTest:
    at = signed_in(new_app(), email).run()
    at = at.switch_page(PAGE).run()
    if brand:
        at.selectbox(key="brand").set_value(brand).run()
    return at


def imported(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Post).where(Post.import_batch.is_not(None))) or 0


def hootsuite_file() -> bytes:
    good = local_time(4, 10, 0)
    return hootsuite_csv(
        [
            (hootsuite_time(good, "dmy"), COPY_MS, "https://warisan.example"),
            ("31/02/2030 10:00", COPY_ZH, ""),
            (hootsuite_time(good.replace(hour=11), "dmy"), "x" * 300, ""),
        ]
    )


def test_the_page_asks_for_one_brand_and_offers_the_downloads(module_demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    at = open_page(brand=None)
    assert_page_ok(at, "Import & export")
    assert any("Pick one brand in the sidebar" in i.value for i in at.info)
    labels = [b.label for b in at.get("download_button")]
    assert {"Template (XLSX)", "Template (CSV)", "Download the calendar (CSV)"} <= set(labels)
    at.selectbox(key="export_format").set_value("ics").run()
    assert "Download the calendar (ICS)" in [b.label for b in at.get("download_button")]


def test_check_then_import_the_valid_rows(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_page()
    assert_page_ok(at, "Import & export")
    assert at.button(key="bulk_check").disabled
    at.file_uploader(key="bulk_file").set_value(("hootsuite.csv", hootsuite_file(), "text/csv")).run()
    at.selectbox(key="bulk_channel").set_value("warisan-x").run()

    at.button(key="bulk_check").click().run()
    assert not at.exception and imported(demo_db) == 0
    assert any(shown(m.value).startswith("Dry run of 3 rows: 1 posts with 1 variants") for m in at.markdown)
    refused = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(refused["row"]) == [2, 3]
    assert refused.iloc[0]["value"] == "31/02/2030 10:00" and refused.iloc[0]["column"] == "A (date and time)"
    assert refused.iloc[1]["reason"] == "X: 300 characters, the limit is 280 (20 too many)"
    preview = next(d.value for d in at.dataframe if "platform" in d.value.columns)
    assert list(preview["channel"]) == ["warisan-x"]

    at.button(key="bulk_import").click().run()  # all-or-nothing: refused
    assert any("Nothing imported: 2 rows refused" in shown(e.value) for e in at.error)
    assert imported(demo_db) == 0

    at.checkbox(key="bulk_valid_only").check().run()
    at.button(key="bulk_import").click().run()
    assert not at.exception
    assert any(shown(s.value).startswith("Import finished") for s in at.success)
    assert imported(demo_db) == 1
    at.run()  # the same upload cannot be imported twice
    assert at.button(key="bulk_import").disabled
    assert any("This file was imported (batch imp-" in shown(c.value) for c in at.caption)


def test_a_hootsuite_file_without_a_channel_is_explained(module_demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    at = open_page()
    at.file_uploader(key="bulk_file").set_value(("hootsuite.csv", hootsuite_file(), "text/csv")).run()
    at.button(key="bulk_check").click().run()
    assert any("has no channel column" in shown(e.value) for e in at.error)


def test_a_viewer_has_no_import_page(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        viewer = users.load_actor(s, "jon.lee@kopi.example")
    assert viewer is not None and PAGE not in [p.path for p in pages_for(viewer)]
