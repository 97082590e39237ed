"""What each starter pack put in the workspace: one row per item (pack, kind, key) with the pack version
that last wrote it and a hash of the content as loaded, so a later load can tell an item the team
edited (its row no longer hashes the same) or deleted (its row is gone) from one it may update."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, UTCDateTime


class StarterItem(CreatedAtMixin, Base):
    __tablename__ = "starter_items"
    __table_args__ = (UniqueConstraint("workspace_id", "pack", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    pack: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    pack_version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The id of the row the item made (a metric, a template, a flow...); None when it is not a row.
    object_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
