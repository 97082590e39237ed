"""Recommendation rules the team edits: "when <expression> <operator> <threshold>, recommend <text>".
The expression is a metrics-dictionary formula over the report's named values (parsed by
app.services.metric_formulas, never eval); the text may name values in braces, e.g. {engagement_rate}.
Until a workspace saves its own rules, the built-in ones below apply (and the editor starts from them)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, ReportRule
from app.services.core import Actor, Perm, ValidationError, audit, conflict_on_stale, require
from app.services.measurement import FormulaError, evaluate, parse
from app.services.org import current_workspace
from app.services.reports.insights import VARIABLES, format_value

OPERATORS = ("<", "<=", ">", ">=")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class RuleRow:
    id: int | None
    name: str
    brand: str  # a brand slug, or "" for every brand
    expression: str
    operator: str
    threshold: float
    text: str
    priority: int = 50
    active: bool = True


DEFAULT_RULES: tuple[RuleRow, ...] = (
    RuleRow(None, "Targets behind", "", "targets_behind", ">", 0,
            "{targets_behind} target(s) are forecast to be missed: post more often or boost the best performers.", 10),
    RuleRow(None, "Engagement rate falling", "", "engagement_rate_change", "<=", -10,
            "Engagement rate fell {engagement_rate_change} to {engagement_rate}: favour the formats and platforms that engage best.", 20),
    RuleRow(None, "Reach falling", "", "impressions_change", "<=", -20,
            "Impressions fell {impressions_change}: review posting frequency and paid support.", 30),
    RuleRow(None, "Slow first response", "", "within_sla", "<", 90,
            "Only {within_sla} of messages were answered within their SLA: add inbox cover or reply templates.", 15),
    RuleRow(None, "Quiet calendar", "", "published_change", "<=", -25,
            "{published} posts went out ({published_change}): keep a steady cadence.", 40),
    RuleRow(None, "Strong growth", "", "engagement_rate_change", ">=", 15,
            "Engagement rate rose {engagement_rate_change}: repeat what worked and brief the team on it.", 60),
    RuleRow(None, "Low share of voice", "", "share_of_voice", "<", 20,
            "Share of voice is down to {share_of_voice} on one platform: plan a campaign there.", 50),
)  # fmt: skip


def validate_rule(row: RuleRow) -> RuleRow:
    """The rule with its fields tidied, or a ValidationError naming the field that is wrong."""
    name = (row.name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("rule name: give 1 to 120 characters", field="name", value=row.name)
    try:
        parse(row.expression, allowed=VARIABLES)
    except FormulaError as exc:
        raise ValidationError(f"rule {name!r}: {exc}", field="expression", value=row.expression) from None
    if row.operator not in OPERATORS:
        raise ValidationError(
            f"rule {name!r}: operator {row.operator!r} is not one of {' '.join(OPERATORS)}",
            field="operator",
            value=row.operator,
        )
    try:
        threshold = float(row.threshold)
    except (TypeError, ValueError):
        raise ValidationError(
            f"rule {name!r}: threshold {row.threshold!r} is not a number",
            field="threshold",
            value=row.threshold,
        ) from None
    if threshold != threshold or threshold in (float("inf"), float("-inf")):
        raise ValidationError(f"rule {name!r}: threshold must be a finite number", field="threshold")
    text = (row.text or "").strip()
    if not text:
        raise ValidationError(f"rule {name!r}: the recommendation text is empty", field="text")
    unknown = sorted({m for m in _PLACEHOLDER.findall(text) if m not in VARIABLES})
    if unknown:
        raise ValidationError(
            f"rule {name!r}: unknown value(s) in the text: {', '.join(unknown)}",
            field="text",
            value=unknown[0],
        )
    try:
        priority = int(row.priority)
    except (TypeError, ValueError):
        raise ValidationError(f"rule {name!r}: priority must be a whole number", field="priority") from None
    return RuleRow(
        row.id, name, (row.brand or "").strip().lower(), row.expression.strip(), row.operator, threshold,
        text, priority, bool(row.active),
    )  # fmt: skip


def _rows(session: Session) -> list[tuple[ReportRule, str]]:
    ws = current_workspace(session)
    return list(
        session.execute(
            select(ReportRule, Brand.slug)
            .outerjoin(Brand, Brand.id == ReportRule.brand_id)
            .where(ReportRule.workspace_id == ws.id)
            .order_by(ReportRule.priority, ReportRule.id)
        ).all()
    )


def list_rules(session: Session, actor: Actor) -> list[RuleRow]:
    """The workspace's rules (the built-in ones while none are saved), most urgent first."""
    if not actor.can_anywhere(Perm.VIEW):
        require(actor, Perm.VIEW)
    stored = _rows(session)
    if not stored:
        return list(DEFAULT_RULES)
    visible = actor.visible_brand_ids()
    return [
        RuleRow(r.id, r.name, slug or "", r.expression, r.operator, r.threshold, r.text, r.priority, r.active)
        for r, slug in stored
        if r.brand_id is None or visible is None or r.brand_id in visible
    ]


@conflict_on_stale
def save_rules(session: Session, actor: Actor, rows: Sequence[RuleRow]) -> dict[str, int]:
    """Make the stored rules equal to `rows`: rows with an id update that rule, rows without one are
    added, stored rules missing from `rows` are removed. All validated first; nothing saved on error."""
    require(actor, Perm.REPORTS_MANAGE)
    clean = [validate_rule(r) for r in rows]
    ws = current_workspace(session)
    slugs = {r.brand for r in clean if r.brand}
    brand_ids = {
        slug: bid for slug, bid in session.execute(select(Brand.slug, Brand.id).where(Brand.slug.in_(slugs)))
    }
    for slug in slugs - set(brand_ids):
        raise ValidationError(f"rule brand {slug!r}: no such brand", field="brand", value=slug)
    stored = {r.id: r for r, _ in _rows(session)}
    counts = {"added": 0, "changed": 0, "removed": 0}
    keep: set[int] = set()
    for row in clean:
        values: dict[str, Any] = {
            "name": row.name,
            "brand_id": brand_ids.get(row.brand) if row.brand else None,
            "expression": row.expression,
            "operator": row.operator,
            "threshold": row.threshold,
            "text": row.text,
            "priority": row.priority,
            "active": row.active,
        }
        if row.id is not None and row.id in stored:
            rule = stored[row.id]
            keep.add(rule.id)
            if audit.update(session, actor, rule, values, object_type="report_rule", label=lambda r: r.name):
                counts["changed"] += 1
            continue
        rule = ReportRule(workspace_id=ws.id, **values)
        session.add(rule)
        session.flush()
        counts["added"] += 1
        audit.record(
            session, actor, "create", "report_rule", rule.id, label=rule.name, after=audit.snapshot(rule)
        )
    for rule_id, rule in stored.items():
        if rule_id not in keep:
            audit.record(
                session, actor, "delete", "report_rule", rule_id, label=rule.name, before=audit.snapshot(rule)
            )
            session.delete(rule)
            counts["removed"] += 1
    session.flush()
    return counts


def render_text(text: str, values: Mapping[str, float | None]) -> str:
    """The recommendation with each {name} replaced by its formatted value (no str.format on user text)."""
    return _PLACEHOLDER.sub(
        lambda m: format_value(m.group(1), values.get(m.group(1))) if m.group(1) in VARIABLES else m.group(0),
        text,
    )


def _holds(value: float, operator: str, threshold: float) -> bool:
    return {
        "<": value < threshold,
        "<=": value <= threshold,
        ">": value > threshold,
        ">=": value >= threshold,
    }[operator]


def evaluate_rules(rules: Sequence[RuleRow], values: Mapping[str, float | None]) -> list[str]:
    """The texts of the active rules that hold, most urgent (lowest priority number) first. A rule whose
    expression has no value (a blank input, a division by zero) does not apply."""
    out: list[str] = []
    for rule in sorted(rules, key=lambda r: r.priority):
        if not rule.active:
            continue
        try:
            result = evaluate(parse(rule.expression, allowed=VARIABLES), values)
        except FormulaError:
            continue  # a stored rule can only be invalid if the variables changed; skip, never crash
        if result is not None and _holds(result, rule.operator, rule.threshold):
            out.append(render_text(rule.text, values))
    return out


def recommend(session: Session, brand_id: int, values: Mapping[str, float | None]) -> list[str]:
    """The recommendations for one brand's report: workspace rules plus that brand's own."""
    stored = _rows(session)
    if not stored:
        rules: list[RuleRow] = list(DEFAULT_RULES)
    else:
        rules = [
            RuleRow(
                r.id, r.name, slug or "", r.expression, r.operator, r.threshold, r.text, r.priority, r.active
            )
            for r, slug in stored
            if r.brand_id in (None, brand_id)
        ]
    return evaluate_rules(rules, values)
