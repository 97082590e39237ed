"""The ways a sync starts outside a page: the job (`python -m jobs.sheets_sync`, recorded as a job run,
failed with the worksheet's error when one could not sync) and the `python -m app sheets` commands,
both reading the service account and the endpoint from the secrets file and GOOGLE_SHEETS_API_URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EDITOR, KEY, service_account
from sqlalchemy import Engine, select

from app.cli import main as cli
from app.db import read_session
from app.models import JobRun
from app.models.enums import JobStatus
from app.services import ops
from app.services.core import Actor
from app.sheets.settings import load_sheets_settings
from jobs import sheets_sync


def write_secrets(path: Path, account: dict, api_url: str) -> Path:
    """A secrets.toml with a [sheets] section (TOML basic strings take JSON's escapes)."""
    lines = [
        "[sheets]",
        f"api_url = {json.dumps(api_url)}",
        "backoff_seconds = 0.01",
        "backoff_max_seconds = 0.02",
        "max_attempts = 3",
        "[sheets.service_account]",
    ]
    lines += [f"{k} = {json.dumps(v)}" for k, v in account.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def configured(
    fake, private_key_pem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Engine, use_db
):  # type: ignore[no-untyped-def]
    """The app pointed at the test database, and its secrets at the local Sheets server (the endpoint
    given in the environment, as GOOGLE_SHEETS_API_URL wins over the file)."""
    use_db(db)
    secrets = write_secrets(
        tmp_path / "secrets.toml", service_account(fake, private_key_pem), "https://sheets.googleapis.com"
    )
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("GOOGLE_SHEETS_API_URL", fake.url)
    return fake


def test_settings_come_from_the_secrets_file_and_the_environment(configured) -> None:  # type: ignore[no-untyped-def]
    s = load_sheets_settings()
    assert s.configured and s.api_url == configured.url and s.max_attempts == 3
    assert s.client_email.endswith("iam.gserviceaccount.com") and "private_key" not in repr(s)


def test_the_job_syncs_and_records_its_run(configured, connect, db: Engine) -> None:  # type: ignore[no-untyped-def]
    connect("content_calendar")
    connect("metrics_dictionary")
    assert sheets_sync.main([]) == 0
    with read_session(db) as s:
        run = s.scalars(select(JobRun).where(JobRun.job_name == "sheets_sync")).one()
    assert run.status == JobStatus.OK and run.counts["worksheets"] == 2 and run.counts["ok"] == 2
    assert configured.records(KEY, "Calendar") and configured.records(KEY, "Metrics dictionary")


def test_a_failing_worksheet_fails_the_job_run_for_the_health_page(configured, connect, db: Engine) -> None:  # type: ignore[no-untyped-def]
    connect("content_calendar")
    configured.fail(429, times=100)
    assert sheets_sync.main(["--brand", "lumi"]) == 1
    with read_session(db) as s:
        run = s.scalars(select(JobRun).where(JobRun.job_name == "sheets_sync")).one()
        summary = ops.job_summary(s, Actor.system("test"))
    assert run.status == JobStatus.FAILED and "lumi/Calendar" in run.error and "429" in run.error
    row = summary[summary["job"] == "sheets_sync"].iloc[0]
    assert row["last status"] == "failed" and "429" in row["last error"]


def test_the_command_line(configured, connect, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli(
            [
                "sheets",
                "connect",
                "--brand",
                "lumi",
                "--worksheet",
                "content_calendar",
                "--spreadsheet",
                KEY,
                "--sync-as",
                EDITOR,
                "--conflicts",
                "sheet_wins",
            ]
        )
        == 0
    )
    assert cli(["sheets", "sync", "--brand", "lumi"]) == 0
    out = capsys.readouterr().out
    assert "lumi / Calendar: ok in 4 requests" in out
    assert cli(["sheets", "status", "--json"]) == 0
    (status,) = json.loads(capsys.readouterr().out)
    assert (
        status["last_status"] == "ok"
        and status["conflict_policy"] == "sheet_wins"
        and status["sync_as"] == EDITOR
    )
    row = configured.records(KEY, "Calendar")[0]
    configured.type(KEY, "Calendar", row["_row"], "Status", "nonsense")
    assert cli(["sheets", "sync"]) == 0
    assert cli(["sheets", "problems", "--json"]) == 0
    (problem,) = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert problem["problem"] == "Edit refused" and "nonsense" in problem["sheet values"]
    assert cli(["sheets", "decide", str(problem["id"]), "database"]) == 0
    assert cli(["sheets", "sync"]) == 0
    assert configured.records(KEY, "Calendar")[0]["Status"] == row["Status"]
    configured.fail(429, times=100)
    assert cli(["sheets", "sync"]) == 1
    assert "failed to sync" in capsys.readouterr().err
