"""The KPIs page's "Edit dictionary" tab (AppTest): a bad formula is refused with the unknown name and
nothing changes; a good one is saved and audited; someone without workspace KPI rights reads only."""

from __future__ import annotations

import pytest
from pagekit import assert_page_ok, new_app, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import AuditLog, MetricDefinition

PAGE = "pages/measure/kpis.py"


@pytest.fixture
def app(demo_db: Engine, use_db) -> AppTest:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    assert_page_ok(at, "KPIs")
    return at


def _formula(engine: Engine, key: str) -> str | None:
    with read_session(engine) as s:
        return s.scalars(select(MetricDefinition.formula).where(MetricDefinition.key == key)).one()


def _edit(at: AppTest, formula: str) -> AppTest:
    at.selectbox(key="dict_edit_pick").set_value("click_through_rate").run()
    box = next(t for t in at.text_input if t.label == "Formula over base metrics")
    box.set_value(formula)
    next(b for b in at.button if b.label == "Save metric").click().run()
    return at


def test_a_bad_formula_is_refused_with_the_unknown_name(app: AppTest, demo_db: Engine) -> None:
    _edit(app, "clicks / impresions")
    assert any("unknown metric 'impresions'" in e.value for e in app.error)
    assert _formula(demo_db, "click_through_rate") == "clicks / impressions"


def test_a_good_formula_is_saved_and_audited(app: AppTest, demo_db: Engine) -> None:
    _edit(app, "clicks / reach")
    assert not app.exception and not [e for e in app.error if "formula" in e.value]
    assert _formula(demo_db, "click_through_rate") == "clicks / reach"
    with read_session(demo_db) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.object_type == "metric_definition")).one()
    assert entry.before["formula"] == "clicks / impressions"


def test_an_editor_reads_but_cannot_edit(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = signed_in(new_app(), "farah.aziz@kopi.example")
    at.run()
    at.switch_page(PAGE).run()
    assert_page_ok(at, "KPIs")
    assert any("workspace managers and admins edit it" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Save metric"]


def test_a_platform_field_is_removed_from_the_tab(app: AppTest, demo_db: Engine) -> None:
    from app.models import MetricSourceMapping as Mapping

    app.selectbox(key="dict_edit_pick").set_value("impressions").run()
    with read_session(demo_db) as s:
        views = s.scalar(
            select(Mapping.id).where(Mapping.platform == "instagram", Mapping.source_field == "views")
        )
    app.selectbox(key="dict_rmf_impressions").set_value(views).run()
    app.button(key="dict_rmf_go_impressions").click().run()
    assert not app.exception
    with read_session(demo_db) as s:
        assert s.get(Mapping, views) is None
