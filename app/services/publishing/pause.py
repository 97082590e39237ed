"""Pausing publishing, the first move in a crisis: a switch for the whole workspace and one per brand,
and an open incident whose severity says "pause publishing" pauses its brand while it lasts. The
publish job asks `paused_brand_ids` before every claim."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Incident, SeverityLevel, Workspace
from app.models.enums import IncidentStatus
from app.services.core import Actor, NotFound, Perm, audit, clock, conflict_on_stale, require
from app.services.org import current_workspace


def paused_brand_ids(session: Session, brand_ids: Collection[int], now: datetime | None = None) -> set[int]:
    """Which of `brand_ids` may not publish right now (workspace switch, brand switch, or an open
    incident of a severity that pauses publishing)."""
    if not brand_ids:
        return set()
    ids = list(brand_ids)
    rows = session.execute(
        select(Brand.id, Brand.publishing_paused, Workspace.publishing_paused)
        .join(Workspace, Workspace.id == Brand.workspace_id)
        .where(Brand.id.in_(ids))
    ).all()
    out = {b for b, brand_paused, ws_paused in rows if brand_paused or ws_paused}
    out |= set(
        session.scalars(
            select(Incident.brand_id)
            .join(SeverityLevel, SeverityLevel.id == Incident.severity_id)
            .where(
                Incident.brand_id.in_(ids),
                Incident.status != IncidentStatus.RESOLVED,
                SeverityLevel.pause_publishing.is_(True),
            )
        )
    )
    return out


@dataclass(frozen=True)
class BrandPause:
    brand_id: int
    brand: str
    paused: bool  # the brand's own switch
    incidents: tuple[str, ...]  # open incidents that pause it ("#12 Product recall (level 3)")

    @property
    def publishing_stopped(self) -> bool:
        return self.paused or bool(self.incidents)


@dataclass(frozen=True)
class PauseState:
    workspace_paused: bool
    brands: tuple[BrandPause, ...]

    def stopped_for(self, brand_id: int | None) -> str | None:
        """Why publishing is stopped for the brand (None: it is not), in words for a banner."""
        if self.workspace_paused:
            return "Publishing is paused for the whole workspace."
        for b in self.brands:
            if brand_id is not None and b.brand_id != brand_id:
                continue
            if b.paused:
                return f"Publishing is paused for {b.brand}."
            if b.incidents:
                return f"Publishing is paused for {b.brand} by an open incident: {', '.join(b.incidents)}."
        return None


def pause_state(session: Session, actor: Actor, brand_ids: Collection[int]) -> PauseState:
    """The switches as the actor's brands see them (read-only; anyone who can view may know)."""
    ws = current_workspace(session)
    visible = actor.visible_brand_ids()
    ids = [b for b in brand_ids if visible is None or b in visible]
    brands = session.execute(
        select(Brand.id, Brand.name, Brand.publishing_paused).where(Brand.id.in_(ids)).order_by(Brand.name)
    ).all()
    incidents: dict[int, list[str]] = {}
    for bid, iid, title, level in session.execute(
        select(Incident.brand_id, Incident.id, Incident.title, SeverityLevel.level)
        .join(SeverityLevel, SeverityLevel.id == Incident.severity_id)
        .where(
            Incident.brand_id.in_(ids),
            Incident.status != IncidentStatus.RESOLVED,
            SeverityLevel.pause_publishing.is_(True),
        )
        .order_by(Incident.opened_at)
    ):
        incidents.setdefault(bid, []).append(f"#{iid} {title} (level {level})")
    return PauseState(
        workspace_paused=ws.publishing_paused,
        brands=tuple(BrandPause(b, name, paused, tuple(incidents.get(b, ()))) for b, name, paused in brands),
    )


@conflict_on_stale
def set_workspace_pause(session: Session, actor: Actor, paused: bool, reason: str = "") -> bool:
    """Stop (or restart) publishing for every brand. Returns the new state."""
    require(actor, Perm.PUBLISHING_PAUSE)
    ws = current_workspace(session)
    audit.update(
        session,
        actor,
        ws,
        {"publishing_paused": bool(paused)},
        object_type="workspace",
        label=lambda w: w.name,
        action="pause_publishing" if paused else "resume_publishing",
        context={"reason": reason.strip()} if reason.strip() else None,
    )
    return ws.publishing_paused


@conflict_on_stale
def set_brand_pause(session: Session, actor: Actor, brand_id: int, paused: bool, reason: str = "") -> bool:
    """Stop (or restart) publishing for one brand. Returns the new state."""
    brand = session.get(Brand, brand_id)
    visible = actor.visible_brand_ids()
    if brand is None or (visible is not None and brand_id not in visible):
        raise NotFound(f"no brand {brand_id}")
    require(actor, Perm.PUBLISHING_PAUSE, brand_id, brand.name)
    audit.update(
        session,
        actor,
        brand,
        {"publishing_paused": bool(paused)},
        object_type="brand",
        label=lambda b: b.name,
        brand_id=brand.id,
        action="pause_publishing" if paused else "resume_publishing",
        context={"at": clock.now(), **({"reason": reason.strip()} if reason.strip() else {})},
    )
    return brand.publishing_paused
