"""Notification chains: for a severity level, who is told about an incident, how, and how many minutes
after it opens, in order. One chain per level for the workspace (no brand) and at most one per brand.
Listing, creating, editing (name, level and the steps as a whole) and deleting them; whoever runs the
crisis room on the brand (crisis manage; workspace-wide for the default chains) writes, every change is
audited and a stale copy is refused."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.models import Brand, NotificationChain, NotificationStep, SeverityLevel, User
from app.models.enums import NotifyVia
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
from app.services.crisis.severity import load_level, whole_number
from app.services.org import brand_field, current_workspace

OBJECT_TYPE = "notification_chain"
ALL_BRANDS = "All brands"
VIA_LABELS = {
    NotifyVia.EMAIL: "E-mail",
    NotifyVia.PHONE: "Phone call",
    NotifyVia.IN_APP: "In the hub",
    NotifyVia.WEBHOOK: "Webhook",
}
MAX_STEPS = 20
MAX_AFTER = 60 * 24 * 7


@dataclass(frozen=True)
class StepInfo:
    position: int
    user_id: int | None
    who: str  # the person's name and role in words, or the contact as typed
    contact: str
    via: NotifyVia
    after_minutes: int

    @property
    def via_label(self) -> str:
        return VIA_LABELS[self.via]


@dataclass(frozen=True)
class ChainInfo:
    id: int
    brand_id: int | None
    brand_name: str
    severity_id: int
    severity_label: str  # `3 · High`
    level: int
    name: str
    steps: tuple[StepInfo, ...]
    version: int


def _who(user: User | None, contact: str) -> str:
    if user is None:
        return contact
    name = user.name or user.email
    return f"{name} ({user.role.label.lower()})" if user.role is not None else name


def _read(session: Session, chain: NotificationChain) -> ChainInfo:
    level = session.get(SeverityLevel, chain.severity_id)
    brand = session.get(Brand, chain.brand_id) if chain.brand_id is not None else None
    assert level is not None
    steps = tuple(
        StepInfo(
            position=s.position,
            user_id=s.user_id,
            who=_who(session.get(User, s.user_id) if s.user_id else None, s.contact),
            contact=s.contact,
            via=s.via,
            after_minutes=s.after_minutes,
        )
        for s in sorted(chain.steps, key=lambda s: s.position)
    )
    return ChainInfo(
        id=chain.id,
        brand_id=chain.brand_id,
        brand_name=brand.name if brand else ALL_BRANDS,
        severity_id=level.id,
        severity_label=f"{level.level} · {level.name}",
        level=level.level,
        name=chain.name,
        steps=steps,
        version=chain.version,
    )


def _snapshot(info: ChainInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "severity": info.severity_label,
        "brand": info.brand_name,
        "steps": [
            {"who": s.who, "user_id": s.user_id, "via": s.via.value, "after_minutes": s.after_minutes}
            for s in info.steps
        ],
    }


def can_manage(actor: Actor, brand_id: int | None = None) -> bool:
    return actor.can(Perm.CRISIS_MANAGE, brand_id)


def list_chains(session: Session, actor: Actor) -> list[ChainInfo]:
    """The default chains and those of the brands the actor sees, most severe level first."""
    require_anywhere(actor, Perm.VIEW)
    ws = current_workspace(session)
    visible = actor.visible_brand_ids()
    rows = session.scalars(select(NotificationChain).where(NotificationChain.workspace_id == ws.id))
    infos = [
        _read(session, c) for c in rows if c.brand_id is None or visible is None or c.brand_id in visible
    ]
    return sorted(infos, key=lambda i: (-i.level, i.brand_id is not None, i.brand_name.lower(), i.name))


def _user(session: Session, value: Any, field: str) -> User | None:
    if value is None or value == "":
        return None
    ws = current_workspace(session)
    if isinstance(value, int) or str(value).isdigit():
        user = session.get(User, int(value))
    else:
        user = session.scalars(select(User).where(User.email == str(value).strip().lower())).one_or_none()
    if user is None or user.workspace_id != ws.id:
        raise ValidationError(f"{field}: no person {value!r} in the workspace", field=field, value=value)
    return user


def _steps(session: Session, steps: Iterable[Mapping[str, Any]]) -> list[NotificationStep]:
    """Steps in the order given, each checked: a person or a contact, a way to reach them, and minutes."""
    out: list[NotificationStep] = []
    for n, raw in enumerate(steps, start=1):
        where = f"step {n}"
        user = _user(session, raw.get("user"), "user")
        contact = validation.no_nul(str(raw.get("contact") or ""), "contact").strip()
        if user is None and not contact:
            raise ValidationError(f"{where}: name a person or write who to contact", field="contact")
        if len(contact) > 254:
            raise ValidationError(f"{where}: contact is longer than 254 characters", field="contact")
        via = validation.choice(NotifyVia, raw.get("via") or "", "via")
        after = whole_number(raw.get("after_minutes", 0), "after_minutes", low=0, high=MAX_AFTER)
        out.append(
            NotificationStep(
                position=n, user_id=user.id if user else None, contact=contact, via=via, after_minutes=after
            )
        )
    if not out:
        raise ValidationError("steps: a chain needs at least one person to tell", field="steps")
    if len(out) > MAX_STEPS:
        raise ValidationError(f"steps: at most {MAX_STEPS} in a chain", field="steps")
    return out


def _severity(session: Session, value: Any) -> SeverityLevel:
    """A level by its id, or by its number given as `level:N`."""
    if value is None or value == "":
        raise ValidationError("severity is required", field="severity")
    if isinstance(value, str) and value.startswith("level:"):
        ws = current_workspace(session)
        number = whole_number(value.removeprefix("level:"), "severity", low=1, high=99)
        row = session.scalars(
            select(SeverityLevel).where(SeverityLevel.workspace_id == ws.id, SeverityLevel.level == number)
        ).one_or_none()
        if row is None:
            raise ValidationError(f"severity: no level {number}", field="severity", value=value)
        return row
    try:
        return load_level(session, int(value))
    except (NotFound, ValueError):
        raise ValidationError(f"severity: no level {value!r}", field="severity", value=value) from None


def _check_free(session: Session, level: SeverityLevel, brand_id: int | None, row_id: int | None) -> None:
    brand_clause = (
        NotificationChain.brand_id.is_(None) if brand_id is None else NotificationChain.brand_id == brand_id
    )
    clash = session.scalar(
        select(NotificationChain.name).where(
            NotificationChain.severity_id == level.id, brand_clause, NotificationChain.id != (row_id or -1)
        )
    )
    if clash is not None:
        raise ValidationError(
            f"severity {level.level} ({level.name}) already has the chain {clash!r} here; edit that one",
            field="severity",
            value=level.level,
        )


def create_chain(
    session: Session,
    actor: Actor,
    *,
    severity: Any,
    name: str,
    steps: Iterable[Mapping[str, Any]],
    brand: Brand | str | int | None = None,
) -> ChainInfo:
    """`severity` is a level's id or `level:N`; each step is a mapping of user (id or e-mail) or
    contact, via, after_minutes."""
    b = brand_field(session, actor, brand)
    require(actor, Perm.CRISIS_MANAGE, b.id if b else None, b.slug if b else None)
    clean_name = validation.required_text(name, "name", max_len=200)
    level = _severity(session, severity)
    _check_free(session, level, b.id if b else None, None)
    chain = NotificationChain(
        workspace_id=level.workspace_id, brand_id=b.id if b else None, severity_id=level.id, name=clean_name
    )
    chain.steps = _steps(session, steps)
    session.add(chain)
    session.flush()
    info = _read(session, chain)
    audit.record(
        session,
        actor,
        "create",
        OBJECT_TYPE,
        chain.id,
        label=info.name,
        brand_id=b.id if b else None,
        after=_snapshot(info),
    )
    return info


def _load(session: Session, actor: Actor, chain_id: int) -> NotificationChain:
    chain = session.get(NotificationChain, chain_id)
    visible = actor.visible_brand_ids()
    if (
        chain is None
        or chain.workspace_id != current_workspace(session).id
        or (chain.brand_id is not None and visible is not None and chain.brand_id not in visible)
    ):
        raise NotFound(f"no notification chain {chain_id}")
    brand = session.get(Brand, chain.brand_id) if chain.brand_id is not None else None
    require(actor, Perm.CRISIS_MANAGE, chain.brand_id, brand.slug if brand else None)
    return chain


@conflict_on_stale
def update_chain(
    session: Session,
    actor: Actor,
    chain_id: int,
    *,
    version: int,
    name: str | None = None,
    severity: Any = None,
    steps: Iterable[Mapping[str, Any]] | None = None,
) -> ChainInfo:
    """Rename, move to another level, or replace the steps (given whole, in order)."""
    chain = _load(session, actor, chain_id)
    check_version(chain, version, f"chain {chain.name!r}")
    before = _snapshot(_read(session, chain))
    if name is not None:
        chain.name = validation.required_text(name, "name", max_len=200)
    if severity is not None:
        level = _severity(session, severity)
        _check_free(session, level, chain.brand_id, chain.id)
        chain.severity_id = level.id
    if steps is not None:
        new_steps = _steps(session, steps)
        chain.steps.clear()
        session.flush()
        chain.steps = new_steps
    session.flush()
    after = _snapshot(_read(session, chain))
    if after == before:
        return _read(session, chain)
    # A change of steps only touches the step rows: the chain's row is marked changed so its version
    # moves too, and another editor's copy of it is now stale.
    flag_modified(chain, "name")
    session.flush()
    changed = [k for k in after if after[k] != before[k]]
    audit.record(
        session,
        actor,
        "update",
        OBJECT_TYPE,
        chain.id,
        label=chain.name,
        brand_id=chain.brand_id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return _read(session, chain)


def delete_chain(session: Session, actor: Actor, chain_id: int, *, version: int) -> None:
    chain = _load(session, actor, chain_id)
    check_version(chain, version, f"chain {chain.name!r}")
    info = _read(session, chain)
    audit.record(
        session,
        actor,
        "delete",
        OBJECT_TYPE,
        chain.id,
        label=info.name,
        brand_id=chain.brand_id,
        before=_snapshot(info),
    )
    session.delete(chain)
    session.flush()


def people(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """The active people of the workspace a step may name, as (id, "Name (role)"), for whoever edits
    a chain."""
    require_anywhere(actor, Perm.CRISIS_MANAGE)
    ws = current_workspace(session)
    rows = session.scalars(
        select(User).where(User.workspace_id == ws.id, User.active.is_(True)).order_by(User.name, User.email)
    )
    return [(u.id, _who(u, "")) for u in rows]
