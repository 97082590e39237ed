"""`python -m app rollups refresh|rebuild`, run in-process against a copy of the demo workspace: the
rebuild shows its progress, names what it did, and leaves the same rollups a refresh keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from app.cli import main
from app.db import read_session, write_session
from app.models import AuditLog, ChannelDailyMetric
from app.models.metrics import MetricRollup, RollupDirtyDay


@pytest.fixture
def cli(demo_db: Engine, use_db, capsys):  # type: ignore[no-untyped-def]
    use_db(demo_db)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _rollup_count(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(MetricRollup)) or 0


def test_rebuild_one_brand_shows_progress_and_is_audited(cli, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    before = _rollup_count(demo_db)
    code, out, err = cli("rollups", "rebuild", "--brand", "warisan")
    assert code == 0, err
    assert "rollups rebuilt for warisan" in out and "channels" in out
    assert "Rebuilt" in err  # the progress lines
    assert _rollup_count(demo_db) == before
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).where(AuditLog.object_type == "metric_rollups")) == 1


def test_refresh_picks_up_a_changed_day(cli, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_db) as s:
        day = s.scalar(select(func.max(ChannelDailyMetric.date)))
        s.execute(update(ChannelDailyMetric).where(ChannelDailyMetric.date == day).values(clicks=0))
    code, out, err = cli("rollups", "refresh")
    assert code == 0, err
    assert "changed channel-days" in out
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 0


def test_rebuild_of_an_unknown_brand_is_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("rollups", "rebuild", "--brand", "nope")
    assert code == 1 and err.startswith("error:") and "nope" in err


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def test_import_metrics_prints_what_it_did_and_twice_changes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    path = str(FIXTURES / "tiktok_overview.csv")
    code, out, err = cli("import", "metrics", path, "--brand", "warisan")
    assert code == 0, err
    assert "Wrote 2 new and 0 changed channel days into warisan-tiktok" in out
    code, out, _ = cli("import", "metrics", path, "--brand", "warisan")
    assert code == 0 and "Nothing to change" in out


def test_import_metrics_lists_refused_cells_and_exits_1(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("import", "metrics", str(FIXTURES / "tiktok_overview_bad.csv"), "--brand", "warisan")
    assert code == 1
    assert "row 2, Likes 'lots': not a number" in out
    assert "nothing imported: 4 row(s) refused" in err


def test_import_metrics_dry_run_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    import json

    code, out, err = cli(
        "import",
        "metrics",
        str(FIXTURES / "ga4_transactions.csv"),
        "--brand",
        "warisan",
        "--dry-run",
        "--json",
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["format"] == "ga4_conversions" and report["new"] == 3 and report["written"] is False
