"""Editing the metrics dictionary: workspace KPI editors add and change metrics and platform fields
(audited, version-checked); formulas are checked against the base metrics; base metrics keep their
shape; brand-only roles and viewers are refused; the importers see every alias, deprecated ones too."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, MetricDefinition
from app.models import MetricSourceMapping as Mapping
from app.models.enums import Platform, Role
from app.services.core import Actor, Conflict, PermissionDenied, ValidationError
from app.services.measurement import FormulaError, rollup_reads
from app.services.measurement import dictionary as md

MANAGER = Actor(email="lead@example.com", name="Lead", workspace_role=Role.MANAGER)
SAVES_RATE = md.MetricInput(
    key="save_rate",
    name="Save rate",
    description="Saves per reach",
    unit="percent",
    formula="saves / reach",
    objective="engagement",
    indicator="leading",
    aggregation="avg",
)


def _audits(engine: Engine, object_type: str) -> list[AuditLog]:
    with read_session(engine) as s:
        return list(
            s.scalars(select(AuditLog).where(AuditLog.object_type == object_type).order_by(AuditLog.id))
        )


def test_a_manager_adds_a_derived_metric_and_dashboards_compute_it(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        md.save_metric(s, MANAGER, SAVES_RATE)
    with read_session(demo_db) as s:
        brand_ids = list(s.scalars(select(Brand.id)))
        frame = rollup_reads.with_kpis(
            rollup_reads.period_totals(s, MANAGER, brand_ids, date(2020, 1, 1), date(2030, 1, 1), by="brand"),
            s,
        )
    assert (frame["save_rate"] == frame["saves"] / frame["reach"]).all()
    (entry,) = _audits(demo_db, "metric_definition")
    assert (
        entry.action == "create"
        and entry.object_id == "save_rate"
        and entry.after["formula"] == "saves / reach"
    )


def test_an_unknown_name_is_refused_by_name_and_nothing_is_written(demo_db: Engine) -> None:
    with pytest.raises(FormulaError, match="unknown metric 'savez'"), write_session(demo_db) as s:
        md.save_metric(s, MANAGER, md.MetricInput(key="x_rate", name="X", formula="savez / reach"))
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).where(MetricDefinition.key == "x_rate")) == 0
    assert md.check_formula("savez / reach").ok is False
    assert md.check_formula("saves / reach").uses == ("reach", "saves")


def test_editing_checks_the_version_and_records_before_and_after(demo_db: Engine) -> None:
    with read_session(demo_db) as s:
        version = s.scalars(
            select(MetricDefinition.version).where(MetricDefinition.key == "engagement_rate")
        ).one()
    change = md.MetricInput(
        key="engagement_rate",
        name="Engagement rate",
        unit="percent",
        formula="(likes + comments + shares + saves) / impressions",
        objective="engagement",
        aggregation="avg",
    )
    with write_session(demo_db) as s:
        md.save_metric(s, MANAGER, change, expected_version=version)
    with pytest.raises(Conflict), write_session(demo_db) as s:
        md.save_metric(s, MANAGER, change, expected_version=version)  # the version read before the save
    (entry,) = _audits(demo_db, "metric_definition")
    assert entry.before["formula"] == "engagements / impressions"
    assert entry.after["formula"].startswith("(likes")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (md.MetricInput(key="impressions", name="Impressions", formula="reach * 2"), "formula"),
        (
            md.MetricInput(key="followers", name="Followers", objective="awareness", aggregation="sum"),
            "aggregation",
        ),
        (md.MetricInput(key="Bad Key", name="x"), "key"),
        (md.MetricInput(key="ok_key", name=""), "name"),
        (md.MetricInput(key="ok_key", name="x", unit="furlongs"), "unit"),
    ],
)
def test_refused_inputs_name_the_field(demo_db: Engine, data: md.MetricInput, field: str) -> None:
    with pytest.raises(ValidationError) as info, write_session(demo_db) as s:
        md.save_metric(s, MANAGER, data)
    assert info.value.field == field


def test_brand_only_roles_and_viewers_may_not_edit(demo_db: Engine) -> None:
    with read_session(demo_db) as s:
        brand_id = s.scalars(select(Brand.id)).first()
    brand_manager = Actor(email="bm@example.com", workspace_role=None, brand_roles={brand_id: Role.MANAGER})
    viewer = Actor(email="v@example.com", workspace_role=Role.VIEWER)
    for who in (brand_manager, viewer):
        with pytest.raises(PermissionDenied), write_session(demo_db) as s:
            md.save_metric(s, who, SAVES_RATE)
        with pytest.raises(PermissionDenied), write_session(demo_db) as s:
            md.save_mapping(s, who, md.MappingInput("reach", "instagram", "Accounts reached"))


def test_a_used_or_base_metric_cannot_be_removed_an_unused_one_can(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        md.save_metric(s, MANAGER, SAVES_RATE)
    with pytest.raises(ValidationError, match="base metric"), write_session(demo_db) as s:
        md.delete_metric(s, MANAGER, "impressions")
    with write_session(demo_db) as s:
        md.delete_metric(s, MANAGER, "save_rate")
    assert [a.action for a in _audits(demo_db, "metric_definition")] == ["create", "delete"]


def test_a_renamed_platform_field_keeps_both_names_with_dates(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        md.save_mapping(
            s,
            MANAGER,
            md.MappingInput("reach", "instagram", "Accounts reached", valid_from=date(2025, 4, 21)),
        )
        md.save_mapping(
            s,
            MANAGER,
            md.MappingInput(
                "reach", "instagram", "Reach", valid_to=date(2025, 4, 21), deprecated=True, note="renamed"
            ),
        )
    with pytest.raises(ValidationError, match="before valid from"), write_session(demo_db) as s:
        md.save_mapping(
            s,
            MANAGER,
            md.MappingInput(
                "reach", "instagram", "X", valid_from=date(2025, 5, 1), valid_to=date(2025, 1, 1)
            ),
        )
    with pytest.raises(ValidationError, match="not in the dictionary"), write_session(demo_db) as s:
        md.save_mapping(s, MANAGER, md.MappingInput("nope", "instagram", "X"))
    with read_session(demo_db) as s:
        fields = {
            (f.source_field, f.metric_key, f.deprecated) for f in md.platform_fields(s, Platform.INSTAGRAM)
        }
    assert {
        ("Accounts reached", "reach", False),
        ("Reach", "reach", True),
        ("impressions", "impressions", True),
    } <= fields
    assert ("views", "impressions", False) in fields
    with read_session(demo_db) as s:
        old_id = s.scalar(
            select(Mapping.id).where(Mapping.source_field == "Reach", Mapping.platform == "instagram")
        )
    with write_session(demo_db) as s:
        md.delete_mapping(s, MANAGER, old_id)
    with read_session(demo_db) as s:
        assert ("Reach", "reach", True) not in {
            (f.source_field, f.metric_key, f.deprecated) for f in md.platform_fields(s, Platform.INSTAGRAM)
        }
    assert [a.action for a in _audits(demo_db, "metric_source_mapping")] == ["create", "update", "delete"]
