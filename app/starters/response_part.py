"""Response-time policies, the severity matrix and its communication chain: workspace defaults (no brand).
The community and crisis domains only read these tables, so the loader writes them itself, as an
admin, with an audit row for each row it creates or changes; the pages that show them read them back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import NotificationChain, NotificationStep, SeverityLevel, SlaPolicy
from app.models.enums import NotifyVia, Priority
from app.services.core import Actor, Perm, ValidationError, audit, require, validation
from app.services.org import current_workspace
from app.starters.ledger import Item
from app.starters.packs import Pack

# --- response-time policies -----------------------------------------------------------------------


def sla_items(pack: Pack) -> list[Item]:
    items = []
    for raw in pack.part("response_times", "policies"):
        priority = validation.choice(Priority, raw.get("priority"), "priority").value
        resolution = raw.get("resolution_minutes")
        content = {
            "priority": priority,
            "first_response_minutes": int(raw.get("first_response_minutes") or 0),
            "resolution_minutes": int(resolution) if resolution not in (None, "") else None,
            "business_hours_only": bool(raw.get("business_hours_only", False)),
        }
        items.append(Item(priority, content, f"{priority.capitalize()} priority"))
    return items


def _sla_read(p: SlaPolicy) -> dict[str, Any]:
    return {
        "priority": p.priority.value,
        "first_response_minutes": p.first_response_minutes,
        "resolution_minutes": p.resolution_minutes,
        "business_hours_only": bool(p.business_hours_only),
    }


def _sla_values(item: Item) -> dict[str, Any]:
    c = item.content
    return {k: c[k] for k in ("first_response_minutes", "resolution_minutes", "business_hours_only")}


class SlaPart:
    kind = "sla_policy"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        row = session.get(SlaPolicy, object_id)
        return _sla_read(row) if row is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        ws = current_workspace(session)
        row = session.scalars(
            select(SlaPolicy).where(
                SlaPolicy.workspace_id == ws.id,
                SlaPolicy.brand_id.is_(None),
                SlaPolicy.priority == Priority(item.key),
            )
        ).one_or_none()
        return (row.id, _sla_read(row)) if row is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        require(actor, Perm.ADMIN)
        ws = current_workspace(session)
        row = SlaPolicy(workspace_id=ws.id, brand_id=None, priority=Priority(item.key), **_sla_values(item))
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "sla_policy", row.id, label=item.label, after=_sla_read(row))
        return row.id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        require(actor, Perm.ADMIN)
        row = session.get(SlaPolicy, object_id)
        assert row is not None
        audit.update(
            session, actor, row, _sla_values(item), object_type="sla_policy", label=lambda r: item.label
        )
        return row.id


# --- severity levels ------------------------------------------------------------------------------

_LEVEL_FIELDS = ("name", "description", "criteria", "response_minutes", "pause_publishing")


def severity_items(pack: Pack) -> list[Item]:
    items = []
    for raw in pack.part("severity", "levels"):
        level = int(raw.get("level") or 0)
        content = {
            "level": level,
            "name": str(raw.get("name") or "").strip(),
            "description": " ".join(str(raw.get("description") or "").split()),
            "criteria": " ".join(str(raw.get("criteria") or "").split()),
            "response_minutes": int(raw.get("response_minutes") or 0),
            "pause_publishing": bool(raw.get("pause_publishing", False)),
        }
        items.append(Item(f"level-{level}", content, f"{level} · {content['name']}"))
    return items


def _level_read(s: SeverityLevel) -> dict[str, Any]:
    return {"level": s.level, **{f: getattr(s, f) for f in _LEVEL_FIELDS}}


def _level_row(session: Session, level: int) -> SeverityLevel | None:
    ws = current_workspace(session)
    return session.scalars(
        select(SeverityLevel).where(SeverityLevel.workspace_id == ws.id, SeverityLevel.level == level)
    ).one_or_none()


class SeverityPart:
    kind = "severity_level"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        row = session.get(SeverityLevel, object_id)
        return _level_read(row) if row is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        row = _level_row(session, item.content["level"])
        return (row.id, _level_read(row)) if row is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        require(actor, Perm.ADMIN)
        ws = current_workspace(session)
        row = SeverityLevel(workspace_id=ws.id, **item.content)
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "create", "severity_level", row.id, label=item.label, after=_level_read(row)
        )
        return row.id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        require(actor, Perm.ADMIN)
        row = session.get(SeverityLevel, object_id)
        assert row is not None
        values = {f: item.content[f] for f in _LEVEL_FIELDS}
        audit.update(session, actor, row, values, object_type="severity_level", label=lambda r: item.label)
        return row.id


# --- the communication chain of each level --------------------------------------------------------


def chain_items(pack: Pack) -> list[Item]:
    items = []
    for raw in pack.part("severity", "levels"):
        level = int(raw.get("level") or 0)
        steps = [
            {
                "contact": str(s.get("contact") or "").strip(),
                "via": validation.choice(NotifyVia, s.get("via") or "email", "via").value,
                "after_minutes": int(s.get("after_minutes") or 0),
            }
            for s in raw.get("chain") or []
        ]
        if steps:
            name = f"Severity {level} chain"
            items.append(Item(f"level-{level}", {"level": level, "name": name, "steps": steps}, name))
    return items


def _chain_read(session: Session, chain: NotificationChain) -> dict[str, Any]:
    severity = session.get(SeverityLevel, chain.severity_id)
    steps = sorted(chain.steps, key=lambda s: s.position)
    return {
        "level": severity.level if severity is not None else None,
        "name": chain.name,
        "steps": [
            {
                "contact": s.contact if s.user_id is None else f"user {s.user_id}",  # a linked person
                "via": s.via.value,
                "after_minutes": s.after_minutes,
            }
            for s in steps
        ],
    }


def _chain_steps(item: Item) -> list[NotificationStep]:
    return [
        NotificationStep(
            position=n, contact=s["contact"], via=NotifyVia(s["via"]), after_minutes=s["after_minutes"]
        )
        for n, s in enumerate(item.content["steps"], start=1)
    ]


class ChainPart:
    kind = "notification_chain"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        row = session.get(NotificationChain, object_id)
        return _chain_read(session, row) if row is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        """The workspace-default chain of the level, if there is one (or None while the level is gone)."""
        level = _level_row(session, item.content["level"])
        if level is None:
            return None
        row = session.scalars(
            select(NotificationChain)
            .where(NotificationChain.severity_id == level.id, NotificationChain.brand_id.is_(None))
            .order_by(NotificationChain.id)
        ).first()
        return (row.id, _chain_read(session, row)) if row is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        require(actor, Perm.ADMIN)
        level = _level_row(session, item.content["level"])
        if level is None:
            raise ValidationError(
                f"severity level {item.content['level']} is not in the workspace", field="level"
            )
        row = NotificationChain(
            workspace_id=level.workspace_id, brand_id=None, severity_id=level.id, name=item.content["name"]
        )
        row.steps = _chain_steps(item)
        session.add(row)
        session.flush()
        after = _chain_read(session, row)
        audit.record(session, actor, "create", "notification_chain", row.id, label=row.name, after=after)
        return row.id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        require(actor, Perm.ADMIN)
        row = session.get(NotificationChain, object_id)
        assert row is not None
        before = _chain_read(session, row)
        row.name = item.content["name"]
        row.steps.clear()
        session.flush()
        row.steps = _chain_steps(item)
        session.flush()
        after = _chain_read(session, row)
        audit.record(
            session, actor, "update", "notification_chain", row.id, label=row.name, before=before, after=after
        )
        return row.id
