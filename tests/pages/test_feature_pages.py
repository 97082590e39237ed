"""The twelve feature pages render on the demo workspace (AppTest): for the local admin over all brands
and over one brand, and for a manager who belongs to one brand only. No exception, no friendly
"something went wrong", no refusal, and the page's title on screen."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pagekit import assert_page_ok, new_app, signed_in
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.services.core import Actor
from app.services.org import brands, users

FEATURE_PAGES = {
    "pages/plan/calendar.py": "Calendar",
    "pages/plan/compose.py": "Compose",
    "pages/plan/approvals.py": "Approvals",
    "pages/plan/briefs.py": "Briefs",
    "pages/plan/assets.py": "Assets",
    "pages/plan/sops.py": "SOPs",
    "pages/community/inbox.py": "Inbox",
    "pages/community/crisis.py": "Crisis",
    "pages/measure/kpis.py": "KPIs",
    "pages/measure/reports.py": "Reports",
    "pages/measure/competitors.py": "Competitors",
    "pages/admin/jobs.py": "Jobs & connections",
}
DEMO_BRANDS = ("lumi", "warisan", "senja")  # checked against the database in the test
BRAND_MANAGER = "brand.manager@pages.test"


@pytest.fixture(scope="module")
def app_db(module_demo_db: Engine) -> Engine:
    """The demo workspace plus a manager of one brand only (no workspace role)."""
    system = Actor.system("test:setup")
    with write_session(module_demo_db) as s:
        first = brands.list_brands(s, system)[0]
        users.add_user(s, system, email=BRAND_MANAGER, role="manager", brand=first.slug, name="Brand Manager")
    return module_demo_db


@pytest.fixture
def app(app_db: Engine, use_db) -> AppTest:  # type: ignore[no-untyped-def]
    use_db(app_db)
    return new_app()


@pytest.mark.parametrize("page", FEATURE_PAGES, ids=lambda p: Path(p).stem)
def test_page_renders_for_all_brands(app: AppTest, page: str) -> None:
    app.run()
    assert not app.exception
    app.switch_page(page).run()
    assert_page_ok(app, FEATURE_PAGES[page])


@pytest.mark.parametrize("slug", DEMO_BRANDS)
def test_pages_render_for_one_brand_and_a_long_period(app: AppTest, app_db: Engine, slug: str) -> None:
    with read_session(app_db) as s:
        assert slug in {b.slug for b in brands.list_brands(s, Actor.system("test"))}
    # Chosen before the first run, as a returning user's session would hold them.
    app.session_state["brand"] = slug
    app.session_state["period"] = "Last 90 days"
    app.run()
    assert app.selectbox(key="brand").value == slug
    for page, title in FEATURE_PAGES.items():
        app.switch_page(page).run()
        assert_page_ok(app, title)
        period = f"{date.today() - timedelta(days=89):%d %b %Y} – {date.today():%d %b %Y}"
        assert any(period in c.value for c in app.caption), "the page header shows the chosen period"


def test_pages_render_for_a_manager_of_one_brand(app: AppTest) -> None:
    signed_in(app, BRAND_MANAGER).run()
    assert not app.exception
    for page, title in FEATURE_PAGES.items():
        app.switch_page(page).run()
        assert_page_ok(app, title)
    # Jobs run for every brand: a brand-only manager sees the connections, not the runs.
    assert any("workspace-level" in c.value for c in app.caption)


def test_page_filters_narrow_what_is_shown(app: AppTest) -> None:
    app.run()
    app.switch_page("pages/community/inbox.py").run()
    everything = app.dataframe[0].value
    sentiment = next(g for g in app.get("button_group") if g.key == "inbox_sentiment")
    sentiment.set_value(["negative"]).run()
    assert_page_ok(app, "Inbox")
    negative = app.dataframe[0].value
    assert 0 < len(negative) < len(everything)
    assert set(negative["sentiment"]) == {"negative"}


def test_crisis_room_shows_past_incidents_and_their_timeline(app: AppTest) -> None:
    app.run()
    app.switch_page("pages/community/crisis.py").run()
    app.toggle(key="crisis_all").set_value(True).run()
    assert_page_ok(app, "Crisis")
    incidents, timeline = app.dataframe[0].value, app.dataframe[1].value
    assert len(incidents) >= 1
    assert app.selectbox(key="crisis_incident").value is not None
    assert list(timeline.columns) == ["at", "kind", "by", "entry"] and len(timeline) > 0
