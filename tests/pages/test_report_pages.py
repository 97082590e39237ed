"""The Reports page and the Quarterly review in AppTest on the demo workspace: they render for an editor
and a manager; a manager adds and edits a schedule (a bad address is refused on the page), an editor
gets no forms; the review steps through the report's slides with Previous / Next."""

from __future__ import annotations

import pytest
from pagekit import assert_page_ok, new_app, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import ReportSchedule
from app.services.reports import TEMPLATES

EDITOR = "farah.aziz@kopi.example"
MANAGER = "mei.lim@kopi.example"
REPORTS = "pages/measure/reports.py"
REVIEW = "pages/measure/review.py"


def _open(email: str, page: str, brand: str | None = "warisan") -> AppTest:
    at = signed_in(new_app(), email)
    if brand:
        at.query_params["brand"] = brand
    at.run()
    return at.switch_page(page).run()


@pytest.fixture
def app_db(demo_db: Engine, use_db) -> Engine:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    return demo_db


@pytest.mark.parametrize("email", [EDITOR, MANAGER])
def test_reports_page_renders_and_builds_a_report(app_db: Engine, email: str) -> None:
    at = _open(email, REPORTS)
    assert_page_ok(at, "Reports")
    at.button(key="report_build").click().run()
    assert_page_ok(at, "Reports")
    assert [b.label for b in at.get("download_button") if b.key == "report_download"] == ["Download PDF"]
    subheaders = [h.value for h in at.subheader]
    assert subheaders[:2] == ["Key figures", "Targets"]
    # Only a manager gets the schedule form and the rules editor.
    manages = email == MANAGER
    assert any(t.key == "sched_aud_False" for t in at.text_input) == manages
    assert any(b.key == "rules_save" for b in at.button) == manages


def test_a_bad_period_is_named_on_the_page(app_db: Engine) -> None:
    at = _open(MANAGER, REPORTS)
    at.text_input(key="report_period").set_value("Q3").run()
    at.button(key="report_build").click().run()
    assert any("must look like 2026-Q3" in e.value.replace("\\", "") for e in at.error)


def test_manager_adds_and_edits_a_schedule(app_db: Engine) -> None:
    at = _open(MANAGER, REPORTS)
    at.text_input(key="sched_aud_False").set_value("Client board")
    at.text_input(key="sched_rcp_False").set_value("board@client.example, not-an-address")
    at.button(key="FormSubmitter:schedule_new-Add schedule").click().run()
    assert any("not-an-address" in e.value.replace("\\", "") for e in at.error)
    with read_session(app_db) as s:
        assert s.scalars(select(ReportSchedule)).all() == []
    at.text_input(key="sched_aud_False").set_value("Client board")
    at.text_input(key="sched_rcp_False").set_value("board@client.example")
    at.button(key="FormSubmitter:schedule_new-Add schedule").click().run()
    assert_page_ok(at, "Reports")
    with read_session(app_db) as s:
        saved = s.scalars(select(ReportSchedule)).one()
    assert (saved.audience, saved.recipients, saved.cadence.value) == (
        "Client board",
        ["board@client.example"],
        "monthly",
    )
    at.selectbox(key="sched_cad_True").set_value("weekly")
    at.button(key="FormSubmitter:schedule_edit-Save changes").click().run()
    assert_page_ok(at, "Reports")
    with read_session(app_db) as s:
        assert s.scalars(select(ReportSchedule)).one().cadence.value == "weekly"


@pytest.mark.parametrize("email", [EDITOR, MANAGER])
def test_review_steps_through_the_slides(app_db: Engine, email: str) -> None:
    at = _open(email, REVIEW)
    assert_page_ok(at, "Quarterly review")
    count = 1 + len(TEMPLATES["quarterly"].sections)
    assert f"**Slide 1 of {count}**" in [m.value for m in at.markdown]
    assert at.button(key="review_prev").disabled
    at.button(key="review_next").click().run()
    assert f"**Slide 2 of {count}**" in [m.value for m in at.markdown]
    assert "## Key figures" in [m.value for m in at.markdown]
    for _ in range(count - 2):
        at.button(key="review_next").click().run()
    assert f"**Slide {count} of {count}**" in [m.value for m in at.markdown]
    assert at.button(key="review_next").disabled
    assert "## Recommendations" in [m.value for m in at.markdown]
    at.button(key="review_prev").click().run()
    assert f"**Slide {count - 1} of {count}**" in [m.value for m in at.markdown]
    # Presenting hides the menu (our fixed style block) and keeps the slide.
    at.toggle(key="review_present").set_value(True).run()
    assert not at.exception
    assert f"**Slide {count - 1} of {count}**" in [m.value for m in at.markdown]
    assert any("stSidebar" in m.value for m in at.markdown)
    at.button(key="review_prev").click().run()
    assert f"**Slide {count - 2} of {count}**" in [m.value for m in at.markdown], (
        "same report while presenting"
    )


def test_a_chosen_template_survives_presenting(app_db: Engine) -> None:
    at = _open(MANAGER, REVIEW)
    at.selectbox(key="review_template").set_value("community").run()
    count = 1 + len(TEMPLATES["community"].sections)
    at.button(key="review_next").click().run()
    at.toggle(key="review_present").set_value(True).run()
    at.button(key="review_next").click().run()
    assert f"**Slide 3 of {count}**" in [m.value for m in at.markdown]
    assert "## Incidents" in [m.value for m in at.markdown]


def test_rules_editor_rows_become_rule_rows() -> None:
    import pandas as pd

    from app.ui.reports.panels import RULE_COLUMNS, rules_from_editor

    edited = pd.DataFrame(
        [
            [3.0, "Kept", "", "clicks", ">", 10.0, "Many clicks", 20.0, True],
            [None, "New", "lumi", "incidents", ">=", 1, "Incidents: {incidents}", None, None],
            [None, None, None, None, None, None, None, None, None],  # the editor's empty new row
        ],
        columns=RULE_COLUMNS,
    )
    rows = rules_from_editor(edited)
    assert [(r.id, r.name, r.brand, r.priority, r.active) for r in rows] == [
        (3, "Kept", "", 20.0, True),
        (None, "New", "lumi", 50, True),
    ]
