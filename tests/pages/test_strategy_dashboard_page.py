"""The Overview's "Pillars & campaigns" view on the demo: the pillar mix against target shares as a chart
and a table in words, and, with one campaign chosen in the filters, its panel (budget, spend not tracked,
objective, posts)."""

from __future__ import annotations

from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, select

from app.db import read_session
from app.models import Brand, Campaign, Post
from app.models.enums import PostStatus

MANAGER = "mei.lim@kopi.example"


def test_pillar_mix_and_campaign_panel(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = signed_in(new_app(), MANAGER)
    at.query_params["brand"] = "warisan"
    at.run()
    at.switch_page("pages/home/overview.py").run()
    next(g for g in at.get("button_group") if g.key == "overview_view").set_value("strategy").run()
    assert_page_ok(at, "Overview")
    assert any(h.value == "Pillar mix against target shares" for h in at.subheader)
    mix = at.dataframe[0].value
    assert list(mix.columns) == ["brand", "pillar", "target share", "actual share", "difference", "posts"]
    assert "Menu & makan" in set(mix["pillar"]) and "30%" in set(mix["target share"])
    assert all(d == "—" or d == "on target" or d.endswith(" pts") for d in mix["difference"])
    assert not any(m.label == "Spend" for m in at.metric)

    with read_session(demo_db) as s:
        warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        campaign = s.scalars(
            select(Campaign).where(Campaign.brand_id == warisan, Campaign.budget.is_not(None))
        ).first()
        assert campaign is not None, "a demo campaign of the brand has a budget"
        name, currency = campaign.name, campaign.currency
    at.selectbox(key="overview_campaign").set_value(campaign.id).run()
    assert_page_ok(at, "Overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Spend"] == "not tracked"
    assert metrics["Budget"].startswith(f"{currency} ")
    assert any(f"Campaign: {name}" in shown(m.value) for m in at.markdown)
    assert any(shown(m.value).startswith("Objective: ") for m in at.markdown)
    with read_session(demo_db) as s:
        titles = set(s.scalars(select(Post.title).where(Post.campaign_id == campaign.id)))
    assert titles, "the demo campaign has posts"
    # The panel lists them by title, with the channel and the status in words.
    posts = next(d.value for d in at.dataframe if "channel" in d.value.columns)
    assert set(posts["post"]) <= titles and len(posts) > 0
    assert not posts["status"].isin([s.value for s in PostStatus]).any()
