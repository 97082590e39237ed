"""The starter ledger and the one rule every part follows: an item the pack never loaded is created (or,
when an equal row is already there, adopted); one whose row still hashes as loaded is updated when the
pack changed it; one the team edited or deleted is left alone. Loading twice writes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import StarterItem
from app.services.core import Actor, clock


def content_hash(content: dict[str, Any]) -> str:
    """A stable hash of an item's content (keys sorted, dates and enums as text)."""
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Item:
    """One thing a pack holds: its key within its kind and its content, normalised as the row reads back."""

    key: str
    content: dict[str, Any]
    label: str = ""


@dataclass
class PartSummary:
    """What loading one part did, item by item counted."""

    part: str
    label: str
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    kept_deleted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def line(self) -> str:
        """`SOP library: 11 created, 0 already there, 0 updated, 0 left as edited` (+ deleted when any)."""
        text = (
            f"{self.label}: {len(self.created)} created, {len(self.unchanged)} already there, "
            f"{len(self.updated)} updated, {len(self.kept_edited)} left as edited"
        )
        if self.kept_deleted:
            text += f", {len(self.kept_deleted)} deleted by the team (not re-created)"
        return text


class Part(Protocol):
    """How one kind of item reads, creates and updates its rows (through the domain services)."""

    kind: str

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        """The row's content now, normalised like the pack's; None when the row is gone."""
        ...

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        """A row already there for this item that the pack did not make (the demo's, the team's own)."""
        ...

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        """Create the item's row; its id."""
        ...

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        """Make the row match the item; the row's id afterwards (a used flow is replaced by a new one)."""
        ...


def _record(session: Session, workspace_id: int, pack: str, kind: str, key: str) -> StarterItem | None:
    return session.scalars(
        select(StarterItem).where(
            StarterItem.workspace_id == workspace_id,
            StarterItem.pack == pack,
            StarterItem.kind == kind,
            StarterItem.key == key,
        )
    ).one_or_none()


def reconcile(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    pack: str,
    version: int,
    part: Part,
    items: Sequence[Item],
    summary: PartSummary,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Apply the ledger rule to each item of one part, counting the outcome in `summary`."""
    for item in items:
        name = item.label or item.key
        if progress:
            progress(f"{summary.label}: {name}")
        wanted = content_hash(item.content)
        rec = _record(session, workspace_id, pack, part.kind, item.key)
        if rec is None:
            found = part.existing(session, item)
            if found is not None:
                object_id, content = found
                if content_hash(content) != wanted:
                    summary.kept_edited.append(name)  # the workspace's own version: never overwritten
                    continue
                summary.unchanged.append(name)
            else:
                object_id = part.create(session, actor, item)
                summary.created.append(name)
            session.add(
                StarterItem(
                    workspace_id=workspace_id, pack=pack, kind=part.kind, key=item.key,
                    pack_version=version, content_hash=wanted, object_id=object_id, updated_at=clock.now(),
                )
            )  # fmt: skip
            session.flush()
            continue
        now = part.current(session, rec.object_id) if rec.object_id is not None else None
        if now is None:
            summary.kept_deleted.append(name)
        elif content_hash(now) != rec.content_hash:
            summary.kept_edited.append(name)
        elif wanted == rec.content_hash:
            summary.unchanged.append(name)
        else:
            rec.object_id = part.update(session, actor, item, rec.object_id)
            rec.content_hash, rec.pack_version, rec.updated_at = wanted, version, clock.now()
            session.flush()
            summary.updated.append(name)


def loaded_versions(session: Session, workspace_id: int) -> dict[str, int]:
    """pack name → the newest version of it loaded into the workspace (packs never loaded are absent)."""
    rows = session.execute(
        select(StarterItem.pack, func.max(StarterItem.pack_version))
        .where(StarterItem.workspace_id == workspace_id)
        .group_by(StarterItem.pack)
    ).all()
    return {pack: int(version) for pack, version in rows}
