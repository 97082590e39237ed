"""Producing and delivering scheduled reports, at most once per schedule and period.

Each delivery is claimed first (a committed row, unique per schedule and period), then the report is
built and sent, then the row is marked sent. A crash between the mail leaving and the mark leaves a
"sending" row: nobody can know whether the mail went, so the next run marks it "unconfirmed" and does
NOT mail again (a manager releases it from the Reports page). Folder delivery writes one fixed file name
atomically, so redoing it is harmless and a left-over claim is simply redone."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from app.config import ConfigError, read_settings, setting
from app.db import read_session, write_session
from app.faults import maybe_crash
from app.models import Brand, ReportDelivery, ReportSchedule
from app.models.reports import DeliveryMethod, DeliveryStatus
from app.services.core import Actor, clock
from app.services.reports import produce as reports
from app.services.reports.schedules import last_complete_period

# A claim younger than this may belong to a run still working on it; older, its run is gone.
IN_FLIGHT = timedelta(minutes=30)


@dataclass(frozen=True)
class SmtpSettings:
    # Defaults from the settings table, for settings built by hand (tests, a one-off send).
    host: str
    port: int = setting("smtp_port").default
    starttls: bool = setting("smtp_starttls").default
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = setting("smtp_from").default
    timeout: float = 30.0

    @classmethod
    def load(cls, secrets: Mapping[str, Any] | None = None) -> SmtpSettings:
        """From the settings: SOCIALOPS_SMTP_* environment variables first, then the [smtp] section."""
        settings = read_settings(secrets)
        host = settings.value("smtp_host")
        if not host:
            raise ConfigError("no SMTP server: set [smtp] host in secrets.toml or SOCIALOPS_SMTP_HOST")
        return cls(
            host,
            settings.value("smtp_port"),
            settings.value("smtp_starttls"),
            settings.value("smtp_username"),
            settings.value("smtp_password"),
            settings.value("smtp_from"),
        )


def send_email(settings: SmtpSettings, recipients: list[str], subject: str, body: str,
               attachment: tuple[str, bytes, str], message_id: str) -> None:  # fmt: skip
    """One message with the report attached; STARTTLS and login when configured."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, ", ".join(recipients), subject
    msg["Message-ID"] = message_id  # the same for every attempt at this period: mail systems can dedupe
    msg.set_content(body)
    name, data, subtype = attachment
    msg.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(msg)


def save_to_folder(folder: str, name: str, data: bytes) -> Path:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / name
    tmp = target / f".{name}.part"
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


_SUBTYPES = {"pdf": "pdf", "xlsx": "vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _claim(
    engine: Engine, schedule: ReportSchedule, start: date, end: date, now: datetime
) -> ReportDelivery | None:
    """The delivery row this run may work on (committed), or None when the period is done or taken."""
    with write_session(engine) as s:
        d = s.scalars(
            select(ReportDelivery).where(
                ReportDelivery.schedule_id == schedule.id, ReportDelivery.period_start == start
            )
        ).first()
        if d is None:
            ref = (
                make_msgid(f"report-{schedule.id}-{start:%Y%m%d}", "socialops.local")
                if schedule.delivery == DeliveryMethod.EMAIL
                else ""
            )
            d = ReportDelivery(schedule_id=schedule.id, period_start=start, period_end=end,
                               status=DeliveryStatus.SENDING, reference=ref, claimed_at=now)  # fmt: skip
            s.add(d)
            try:
                s.flush()
            except IntegrityError:  # another run claimed it a moment ago
                return None
            return d
        if d.status in (DeliveryStatus.SENT, DeliveryStatus.UNCONFIRMED):
            return None
        if d.status == DeliveryStatus.SENDING:
            if now - d.claimed_at < IN_FLIGHT:
                return None
            if schedule.delivery == DeliveryMethod.EMAIL:
                d.status, d.finished_at = DeliveryStatus.UNCONFIRMED, now
                d.error = (
                    "the run sending it stopped before recording the result; it may or may not have arrived"
                )
                return None
        d.status, d.claimed_at, d.error = DeliveryStatus.SENDING, now, None  # failed, or a folder redo
        return d


def _finish(engine: Engine, delivery_id: int, status: DeliveryStatus, reference: str | None = None,
            error: str | None = None) -> None:  # fmt: skip
    with write_session(engine) as s:
        d = s.get(ReportDelivery, delivery_id)
        d.status, d.finished_at, d.error = status, clock.now(), error
        if reference:
            d.reference = reference


def send_due(engine: Engine, actor: Actor, *, today: date | None = None,
             smtp: SmtpSettings | None = None) -> dict[str, int]:  # fmt: skip
    """Produce and deliver the last complete period of every active schedule not yet delivered. Only
    ever the last complete period: a new or paused schedule never back-fills older ones."""
    today = today or clock.today()
    counts = {"sent": 0, "saved": 0, "failed": 0, "skipped": 0}
    with read_session(engine) as s:
        schedules = s.execute(
            select(ReportSchedule, Brand.slug)
            .join(Brand, Brand.id == ReportSchedule.brand_id)
            .where(ReportSchedule.active.is_(True), Brand.active.is_(True))
            .order_by(ReportSchedule.id)
        ).all()
    for schedule, slug in schedules:
        start, end = last_complete_period(schedule.cadence, today)
        claim = _claim(engine, schedule, start, end, clock.now())
        if claim is None:
            counts["skipped"] += 1
            continue
        fmt = schedule.format.value
        try:
            with read_session(engine) as s:
                report, data = reports.produce(s, actor, slug, schedule.template, start, end, fmt)
            name = reports.file_name(report, fmt)
            if schedule.delivery == DeliveryMethod.EMAIL:
                settings = smtp or SmtpSettings.load()
                send_email(
                    settings,
                    list(schedule.recipients),
                    f"{report.title}, {report.period_label}",
                    f"{report.title} for {schedule.audience}, {report.period_label}.\n\n"
                    + "\n".join(f"- {sec.title}: {sec.headline}" for sec in report.sections),
                    (name, data, _SUBTYPES[fmt]),
                    claim.reference,
                )
                maybe_crash("report.after_send")  # mailed, not yet recorded (fault tests only)
                _finish(engine, claim.id, DeliveryStatus.SENT)
                counts["sent"] += 1
            else:
                path = save_to_folder(schedule.folder, name, data)
                _finish(engine, claim.id, DeliveryStatus.SENT, reference=str(path))
                counts["saved"] += 1
        except Exception as exc:  # recorded on the delivery; the next run retries a failed one
            _finish(engine, claim.id, DeliveryStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
            counts["failed"] += 1
    return counts
