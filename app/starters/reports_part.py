"""Report templates and recommendation rules. Templates are built into the reports domain, so the pack's
list is checked against them (nothing is written); rules are saved through the reports domain's rule
service, which keeps the workspace's whole list (and audits each rule added or changed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, ReportRule
from app.services.core import Actor
from app.services.org import current_workspace
from app.services.reports import TEMPLATES, RuleRow, rules
from app.starters.ledger import Item, PartSummary
from app.starters.packs import Pack


def check_templates(pack: Pack, summary: PartSummary) -> None:
    """Count each of the pack's templates as there when the hub renders it with the same sections."""
    for raw in pack.part("report_templates", "templates"):
        key = str(raw.get("key") or "")
        title = str(raw.get("title") or key)
        built = TEMPLATES.get(key)
        if built is not None and tuple(raw.get("sections") or ()) == built.sections:
            summary.unchanged.append(title)
        else:
            summary.notes.append(
                f"Report template {title!r} differs from the one built into this version of the hub: not loaded."
            )


def rule_items(pack: Pack) -> list[Item]:
    items = []
    for raw in pack.part("recommendation_rules", "rules"):
        content = {
            "name": str(raw.get("name") or "").strip(),
            "brand": "",
            "expression": str(raw.get("expression") or "").strip(),
            "operator": str(raw.get("operator") or ""),
            "threshold": float(raw.get("threshold") or 0),
            "text": " ".join(str(raw.get("text") or "").split()),
            "priority": int(raw.get("priority") or 50),
            "active": bool(raw.get("active", True)),
        }
        items.append(Item(str(raw.get("key") or "").strip(), content, content["name"]))
    return items


def _read(rule: ReportRule, brand_slug: str | None) -> dict[str, Any]:
    return {
        "name": rule.name,
        "brand": brand_slug or "",
        "expression": rule.expression,
        "operator": rule.operator,
        "threshold": float(rule.threshold),
        "text": rule.text,
        "priority": int(rule.priority),
        "active": bool(rule.active),
    }


def _stored(session: Session) -> list[RuleRow]:
    """The workspace's saved rules as the rule service takes them (not the built-in defaults)."""
    ws = current_workspace(session)
    rows = session.execute(
        select(ReportRule, Brand.slug)
        .outerjoin(Brand, Brand.id == ReportRule.brand_id)
        .where(ReportRule.workspace_id == ws.id)
        .order_by(ReportRule.priority, ReportRule.id)
    ).all()
    return [
        RuleRow(r.id, r.name, slug or "", r.expression, r.operator, r.threshold, r.text, r.priority, r.active)
        for r, slug in rows
    ]


def _row(item: Item, rule_id: int | None) -> RuleRow:
    c = item.content
    return RuleRow(
        rule_id, c["name"], c["brand"], c["expression"], c["operator"], c["threshold"], c["text"],
        c["priority"], c["active"],
    )  # fmt: skip


def _slug_of(session: Session, rule: ReportRule) -> str | None:
    return session.get(Brand, rule.brand_id).slug if rule.brand_id else None


class RulesPart:
    kind = "recommendation_rule"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        rule = session.get(ReportRule, object_id)
        return _read(rule, _slug_of(session, rule)) if rule is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        ws = current_workspace(session)
        rule = session.scalars(
            select(ReportRule)
            .where(ReportRule.workspace_id == ws.id, ReportRule.name == item.content["name"])
            .order_by(ReportRule.id)
        ).first()
        return (rule.id, _read(rule, _slug_of(session, rule))) if rule is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        before = {r.id for r in _stored(session)}
        rules.save_rules(session, actor, [*_stored(session), _row(item, None)])
        added = [r.id for r in _stored(session) if r.id not in before]
        assert added, "the rule service added the rule"
        return int(added[0])  # type: ignore[arg-type]

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        rows = [_row(item, r.id) if r.id == object_id else r for r in _stored(session)]
        rules.save_rules(session, actor, rows)
        return object_id
