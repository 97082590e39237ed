"""The Calendar page (AppTest) on the demo workspace: every view renders for an editor, a viewer and a
manager, for one brand and for all; the feed preview and best-time tabs render; the table view lists the
posts; the calendar component itself shows as an UnknownElement (AppTest cannot drive it, so the
payload translation is tested in tests/ui/content/test_calendar_grid.py)."""

from __future__ import annotations

import pytest
from pagekit import assert_page_ok, new_app, signed_in
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

PAGE = "pages/plan/calendar.py"
EDITOR = "farah.aziz@kopi.example"
VIEWER = "jon.lee@kopi.example"
MANAGER = "mei.lim@kopi.example"


@pytest.fixture
def app(module_demo_db: Engine, use_db) -> AppTest:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    return new_app()


def open_calendar(at: AppTest, email: str, brand: str | None = None, **state: object) -> AppTest:
    if brand:
        at.session_state["brand"] = brand
    for key, value in state.items():
        at.session_state[key] = value
    signed_in(at, email).run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert_page_ok(at, "Calendar")
    return at


def grid_rendered(at: AppTest) -> bool:
    """The streamlit-calendar component is in the page (AppTest shows it as an unknown element)."""
    return any(type(e).__name__ == "UnknownElement" and e.type == "component_instance" for e in at.main)


@pytest.mark.parametrize("email", [EDITOR, VIEWER, MANAGER])
@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_each_view_renders_for_each_role(app: AppTest, email: str, view: str) -> None:
    at = open_calendar(app, email, "lumi", cal_view=view)
    assert at.segmented_control(key="cal_view").value == view
    assert grid_rendered(at)
    captions = " ".join(c.value for c in at.caption)
    assert "Asia/Singapore" in captions, "the grid says which time zone it shows"
    labels = [m.label for m in at.multiselect]
    assert labels == ["Channel", "Campaign", "Pillar", "Status", "Owner"]


def test_editor_is_invited_to_drag_and_viewer_is_not(app: AppTest) -> None:
    at = open_calendar(app, EDITOR, "lumi")
    editor_caption = " ".join(c.value for c in at.caption)
    viewer = open_calendar(new_app(), VIEWER, "lumi")
    viewer_caption = " ".join(c.value for c in viewer.caption)
    assert "Drag a post" in editor_caption
    assert "Drag a post" not in viewer_caption


def test_all_brands_and_navigation(app: AppTest) -> None:
    at = open_calendar(app, MANAGER)
    before = at.date_input[0].value
    next(b for b in at.button if b.label == "Next").click().run()
    assert_page_ok(at, "Calendar")
    assert at.date_input[0].value != before
    next(b for b in at.button if b.label == "Today").click().run()
    assert at.date_input[0].value == before


def test_list_view_shows_the_table(app: AppTest) -> None:
    at = open_calendar(app, EDITOR, "warisan", cal_view="list")
    assert any(e.label.startswith("The ") for e in at.expander)
    downloads = [d.proto.label for d in at.get("download_button")]
    assert {"CSV", "XLSX", "ICS", "Download CSV"} <= set(downloads), (
        "exports of the dates shown, and the table"
    )


def test_filters_apply(app: AppTest) -> None:
    at = open_calendar(app, EDITOR, "lumi")
    status = next(m for m in at.multiselect if m.label == "Status")
    status.set_value(["published"]).run()
    assert_page_ok(at, "Calendar")
    colour = at.radio[0]
    colour.set_value("channel").run()
    assert_page_ok(at, "Calendar")


@pytest.mark.parametrize("email", [EDITOR, VIEWER, MANAGER])
def test_feed_preview_tab_renders(app: AppTest, email: str) -> None:
    at = open_calendar(app, email, "lumi", cal_tab="Feed preview")
    assert not grid_rendered(at), "only the open tab runs"
    box = at.selectbox(key="feed_channel")
    assert box.value is not None
    for i in range(len(box.options)):  # grid platforms (Instagram, TikTok) and timelines alike
        at.selectbox(key="feed_channel").select_index(i).run()
        assert_page_ok(at, "Calendar")


@pytest.mark.parametrize("email", [EDITOR, VIEWER, MANAGER])
def test_best_times_tab_renders(app: AppTest, email: str) -> None:
    at = open_calendar(app, email, "senja", cal_tab="Best times")
    assert any(e.label == "How this was computed" for e in at.expander)
    assert any("measured posts" in c.value for c in at.caption)


def test_a_manager_sees_the_utm_form_and_an_editor_does_not(app: AppTest) -> None:
    manager = open_calendar(app, MANAGER, "lumi")
    assert any("UTM conventions" in e.label for e in manager.expander)
    editor = open_calendar(new_app(), EDITOR, "lumi")
    assert not any("UTM conventions" in e.label for e in editor.expander)
