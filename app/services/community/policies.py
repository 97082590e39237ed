"""Response-time policies: for each message priority, how fast the team first answers (and resolves), as
the workspace default (no brand) or a brand's own. Listing, creating, editing and deleting them;
managers and admins write (policies manage), every change is audited, a stale copy is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, SlaPolicy
from app.models.enums import Priority
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
from app.services.org import brand_field, current_workspace

OBJECT_TYPE = "sla_policy"
EDITABLE = ("priority", "first_response_minutes", "resolution_minutes", "business_hours_only")
ALL_BRANDS = "All brands"
# Most pressing first, as people read a policy table.
PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)
MAX_MINUTES = 60 * 24 * 90  # ninety days: anything longer is a typing slip


@dataclass(frozen=True)
class PolicyInfo:
    id: int
    brand_id: int | None
    brand_name: str
    priority: Priority
    first_response_minutes: int
    resolution_minutes: int | None
    business_hours_only: bool
    version: int

    @property
    def priority_label(self) -> str:
        return self.priority.value.capitalize()

    @property
    def label(self) -> str:
        """`Urgent priority · All brands`: how the audit log and the forms name it."""
        return f"{self.priority_label} priority · {self.brand_name}"


def _info(p: SlaPolicy, brand: Brand | None) -> PolicyInfo:
    return PolicyInfo(
        id=p.id,
        brand_id=p.brand_id,
        brand_name=brand.name if brand is not None else ALL_BRANDS,
        priority=p.priority,
        first_response_minutes=p.first_response_minutes,
        resolution_minutes=p.resolution_minutes,
        business_hours_only=bool(p.business_hours_only),
        version=p.version,
    )


def _read(session: Session, p: SlaPolicy) -> PolicyInfo:
    return _info(p, session.get(Brand, p.brand_id) if p.brand_id is not None else None)


def can_manage(actor: Actor, brand_id: int | None = None) -> bool:
    """Whether the actor may write the policies of this brand (None: the workspace defaults)."""
    return actor.can(Perm.POLICIES_MANAGE, brand_id)


def list_policies(session: Session, actor: Actor) -> list[PolicyInfo]:
    """The workspace defaults and the policies of the brands the actor sees: defaults first, then by
    brand name, most pressing priority first."""
    require_anywhere(actor, Perm.VIEW)
    ws = current_workspace(session)
    rows = session.execute(
        select(SlaPolicy, Brand)
        .outerjoin(Brand, Brand.id == SlaPolicy.brand_id)
        .where(SlaPolicy.workspace_id == ws.id)
    ).all()
    visible = actor.visible_brand_ids()
    infos = [_info(p, b) for p, b in rows if p.brand_id is None or visible is None or p.brand_id in visible]
    return sorted(
        infos,
        key=lambda i: (i.brand_id is not None, i.brand_name.lower(), PRIORITY_ORDER.index(i.priority)),
    )


def minutes(value: Any, field: str, *, required: bool = True) -> int | None:
    """A whole, positive number of minutes (None allowed when not required)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{field} is required", field=field)
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"{field} {value!r} is not a number of minutes", field=field, value=value
        ) from None
    if not number.is_integer() or number <= 0:
        raise ValidationError(
            f"{field} {value!r} must be a whole number of minutes above 0", field=field, value=value
        )
    if number > MAX_MINUTES:
        raise ValidationError(
            f"{field} {value!r} is more than {MAX_MINUTES} minutes (90 days)", field=field, value=value
        )
    return int(number)


def _require_write(actor: Actor, brand: Brand | None) -> None:
    require(actor, Perm.POLICIES_MANAGE, brand.id if brand else None, brand.slug if brand else None)


def _taken(
    session: Session, workspace_id: int, brand_id: int | None, priority: Priority, row_id: int | None
) -> bool:
    brand_clause = SlaPolicy.brand_id.is_(None) if brand_id is None else SlaPolicy.brand_id == brand_id
    clash = session.scalar(
        select(SlaPolicy.id).where(
            SlaPolicy.workspace_id == workspace_id,
            brand_clause,
            SlaPolicy.priority == priority,
            SlaPolicy.id != (row_id or -1),
        )
    )
    return clash is not None


def _clean(
    session: Session, row: SlaPolicy | None, brand: Brand | None, values: dict[str, Any]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "priority":
            clean["priority"] = validation.choice(Priority, value if value is not None else "", "priority")
        elif key == "first_response_minutes":
            clean[key] = minutes(value, key)
        elif key == "resolution_minutes":
            clean[key] = minutes(value, key, required=False)
        elif key == "business_hours_only":
            clean[key] = bool(value)
    first = clean.get("first_response_minutes", row.first_response_minutes if row else None)
    resolution = clean.get("resolution_minutes", row.resolution_minutes if row else None)
    if first is not None and resolution is not None and resolution < first:
        raise ValidationError(
            f"resolution_minutes {resolution} is shorter than the first response target ({first} min)",
            field="resolution_minutes",
            value=resolution,
        )
    priority = clean.get("priority", row.priority if row else None)
    if priority is not None and ("priority" in clean or row is None):
        ws_id = row.workspace_id if row is not None else current_workspace(session).id
        if _taken(session, ws_id, brand.id if brand else None, priority, row.id if row else None):
            where = brand.name if brand else "the workspace default"
            raise ValidationError(
                f"priority {priority.value!r}: {where} already has a policy for it; edit that one",
                field="priority",
                value=priority.value,
            )
    return clean


def create_policy(
    session: Session,
    actor: Actor,
    *,
    priority: Priority | str,
    first_response_minutes: Any,
    resolution_minutes: Any = None,
    business_hours_only: bool = False,
    brand: Brand | str | int | None = None,
) -> PolicyInfo:
    """A policy for one priority: the workspace default (brand None) or a brand's own."""
    b = brand_field(session, actor, brand)
    _require_write(actor, b)
    values = {
        "priority": priority,
        "first_response_minutes": first_response_minutes,
        "resolution_minutes": resolution_minutes,
        "business_hours_only": business_hours_only,
    }
    clean = _clean(session, None, b, values)
    ws = current_workspace(session)
    row = SlaPolicy(workspace_id=ws.id, brand_id=b.id if b else None, **clean)
    session.add(row)
    session.flush()
    info = _read(session, row)
    audit.record(
        session,
        actor,
        "create",
        OBJECT_TYPE,
        row.id,
        label=info.label,
        brand_id=row.brand_id,
        after=audit.snapshot(row, EDITABLE),
    )
    return info


def _load(session: Session, actor: Actor, policy_id: int) -> tuple[SlaPolicy, Brand | None]:
    row = session.get(SlaPolicy, policy_id)
    visible = actor.visible_brand_ids()
    if row is None or (row.brand_id is not None and visible is not None and row.brand_id not in visible):
        raise NotFound(f"no response-time policy {policy_id}")
    brand = session.get(Brand, row.brand_id) if row.brand_id is not None else None
    _require_write(actor, brand)
    return row, brand


@conflict_on_stale
def update_policy(
    session: Session, actor: Actor, policy_id: int, *, version: int, **changes: Any
) -> PolicyInfo:
    """Change any of EDITABLE; `version` is the one the editor read."""
    row, brand = _load(session, actor, policy_id)
    check_version(row, version, "this response-time policy")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(f"policy field {unknown[0]!r} cannot be changed here", field=unknown[0])
    clean = _clean(session, row, brand, changes)
    audit.update(
        session,
        actor,
        row,
        clean,
        object_type=OBJECT_TYPE,
        label=lambda r: _read(session, r).label,
        brand_id=row.brand_id,
    )
    return _read(session, row)


def delete_policy(session: Session, actor: Actor, policy_id: int, *, version: int) -> None:
    """Remove a policy (a brand then falls back to the workspace default for that priority)."""
    row, _brand_row = _load(session, actor, policy_id)
    check_version(row, version, "this response-time policy")
    info = _read(session, row)
    audit.record(
        session,
        actor,
        "delete",
        OBJECT_TYPE,
        row.id,
        label=info.label,
        brand_id=row.brand_id,
        before=audit.snapshot(row, EDITABLE),
    )
    session.delete(row)
    session.flush()


def duration_text(value: int | None) -> str:
    """`1 h 30 min`, `2 d 4 h`, `15 min`; an empty text for None."""
    if value is None:
        return ""
    days, rest = divmod(int(value), 60 * 24)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p) or "0 min"
