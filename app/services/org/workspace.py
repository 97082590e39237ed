"""The workspace (the agency running the hub): finding it, creating it, and what the app header shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, User, Workspace
from app.services.core import Actor, NotFound, Perm, audit, require


@dataclass(frozen=True)
class WorkspaceInfo:
    id: int
    slug: str
    name: str
    is_demo: bool
    publishing_paused: bool
    brands: int
    channels: int
    users: int


def get_workspace(session: Session) -> Workspace | None:
    return session.scalars(select(Workspace).order_by(Workspace.id).limit(1)).first()


def current_workspace(session: Session) -> Workspace:
    ws = get_workspace(session)
    if ws is None:
        raise NotFound(
            "the database holds no workspace yet: run `python -m app demo` or `python -m app db reset`"
        )
    return ws


def create_workspace(
    session: Session, actor: Actor, *, name: str, slug: str, is_demo: bool = False
) -> Workspace:
    require(actor, Perm.ADMIN)
    ws = Workspace(name=name, slug=slug, is_demo=is_demo)
    session.add(ws)
    session.flush()
    audit.record(session, actor, "create", "workspace", ws.id, label=name, after=audit.snapshot(ws))
    return ws


def workspace_info(session: Session) -> WorkspaceInfo | None:
    ws = get_workspace(session)
    if ws is None:
        return None
    brands = session.scalar(select(func.count()).select_from(Brand).where(Brand.workspace_id == ws.id)) or 0
    channels = session.scalar(
        select(func.count()).select_from(Channel).join(Brand).where(Brand.workspace_id == ws.id)
    )
    users = session.scalar(select(func.count()).select_from(User).where(User.workspace_id == ws.id)) or 0
    return WorkspaceInfo(
        ws.id, ws.slug, ws.name, ws.is_demo, ws.publishing_paused, brands, channels or 0, users
    )
