"""The Strategy page (AppTest) on a clean workspace (no demo): a manager creates an objective, a pillar and
a campaign through the page and sees them in the tables as people read them; a bad campaign is refused
with the field named and nothing written; an editor and a viewer read the strategy without edit forms."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pages"))

from pagekit import assert_page_ok, new_app, shown, signed_in

from app.db import dispose_engine, read_session, write_session
from app.models import Campaign, ContentPillar, Objective
from app.services.core import Actor
from app.services.org import brands, channels, markets, prepare_database, users
from app.services.strategy import campaigns, objectives, pillars

PAGE = "pages/plan/strategy.py"
MANAGER = "mia@clean.example"
EDITOR = "eddie@clean.example"
VIEWER = "vera@clean.example"
SYSTEM = Actor.system("test:strategy-page")
EDIT_BUTTONS = {"Create objective", "Create segment", "Create pillar", "Create campaign"}


@pytest.fixture
def clean(empty_db: Engine, use_db) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A workspace made as a new agency would (no demo): one market, one brand, one channel, three people."""
    prepare_database(empty_db, seed_demo=None)
    with write_session(empty_db) as s:
        markets.create_market(
            s,
            SYSTEM,
            code="sg",
            name="Singapore",
            country_code="SG",
            languages="en",
            timezone="Asia/Singapore",
            currency="SGD",
        )
        brands.create_brand(s, SYSTEM, slug="kopi", name="Kopi Lab", market="sg")
        channels.create_channel(s, SYSTEM, brand="kopi", platform="instagram", handle="@kopilab")
        users.add_user(s, SYSTEM, email=MANAGER, role="manager", name="Mia")
        users.add_user(s, SYSTEM, email=EDITOR, role="editor", name="Eddie")
        users.add_user(s, SYSTEM, email=VIEWER, role="viewer", name="Vera")
    use_db(empty_db)
    yield empty_db
    dispose_engine(empty_db.url.render_as_string(hide_password=False))


def open_as(email: str) -> AppTest:
    at = signed_in(new_app(), email)
    at.query_params["brand"] = "kopi"
    at.run()
    at.switch_page(PAGE).run()
    assert_page_ok(at, "Strategy")
    return at


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert_page_ok(at, "Strategy")
    return at


def successes(at: AppTest) -> list[str]:
    return [shown(s.value) for s in at.success]


def frame(at: AppTest, first_column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if first_column in d.value.columns)


def test_a_manager_builds_the_strategy_through_the_page(clean: Engine) -> None:
    at = open_as(MANAGER)
    assert "No objectives for Kopi Lab yet. Create the first one below." in [
        shown(c.value) for c in at.caption
    ]
    at.text_input(key="obj_new_name").set_value("Be known in Singapore")
    at.selectbox(key="obj_new_kind").set_value("awareness")
    at.text_input(key="obj_new_target").set_value("250,000")
    submit(at, "Create objective")
    assert any("Be known in Singapore" in m for m in successes(at)), at.error

    at.text_input(key="pil_new_name").set_value("Coffee science")
    at.number_input(key="pil_new_share").set_value(30)
    submit(at, "Create pillar")
    assert any("Coffee science" in m for m in successes(at)), at.error
    assert any("30% of 100%" in p.text for p in at.get("progress")), "the pillars' share total is shown"

    with read_session(clean) as s:
        objective_id = s.scalar(select(Objective.id))
        pillar_id = s.scalar(select(ContentPillar.id))
    at.text_input(key="camp_new_kopi_name").set_value("Cold brew launch")
    at.text_input(key="camp_new_kopi_slug").set_value("cold-brew-launch")
    at.selectbox(key="camp_new_kopi_objective").set_value(objective_id)
    at.multiselect(key="camp_new_kopi_pillars").set_value([pillar_id])
    at.text_input(key="camp_new_kopi_budget").set_value("12,000")
    submit(at, "Create campaign")
    assert any("Cold brew launch" in m for m in successes(at)), [e.value for e in at.error]

    with read_session(clean) as s:
        manager = users.load_actor(s, MANAGER)
        [camp] = campaigns.list_campaigns(s, manager, brand="kopi")
        [obj] = objectives.list_objectives(s, manager, brand="kopi")
        [pil] = pillars.list_pillars(s, manager, brand="kopi")
    assert (camp.objective_id, camp.pillar_ids, camp.currency) == (obj.id, (pil.id,), "SGD")
    assert (obj.kind, pil.target_share_pct) == ("awareness", 30)
    shown_campaigns = frame(at, "Campaign")
    row = shown_campaigns.iloc[0]
    assert (row["Objective"], row["Pillars"], row["Budget"]) == (
        "Be known in Singapore",
        "Coffee science",
        "SGD 12,000",
    )
    assert "Brand" not in shown_campaigns.columns, "one brand chosen: no brand column"
    shown_objectives = frame(at, "Objective")
    assert (
        shown_objectives.iloc[0]["Kind"] == obj.kind_label and shown_objectives.iloc[0]["Target"] == "250,000"
    )


def test_a_bad_campaign_is_refused_naming_the_field_and_nothing_is_written(clean: Engine) -> None:
    at = open_as(MANAGER)
    at.text_input(key="camp_new_kopi_name").set_value("Backwards")
    at.text_input(key="camp_new_kopi_slug").set_value("backwards")
    at.text_input(key="camp_new_kopi_budget").set_value("-5")
    submit(at, "Create campaign")
    errors = [shown(e.value) for e in at.error]
    assert any("Budget" in e for e in errors), errors
    with read_session(clean) as s:
        assert s.scalar(select(func.count()).select_from(Campaign)) == 0


@pytest.mark.parametrize("email", [EDITOR, VIEWER], ids=["editor", "viewer"])
def test_people_who_may_not_edit_read_the_strategy_without_forms(clean: Engine, email: str) -> None:
    with write_session(clean) as s:
        pillars.create_pillar(s, SYSTEM, brand="kopi", name="Coffee science", target_share_pct=30)
    at = open_as(email)
    assert not EDIT_BUTTONS & {b.label for b in at.button}
    assert not [b for b in at.button if b.label.startswith(("Save", "Archive"))]
    assert frame(at, "Pillar").iloc[0]["Target share"] == "30%"
    assert any("Managers and admins change the strategy" in c.value for c in at.caption)
    empty = [shown(c.value) for c in at.caption if shown(c.value).startswith("No campaigns")]
    assert empty == ["No campaigns for Kopi Lab yet."], "and no invitation to create one"


def test_a_chosen_row_is_edited_archived_shown_again_and_brought_back(clean: Engine) -> None:
    with write_session(clean) as s:
        first = pillars.create_pillar(s, SYSTEM, brand="kopi", name="Coffee science", target_share_pct=30)
        pillars.create_pillar(s, SYSTEM, brand="kopi", name="Cafe life", target_share_pct=20)
    at = open_as(MANAGER)
    assert any("50% of 100%" in p.text for p in at.get("progress"))
    at.selectbox(key="pil_edit_pick").set_value(first.id).run()
    form = f"pil_edit_{first.id}_{first.version}"
    share = next(n for n in at.number_input if n.form_id == form)
    share.set_value(45)
    submit(at, "Save pillar")
    assert any("Coffee science saved" in m for m in successes(at)), [e.value for e in at.error]
    assert any("65% of 100%" in p.text for p in at.get("progress"))

    at.selectbox(key="pil_edit_pick").set_value(first.id).run()
    submit(at, "Archive this pillar")
    assert list(frame(at, "Pillar")["Pillar"]) == ["Cafe life"], "archived pillars leave the table"
    assert any("20% of 100%" in p.text for p in at.get("progress")), "and the share total"
    at.toggle(key="strategy_pillars_archived").set_value(True).run()
    shown_all = frame(at, "Pillar")
    assert set(shown_all["Pillar"]) == {"Cafe life", "Coffee science"}
    assert shown_all.set_index("Pillar").loc["Coffee science", "Archived"] == "Archived"

    at.selectbox(key="pil_edit_pick").set_value(first.id).run()
    submit(at, "Unarchive this pillar")
    with read_session(clean) as s:
        [back] = [p for p in pillars.list_pillars(s, SYSTEM, brand="kopi") if p.id == first.id]
    assert (back.archived, back.target_share_pct) == (False, 45)


def test_with_all_brands_the_tables_name_the_brand_and_a_new_item_asks_for_one(clean: Engine) -> None:
    with write_session(clean) as s:
        brands.create_brand(s, SYSTEM, slug="teh", name="Teh House", market="sg")
        objectives.create_objective(s, SYSTEM, brand="kopi", name="Sell more beans", kind="conversion")
    at = signed_in(new_app(), MANAGER)
    at.run()
    at.switch_page(PAGE).run()
    assert_page_ok(at, "Strategy")
    shown_objectives = frame(at, "Objective")
    assert list(shown_objectives["Brand"]) == ["Kopi Lab"]
    at.selectbox(key="obj_new_brand").set_value("teh").run()
    at.text_input(key="obj_new_name").set_value("Open in Tampines")
    submit(at, "Create objective")
    with read_session(clean) as s:
        made = [o for o in objectives.list_objectives(s, SYSTEM) if o.name == "Open in Tampines"]
    assert [o.brand_slug for o in made] == ["teh"]
    assert set(frame(at, "Objective")["Brand"]) == {"Kopi Lab", "Teh House"}


def test_a_segment_shows_market_and_platform_names(clean: Engine) -> None:
    at = open_as(MANAGER)
    at.text_input(key="seg_new_name").set_value("Office workers")
    at.multiselect(key="seg_new_markets").set_value(["sg"])
    at.multiselect(key="seg_new_platforms").set_value(["instagram", "tiktok"])
    submit(at, "Create segment")
    assert any("Office workers" in m for m in successes(at)), [e.value for e in at.error]
    row = frame(at, "Segment").iloc[0]
    assert (row["Markets"], row["Platforms"], row["Description"]) == ("Singapore", "Instagram, TikTok", "—")
