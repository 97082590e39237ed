"""The Import & export page's "Import metrics" tab (AppTest): a manager checks an export (refused cells
listed, nothing written), imports a good one (written, summary shown), and an editor is told the tab
needs KPI rights."""

from __future__ import annotations

from pathlib import Path

from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import Channel, ChannelDailyMetric

PAGE = "pages/plan/bulk.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
LEAD = "mei.lim@kopi.example"  # workspace manager in the demo


def open_page(email: str) -> AppTest:
    at = signed_in(new_app(), email).run()
    at = at.switch_page(PAGE).run()
    at.selectbox(key="brand").set_value("warisan").run()
    assert_page_ok(at, "Import & export")
    return at


def upload(at: AppTest, name: str) -> AppTest:
    return (
        at.file_uploader(key="metrics_file")
        .set_value((name, (FIXTURES / name).read_bytes(), "text/csv"))
        .run()
    )


def tiktok_days(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(
            select(func.count())
            .select_from(ChannelDailyMetric)
            .join(Channel, Channel.id == ChannelDailyMetric.channel_id)
            .where(Channel.slug == "warisan-tiktok", ChannelDailyMetric.source.like("export:%"))
        )


def test_check_shows_refused_cells_then_a_good_file_imports(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = upload(open_page(LEAD), "tiktok_overview_bad.csv")
    at.button(key="metrics_check").click().run()
    assert any("Nothing imported from 4 rows: 4 rows refused" in shown(e.value) for e in at.error)
    assert "Refused cells" in [h.value for h in at.subheader]
    at = upload(at, "tiktok_overview.csv")
    at.button(key="metrics_run").click().run()
    assert not at.exception
    assert any("Wrote 2 new and 0 changed channel days" in shown(s.value) for s in at.success)
    assert tiktok_days(demo_db) == 2


def test_an_editor_needs_kpi_rights(module_demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    at = open_page("farah.aziz@kopi.example")
    assert any("does not include editing KPIs" in shown(i.value) for i in at.info)
