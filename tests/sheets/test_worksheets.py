"""The other worksheets: SOP checklist steps ticked through the SOP service (no skipping a required step,
no ticking for another role or an automatic check), KPI targets set through their service with the
actuals read-only, the metrics dictionary exported read-only, and a worksheet added as YAML alone."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EDITOR, KEY, MANAGER, SYSTEM
from sheetkit import open_problems
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, KpiTarget, MetricDefinition, SopStepResult
from app.models.enums import StepStatus
from app.services.content import PostDraft, composer
from app.services.core import ValidationError
from app.services.org import users
from app.services.sops.runs import start_run
from app.sheets import bindings
from app.sheets.catalog import schema_dir

STEPS = "Checklists"


def _pick(rows: list[dict], **want: str) -> dict:
    for r in rows:
        if r["Run status"] == "open" and all(r[k] == v for k, v in want.items()):
            return r
    raise LookupError(want)


def _fresh_content_approval_run(db: Engine) -> str:
    """A new post of Lumi with a content-approval checklist just started: every one of its steps is
    pending, whatever state the demo's own runs are in on the day it was built."""
    with write_session(db) as s:
        manager = users.load_actor(s, MANAGER)
        post = composer.create_post(s, manager, "lumi", PostDraft(title="Checklist on the sheet"))
        run = start_run(s, manager, "content-approval", "post", post.post_id)
        return str(run.id)


def test_checklist_steps_are_ticked_by_the_sop_rules(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    run = _fresh_content_approval_run(db)
    binding = connect("sop_checklists", sync_as=EDITOR)
    assert sync(binding).ok
    rows = [r for r in fake.records(KEY, STEPS) if r["Run"] == run]
    assert rows and {"Step", "Owner role", "Required", "Status", "Note", "Done by"} <= set(rows[0])
    mine = _pick(rows, **{"Owner role": "editor", "Automatic": "FALSE", "Status": "pending"})
    required = next(
        r
        for r in rows
        if r["Run status"] == "open"
        and r["Required"] == "TRUE"
        and r["Automatic"] == "FALSE"
        and r["Status"] == "pending"
        # The editor's own step: skipping it is refused for being required, not for the role.
        and r["Owner role"] == "editor"
        and r["ID"] != mine["ID"]
    )
    others = next(
        (
            r
            for r in rows
            if r["Run status"] == "open"
            and r["Owner role"] in ("manager", "approver")
            and r["Automatic"] == "FALSE"
            and r["Status"] == "pending"
            # Another row than the two above: typing into one row twice leaves one edit, one refusal.
            and r["ID"] not in (mine["ID"], required["ID"])
        ),
        None,
    )
    automatic = _pick(rows, Automatic="TRUE")
    fake.type(KEY, STEPS, mine["_row"], "Status", "done")
    fake.type(KEY, STEPS, mine["_row"], "Note", "Checked against the brief")
    fake.type(KEY, STEPS, required["_row"], "Status", "skipped")
    fake.type(KEY, STEPS, automatic["_row"], "Status", "done" if automatic["Status"] != "done" else "failed")
    if others is not None:
        fake.type(KEY, STEPS, others["_row"], "Status", "done")
    result = sync(binding)
    assert (
        result.ok and result.counts["applied"] == 1 and result.counts["refused"] == 2 + (others is not None)
    )
    with read_session(db) as s:
        done = s.get(SopStepResult, int(mine["ID"]))
        assert (done.status, done.note) == (StepStatus.DONE, "Checked against the brief")
        assert s.get(SopStepResult, int(required["ID"])).status == StepStatus.PENDING
        assert (
            s.scalar(
                select(AuditLog.actor).where(AuditLog.action == "tick", AuditLog.object_id == mine["ID"])
            )
            == f"sheets:{EDITOR}"
        )
    shown = {r["_row"]: r for r in fake.records(KEY, STEPS)}
    assert shown[mine["_row"]]["Done by"] and shown[mine["_row"]]["Sync status"] == ""
    assert "cannot be skipped" in shown[required["_row"]]["Sync status"]
    assert "automatic check" in shown[automatic["_row"]]["Sync status"]
    if others is not None:
        assert "may not tick" in shown[others["_row"]]["Sync status"]
    fake.add_row(KEY, STEPS, {"Step": "A step of my own", "Status": "done"})
    assert sync(binding).counts["refused"] >= 3, "checklist rows cannot be added from the sheet"
    assert any("cannot be added" in p.message for p in open_problems(db))


def test_kpi_targets_are_set_through_their_service_and_actuals_stay_read_only(
    db: Engine, fake, connect, sync
) -> None:  # type: ignore[no-untyped-def]
    with write_session(db) as s:
        with pytest.raises(ValidationError, match="may not edit KPI targets"):
            bindings.connect(s, SYSTEM, brand="lumi", schema="kpi_targets", spreadsheet=KEY, sync_as=EDITOR)
    binding = connect("kpi_targets", sync_as=MANAGER)
    assert sync(binding).ok
    tab = "KPI targets"
    rows = fake.records(KEY, tab)
    assert any(r["Actual"] != "" for r in rows), "the actual of each period is computed by the hub"
    first, second = rows[0], rows[1]
    fake.type(KEY, tab, first["_row"], "Target", "12345.5")
    fake.type(KEY, tab, second["_row"], "Actual", "999999")
    fake.type(KEY, tab, rows[2]["_row"], "Target", "lots")
    next_month = (
        date.today()
        .replace(day=1)
        .replace(month=date.today().month % 12 + 1, year=date.today().year + (date.today().month == 12))
    )
    added = fake.add_row(
        KEY,
        tab,
        {
            "Metric": "impressions",
            "Channel": "lumi-facebook",
            "Period": "month",
            "From": next_month.isoformat(),
            "Target": "50000",
        },
    )
    misaligned = fake.add_row(
        KEY,
        tab,
        {
            "Metric": "impressions",
            "Period": "month",
            "From": next_month.replace(day=15).isoformat(),
            "Target": "1",
        },
    )
    result = sync(binding)
    assert (
        result.ok
        and result.counts["applied"] == 1
        and result.counts["created"] == 1
        and result.counts["refused"] == 3
    ), result.counts
    with read_session(db) as s:
        assert s.get(KpiTarget, int(first["ID"])).target_value == Decimal("12345.5")
        made = s.scalars(
            select(KpiTarget).where(
                KpiTarget.period_start == next_month,
                KpiTarget.metric_key == "impressions",
                KpiTarget.channel_id.is_not(None),
            )
        ).one()
        assert made.period_end.day >= 28 and made.target_value == Decimal(50000)
    shown = {r["_row"]: r for r in fake.records(KEY, tab)}
    assert shown[added]["ID"] == str(made.id) and shown[added]["To"] == made.period_end.isoformat()
    assert (
        "filled in by the hub" in shown[second["_row"]]["Sync status"]
        and shown[second["_row"]]["Actual"] == "999999"
    )
    assert "is not a number" in shown[rows[2]["_row"]]["Sync status"]
    assert "starts on the first day of a month" in shown[misaligned]["Sync status"]


def test_the_metrics_dictionary_is_exported_read_only(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("metrics_dictionary", sync_as=EDITOR)
    assert sync(binding).ok
    tab = "Metrics dictionary"
    rows = fake.records(KEY, tab)
    with read_session(db) as s:
        assert {r["Key"] for r in rows} == set(s.scalars(select(MetricDefinition.key)))
    fake.type(KEY, tab, rows[0]["_row"], "Name", "Renamed in the sheet")
    fake.delete_row(KEY, tab, rows[-1]["_row"])
    fake.add_row(KEY, tab, {"Key": "my_metric", "Name": "Mine"})
    result = sync(binding)
    assert result.counts["refused"] == 2 and result.counts["restored"] == 1
    with read_session(db) as s:
        assert (
            s.scalar(select(MetricDefinition.name).where(MetricDefinition.key == rows[0]["Key"]))
            == rows[0]["Name"]
        )
    assert rows[-1]["Key"] in {r["Key"] for r in fake.records(KEY, tab)}, "a removed row comes back"


def test_a_new_worksheet_is_one_yaml_file(
    db: Engine, fake, connect, sync, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    for f in schema_dir().glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "campaign_list.yaml").write_text(
        "name: campaign_list\ntitle: Campaigns\nsource: table\ntable: campaigns\ndirection: export\nkey: slug\n"
        "columns:\n  - {name: slug, header: Slug}\n  - {name: name, header: Name}\n"
        "  - {name: status, header: Status, type: enum, values: [planned, active, completed, cancelled]}\n"
        "  - {name: start_date, header: Starts, type: date}\n  - {name: budget, header: Budget, type: decimal}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SOCIALOPS_SHEETS_SCHEMA_DIR", str(tmp_path))
    binding = connect("campaign_list")
    assert sync(binding).ok
    rows = fake.records(KEY, "Campaigns")
    assert rows and all(
        r["Slug"] and r["Status"] in ("planned", "active", "completed", "cancelled") for r in rows
    )
    inbox = connect("inbox_response_times")
    assert sync(inbox).ok and fake.records(KEY, "Response times")[0]["Channel"].startswith("lumi-")
