"""Dashboard settings: how sensitive anomaly detection is, for the whole workspace or one brand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, utcnow


class AnomalySetting(CreatedAtMixin, Base):
    """A sensitivity (low / normal / high) for one brand, or with no brand the workspace's default."""

    __tablename__ = "anomaly_settings"
    __table_args__ = (UniqueConstraint("workspace_id", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    sensitivity: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
