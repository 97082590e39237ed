"""The audit log: one row per change made through a service (who, when, what object, before → after),
and the filtered reading of it for Settings and the CLI."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import pandas as pd
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app.models import AuditLog, Brand
from app.services.core import clock
from app.services.core.permissions import Actor, Perm, require

# Never copied into the log, whatever object they sit on.
_SECRET_FIELDS = {"password", "token", "secret", "credential"}

# (before, after) of the fields that changed, JSON-ready.
Diff = tuple[dict[str, Any], dict[str, Any]]


class HasId(Protocol):
    """A stored row: its entry in the log is filed under its id."""

    @property
    def id(self) -> Any: ...


R = TypeVar("R", bound=HasId)


def jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The column values of a model instance, JSON-ready (enums as values, times as ISO text)."""
    columns = [c.key for c in inspect(obj).mapper.column_attrs]
    keys = [k for k in (fields or columns) if k not in ("version",)]
    return {k: jsonable(getattr(obj, k)) for k in keys if not any(s in k for s in _SECRET_FIELDS)}


def apply_changes(obj: Any, changes: Mapping[str, Any]) -> Diff:
    """Set attributes on `obj` and return (before, after) of the fields that really changed."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, value in changes.items():
        old = getattr(obj, key)
        if old != value:
            before[key] = jsonable(old)
            after[key] = jsonable(value)
            setattr(obj, key, value)
    return before, after


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    label: str = "",
    brand_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add the audit row in the caller's transaction, so the change and its record commit together."""
    entry = AuditLog(
        at=clock.now(),
        actor=actor.audit_label[:254],
        actor_user_id=actor.user_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        object_label=label[:300],
        brand_id=brand_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def update(
    session: Session,
    actor: Actor,
    obj: R,
    changes: Mapping[str, Any],
    *,
    object_type: str,
    label: Callable[[R], str],
    brand_id: int | None = None,
    action: str = "update",
    also_changed: Diff | None = None,
    context: Mapping[str, Any] | None = None,
) -> bool:
    """Set `changes` on `obj`, flush, and log one entry with before → after of only the fields that
    really changed. Nothing changed: nothing is flushed or logged, and the answer is False.

    `label` is called with the changed object, so a renamed row is logged under its new name.
    `also_changed` is the (before, after) of changes the caller made elsewhere for the same edit (the
    channel's connector row, an asset's tags in their own table); they are logged after the object's
    own fields and count as a change. `context` is added to `after` when an entry is written (the
    reason given, the time) and is never a change by itself."""
    before, after = apply_changes(obj, changes)
    if also_changed is not None:
        before, after = {**before, **also_changed[0]}, {**after, **also_changed[1]}
    if not after:
        return False
    # Flushed first so a stale version or a refused value fails before anything is logged.
    session.flush()
    record(
        session,
        actor,
        action,
        object_type,
        obj.id,
        label=label(obj),
        brand_id=brand_id,
        before=before,
        after={**after, **jsonable(dict(context or {}))},
    )
    return True


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    object_type: str | None = None
    action: str | None = None
    brand_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None


def _require_audit(actor: Actor) -> None:
    if not actor.can_anywhere(Perm.AUDIT_VIEW):
        require(actor, Perm.AUDIT_VIEW)


AUDIT_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "object", "brand", "before", "after"]


def list_entries(
    session: Session, actor: Actor, flt: AuditFilter = AuditFilter(), limit: int = 500
) -> pd.DataFrame:
    """The newest entries first, filtered; a manager sees their brands' entries, an admin all."""
    _require_audit(actor)
    stmt = select(AuditLog, Brand.slug).outerjoin(Brand, Brand.id == AuditLog.brand_id)
    if not actor.can(Perm.AUDIT_VIEW):
        # No workspace-wide right: only the entries of brands where their role grants it.
        allowed = [b for b in actor.brand_roles if actor.can(Perm.AUDIT_VIEW, b)]
        stmt = stmt.where(AuditLog.brand_id.in_(allowed))
    if flt.actor:
        stmt = stmt.where(func.lower(AuditLog.actor).contains(flt.actor.lower()))
    if flt.object_type:
        stmt = stmt.where(AuditLog.object_type == flt.object_type)
    if flt.action:
        stmt = stmt.where(AuditLog.action == flt.action)
    if flt.brand_id is not None:
        stmt = stmt.where(AuditLog.brand_id == flt.brand_id)
    if flt.since:
        stmt = stmt.where(AuditLog.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditLog.at < flt.until)
    if flt.text:
        stmt = stmt.where(func.lower(AuditLog.object_label).contains(flt.text.lower()))
    stmt = stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    rows = [
        {
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "object": e.object_label,
            "brand": slug or "",
            "before": e.before,
            "after": e.after,
        }
        for e, slug in session.execute(stmt)
    ]
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def distinct_values(session: Session, actor: Actor) -> dict[str, list[str]]:
    """Choices for the audit filters (object types and actions seen so far)."""
    _require_audit(actor)
    types = session.scalars(select(AuditLog.object_type).distinct().order_by(AuditLog.object_type)).all()
    actions = session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return {"object_type": list(types), "action": list(actions)}
