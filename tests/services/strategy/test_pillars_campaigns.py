"""Content pillars (their target shares stay within 100% per brand) and campaigns (objective, pillars,
markets, channels, budget, utm_campaign): what is stored and shown, edits audited, a stale version
refused, archiving, and bad input refused naming its field (nothing written)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, Campaign, ContentPillar, campaign_pillars
from app.services.core import Actor, Conflict, ValidationError
from app.services.strategy import campaigns, objectives, pillars

ADMIN = Actor.system("test:admin")


def _entries(engine: Engine, object_type: str) -> list[AuditLog]:
    with read_session(engine) as s:
        return list(
            s.scalars(select(AuditLog).where(AuditLog.object_type == object_type).order_by(AuditLog.id))
        )


def _count(engine: Engine, what) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(what)) or 0


def test_pillar_shares_stay_within_all_of_a_brands_posts(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        p = pillars.create_pillar(
            s, ADMIN, brand="lumi", name="Routines", target_share_pct="60%", color="#aabbcc"
        )
        assert (p.target_share_pct, p.color, p.archived) == (60, "#AABBCC", False)
        # Another brand has its own 100%.
        assert (
            pillars.create_pillar(
                s, ADMIN, brand="teh", name="Recipes", target_share_pct=100
            ).target_share_pct
            == 100
        )
    with write_session(engine) as s, pytest.raises(ValidationError, match="already take 100%") as err:
        pillars.create_pillar(s, ADMIN, brand="lumi", name="Offers", target_share_pct=1)
    assert err.value.field == "target_share_pct"
    with (
        write_session(engine) as s,
        pytest.raises(ValidationError, match="other active pillars already take 60%, so at most 40% is left"),
    ):
        pillars.update_pillar(s, ADMIN, ids["pillar"], version=1, target_share_pct=61)
    with write_session(engine) as s:
        # Archived, its share no longer counts; brought back, it must fit again.
        pillars.archive_pillar(s, ADMIN, ids["pillar"])
        pillars.create_pillar(s, ADMIN, brand="lumi", name="Offers", target_share_pct=40)
    with write_session(engine) as s, pytest.raises(ValidationError, match="target_share_pct 40"):
        pillars.archive_pillar(s, ADMIN, ids["pillar"], archived=False)
    with read_session(engine) as s:
        assert [p.name for p in pillars.list_pillars(s, ADMIN, brand="lumi")] == ["Offers", "Routines"]
        assert len(pillars.list_pillars(s, ADMIN, brand="lumi", include_archived=True)) == 3
    assert [e.action for e in _entries(engine, "content_pillar")] == [
        "create",
        "create",
        "create",
        "archive",
        "create",
    ]


def test_a_pillar_edit_is_audited_and_a_stale_one_refused(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        p = pillars.update_pillar(
            s, ADMIN, ids["pillar"], version=1, name="Skin facts", target_share_pct=None
        )
        assert (p.name, p.target_share_pct, p.version) == ("Skin facts", None, 2)
    entry = _entries(engine, "content_pillar")[-1]
    assert (entry.before, entry.after) == (
        {"name": "Skin science", "target_share_pct": 40},
        {"name": "Skin facts", "target_share_pct": None},
    )
    with write_session(engine) as s, pytest.raises(Conflict):
        pillars.update_pillar(s, ADMIN, ids["pillar"], version=1, description="late")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"brand": "nope"}, "brand", "no brand 'nope'"),
        ({"name": "SKIN SCIENCE"}, "name", "already has a pillar named"),
        ({"target_share_pct": 101}, "target_share_pct", "from 0 to 100"),
        ({"target_share_pct": -5}, "target_share_pct", "from 0 to 100"),
        ({"target_share_pct": "half"}, "target_share_pct", "is not a number"),
        ({"color": "teal"}, "color", "must look like"),
    ],
)
def test_bad_pillar_input_names_its_field(strategy_db, fields, field, message) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = strategy_db
    values = {"brand": "lumi", "name": "Offers", **fields}
    with write_session(engine) as s, pytest.raises(ValidationError, match=message) as err:
        pillars.create_pillar(s, ADMIN, **values)
    assert err.value.field == field
    assert _count(engine, ContentPillar) == 1


def test_a_campaign_holds_its_objective_pillars_markets_and_channels(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        c = campaigns.create_campaign(
            s,
            ADMIN,
            brand="lumi",
            slug="Launch-27",
            name="Serum launch",
            start_date="2027-04-01",
            end_date="2027-05-15",
            objective="be known in singapore",
            pillars=["Skin science"],
            budget="12,500.5",
            markets=["sg", "my"],
            channels=["lumi-instagram"],
        )
    assert (c.slug, c.utm_campaign, c.currency, c.budget) == (
        "launch-27",
        "launch-27",
        "SGD",
        Decimal("12500.50"),
    )
    assert (c.objective_id, c.objective_name) == (ids["objective"], "Be known in Singapore")
    assert (c.pillar_ids, c.pillar_names) == ((ids["pillar"],), ("Skin science",))
    assert (c.markets, c.channel_names, c.status, c.status_label) == (
        ("sg", "my"),
        ("Instagram @lumiskin",),
        "planned",
        "Planned",
    )
    entry = _entries(engine, "campaign")[-1]
    assert entry.action == "create" and entry.after["pillars"] == ["Skin science"]
    with read_session(engine) as s:
        assert campaigns.get_campaign(s, ADMIN, "lumi", "launch-27") == c
        assert [x.slug for x in campaigns.list_campaigns(s, ADMIN)] == ["spring-glow", "launch-27"]
        with pytest.raises(LookupError, match="no campaign 'gone'"):
            campaigns.get_campaign(s, ADMIN, "lumi", "gone")


def test_a_campaign_edit_is_audited_with_its_pillars_and_a_stale_one_refused(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        c = campaigns.update_campaign(
            s, ADMIN, ids["campaign"], version=1, pillar_ids=[ids["pillar"]], status="active", currency="usd"
        )
    assert (c.pillar_names, c.status, c.currency, c.version) == (("Skin science",), "active", "USD", 2)
    entry = _entries(engine, "campaign")[-1]
    assert entry.before == {"status": "planned", "currency": "SGD", "pillars": []}
    assert entry.after == {"status": "active", "currency": "USD", "pillars": ["Skin science"]}
    with write_session(engine) as s:
        # A change of pillars alone is a new version too, so a form read before it cannot overwrite it.
        assert campaigns.update_campaign(s, ADMIN, ids["campaign"], version=2, pillars=[]).version == 3
    with write_session(engine) as s, pytest.raises(Conflict):
        campaigns.update_campaign(s, ADMIN, ids["campaign"], version=2, name="Late")
    with (
        write_session(engine) as s,
        pytest.raises(ValidationError, match="end_date 2026-12-31 is before") as err,
    ):
        campaigns.update_campaign(s, ADMIN, ids["campaign"], version=3, end_date=date(2026, 12, 31))
    assert err.value.field == "end_date"
    with write_session(engine) as s, pytest.raises(ValidationError, match="'owner' cannot be changed"):
        campaigns.update_campaign(s, ADMIN, ids["campaign"], version=3, owner="me")


def test_archived_things_are_refused_as_new_links_but_kept_where_linked(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        campaigns.update_campaign(s, ADMIN, ids["campaign"], version=1, pillars=[ids["pillar"]])
        objectives.archive_objective(s, ADMIN, ids["objective"])
        pillars.archive_pillar(s, ADMIN, ids["pillar"])
        # The campaign keeps both, and may be saved with them.
        c = campaigns.update_campaign(
            s,
            ADMIN,
            ids["campaign"],
            version=2,
            objective=ids["objective"],
            pillars=["Skin science"],
            name="Glow",
        )
        assert (c.objective_name, c.pillar_names, c.name) == (
            "Be known in Singapore",
            ("Skin science",),
            "Glow",
        )
    with (
        write_session(engine) as s,
        pytest.raises(ValidationError, match="objective 'Be known in Singapore' is archived"),
    ):
        campaigns.create_campaign(
            s,
            ADMIN,
            brand="lumi",
            slug="x",
            name="X",
            start_date="2027-01-01",
            end_date="2027-01-02",
            objective=ids["objective"],
        )
    with (
        write_session(engine) as s,
        pytest.raises(ValidationError, match="pillar 'Skin science' is archived"),
    ):
        campaigns.create_campaign(
            s,
            ADMIN,
            brand="lumi",
            slug="x",
            name="X",
            start_date="2027-01-01",
            end_date="2027-01-02",
            pillars=[ids["pillar"]],
        )
    with write_session(engine) as s:
        assert campaigns.archive_campaign(s, ADMIN, ids["campaign"]).archived
        assert campaigns.list_campaigns(s, ADMIN) == []
        assert len(campaigns.list_campaigns(s, ADMIN, include_archived=True)) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"brand": "nope"}, "brand", "no brand 'nope'"),
        ({"slug": "Spring Sale!"}, "slug", "must be 1-64 lowercase letters"),
        ({"slug": "spring-glow"}, "slug", "has a campaign 'spring-glow' already"),
        ({"name": ""}, "name", "name is required"),
        ({"start_date": None}, "start_date", "start_date is required"),
        ({"end_date": "soon"}, "end_date", "is not a date"),
        ({"end_date": "2027-05-31"}, "end_date", "end_date 2027-05-31 is before the start 2027-06-01"),
        ({"budget": "-1"}, "budget", "budget '-1' must be at least 0"),
        ({"budget": "1e20"}, "budget", "not a usable number"),
        ({"currency": "dollars"}, "currency", "must be 3 letters"),
        ({"status": "paused"}, "status", "status 'paused' is not one of"),
        ({"objective": "World domination"}, "objective", "not one of Lumi Skincare's"),
        ({"pillars": ["Skin science", "Memes"]}, "pillars", "pillar 'Memes' is not one of"),
        ({"channels": ["teh-instagram"]}, "channels", "channel 'teh-instagram' is not one of Lumi"),
        ({"markets": ["sg", "xx"]}, "markets", "no market 'xx'"),
        ({"utm_campaign": "Summer Sale"}, "utm_campaign", "must be lowercase letters"),
        ({"utm_campaign": "spring-glow"}, "utm_campaign", "is campaign 'spring-glow''s already"),
    ],
)
def test_bad_campaign_input_names_its_field(strategy_db, fields, field, message) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = strategy_db
    values = {
        "brand": "lumi",
        "slug": "summer",
        "name": "Summer",
        "start_date": "2027-06-01",
        "end_date": "2027-08-31",
    }
    with write_session(engine) as s, pytest.raises(ValidationError, match=message) as err:
        campaigns.create_campaign(s, ADMIN, **{**values, **fields})
    assert err.value.field == field
    assert _count(engine, Campaign) == 1
    assert len(_entries(engine, "campaign")) == 1


def test_a_brands_own_campaign_pattern_governs_its_utm_values(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = strategy_db
    with write_session(engine) as s:
        s.scalars(select(Brand).where(Brand.slug == "lumi")).one().utm_conventions = {
            "campaign_pattern": "^lumi-"
        }
    with (
        write_session(engine) as s,
        pytest.raises(ValidationError, match="breaks Lumi Skincare's campaign pattern"),
    ):
        campaigns.create_campaign(
            s, ADMIN, brand="lumi", slug="summer", name="S", start_date="2027-06-01", end_date="2027-06-02"
        )
    with write_session(engine) as s:
        c = campaigns.create_campaign(
            s,
            ADMIN,
            brand="lumi",
            slug="summer",
            name="S",
            start_date="2027-06-01",
            end_date="2027-06-02",
            utm_campaign="lumi-summer",
        )
        assert c.utm_campaign == "lumi-summer"
    assert _count(engine, campaign_pillars) == 0
