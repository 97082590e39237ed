"""The measurement dashboards in AppTest on the demo workspace: Overview (every view), KPIs and
Competitors render for an editor and a manager, show the demo brand's own numbers, and their filters
change what is shown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pagekit import assert_page_ok, new_app, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import Brand, Campaign
from app.services.core import Actor
from app.services.measurement import overview
from app.ui.widgets.components import _format

EDITOR = "farah.aziz@kopi.example"
MANAGER = "mei.lim@kopi.example"
OVERVIEW = "pages/home/overview.py"
VIEWS = ("executive", "channels", "portfolio", "platforms", "trends", "strategy")


def _open(email: str, page: str, brand: str | None = "warisan", period: str | None = None) -> AppTest:
    at = signed_in(new_app(), email)
    if brand:
        at.query_params["brand"] = brand
    if period:
        at.session_state["period"] = period
    at.run()
    return at.switch_page(page).run()


def _view(at: AppTest, view: str) -> AppTest:
    next(g for g in at.get("button_group") if g.key == "overview_view").set_value(view).run()
    return at


@pytest.fixture
def app_db(module_demo_db: Engine, use_db) -> Engine:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    return module_demo_db


@pytest.mark.parametrize("email", [EDITOR, MANAGER])
def test_every_overview_view_renders(app_db: Engine, email: str) -> None:
    at = _open(email, OVERVIEW)
    assert_page_ok(at, "Overview")
    for view in VIEWS:
        _view(at, view)
        assert_page_ok(at, "Overview")


def test_executive_tiles_show_the_brand_numbers(app_db: Engine) -> None:
    at = _open(MANAGER, OVERVIEW)
    end = date.today()
    start = end - timedelta(days=29)
    with read_session(app_db) as s:
        warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        kpis = {k.label: k for k in overview.headline_kpis(s, Actor.system("t"), [warisan], start, end)}
    tiles = {m.label: m.value for m in at.metric}
    for label in ("Impressions", "Engagements", "Engagement rate"):
        assert tiles[label] == _format(kpis[label].value, kpis[label].unit)
    # Targets: the demo has monthly and quarterly ones for every brand; each is counted once by status.
    counted = sum(int(tiles[s]) for s in ("On track", "At risk", "Behind", "No data"))
    assert counted == 12
    headers = [h.value for h in at.subheader]
    assert {"What changed", "What to do next", "Top posts", "Bottom posts"} <= set(headers)
    assert at.markdown, "the changes and actions are written out"


def test_the_viral_day_is_an_anomaly_with_its_cause(app_db: Engine) -> None:
    at = _open(EDITOR, OVERVIEW, period="Last 90 days")
    _view(at, "trends")
    at.selectbox(key="overview_trend_kpi").set_value("impressions").run()
    assert_page_ok(at, "Overview")
    found = at.dataframe[-1].value
    viral = date.today() - timedelta(days=41)
    spikes = found[found["direction"] == "spike"]
    assert any(abs((d - viral).days) <= 2 for d in spikes["day"]), spikes
    assert spikes["likely cause"].str.contains("TikTok").any()
    marks = at.dataframe[0].value
    assert "campaign" in set(marks["kind"])


def test_platform_filter_narrows_the_channels(app_db: Engine) -> None:
    at = _open(MANAGER, OVERVIEW)
    _view(at, "channels")
    everything = at.dataframe[0].value
    assert len(everything) > 1
    at.multiselect(key="overview_platform").set_value(["tiktok"]).run()
    assert_page_ok(at, "Overview")
    tiktok = at.dataframe[0].value
    assert set(tiktok["platform"]) == {"tiktok"} and len(tiktok) < len(everything)


def test_portfolio_ranks_every_brand(app_db: Engine) -> None:
    at = _open(MANAGER, OVERVIEW, brand=None)
    _view(at, "portfolio")
    assert_page_ok(at, "Overview")
    ranking = at.dataframe[0].value
    assert list(ranking["rank"]) == [1, 2, 3]
    assert ranking["engagements change"].is_monotonic_decreasing


def test_platform_comparison_is_normalised(app_db: Engine) -> None:
    at = _open(EDITOR, OVERVIEW)
    _view(at, "platforms")
    table = at.dataframe[0].value
    assert table["engagement rate"].between(0, 1).all()
    assert table["engagement rate"].is_monotonic_decreasing


KPIS = "pages/measure/kpis.py"


@pytest.mark.parametrize("email", [EDITOR, MANAGER])
def test_kpis_page_shows_progress_anomalies_and_a_forecast_with_its_error(app_db: Engine, email: str) -> None:
    at = _open(email, KPIS)
    assert_page_ok(at, "KPIs")
    progress = next(d.value for d in at.dataframe if "forecast % of target" in d.value.columns)
    assert len(progress) == 12 and set(progress["brand"]) == {"Warisan Kopitiam"}
    assert set(progress["status"]) <= {"on track", "at risk", "behind", "no data"}
    labels = [m.label for m in at.metric]
    assert "Error, Holt-Winters (MAPE)" in labels and "Error, same weekday last week" in labels
    assert any("held out" in c.value for c in at.caption)


def test_kpis_anomaly_sensitivity_changes_what_is_flagged(app_db: Engine) -> None:
    at = _open(MANAGER, KPIS, period="Last 90 days")

    def flagged() -> int:
        frames = [d.value for d in at.dataframe if "likely cause" in d.value.columns]
        return len(frames[0]) if frames else 0

    normal = flagged()
    at.selectbox(key="kpi_anomaly_sensitivity").set_value("high").run()
    assert_page_ok(at, "KPIs")
    high = flagged()
    at.selectbox(key="kpi_anomaly_sensitivity").set_value("low").run()
    low = flagged()
    assert low <= normal <= high and low < high


COMPETITORS = "pages/measure/competitors.py"


@pytest.mark.parametrize("email", [EDITOR, MANAGER])
def test_competitors_page_shows_benchmarks_and_share_of_voice(app_db: Engine, email: str) -> None:
    at = _open(email, COMPETITORS, period="Last 90 days")
    assert_page_ok(at, "Competitors")
    bench = at.dataframe[0].value
    assert len(bench) > 0 and set(bench["brand"]) == {"Warisan Kopitiam"}
    voice = [m for m in at.metric if m.label.startswith("Your share of voice on")]
    assert voice and all(m.value.endswith("%") for m in voice)
    # Shares of voice on a platform add up to at most 100% with the brand's own.
    assert (bench.groupby("platform")["share of voice"].sum() <= 1.0 + 1e-9).all()
    # Only managers (who may edit benchmarks) see the import.
    importing = any("Import competitor benchmarks" in e.label for e in at.expander)
    assert importing == (email == MANAGER)


def test_a_manager_keeps_a_sensitivity_for_the_brand(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    from app.services.measurement import anomaly_settings

    use_db(demo_db)
    at = _open(MANAGER, KPIS)
    at.selectbox(key="kpi_anomaly_sensitivity").set_value("high").run()
    at.button(key="kpi_anomaly_save").click().run()
    assert_page_ok(at, "KPIs")
    with read_session(demo_db) as s:
        warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        assert anomaly_settings.sensitivity_for(s, [warisan]) == "high"
    editor = _open(EDITOR, KPIS)
    assert editor.selectbox(key="kpi_anomaly_sensitivity").value == "high"
    editor.selectbox(key="kpi_anomaly_sensitivity").set_value("low").run()
    assert not [b for b in editor.button if b.key == "kpi_anomaly_save"], "editors may not set targets' rules"


def test_a_manager_sets_a_target_and_sees_its_progress(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = _open(MANAGER, KPIS)
    at.selectbox(key="target_metric").set_value("clicks").run()
    at.selectbox(key="target_kind").set_value("week").run()
    at.text_input(key="target_value").set_value("1,500").run()
    at.button(key="target_save").click().run()
    assert_page_ok(at, "KPIs")
    assert any("Target saved: Link clicks, week" in s.value for s in at.success)
    progress = next(d.value for d in at.dataframe if "forecast % of target" in d.value.columns)
    weekly = progress[(progress["period"] == "week") & (progress["key"] == "clicks")]
    assert len(weekly) == 1 and weekly.iloc[0]["target"] == 1500
    at.button(key="target_save").click().run()  # the same target again
    assert any("there is a target for clicks in the week" in e.value for e in at.error)
    # Editors may not set targets: no form for them.
    assert not [s for s in _open(EDITOR, KPIS).selectbox if s.key == "target_metric"]


def test_a_campaign_narrows_the_dates_and_the_numbers(app_db: Engine) -> None:
    at = _open(MANAGER, OVERVIEW, period="Last 90 days")
    before = {m.label: m.value for m in at.metric}["Impressions"]
    narrowed: list[str] = []
    with read_session(app_db) as s:
        warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        campaigns = s.scalars(select(Campaign.id).where(Campaign.brand_id == warisan)).all()
    for campaign in campaigns:
        at.selectbox(key="overview_campaign").set_value(campaign).run()
        narrowed = [c.value for c in at.caption if c.value.startswith("Dates narrowed to")]
        if narrowed:
            break
    assert narrowed, "a demo campaign of the brand ran in the last 90 days"
    assert_page_ok(at, "Overview")
    assert {m.label: m.value for m in at.metric}["Impressions"] != before
