"""Scheduled reports: `python -m jobs.send_reports` mails the last complete period to a real local SMTP
server (aiosmtpd on 127.0.0.1, with login) with the PDF attached, never twice for one period, not even
after a crash between sending and recording; folder delivery writes one file; schedules are validated,
need REPORTS_MANAGE and are audited."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from app.config import ConfigError
from app.db import read_session, write_session
from app.faults import CRASH_EXIT_CODE
from app.models import AuditLog, ReportDelivery, ReportSchedule
from app.models.reports import DeliveryStatus
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.org import load_actor
from app.services.reports import schedules as report_schedules
from app.services.reports.delivery import SmtpSettings, send_due
from app.services.reports.schedules import ScheduleInput, last_complete_period
from jobs import send_reports

MANAGER = "mei.lim@kopi.example"
EDITOR = "farah.aziz@kopi.example"
JOB = Actor.system("job:send_reports")
REPO = Path(__file__).resolve().parents[3]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.logins: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()

    def auth(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        inbox.logins.append(data.login)
        return AuthResult(success=data.login == b"reports" and data.password == b"s3cret")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=auth, auth_require_tls=False,
                            ready_timeout=10)  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mailed(manager: Actor, engine: Engine, cadence: str = "monthly") -> int:
    with write_session(engine) as s:
        return report_schedules.create_schedule(
            s, manager, "warisan",
            ScheduleInput("client leadership", "executive", cadence, "email", "pdf", ["ceo@client.example", "cmo@client.example"]),
        ).id  # fmt: skip


def test_job_mails_the_pdf_once_per_period_even_after_a_crash(
    demo_db: Engine, use_db, smtp, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    use_db(demo_db)
    for k, v in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "STARTTLS": "false",
        "USERNAME": "reports",
        "PASSWORD": "s3cret",
    }.items():
        monkeypatch.setenv(f"SOCIALOPS_SMTP_{k}", v)
    with read_session(demo_db) as s:
        manager = load_actor(s, MANAGER)
    sid = _mailed(manager, demo_db)
    assert send_reports.main([]) == 0
    assert len(inbox.messages) == 1 and inbox.logins == [b"reports"]
    msg = inbox.messages[0]
    assert msg["To"] == "ceo@client.example, cmo@client.example"
    assert "Executive summary: Warisan Kopitiam" in msg["Subject"]
    attachment = next(p for p in msg.walk() if p.get_filename())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    start, _ = last_complete_period("monthly", datetime.now(UTC).date())
    assert attachment.get_filename() == f"warisan-executive-{start:%Y-%m-%d}-{_:%Y-%m-%d}.pdf"
    with read_session(demo_db) as s:
        d = s.scalars(select(ReportDelivery).where(ReportDelivery.schedule_id == sid)).one()
    assert d.status == DeliveryStatus.SENT and msg["Message-ID"].strip() == d.reference

    assert send_reports.main([]) == 0, "a second run"
    assert len(inbox.messages) == 1, "the same period is never mailed twice"

    # A crash after the mail left but before it was recorded: the claim stays "sending". Once its run
    # is surely gone, the next run marks it unconfirmed and does not mail again.
    with write_session(demo_db) as s:
        s.execute(update(ReportDelivery).values(status=DeliveryStatus.SENDING,
                                                claimed_at=datetime.now(UTC) - timedelta(hours=2)))  # fmt: skip
    assert send_due(demo_db, JOB)["sent"] == 0
    assert len(inbox.messages) == 1
    with read_session(demo_db) as s:
        d = s.scalars(select(ReportDelivery)).one()
    assert d.status == DeliveryStatus.UNCONFIRMED
    # A manager says it did not arrive: the next run sends it again, with the same Message-ID.
    with write_session(demo_db) as s:
        report_schedules.release_unconfirmed(s, manager, d.id)
    assert send_due(demo_db, JOB)["sent"] == 1
    assert len(inbox.messages) == 2
    assert inbox.messages[1]["Message-ID"] == inbox.messages[0]["Message-ID"]


def test_unreachable_server_fails_then_the_next_run_sends(demo_db: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    with read_session(demo_db) as s:
        manager = load_actor(s, MANAGER)
    _mailed(manager, demo_db, "weekly")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
    assert (
        send_due(demo_db, JOB, smtp=SmtpSettings("127.0.0.1", dead, starttls=False, timeout=5))["failed"] == 1
    )
    with read_session(demo_db) as s:
        d = s.scalars(select(ReportDelivery)).one()
    assert d.status == DeliveryStatus.FAILED and d.error
    ok = SmtpSettings("127.0.0.1", port, starttls=False, username="reports", password="s3cret")
    assert send_due(demo_db, JOB, smtp=ok)["sent"] == 1
    assert len(inbox.messages) == 1


def test_folder_delivery_writes_one_file(demo_db: Engine, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOCIALOPS_REPORT_FOLDERS", str(tmp_path))
    with read_session(demo_db) as s:
        manager = load_actor(s, MANAGER)
    with write_session(demo_db) as s:
        report_schedules.create_schedule(
            s, manager, "warisan", ScheduleInput("archive", "community", "quarterly", "folder", "xlsx", [], str(tmp_path / "out"))
        )  # fmt: skip
    today = date(2026, 11, 25)
    assert send_due(demo_db, JOB, today=today) == {"sent": 0, "saved": 1, "failed": 0, "skipped": 0}
    files = list((tmp_path / "out").iterdir())
    assert [f.name for f in files] == ["warisan-community-2026-07-01-2026-09-30.xlsx"]
    assert load_workbook(files[0]).sheetnames[1] == "Community response"
    assert send_due(demo_db, JOB, today=today)["skipped"] == 1


def test_schedules_are_validated_permission_checked_and_audited(demo_db: Engine) -> None:
    roots = report_schedules.report_folders()[0]  # <data dir>/reports by default
    with read_session(demo_db) as s:
        manager, editor = load_actor(s, MANAGER), load_actor(s, EDITOR)
    good = ScheduleInput("team", "performance", "weekly", "email", "pdf", ["a@b.example"])
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        report_schedules.create_schedule(s, editor, "warisan", good)
    for bad, field in (
        (ScheduleInput("", "performance", "weekly", "email", "pdf", ["a@b.example"]), "audience"),
        (ScheduleInput("t", "weekly-ish", "weekly", "email", "pdf", ["a@b.example"]), "template"),
        (ScheduleInput("t", "performance", "hourly", "email", "pdf", ["a@b.example"]), "cadence"),
        (ScheduleInput("t", "performance", "weekly", "email", "pdf", ["not-an-address"]), "recipients"),
        (ScheduleInput("t", "performance", "weekly", "folder", "pdf", [], "relative/dir"), "folder"),
        (ScheduleInput("t", "performance", "weekly", "folder", "pdf", [], "/etc"), "folder"),
        (ScheduleInput("t", "performance", "weekly", "folder", "pdf", [], f"{roots}/../escape"), "folder"),
        (ScheduleInput("t", "performance", "weekly", "email", "docx", ["a@b.example"]), "format"),
    ):
        with write_session(demo_db) as s, pytest.raises(ValidationError) as err:
            report_schedules.create_schedule(s, manager, "warisan", bad)
        assert err.value.field == field
    with write_session(demo_db) as s:
        sid = report_schedules.create_schedule(s, manager, "warisan", good).id
    with write_session(demo_db) as s:
        report_schedules.update_schedule(
            s, manager, sid, ScheduleInput("team", "performance", "monthly", "email", "pdf", ["a@b.example"])
        )
    with read_session(demo_db) as s:
        brand_id = s.scalar(select(ReportSchedule.brand_id).where(ReportSchedule.id == sid))
        rows = report_schedules.list_schedules(s, manager, [brand_id])
        actions = s.scalars(
            select(AuditLog.action).where(AuditLog.object_type == "report_schedule").order_by(AuditLog.id)
        ).all()
    assert actions == ["create", "update"]
    with read_session(demo_db) as s:
        update = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "report_schedule", AuditLog.action == "update")
        ).one()
    assert (update.object_id, update.object_label, update.brand_id) == (str(sid), "team", brand_id)
    assert (update.before, update.after) == ({"cadence": "weekly"}, {"cadence": "monthly"})
    assert rows[["audience", "cadence", "recipients"]].values.tolist() == [["team", "monthly", "a@b.example"]]


def test_last_complete_period() -> None:
    wed = date(2026, 11, 25)
    assert last_complete_period("daily", wed) == (date(2026, 11, 24), date(2026, 11, 24))
    assert last_complete_period("weekly", wed) == (date(2026, 11, 16), date(2026, 11, 22))
    assert last_complete_period("monthly", wed) == (date(2026, 10, 1), date(2026, 10, 31))
    assert last_complete_period("quarterly", wed) == (date(2026, 7, 1), date(2026, 9, 30))
    assert last_complete_period("quarterly", date(2026, 1, 5)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_a_job_killed_after_the_mail_left_never_mails_it_again(demo_db: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    with read_session(demo_db) as s:
        manager = load_actor(s, MANAGER)
    _mailed(manager, demo_db)
    env = {
        "DATABASE_URL": demo_db.url.render_as_string(hide_password=False),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SOCIALOPS_SMTP_HOST": "127.0.0.1",
        "SOCIALOPS_SMTP_PORT": str(port),
        "SOCIALOPS_SMTP_STARTTLS": "false",
        "SOCIALOPS_SMTP_USERNAME": "reports",
        "SOCIALOPS_SMTP_PASSWORD": "s3cret",
    }

    def job(**extra: str) -> int:
        run = subprocess.run([sys.executable, "-m", "jobs.send_reports"], env=env | extra, cwd=REPO,
                             capture_output=True, text=True, timeout=180)  # fmt: skip
        return run.returncode

    assert job(SOCIALOPS_FAULT="report.after_send") == CRASH_EXIT_CODE
    assert len(inbox.messages) == 1
    with read_session(demo_db) as s:
        assert s.scalars(select(ReportDelivery.status)).one() == DeliveryStatus.SENDING
    assert job() == 0, "a run straight after: the claim may still be in flight, so hands off"
    assert len(inbox.messages) == 1
    with write_session(demo_db) as s:
        s.execute(update(ReportDelivery).values(claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    assert job() == 0
    assert len(inbox.messages) == 1, "never mailed twice"
    with read_session(demo_db) as s:
        assert s.scalars(select(ReportDelivery.status)).one() == DeliveryStatus.UNCONFIRMED


def test_mail_and_folder_settings_come_from_the_settings_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = {"smtp": {"host": "mail.example", "port": 2525, "starttls": False, "password": "s3cret"}}
    monkeypatch.setenv("SOCIALOPS_SMTP_USERNAME", "reports")
    loaded = SmtpSettings.load(secrets)
    assert (loaded.host, loaded.port, loaded.starttls, loaded.username) == (
        "mail.example",
        2525,
        False,
        "reports",
    )
    assert loaded.sender == "SocialOps Hub <reports@localhost>" and "s3cret" not in repr(loaded)
    with pytest.raises(ConfigError, match=r"^\[smtp\] port = 'x'"):
        SmtpSettings.load({"smtp": {"host": "h", "port": "x"}})
    with pytest.raises(ConfigError, match="no SMTP server"):
        SmtpSettings.load({})
    monkeypatch.setenv(
        "SOCIALOPS_REPORT_FOLDERS", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    )
    assert report_schedules.report_folders() == [(tmp_path / "a").resolve(), (tmp_path / "b").resolve()]
