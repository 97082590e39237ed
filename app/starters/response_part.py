"""Response-time policies, the severity matrix and its communication chain: workspace defaults (no brand).
Written through the community (policies) and crisis (severity, chains) services, which check the values
and the right to write and leave an audit row each, as a team's edit in the hub would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import NotificationChain, SeverityLevel, SlaPolicy
from app.models.enums import NotifyVia, Priority
from app.services.community import policies
from app.services.core import Actor, validation
from app.services.crisis import chains, severity
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
        return policies.create_policy(session, actor, priority=item.key, **_sla_values(item)).id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        row = session.get(SlaPolicy, object_id)
        assert row is not None
        return policies.update_policy(session, actor, row.id, version=row.version, **_sla_values(item)).id


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
        return severity.create_level(session, actor, **item.content).id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        row = session.get(SeverityLevel, object_id)
        assert row is not None
        values = {f: item.content[f] for f in _LEVEL_FIELDS}
        return severity.update_level(session, actor, row.id, version=row.version, **values).id


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
    level_row = session.get(SeverityLevel, chain.severity_id)
    steps = sorted(chain.steps, key=lambda s: s.position)
    return {
        "level": level_row.level if level_row is not None else None,
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
        c = item.content
        return chains.create_chain(
            session, actor, severity=f"level:{c['level']}", name=c["name"], steps=c["steps"]
        ).id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        row = session.get(NotificationChain, object_id)
        assert row is not None
        c = item.content
        return chains.update_chain(
            session, actor, row.id, version=row.version, name=c["name"], steps=c["steps"]
        ).id
