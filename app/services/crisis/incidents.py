"""The crisis room as a read model: incidents and their timelines, the severity levels that classify
them, and the notification chains that say who is told, how and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Brand,
    InboxMessage,
    Incident,
    IncidentEvent,
    NotificationChain,
    NotificationStep,
    SeverityLevel,
    User,
)
from app.models.enums import IncidentStatus
from app.services.core import Actor, NotFound, Perm, clock, require_anywhere, require_brands, utc_bounds
from app.services.org import current_workspace

INCIDENT_COLUMNS = [
    "id",
    "incident",
    "brand",
    "severity",
    "status",
    "opened",
    "resolved",
    "hours open",
    "opened by",
    "linked messages",
    "summary",
]
TIMELINE_COLUMNS = ["at", "kind", "by", "entry"]
SEVERITY_COLUMNS = ["level", "name", "description", "criteria", "respond within (min)", "pauses publishing"]
CHAIN_COLUMNS = ["chain", "brand", "severity", "step", "who", "via", "after (min)"]


def _person(name: str | None, email: str | None) -> str:
    return (name or "").strip() or (email or "")


def list_incidents(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date | None = None,
    end: date | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Incidents opened in the period, plus any still unresolved from before it (they are not over);
    without a period, the latest incidents whenever they happened. Newest first."""
    brand_ids = require_brands(actor, Perm.CRISIS_MANAGE, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=INCIDENT_COLUMNS)
    i = Incident
    in_period = []
    if start is not None and end is not None:
        lo, hi = utc_bounds(start, end)
        in_period = [i.opened_at < hi, or_(i.opened_at >= lo, i.status != IncidentStatus.RESOLVED)]
    opener = aliased(User)
    linked = (
        select(InboxMessage.incident_id, func.count().label("n"))
        .where(InboxMessage.brand_id.in_(brand_ids), InboxMessage.incident_id.is_not(None))
        .group_by(InboxMessage.incident_id)
        .subquery("linked")
    )
    rows = session.execute(
        select(
            i.id,
            i.title,
            Brand.name,
            SeverityLevel.level,
            SeverityLevel.name,
            i.status,
            i.opened_at,
            i.resolved_at,
            opener.name,
            opener.email,
            func.coalesce(linked.c.n, 0),
            i.summary,
        )
        .join(Brand, Brand.id == i.brand_id)
        .join(SeverityLevel, SeverityLevel.id == i.severity_id)
        .outerjoin(opener, opener.id == i.opened_by_id)
        .outerjoin(linked, linked.c.incident_id == i.id)
        .where(i.brand_id.in_(brand_ids), *in_period)
        .order_by(i.opened_at.desc())
        .limit(limit)
    ).all()
    now = clock.now()
    data = [
        (
            iid,
            title,
            brand,
            f"{level} · {sev}",
            status.value,
            opened,
            resolved,
            round(((resolved or now) - opened).total_seconds() / 3600, 1),
            _person(o_name, o_email),
            int(n),
            summary,
        )
        for iid, title, brand, level, sev, status, opened, resolved, o_name, o_email, n, summary in rows
    ]
    return pd.DataFrame(data, columns=INCIDENT_COLUMNS)


def incident_timeline(session: Session, actor: Actor, incident_id: int) -> pd.DataFrame:
    """The incident's timeline in time order, if the actor runs the crisis room for its brand."""
    brand_id = session.scalar(select(Incident.brand_id).where(Incident.id == incident_id))
    visible = actor.visible_brand_ids()
    if brand_id is None or (visible is not None and brand_id not in visible):
        raise NotFound(f"no incident #{incident_id}")
    require_brands(actor, Perm.CRISIS_MANAGE, [brand_id])
    e = IncidentEvent
    rows = session.execute(
        select(e.at, e.kind, User.name, User.email, e.body)
        .outerjoin(User, User.id == e.author_id)
        .where(e.incident_id == incident_id)
        .order_by(e.at, e.id)
    ).all()
    data = [(at, kind.value, _person(name, email), body) for at, kind, name, email, body in rows]
    return pd.DataFrame(data, columns=TIMELINE_COLUMNS)


def severity_levels(session: Session, actor: Actor) -> pd.DataFrame:
    """The workspace's severity matrix, mildest first."""
    require_anywhere(actor, Perm.CRISIS_MANAGE)
    ws = current_workspace(session)
    s = SeverityLevel
    rows = session.execute(
        select(s.level, s.name, s.description, s.criteria, s.response_minutes, s.pause_publishing)
        .where(s.workspace_id == ws.id)
        .order_by(s.level)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=SEVERITY_COLUMNS)


def notification_chains(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """Workspace-default chains and those of the brands, one row per step, in the order people are told."""
    brand_ids = require_brands(actor, Perm.CRISIS_MANAGE, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=CHAIN_COLUMNS)
    ws = current_workspace(session)
    c, st = NotificationChain, NotificationStep
    rows = session.execute(
        select(
            c.name,
            Brand.name,
            SeverityLevel.level,
            SeverityLevel.name,
            st.position,
            User.name,
            User.email,
            st.contact,
            st.via,
            st.after_minutes,
        )
        .join(st, st.chain_id == c.id)
        .join(SeverityLevel, SeverityLevel.id == c.severity_id)
        .outerjoin(Brand, Brand.id == c.brand_id)
        .outerjoin(User, User.id == st.user_id)
        .where(c.workspace_id == ws.id, or_(c.brand_id.is_(None), c.brand_id.in_(brand_ids)))
        .order_by(SeverityLevel.level.desc(), c.name, st.position)
    ).all()
    data = [
        (
            chain,
            brand or "all brands",
            f"{level} · {sev}",
            pos,
            _person(u_name, u_email) or contact,
            via.value,
            after,
        )
        for chain, brand, level, sev, pos, u_name, u_email, contact, via, after in rows
    ]
    return pd.DataFrame(data, columns=CHAIN_COLUMNS)
