"""Objectives and audience segments: what is stored and shown, edits audited field by field, a stale
version refused, archiving, and bad input refused naming its field (nothing written)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AudienceSegment, AuditLog, Objective
from app.services.core import Actor, Conflict, ValidationError
from app.services.strategy import objectives, segments

ADMIN = Actor.system("test:admin")


def _entries(engine: Engine, object_type: str) -> list[AuditLog]:
    with read_session(engine) as s:
        return list(
            s.scalars(select(AuditLog).where(AuditLog.object_type == object_type).order_by(AuditLog.id))
        )


def test_an_objective_names_its_kpi_target_and_period(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = strategy_db
    with write_session(engine) as s:
        o = objectives.create_objective(
            s,
            ADMIN,
            brand="lumi",
            name="  Sell online ",
            kind="Conversion",
            kpi_metric="Engagement rate",
            target_value="4.5",
            period_start="2027-01-01",
            period_end="2027-06-30",
        )
    assert (o.name, o.kind, o.kind_label) == ("Sell online", "conversion", "Conversion")
    assert (o.kpi_metric_key, o.kpi_metric_name, o.target_value) == (
        "engagement_rate",
        "Engagement rate",
        Decimal("4.5"),
    )
    assert (o.brand_slug, o.brand_name, o.archived, o.version) == ("lumi", "Lumi Skincare", False, 1)
    created = _entries(engine, "objective")[-1]
    assert created.action == "create" and created.object_label == "Sell online"
    assert created.after["kpi_metric_key"] == "engagement_rate"


def test_an_objective_edit_is_audited_and_a_stale_one_refused(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        o = objectives.update_objective(
            s, ADMIN, ids["objective"], version=1, target_value=60000, kpi_metric=None
        )
    assert (o.target_value, o.kpi_metric_key, o.version) == (Decimal("60000.0000"), None, 2)
    entry = _entries(engine, "objective")[-1]
    assert entry.action == "update"
    assert entry.before == {"kpi_metric_key": "reach", "target_value": "50000.0000"}
    assert entry.after == {"kpi_metric_key": None, "target_value": "60000.0000"}
    with write_session(engine) as s, pytest.raises(Conflict, match="changed by someone else"):
        objectives.update_objective(s, ADMIN, ids["objective"], version=1, name="Overwrite")
    with read_session(engine) as s:
        assert s.get(Objective, ids["objective"]).name == "Be known in Singapore"
    # Nothing changed: nothing logged.
    count = len(_entries(engine, "objective"))
    with write_session(engine) as s:
        objectives.update_objective(s, ADMIN, ids["objective"], version=2, target_value="60000")
    assert len(_entries(engine, "objective")) == count


def test_an_archived_objective_leaves_the_list_and_comes_back(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        assert objectives.archive_objective(s, ADMIN, ids["objective"]).archived
        assert objectives.list_objectives(s, ADMIN, brand="lumi") == []
        assert [o.archived for o in objectives.list_objectives(s, ADMIN, include_archived=True)] == [True]
        assert not objectives.archive_objective(s, ADMIN, ids["objective"], archived=False).archived
    assert [e.action for e in _entries(engine, "objective")][-2:] == ["archive", "restore"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"brand": "nope"}, "brand", "no brand 'nope'"),
        ({"name": "  "}, "name", "name is required"),
        ({"name": "be known in singapore"}, "name", "already has an objective named"),
        ({"kind": "fame"}, "kind", "kind 'fame' is not one of"),
        ({"kpi_metric": "likes"}, "kpi_metric", "metric 'likes' is not in the metrics dictionary"),
        ({"target_value": "lots"}, "target_value", "target_value 'lots' is not a number"),
        ({"period_start": "2027-13-01"}, "period_start", "is not a date"),
        ({"period_start": "2027-03-01", "period_end": "2027-02-01"}, "period_end", "is before the start"),
        ({"description": "a\x00b"}, "description", "NUL"),
    ],
)
def test_bad_objective_input_names_its_field(strategy_db, fields, field, message) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = strategy_db
    values = {"brand": "lumi", "name": "New goal", "kind": "engagement", **fields}
    with write_session(engine) as s, pytest.raises(ValidationError, match=message) as err:
        objectives.create_objective(s, ADMIN, **values)
    assert err.value.field == field
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Objective)) == 1
    assert len(_entries(engine, "objective")) == 1


def test_objective_edits_refuse_unknown_fields_and_bad_ranges(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        with pytest.raises(ValidationError, match="'brand_id' cannot be changed") as err:
            objectives.update_objective(s, ADMIN, ids["objective"], version=1, brand_id=2)
        assert err.value.field == "brand_id"
        objectives.update_objective(s, ADMIN, ids["objective"], version=1, period_start="2027-04-01")
        with pytest.raises(ValidationError, match="period_end 2027-03-31 is before the start 2027-04-01"):
            objectives.update_objective(s, ADMIN, ids["objective"], version=2, period_end="2027-03-31")
        with pytest.raises(LookupError, match="no objective 999"):
            objectives.update_objective(s, ADMIN, 999, version=1, name="x")


def test_a_segment_keeps_known_markets_and_platforms_once(strategy_db) -> None:  # type: ignore[no-untyped-def]
    engine, ids = strategy_db
    with write_session(engine) as s:
        g = segments.create_segment(
            s,
            ADMIN,
            brand="lumi",
            name="Students",
            markets="SG, my, sg",
            platforms=["TikTok", "instagram", "tiktok"],
        )
        assert (g.markets, g.platforms, g.version) == (("sg", "my"), ("tiktok", "instagram"), 1)
        g = segments.update_segment(s, ADMIN, g.id, version=1, markets=[], description="18-24")
        assert (g.markets, g.description, g.version) == ((), "18-24", 2)
        with pytest.raises(Conflict):
            segments.update_segment(s, ADMIN, g.id, version=1, name="Pupils")
        assert segments.archive_segment(s, ADMIN, ids["segment"]).archived
        assert [x.name for x in segments.list_segments(s, ADMIN)] == ["Students"]
    actions = [e.action for e in _entries(engine, "audience_segment")]
    assert actions == ["create", "create", "update", "archive"]
    assert _entries(engine, "audience_segment")[2].after == {"markets": [], "description": "18-24"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"brand": ""}, "brand", "brand is required"),
        ({"name": "young professionals"}, "name", "already has a segment named"),
        ({"markets": ["sg", "th"]}, "markets", "no market 'th'"),
        ({"platforms": "myspace"}, "platforms", "platforms 'myspace' is not one of"),
    ],
)
def test_bad_segment_input_names_its_field(strategy_db, fields, field, message) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = strategy_db
    values = {"brand": "lumi", "name": "Parents", **fields}
    with write_session(engine) as s, pytest.raises(ValidationError, match=message) as err:
        segments.create_segment(s, ADMIN, **values)
    assert err.value.field == field
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(AudienceSegment)) == 1
