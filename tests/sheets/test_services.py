"""The services behind the Sheets tab: who may connect worksheets, read and decide sync problems, and the
KPI target service the KPI worksheet writes through (permission, period rules, duplicates, audit,
stale saves refused). No Sheets server needed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EDITOR, KEY, MANAGER, SYSTEM, VIEWER
from sheetkit import person
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, KpiTarget
from app.models.sheets import ProblemKind
from app.services.core import Conflict, PermissionDenied, ValidationError
from app.services.measurement import targets as kpi_targets
from app.sheets import bindings, problems
from app.sheets.reconcile import ProblemDraft


def test_only_admins_connect_worksheets_and_the_key_may_be_a_url(db: Engine) -> None:
    with write_session(db) as s, pytest.raises(PermissionDenied, match="manage connections"):
        bindings.connect(
            s, person(db, MANAGER), brand="lumi", schema="content_calendar", spreadsheet=KEY, sync_as=EDITOR
        )
    with write_session(db) as s:
        b = bindings.connect(
            s,
            person(db, "admin@kopi.example"),
            brand="lumi",
            schema="content_calendar",
            spreadsheet=f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
            sync_as=EDITOR,
        )
        assert (b.spreadsheet_key, b.worksheet_title, b.conflict_policy.value, b.removed_rows.value) == (
            KEY,
            "Calendar",
            "flag",
            "flag",
        )
        with pytest.raises(ValidationError, match="already mirrors"):
            bindings.connect(
                s, SYSTEM, brand="lumi", schema="content_calendar", spreadsheet=KEY, sync_as=EDITOR
            )
        with pytest.raises(ValidationError, match="long id in its URL"):
            bindings.spreadsheet_key("my sheet")
        with pytest.raises(ValidationError, match="may not create and edit content"):
            bindings.connect(
                s, SYSTEM, brand="warisan", schema="content_calendar", spreadsheet=KEY, sync_as=VIEWER
            )
        assert s.scalar(select(AuditLog.action).where(AuditLog.object_type == "sheet_binding")) == "create"
    with read_session(db) as s:
        assert [i.brand for i in bindings.list_bindings(s, person(db, MANAGER), [1, 2])] == ["lumi"]
        with pytest.raises(PermissionDenied):
            bindings.list_bindings(s, person(db, EDITOR), [1])


def test_a_worksheet_setting_change_is_logged(db: Engine) -> None:
    with write_session(db) as s:
        b = bindings.connect(s, SYSTEM, brand="lumi", schema="kpi_targets", spreadsheet=KEY, sync_as=MANAGER)
        # The worksheet is enabled already: only the policy is logged.
        bindings.update_binding(s, SYSTEM, b.id, conflict_policy="sheet_wins", enabled=True)
        [entry] = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "sheet_binding", AuditLog.action == "update")
        ).all()
        assert (entry.object_id, entry.object_label, entry.brand_id) == (
            str(b.id),
            b.worksheet_title,
            b.brand_id,
        )
        assert (entry.before, entry.after) == ({"conflict_policy": "flag"}, {"conflict_policy": "sheet_wins"})


def test_deciding_a_problem_takes_the_worksheets_own_permission(db: Engine) -> None:
    with write_session(db) as s:
        b = bindings.connect(s, SYSTEM, brand="lumi", schema="kpi_targets", spreadsheet=KEY, sync_as=MANAGER)
        problems.settle(
            s,
            b,
            [
                ProblemDraft(
                    "7", "7", 3, ProblemKind.CONFLICT, "both changed", {"Target": "5"}, {"Target": "6"}
                )
            ],
            set(),
            b.created_at,
        )
        problem_id = problems.list_problems(s, SYSTEM, [1]).iloc[0]["id"]
    with write_session(db) as s, pytest.raises(PermissionDenied, match="edit KPI targets"):
        problems.decide(s, person(db, EDITOR), int(problem_id), "sheet")
    with write_session(db) as s, pytest.raises(ValidationError, match="no record in the app"):
        problems.decide(s, person(db, MANAGER), int(problem_id), "sheet")
    with write_session(db) as s, pytest.raises(ValidationError, match="not 'restore'"):
        problems.decide(s, person(db, MANAGER), int(problem_id), "restore")
    with write_session(db) as s, pytest.raises(PermissionDenied):
        problems.list_problems(s, person(db, EDITOR), [1])


def test_kpi_targets_follow_their_rules(db: Engine) -> None:
    manager, editor = person(db, MANAGER), person(db, EDITOR)
    with write_session(db) as s:
        with pytest.raises(PermissionDenied, match="edit KPI targets"):
            kpi_targets.create_target(
                s,
                editor,
                "lumi",
                metric_key="impressions",
                period_kind="month",
                period_start=date(2031, 1, 1),
                target_value=1,
            )
        t = kpi_targets.create_target(
            s,
            manager,
            "lumi",
            metric_key="impressions",
            period_kind="quarter",
            period_start=date(2031, 4, 1),
            target_value="1500.25",
            note="stretch",
        )
        assert (t.period_end, t.target_value) == (date(2031, 6, 30), Decimal("1500.2500"))
        for kind, start, message in (
            ("week", date(2031, 1, 1), "starts on a Monday"),
            ("year", date(2031, 2, 1), "1 January"),
            ("quarter", date(2031, 2, 1), "1 January, April"),
            ("month", date(2031, 1, 2), "first day of a month"),
        ):
            with pytest.raises(ValidationError, match=message):
                kpi_targets.create_target(
                    s,
                    manager,
                    "lumi",
                    metric_key="impressions",
                    period_kind=kind,
                    period_start=start,
                    target_value=1,
                )
        with pytest.raises(ValidationError, match="already"):
            kpi_targets.create_target(
                s,
                manager,
                "lumi",
                metric_key="impressions",
                period_kind="quarter",
                period_start=date(2031, 4, 1),
                target_value=2,
            )
        with pytest.raises(ValidationError, match="not in the metrics dictionary"):
            kpi_targets.create_target(
                s,
                manager,
                "lumi",
                metric_key="vibes",
                period_kind="year",
                period_start=date(2031, 1, 1),
                target_value=2,
            )
        with pytest.raises(ValidationError, match="not a number"):
            kpi_targets.update_target(s, manager, t.id, target_value="lots")
        version = t.version
        kpi_targets.update_target(
            s, manager, t.id, expected_version=version, period_kind="month", period_start=date(2031, 5, 1)
        )
        assert t.period_end == date(2031, 5, 31)
        with pytest.raises(Conflict):
            kpi_targets.update_target(s, manager, t.id, expected_version=version, target_value=9)
        kpi_targets.delete_target(s, manager, t.id)
        actions = s.scalars(
            select(AuditLog.action).where(AuditLog.object_type == "kpi_target").order_by(AuditLog.id)
        ).all()
        assert actions == ["create", "update", "delete"]
        assert s.get(KpiTarget, t.id) is None


def test_a_target_edit_is_logged_under_its_new_label_and_a_clash_logs_nothing(db: Engine) -> None:
    manager = person(db, MANAGER)
    with write_session(db) as s:
        first, second = (
            kpi_targets.create_target(
                s,
                manager,
                "lumi",
                metric_key="impressions",
                period_kind="month",
                period_start=start,
                target_value=10,
            )
            for start in (date(2031, 1, 1), date(2031, 2, 1))
        )
        first_id, second_id = first.id, second.id
    with write_session(db) as s:
        kpi_targets.update_target(
            s, manager, second_id, period_kind="quarter", period_start=date(2031, 4, 1), target_value="12.5"
        )
    # Two targets without a channel for the same month, which the database's unique key lets through: refused,
    # and the rolled-back edit leaves no entry.
    with pytest.raises(ValidationError, match=f"already \\(target {first_id}\\)"), write_session(db) as s:
        kpi_targets.update_target(s, manager, second_id, period_kind="month", period_start=date(2031, 1, 1))
    with read_session(db) as s:
        [entry] = s.scalars(
            select(AuditLog).where(
                AuditLog.object_type == "kpi_target",
                AuditLog.action == "update",
                AuditLog.object_id == str(second_id),
            )
        ).all()
    assert entry.object_label == "impressions quarter from 2031-04-01"
    assert (
        Decimal(entry.before.pop("target_value")) == 10 and Decimal(entry.after.pop("target_value")) == 12.5
    )
    assert entry.before == {"period_kind": "month", "period_start": "2031-02-01", "period_end": "2031-02-28"}
    assert entry.after == {"period_kind": "quarter", "period_start": "2031-04-01", "period_end": "2031-06-30"}
