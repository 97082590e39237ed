"""`python -m app setup` and `python -m app dictionary list`, as written in the issue and checked from
outside: the pack listing, a non-interactive load with its per-part summary, the dictionary as JSON
lines, and a bad starter name as one line with exit code 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.cli import main
from app.db import read_session
from app.models import StarterItem
from app.starters import get_pack

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(empty_db: Engine, use_db, capsys):  # type: ignore[no-untyped-def]
    """Run `python -m app ARGS` in-process against a fresh, reset workspace: (exit code, stdout, stderr)."""
    use_db(empty_db)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "reset", "--yes", "--name", "Clean Agency")[0] == 0
    return run


def test_list_starters_is_one_line_per_pack() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "setup", "--list-starters"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pack = get_pack("agency")
    assert result.stdout.splitlines() == [f"agency  v{pack.version}  {pack.title}"]


def test_setup_starter_agency_yes_loads_and_prints_the_summary(cli, empty_db: Engine) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("setup", "--starter", "agency", "--yes")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"starter pack agency v{get_pack('agency').version} loaded"
    assert "SOP library: 11 created, 0 already there, 0 updated, 0 left as edited" in lines
    assert any(line.startswith("Metrics dictionary: 28 created") for line in lines)
    code, out, _ = cli("setup", "--starter", "agency", "--yes")
    assert code == 0 and "SOP library: 0 created, 11 already there, 0 updated, 0 left as edited" in out
    with read_session(empty_db) as s:
        assert s.scalar(select(func.count()).select_from(StarterItem)) == 58


def test_without_yes_and_no_terminal_nothing_is_loaded(cli, empty_db: Engine) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = cli("setup", "--starter", "agency")
    assert code == 1 and err.startswith("error: nothing loaded: confirm with --yes")
    with read_session(empty_db) as s:
        assert s.scalar(select(func.count()).select_from(StarterItem)) == 0


def test_a_bad_starter_name_is_one_line_and_exit_1(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("setup", "--starter", "agencyy", "--yes")
    assert code == 1 and out == ""
    assert err == "error: no starter pack 'agencyy' (there are: agency)\n"


def test_setup_alone_shows_the_steps_and_the_counts(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("setup")
    assert code == 0
    assert "python -m app markets add" in out and "python -m app setup --starter agency --yes" in out
    assert "workspace: Clean Agency" in out and "brands: 0" in out


def test_dictionary_list_json_is_one_object_per_metric(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("setup", "--starter", "agency", "--yes")[0] == 0
    code, out, _ = cli("dictionary", "list", "--json")
    assert code == 0
    rows = json.loads(out)  # one array, as every listing's --json
    assert len(rows) == 28
    for row in rows:
        assert {
            "slug",
            "name",
            "formula",
            "unit",
            "relevance",
            "indicator",
            "source",
            "platform_fields",
        } <= set(row)
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["engagement_rate"]["formula"] == "engagements / impressions"
    assert by_slug["engagement_rate"]["unit"] == "percent" and by_slug["followers"]["formula"] is None
    ig = [f for f in by_slug["impressions"]["platform_fields"] if f["platform"] == "instagram"]
    assert {(f["field"], f["valid_from"], f["valid_to"]) for f in ig} == {
        ("impressions", None, "2025-04-21"),
        ("views", "2025-04-21", None),
    }
    code, out, _ = cli("dictionary", "list")
    first = out.splitlines()
    assert len(first) == 28 and all(line.split()[0] in by_slug for line in first)


def test_setup_adds_markets_brands_and_people_then_the_pack(cli, empty_db: Engine) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(
        "setup", "--market", "my:Malaysia:Asia/Kuala_Lumpur:MYR", "--brand", "teh:Teh Tarik House:my",
        "--person", "ana@agency.example:editor", "--person", "client@teh.example:approver:teh",
        "--starter", "agency", "--yes",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[:4] == [
        "added market my (Malaysia, Asia/Kuala_Lumpur)",
        "added brand teh (Teh Tarik House, market my)",
        "added ana@agency.example as editor",
        "added client@teh.example as approver on teh",
    ]
    assert "Approval flow presets: 1 created, 0 already there, 0 updated, 0 left as edited" in out
    code, out, _ = cli("brands")
    assert out.splitlines()[1].startswith("teh ")


def test_a_bad_setup_flag_is_one_line_and_writes_nothing(cli, empty_db: Engine) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = cli("setup", "--market", "sg:Singapore:Asia/Singapore:SGD", "--brand", "kopi", "--yes")
    assert code == 1 and err == "error: --brand 'kopi': give SLUG:NAME:MARKET\n"
    code, _out, err = cli("setup", "--market", "sg:Singapore:Nowhere/City:SGD")
    assert code == 1 and err.count("\n") == 1 and "Nowhere/City" in err
    assert cli("markets")[1].count("\n") == 1  # the header only: nothing was added
