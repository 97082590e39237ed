"""The command line as power users and jobs use it: listings with the slug first, --json for scripts,
one-line errors with a non-zero exit, and the same services (and audit log) as the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.cli import main
from app.db import read_session
from app.models import AuditLog

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(empty_db: Engine, use_db, capsys):  # type: ignore[no-untyped-def]
    """Run `python -m app ARGS` in-process against a fresh database; returns (exit code, stdout, stderr)."""
    use_db(empty_db)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "reset", "--yes", "--name", "Acme Social")[0] == 0
    return run


def test_help_lists_the_subcommands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for command in ("db", "demo", "brands", "markets", "channels", "users", "audit"):
        assert f"    {command}" in result.stdout


def test_a_mistyped_command_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "brandz"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid choice: 'brandz'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "brands"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: the database at postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    assert "Traceback" not in result.stderr


def test_set_up_an_agency_from_the_command_line(cli) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli(
            "markets",
            "add",
            "sg",
            "--name",
            "Singapore",
            "--country",
            "SG",
            "--languages",
            "en,zh",
            "--timezone",
            "Asia/Singapore",
            "--currency",
            "SGD",
        )[0]
        == 0
    )
    code, out, _ = cli("brands", "add", "lumi-sg", "--name", "Lumi Skincare", "--market", "sg", "--regulated")
    assert code == 0 and "added brand lumi-sg" in out
    code, out, _ = cli(
        "channels",
        "add",
        "--brand",
        "lumi-sg",
        "--platform",
        "mastodon",
        "--handle",
        "@lumi",
        "--base-url",
        "http://127.0.0.1:3000",
        "--token-env",
        "MASTODON_TOKEN_LUMI",
    )
    assert code == 0 and "lumi-sg-mastodon" in out
    assert cli("users", "add", "ed@acme.com", "--role", "editor", "--brand", "lumi-sg")[0] == 0

    code, out, _ = cli("brands")
    header, row = out.strip().splitlines()
    assert header.split()[0] == "SLUG" and row.split()[0] == "lumi-sg"

    code, out, _ = cli("channels", "list", "--json")
    data = json.loads(out)
    assert data[0]["slug"] == "lumi-sg-mastodon" and data[0]["credential_env"] == "MASTODON_TOKEN_LUMI"

    code, out, _ = cli("users", "--json")
    assert {u["email"]: u["brand_roles"] for u in json.loads(out)} == {"ed@acme.com": {"lumi-sg": "editor"}}


def test_listing_options_work_before_or_after_list(cli) -> None:  # type: ignore[no-untyped-def]
    assert json.loads(cli("brands", "--json", "list")[1]) == []
    assert json.loads(cli("brands", "list", "--json")[1]) == []


def test_cli_changes_are_audited_as_the_cli(cli, empty_db: Engine) -> None:  # type: ignore[no-untyped-def]
    cli(
        "markets",
        "add",
        "my",
        "--name",
        "Malaysia",
        "--country",
        "MY",
        "--languages",
        "ms,en",
        "--timezone",
        "Asia/Kuala_Lumpur",
        "--currency",
        "MYR",
    )
    with read_session(empty_db) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.object_type == "market")).one()
    assert entry.actor.startswith("cli:") and entry.action == "create" and entry.after["code"] == "my"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("brands", "add", "x", "--name", "X", "--market", "nowhere"), "error: no market 'nowhere'"),
        (("users", "add", "not-an-email", "--role", "editor"), "is not an e-mail address"),
        (("users", "add", "a@b.co", "--role", "overlord"), "role 'overlord' is not one of: viewer, editor"),
        (("channels", "--brand", "ghost"), "error: no brand 'ghost'"),
        (("db", "reset"), "add --yes to confirm"),
    ],
)
def test_errors_are_one_line_with_exit_1(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(*args)
    assert code == 1
    assert message in err and err.count("\n") == 1
    assert out == ""


def test_commands_on_an_empty_database_say_what_to_run(empty_db: Engine, use_db, databases, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.db import get_engine

    use_db(get_engine(databases.new()))
    assert main(["users"]) == 1
    assert "run `python -m app db upgrade`" in capsys.readouterr().err


def test_demo_builds_refuses_to_overwrite_and_resets(databases, use_db, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.db import get_engine

    use_db(get_engine(databases.new()))
    assert main(["demo", "--brands", "2", "--days", "10"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("synthetic agency (2 brands, 10 days) ready in")
    assert "channel_daily_metrics" in out and "100" in out  # 2 brands x 5 channels x 10 days
    assert main(["brands", "--json"]) == 0
    assert [b["slug"] for b in json.loads(capsys.readouterr().out)] == ["brand-0001", "brand-0002"]

    assert main(["demo"]) == 1
    assert "already holds workspace" in capsys.readouterr().err

    assert main(["demo", "--reset"]) == 0
    capsys.readouterr()
    assert main(["brands", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_backup_and_restore_from_the_command_line(demo_db: Engine, use_db, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    target = tmp_path / "hub.backup"
    assert main(["backup", "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert "backup of the" in out and target.stat().st_size > 0
    assert "it holds the store as it was at " in out and " UTC: changes committed while it ran" in out
    assert main(["restore", str(target)]) == 1
    assert "add --yes to confirm" in capsys.readouterr().err
    assert main(["restore", str(target), "--yes"]) == 0
    assert capsys.readouterr().out.startswith("restored ")
