"""The severity matrix: the workspace's levels (1 mildest), each with its criteria, how fast the team
responds and whether an incident of it pauses publishing. Listing, creating, editing and deleting them;
managers and admins write (policies manage: a level decides when publishing stops), every change is
audited and a stale copy is refused. A level an incident was filed under cannot be deleted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Incident, NotificationChain, SeverityLevel
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    ValidationError,
    audit,
    check_version,
    conflict_on_stale,
    require,
    require_anywhere,
    validation,
)
from app.services.org import current_workspace

OBJECT_TYPE = "severity_level"
EDITABLE = ("level", "name", "description", "criteria", "response_minutes", "pause_publishing")
MAX_LEVEL = 9
MAX_MINUTES = 60 * 24 * 7


@dataclass(frozen=True)
class LevelInfo:
    id: int
    level: int
    name: str
    description: str
    criteria: str
    response_minutes: int
    pause_publishing: bool
    version: int

    @property
    def label(self) -> str:
        """`3 · High`."""
        return f"{self.level} · {self.name}"


def _info(s: SeverityLevel) -> LevelInfo:
    return LevelInfo(
        id=s.id,
        level=s.level,
        name=s.name,
        description=s.description or "",
        criteria=s.criteria or "",
        response_minutes=s.response_minutes,
        pause_publishing=bool(s.pause_publishing),
        version=s.version,
    )


def can_manage(actor: Actor) -> bool:
    """Levels are the workspace's: only a workspace-wide manager or admin writes them."""
    return actor.can(Perm.POLICIES_MANAGE)


def list_levels(session: Session, actor: Actor) -> list[LevelInfo]:
    """The workspace's levels, mildest first (anyone who may view the hub may read them)."""
    require_anywhere(actor, Perm.VIEW)
    ws = current_workspace(session)
    rows = session.scalars(
        select(SeverityLevel).where(SeverityLevel.workspace_id == ws.id).order_by(SeverityLevel.level)
    )
    return [_info(r) for r in rows]


def whole_number(value: Any, field: str, *, low: int, high: int) -> int:
    """A whole number from low to high, refused naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, bool):
        raise ValidationError(f"{field} is required", field=field)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValidationError(f"{field} {value!r} is not a number", field=field, value=value) from None
    if not number.is_integer() or not low <= number <= high:
        raise ValidationError(
            f"{field} {value!r} must be a whole number from {low} to {high}", field=field, value=value
        )
    return int(number)


def _clean(session: Session, workspace_id: int, row_id: int | None, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "level":
            level = whole_number(value, "level", low=1, high=MAX_LEVEL)
            clash = session.scalar(
                select(SeverityLevel.name).where(
                    SeverityLevel.workspace_id == workspace_id,
                    SeverityLevel.level == level,
                    SeverityLevel.id != (row_id or -1),
                )
            )
            if clash is not None:
                raise ValidationError(
                    f"level {level} is already {clash!r}; pick another number", field="level", value=level
                )
            clean["level"] = level
        elif key == "name":
            name = validation.required_text(value, "name", max_len=80)
            clash = session.scalar(
                select(SeverityLevel.level).where(
                    SeverityLevel.workspace_id == workspace_id,
                    func.lower(SeverityLevel.name) == name.lower(),
                    SeverityLevel.id != (row_id or -1),
                )
            )
            if clash is not None:
                raise ValidationError(f"name {name!r} is already level {clash}", field="name", value=name)
            clean["name"] = name
        elif key in ("description", "criteria"):
            clean[key] = validation.no_nul(value, key).strip()
        elif key == "response_minutes":
            clean[key] = whole_number(value, key, low=1, high=MAX_MINUTES)
        elif key == "pause_publishing":
            clean[key] = bool(value)
    return clean


def create_level(
    session: Session,
    actor: Actor,
    *,
    level: Any,
    name: str,
    response_minutes: Any,
    description: str = "",
    criteria: str = "",
    pause_publishing: bool = False,
) -> LevelInfo:
    require(actor, Perm.POLICIES_MANAGE)
    ws = current_workspace(session)
    values = {
        "level": level,
        "name": name,
        "description": description,
        "criteria": criteria,
        "response_minutes": response_minutes,
        "pause_publishing": pause_publishing,
    }
    row = SeverityLevel(workspace_id=ws.id, **_clean(session, ws.id, None, values))
    session.add(row)
    session.flush()
    info = _info(row)
    audit.record(
        session, actor, "create", OBJECT_TYPE, row.id, label=info.label, after=audit.snapshot(row, EDITABLE)
    )
    return info


def load_level(session: Session, level_id: int) -> SeverityLevel:
    """The level of this workspace with this id (NotFound otherwise)."""
    row = session.get(SeverityLevel, level_id)
    if row is None or row.workspace_id != current_workspace(session).id:
        raise NotFound(f"no severity level {level_id}")
    return row


@conflict_on_stale
def update_level(session: Session, actor: Actor, level_id: int, *, version: int, **changes: Any) -> LevelInfo:
    """Change any of EDITABLE; `version` is the one the editor read."""
    require(actor, Perm.POLICIES_MANAGE)
    row = load_level(session, level_id)
    check_version(row, version, f"severity level {row.level}")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(f"severity field {unknown[0]!r} cannot be changed here", field=unknown[0])
    clean = _clean(session, row.workspace_id, row.id, changes)
    audit.update(session, actor, row, clean, object_type=OBJECT_TYPE, label=lambda r: _info(r).label)
    return _info(row)


def delete_level(session: Session, actor: Actor, level_id: int, *, version: int) -> None:
    """Remove a level and its notification chains; refused while an incident is filed under it."""
    require(actor, Perm.POLICIES_MANAGE)
    row = load_level(session, level_id)
    check_version(row, version, f"severity level {row.level}")
    used = session.scalar(select(func.count()).where(Incident.severity_id == row.id)) or 0
    if used:
        raise ValidationError(
            f"level {row.level} ({row.name}) is the severity of {used} incident(s); edit it instead",
            field="level",
            value=row.level,
        )
    info = _info(row)
    audit.record(
        session, actor, "delete", OBJECT_TYPE, row.id, label=info.label, before=audit.snapshot(row, EDITABLE)
    )
    for chain in session.scalars(select(NotificationChain).where(NotificationChain.severity_id == row.id)):
        audit.record(
            session,
            actor,
            "delete",
            "notification_chain",
            chain.id,
            label=chain.name,
            brand_id=chain.brand_id,
            before={"name": chain.name, "severity": info.label, "with_level": True},
        )
        session.delete(chain)
    session.flush()  # the chains first: the ORM does not know they point at the level
    session.delete(row)
    session.flush()
