"""Reports: the recommendation rules a team edits, report schedules per brand and audience, and the
record of each scheduled report produced (what makes a re-run of the sending job never mail twice)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow


class Cadence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class ReportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"


class DeliveryMethod(StrEnum):
    EMAIL = "email"
    FOLDER = "folder"


class DeliveryStatus(StrEnum):
    # Claimed and committed before the mail goes out; "sent" once the server accepted it. A claim left
    # in "sending" means the process died in between: nobody knows whether the mail left, so it is
    # never re-sent automatically (a manager decides).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"


class ReportRule(CreatedAtMixin, VersionedMixin, Base):
    """A recommendation rule: when `expression` (a dictionary-style formula over the report's values)
    compares to `threshold` with `operator`, the report recommends `text`. brand_id None: every brand."""

    __tablename__ = "report_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    expression: Mapped[str] = mapped_column(String(500))
    operator: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ReportSchedule(CreatedAtMixin, VersionedMixin, Base):
    """One brand's report for one audience on a cadence: which template, which format, and where it goes
    (recipients by e-mail, or a folder)."""

    __tablename__ = "report_schedules"
    __table_args__ = (Index("ix_report_schedules_brand", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(String(40))
    cadence: Mapped[Cadence] = mapped_column(StrEnumType(Cadence))
    format: Mapped[ReportFormat] = mapped_column(StrEnumType(ReportFormat), default=ReportFormat.PDF)
    delivery: Mapped[DeliveryMethod] = mapped_column(StrEnumType(DeliveryMethod))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    folder: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The first period it reports on starts on or after this day (a new schedule does not back-fill).
    starts_on: Mapped[date] = mapped_column(Date)


class ReportDelivery(Base):
    """One scheduled report for one period: claimed before it is sent, marked sent after."""

    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("schedule_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("report_schedules.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[DeliveryStatus] = mapped_column(StrEnumType(DeliveryStatus))
    # The Message-ID (e-mail) or the file written (folder): the same for every attempt of this period.
    reference: Mapped[str] = mapped_column(String(300))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
