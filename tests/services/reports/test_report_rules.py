"""Recommendation rules and insight sentences: rules are validated field by field, evaluated through the
dictionary's formula parser (no eval), applied per brand, audited; insights state the change with its
numbers and the platform behind it."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, ReportRule
from app.services.core import Kpi, PermissionDenied, ValidationError
from app.services.org import load_actor
from app.services.reports import RuleRow
from app.services.reports import rules as report_rules
from app.services.reports.insights import insight_lines, platform_changes, rule_values

MANAGER = "mei.lim@kopi.example"
EDITOR = "farah.aziz@kopi.example"


def _rule(**kw: object) -> RuleRow:
    base = dict(id=None, name="Falling rate", brand="", expression="engagement_rate_change", operator="<=",
                threshold=-10, text="Rate fell {engagement_rate_change} to {engagement_rate}.", priority=10)  # fmt: skip
    return RuleRow(**(base | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expression": "engagement_rate_chnage"}, "expression"),
        ({"expression": "__import__('os')"}, "expression"),
        ({"operator": "=="}, "operator"),
        ({"threshold": "a lot"}, "threshold"),
        ({"text": "  "}, "text"),
        ({"text": "See {secret_token}"}, "text"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_field(change: dict, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        report_rules.validate_rule(_rule(**change))
    assert err.value.field == field


def test_rules_fire_on_their_condition_with_formatted_numbers() -> None:
    rules = [
        _rule(),
        _rule(name="Growth", operator=">=", threshold=15, text="Up {engagement_rate_change}.", priority=5),
    ]
    down = {"engagement_rate_change": -18.0, "engagement_rate": 3.4}
    assert report_rules.evaluate_rules(rules, down) == ["Rate fell -18% to 3.4%."]
    up = {"engagement_rate_change": 20.0, "engagement_rate": 3.4}
    assert report_rules.evaluate_rules(rules, up) == ["Up +20%."]
    # No figure (no previous period): the rule does not apply rather than crash.
    assert report_rules.evaluate_rules(rules, {"engagement_rate_change": None}) == []
    # A formula over values, with a division by zero giving "no value".
    ratio = _rule(expression="clicks / published", operator=">", threshold=100, text="Clicks per post high.")
    assert report_rules.evaluate_rules([ratio], {"clicks": 5000.0, "published": 10.0}) == [
        "Clicks per post high."
    ]
    assert report_rules.evaluate_rules([ratio], {"clicks": 5000.0, "published": 0.0}) == []


def test_manager_saves_rules_audited_and_they_apply_per_brand(demo_db: Engine) -> None:
    with read_session(demo_db) as s:
        manager = load_actor(s, MANAGER)
        editor = load_actor(s, EDITOR)
        defaults = report_rules.list_rules(s, manager)
        lumi = s.scalar(select(Brand.id).where(Brand.slug == "lumi"))
        warisan = s.scalar(select(Brand.id).where(Brand.slug == "warisan"))
    assert defaults == list(report_rules.DEFAULT_RULES)
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        report_rules.save_rules(s, editor, [_rule()])
    mine = [_rule(), _rule(name="Lumi only", brand="lumi", expression="incidents", operator=">=", threshold=0,
                           text="Lumi: {incidents} incidents.", priority=1)]  # fmt: skip
    with write_session(demo_db) as s:
        assert report_rules.save_rules(s, manager, mine) == {"added": 2, "changed": 0, "removed": 0}
    values = {"engagement_rate_change": -12.0, "engagement_rate": 2.0, "incidents": 3.0}
    with read_session(demo_db) as s:
        assert report_rules.recommend(s, lumi, values) == ["Lumi: 3 incidents.", "Rate fell -12% to 2.0%."]
        assert report_rules.recommend(s, warisan, values) == ["Rate fell -12% to 2.0%."]
        stored = report_rules.list_rules(s, manager)
        created = s.scalars(select(AuditLog).where(AuditLog.object_type == "report_rule")).all()
    assert len(created) == 2 and all(e.actor == MANAGER for e in created)
    # Edit one, drop the other: one update, one delete, and nothing half-saved when a row is bad.
    first = next(r for r in stored if r.name == "Falling rate")
    with write_session(demo_db) as s:
        out = report_rules.save_rules(s, manager, [RuleRow(**(first.__dict__ | {"threshold": -20.0}))])
    assert out == {"added": 0, "changed": 1, "removed": 1}
    with read_session(demo_db) as s:
        [changed] = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "report_rule", AuditLog.action == "update")
        ).all()
    assert (changed.object_id, changed.object_label, changed.brand_id) == (
        str(first.id),
        "Falling rate",
        None,
    )
    assert (changed.before, changed.after) == ({"threshold": -10.0}, {"threshold": -20.0})
    with write_session(demo_db) as s, pytest.raises(ValidationError):
        report_rules.save_rules(s, manager, [_rule(name="new"), _rule(operator="!")])
    with read_session(demo_db) as s:
        rows = s.scalars(select(ReportRule)).all()
    assert [(r.name, r.threshold) for r in rows] == [("Falling rate", -20.0)]


def test_insight_names_the_change_its_numbers_and_the_platform_behind_it() -> None:
    kpis = [
        Kpi("engagement_rate", "Engagement rate", 0.034, 0.0288, "percent"),
        Kpi("clicks", "Link clicks", 100, 98),
    ]
    now = pd.DataFrame(
        {"platform": ["Instagram", "LinkedIn"], "impressions": [1000.0, 1000.0], "engagements": [45.0, 23.0]}
    )
    before = pd.DataFrame(
        {"platform": ["Instagram", "LinkedIn"], "impressions": [1000.0, 1000.0], "engagements": [32.0, 25.0]}
    )
    plat = platform_changes(now, before)
    lines = insight_lines(kpis, plat, [], None, pd.DataFrame())
    assert lines == [
        "Engagement rate rose 18% to 3.40% vs the previous period (2.88%), driven by Instagram (+41% engagements)."
    ]
    values = rule_values(
        kpis, pd.DataFrame(columns=["status"]), 0.8, pd.DataFrame(), pd.DataFrame(columns=["share"])
    )
    assert values["engagement_rate"] == pytest.approx(3.4)
    assert values["engagement_rate_change"] == pytest.approx(18.06, abs=0.01)
    assert values["within_sla"] == pytest.approx(80.0)
    assert values["clicks_change"] == pytest.approx(2.04, abs=0.01)


def test_a_partly_covered_previous_period_is_called_out() -> None:
    from datetime import date

    from app.services.reports.insights import coverage_note

    prev = (date(2026, 4, 1), date(2026, 6, 30))
    assert coverage_note(91, prev) is None
    assert coverage_note(33, prev) == (
        "The previous period (01 Apr – 30 Jun 2026) has channel data for only 33 of 91 days, "
        "so changes against it overstate growth."
    )
