"""Crisis: severity level definitions, incidents with their timeline, and who is told, in what order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow
from app.models.enums import IncidentStatus, NotifyVia, TimelineKind


class SeverityLevel(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "severity_levels"
    __table_args__ = (UniqueConstraint("workspace_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    level: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    response_minutes: Mapped[int]
    pause_publishing: Mapped[bool] = mapped_column(Boolean, default=False)


class Incident(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_brand_opened", "brand_id", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    severity_id: Mapped[int] = mapped_column(ForeignKey("severity_levels.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IncidentStatus] = mapped_column(StrEnumType(IncidentStatus), default=IncidentStatus.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    postmortem: Mapped[str] = mapped_column(Text, default="")

    timeline: Mapped[list[IncidentEvent]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentEvent.at"
    )


class IncidentEvent(Base):
    """One entry of an incident's timeline: a note, an action taken, a status change, a notification."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[TimelineKind] = mapped_column(StrEnumType(TimelineKind))
    body: Mapped[str] = mapped_column(Text)

    incident: Mapped[Incident] = relationship(back_populates="timeline")


class NotificationChain(CreatedAtMixin, VersionedMixin, Base):
    """Who is told about an incident of a severity (brand_id None: the workspace default)."""

    __tablename__ = "notification_chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    severity_id: Mapped[int] = mapped_column(ForeignKey("severity_levels.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))

    steps: Mapped[list[NotificationStep]] = relationship(
        back_populates="chain", cascade="all, delete-orphan", order_by="NotificationStep.position"
    )


class NotificationStep(Base):
    __tablename__ = "notification_steps"
    __table_args__ = (UniqueConstraint("chain_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("notification_chains.id", ondelete="CASCADE"))
    position: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact: Mapped[str] = mapped_column(String(254), default="")
    via: Mapped[NotifyVia] = mapped_column(StrEnumType(NotifyVia), default=NotifyVia.EMAIL)
    # Minutes after the incident opens (or after the previous step went unanswered).
    after_minutes: Mapped[int] = mapped_column(Integer, default=0)

    chain: Mapped[NotificationChain] = relationship(back_populates="steps")
