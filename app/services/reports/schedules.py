"""Report schedules: a brand's report for one audience, daily/weekly/monthly/quarterly, mailed to
recipients or saved to a folder. Managing them needs REPORTS_MANAGE on the brand and is audited; the
period a run reports on is always the last complete one (yesterday, last week, last month...)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import get_settings, setting_value
from app.models import Brand, ReportDelivery, ReportSchedule
from app.models.reports import Cadence, DeliveryMethod, DeliveryStatus, ReportFormat
from app.services.core import (
    Actor,
    Conflict,
    NotFound,
    Perm,
    ValidationError,
    audit,
    clock,
    conflict_on_stale,
    quarter_start,
    require,
    require_brands,
)
from app.services.org import get_brand
from app.services.reports.templates import get_template

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
MAX_RECIPIENTS = 50
SCHEDULE_COLUMNS = [
    "id",
    "brand",
    "audience",
    "template",
    "cadence",
    "format",
    "delivery",
    "recipients",
    "folder",
    "active",
    "last period",
    "last status",
]


@dataclass(frozen=True)
class ScheduleInput:
    audience: str
    template: str
    cadence: str
    delivery: str
    format: str = "pdf"
    recipients: list[str] = field(default_factory=list)
    folder: str = ""
    active: bool = True


def last_complete_period(cadence: Cadence | str, today: date) -> tuple[date, date]:
    """The newest period of this cadence that ended before `today`."""
    c = Cadence(cadence)
    if c == Cadence.DAILY:
        day = today - timedelta(days=1)
        return day, day
    if c == Cadence.WEEKLY:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if c == Cadence.MONTHLY:
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    end = quarter_start(today) - timedelta(days=1)
    return quarter_start(end), end


def parse_recipients(text: str | list[str]) -> list[str]:
    parts = text if isinstance(text, list) else re.split(r"[,;\s]+", text or "")
    return [p.strip() for p in parts if p and p.strip()]


def report_folders() -> list[Path]:
    """Where folder deliveries may write: the report_folders setting (SOCIALOPS_REPORT_FOLDERS, paths
    separated by the OS path separator, or `[reports] folders`), else `<data dir>/reports`. A manager
    picks a folder inside one of them, never an arbitrary path on the server."""
    roots = list(setting_value("report_folders")) or [str(get_settings().data_dir / "reports")]
    return [Path(r).expanduser().resolve() for r in roots if r.strip()]


def _check_folder(folder: str) -> str:
    roots = report_folders()
    allowed = " or ".join(str(r) for r in roots)
    if not folder or not Path(folder).is_absolute():
        raise ValidationError(
            f"folder {folder!r}: give an absolute path inside {allowed}", field="folder", value=folder
        )
    resolved = Path(folder).resolve()
    if not any(resolved == r or r in resolved.parents for r in roots):
        raise ValidationError(
            f"folder {folder!r} is outside the report folders ({allowed}); an admin can add folders with "
            "SOCIALOPS_REPORT_FOLDERS or [reports] folders in secrets.toml",
            field="folder",
            value=folder,
        )
    return str(resolved)


def validate(data: ScheduleInput) -> ScheduleInput:
    """The input tidied, or a ValidationError naming the field and value that are wrong."""
    audience = (data.audience or "").strip()
    if not audience or len(audience) > 120:
        raise ValidationError(
            "audience: give 1 to 120 characters (e.g. 'client leadership')", field="audience"
        )
    template = get_template(data.template).key
    for name, enum_cls, value in (
        ("cadence", Cadence, data.cadence),
        ("format", ReportFormat, data.format),
        ("delivery", DeliveryMethod, data.delivery),
    ):
        if str(value) not in {e.value for e in enum_cls}:
            allowed = ", ".join(e.value for e in enum_cls)
            raise ValidationError(f"{name} {value!r}: choose one of {allowed}", field=name, value=value)
    recipients = parse_recipients(data.recipients)
    folder = (data.folder or "").strip()
    if data.delivery == DeliveryMethod.EMAIL:
        if not recipients:
            raise ValidationError("recipients: give at least one e-mail address", field="recipients")
        if len(recipients) > MAX_RECIPIENTS:
            raise ValidationError(f"recipients: at most {MAX_RECIPIENTS} addresses", field="recipients")
        for r in recipients:
            if not _EMAIL.match(r):
                raise ValidationError(
                    f"recipients: {r!r} is not an e-mail address", field="recipients", value=r
                )
        folder = ""
    else:
        folder = _check_folder(folder)
        recipients = []
    return ScheduleInput(
        audience,
        template,
        str(data.cadence),
        str(data.delivery),
        str(data.format),
        recipients,
        folder,
        data.active,
    )


def _values(data: ScheduleInput) -> dict[str, object]:
    return {
        "audience": data.audience,
        "template": data.template,
        "cadence": Cadence(data.cadence),
        "format": ReportFormat(data.format),
        "delivery": DeliveryMethod(data.delivery),
        "recipients": data.recipients,
        "folder": data.folder,
        "active": data.active,
    }


def create_schedule(
    session: Session, actor: Actor, brand: str, data: ScheduleInput, *, today: date | None = None
) -> ReportSchedule:
    b = get_brand(session, actor, brand)
    require(actor, Perm.REPORTS_MANAGE, b.id, b.slug)
    clean = validate(data)
    schedule = ReportSchedule(brand_id=b.id, starts_on=today or clock.today(), **_values(clean))
    session.add(schedule)
    session.flush()
    audit.record(
        session, actor, "create", "report_schedule", schedule.id, label=clean.audience, brand_id=b.id,
        after=audit.snapshot(schedule),
    )  # fmt: skip
    return schedule


def _get(session: Session, actor: Actor, schedule_id: int) -> ReportSchedule:
    schedule = session.get(ReportSchedule, schedule_id)
    visible = actor.visible_brand_ids()
    if schedule is None or (visible is not None and schedule.brand_id not in visible):
        raise NotFound(f"no report schedule {schedule_id}")
    return schedule


@conflict_on_stale
def update_schedule(
    session: Session, actor: Actor, schedule_id: int, data: ScheduleInput, *, version: int | None = None
) -> ReportSchedule:
    schedule = _get(session, actor, schedule_id)
    require(actor, Perm.REPORTS_MANAGE, schedule.brand_id)
    if version is not None and version != schedule.version:
        raise Conflict("someone else changed this schedule since you opened it; reload and try again")
    clean = validate(data)
    audit.update(
        session, actor, schedule, _values(clean), object_type="report_schedule",
        label=lambda s: s.audience, brand_id=schedule.brand_id,
    )  # fmt: skip
    return schedule


def delete_schedule(session: Session, actor: Actor, schedule_id: int) -> None:
    schedule = _get(session, actor, schedule_id)
    require(actor, Perm.REPORTS_MANAGE, schedule.brand_id)
    audit.record(
        session, actor, "delete", "report_schedule", schedule.id, label=schedule.audience,
        brand_id=schedule.brand_id, before=audit.snapshot(schedule),
    )  # fmt: skip
    session.delete(schedule)
    session.flush()


def release_unconfirmed(session: Session, actor: Actor, delivery_id: int) -> None:
    """A manager's decision that an unconfirmed report did not arrive: the next run sends it again."""
    delivery = session.get(ReportDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no report delivery {delivery_id}")
    schedule = _get(session, actor, delivery.schedule_id)
    require(actor, Perm.REPORTS_MANAGE, schedule.brand_id)
    if delivery.status not in (DeliveryStatus.UNCONFIRMED, DeliveryStatus.FAILED):
        raise ValidationError(
            f"delivery {delivery_id} is {delivery.status.value}; only an unconfirmed one is re-sent"
        )
    audit.record(
        session, actor, "resend", "report_delivery", delivery.id, label=schedule.audience,
        brand_id=schedule.brand_id, before={"status": delivery.status.value}, after={"status": "failed"},
    )  # fmt: skip
    # As a failed delivery it is retried by the next run, under the same Message-ID: should the first
    # copy have arrived after all, mail systems that dedupe by Message-ID drop the second.
    delivery.status = DeliveryStatus.FAILED
    delivery.error = f"released for sending again by {actor.email}"
    session.flush()


def list_schedules(session: Session, actor: Actor, brand_ids: list[int]) -> pd.DataFrame:
    """The schedules of the brands, with the newest period each has produced and how that went."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    rows = session.execute(
        select(ReportSchedule, Brand.slug)
        .join(Brand, Brand.id == ReportSchedule.brand_id)
        .where(ReportSchedule.brand_id.in_(brand_ids))
        .order_by(Brand.slug, ReportSchedule.id)
    ).all()
    latest: dict[int, ReportDelivery] = {}
    if rows:
        for d in session.scalars(
            select(ReportDelivery)
            .where(ReportDelivery.schedule_id.in_([s.id for s, _ in rows]))
            .order_by(ReportDelivery.period_start)
        ):
            latest[d.schedule_id] = d
    data = []
    for s, slug in rows:
        d = latest.get(s.id)
        data.append(
            (
                s.id, slug, s.audience, s.template, s.cadence.value, s.format.value, s.delivery.value,
                ", ".join(s.recipients or []), s.folder, s.active,
                f"{d.period_start:%Y-%m-%d} – {d.period_end:%Y-%m-%d}" if d else "",
                d.status.value if d else "",
            )
        )  # fmt: skip
    return pd.DataFrame(data, columns=SCHEDULE_COLUMNS)


def deliveries(session: Session, actor: Actor, brand_ids: list[int], limit: int = 50) -> pd.DataFrame:
    """The newest deliveries of the brands' schedules (for the Reports page)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    rows = session.execute(
        select(ReportDelivery, ReportSchedule.audience, Brand.slug)
        .join(ReportSchedule, ReportSchedule.id == ReportDelivery.schedule_id)
        .join(Brand, Brand.id == ReportSchedule.brand_id)
        .where(ReportSchedule.brand_id.in_(brand_ids))
        .order_by(ReportDelivery.claimed_at.desc())
        .limit(limit)
    ).all()
    cols = ["id", "brand", "audience", "period", "status", "reference", "finished", "error"]
    return pd.DataFrame(
        [
            (
                d.id,
                slug,
                aud,
                f"{d.period_start:%Y-%m-%d} – {d.period_end:%Y-%m-%d}",
                d.status.value,
                d.reference,
                d.finished_at,
                d.error or "",
            )
            for d, aud, slug in rows
        ],
        columns=cols,
    )
