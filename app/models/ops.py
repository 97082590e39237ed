"""Operations: job runs, connector accounts with their health, the audit log, notifications to people,
and the hours and budget allocated to brands and campaigns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow
from app.models.enums import ConnectorKind, HealthStatus, JobStatus


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_job_started", "job_name", "started_at"),
        # "Every run of the last 48 hours" (the health page) cannot use the (job, time) index.
        Index("ix_job_runs_started", "started_at"),
        # The runs still marked running (a handful among a year of runs), checked on every page view and
        # at every job start for ones whose process died.
        Index(
            "ix_job_runs_running",
            "job_name",
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[JobStatus] = mapped_column(StrEnumType(JobStatus), default=JobStatus.RUNNING)
    # What the run did, e.g. {"published": 12, "failed": 1}.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(200), default="")
    # The process on `host` that ran it: a run left "running" by a process that is gone was interrupted.
    pid: Mapped[int | None] = mapped_column(Integer)


class ConnectorAccount(CreatedAtMixin, VersionedMixin, Base):
    """How the hub reaches one channel, and how that connection is doing.

    The credential itself is never stored: `credential_env` names the environment variable (or
    secrets.toml key) that holds it.
    """

    __tablename__ = "connector_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[ConnectorKind] = mapped_column(StrEnumType(ConnectorKind))
    base_url: Mapped[str | None] = mapped_column(String(500))
    credential_env: Mapped[str | None] = mapped_column(String(120))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[HealthStatus] = mapped_column(StrEnumType(HealthStatus), default=HealthStatus.UNKNOWN)
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None]
    rate_limit_remaining: Mapped[int | None] = mapped_column(Integer)
    rate_limit_reset_at: Mapped[datetime | None]
    # Cursor of the last inbox fetch, so the next one asks only for what is new.
    inbox_cursor: Mapped[str | None] = mapped_column(String(200))


class AuditLog(Base):
    """Who changed what, when, from what to what. Written by every service that changes data."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_brand_at", "brand_id", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # E-mail of the person, or "cli:<os user>" / "job:<name>" for the command line and jobs.
    actor: Mapped[str] = mapped_column(String(254))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64))
    object_label: Mapped[str] = mapped_column(String(300), default="")
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class ResourceAllocation(CreatedAtMixin, VersionedMixin, Base):
    """Hours and budget planned (and spent) for a brand, optionally one campaign or person, in a period."""

    __tablename__ = "resource_allocations"
    __table_args__ = (Index("ix_resource_allocations_brand_period", "brand_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    hours_planned: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0)
    hours_actual: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    budget_planned: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    budget_actual: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="SGD")
    note: Mapped[str] = mapped_column(Text, default="")


class Notification(CreatedAtMixin, Base):
    """Something a person should know about (a post that failed to publish, say), shown until read."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("post_variants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "publish_failed"
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
