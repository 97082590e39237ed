"""`python -m app import posts|template` and `python -m app export calendar`, run in-process against a
copy of the demo workspace: a summary on success, one line per refused cell and exit 1 when nothing
was imported, one-line errors, files written where asked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from bulkfiles import (
    COPY_MS,
    COPY_ZH,
    hootsuite_csv,
    hootsuite_time,
    iso_local,
    local_time,
    template_csv,
    template_row,
)
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from app.cli import main
from app.db import read_session
from app.models import AuditLog, Post


@pytest.fixture
def cli(demo_db: Engine, use_db, capsys):  # type: ignore[no-untyped-def]
    """Run `python -m app ARGS` in-process on a copy of the demo; returns (exit code, stdout, stderr)."""
    use_db(demo_db)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def posts(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Post)) or 0


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


ROWS = [
    template_row(post_key="a", channel="warisan-x", scheduled_at=iso_local(3), title="Pagi", copy=COPY_MS),
    template_row(post_key="a", channel="facebook", copy=COPY_ZH),
    template_row(
        channel="linkedin", scheduled_at=iso_local(4), title="Kerjaya", copy="Kami sedang mengambil pekerja!"
    ),
]


def test_import_posts_prints_a_summary_and_writes_as_the_cli(cli, demo_db: Engine, tmp_path: Path) -> None:
    before = posts(demo_db)
    code, out, err = cli(
        "import", "posts", write(tmp_path, "plan.csv", template_csv(ROWS)), "--brand", "warisan"
    )
    assert code == 0, err
    assert out.startswith("Imported 2 posts with 3 variants (batch imp-") and "[template, utf-8," in out
    assert "warisan-facebook" in out and "warisan-linkedin" in out
    assert "Checking row" in err  # progress goes to stderr
    assert posts(demo_db) == before + 2
    with read_session(demo_db) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.object_type == "post_import")).one()
    assert entry.actor.startswith("cli:") and entry.after["filename"] == "plan.csv"


def test_refused_rows_are_one_line_each_and_exit_1(cli, demo_db: Engine, tmp_path: Path) -> None:
    rows = [dict(r) for r in ROWS]
    rows[2]["scheduled_at"] = "31/02/2026 10:00"
    rows[0]["copy"] = "x" * 300
    before = posts(demo_db)
    code, out, err = cli(
        "import", "posts", write(tmp_path, "bad.csv", template_csv(rows)), "--brand", "warisan"
    )
    assert code == 1
    assert "row 4, scheduled_at '31/02/2026 10:00': not a date (read as day/month/year)" in out.splitlines()
    assert any(
        line.startswith("row 2, copy 'xxx") and line.endswith("(20 too many)") for line in out.splitlines()
    )
    assert err.strip().splitlines()[-1] == (
        "error: nothing imported: 3 rows refused; --valid-only imports the rows that pass"
    )
    assert posts(demo_db) == before

    code, out, _ = cli("import", "posts", str(tmp_path / "bad.csv"), "--brand", "warisan", "--dry-run")
    assert code == 1 and out.startswith("Dry run of 3 rows: 0 posts")
    code, out, err = cli("import", "posts", str(tmp_path / "bad.csv"), "--brand", "warisan", "--valid-only")
    assert code == 1 and err.strip().endswith("error: nothing imported: 3 rows refused")  # no post was whole
    assert posts(demo_db) == before


def test_hootsuite_needs_a_channel_and_reads_the_date_order(cli, demo_db: Engine, tmp_path: Path) -> None:
    when = local_time(6, 9, 30)
    path = write(tmp_path, "hoot.csv", hootsuite_csv([(hootsuite_time(when, "mdy"), COPY_MS, "")]))
    code, out, err = cli("import", "posts", path, "--brand", "warisan")
    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1].startswith("error: a Hootsuite bulk CSV has no channel column")
    before = posts(demo_db)
    code, out, err = cli(
        "import",
        "posts",
        path,
        "--brand",
        "warisan",
        "--channel",
        "x",
        "--date-order",
        "mdy",
        "--format",
        "hootsuite",
    )
    assert code == 0, err
    assert posts(demo_db) == before + 1


def test_dry_run_and_json(cli, demo_db: Engine, tmp_path: Path) -> None:
    import json

    before = posts(demo_db)
    code, out, _ = cli(
        "import",
        "posts",
        write(tmp_path, "p.csv", template_csv(ROWS)),
        "--brand",
        "warisan",
        "--dry-run",
        "--json",
    )
    report = json.loads(out)
    assert code == 0 and report["dry_run"] and report["valid_posts"] == 2 and report["batch_id"] is None
    assert posts(demo_db) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "posts", "missing.csv", "--brand", "warisan"), "error: no file 'missing.csv'"),
        (
            ("export", "calendar", "--format", "ics", "--brand", "ghost", "-o", "x.ics"),
            "error: no brand 'ghost'",
        ),
        (
            ("export", "calendar", "--format", "csv", "--from", "01/12/2026", "-o", "x.csv"),
            "is not a date (YYYY-MM-DD)",
        ),
        (
            (
                "export",
                "calendar",
                "--format",
                "csv",
                "--from",
                "2026-12-10",
                "--to",
                "2026-12-01",
                "-o",
                "x.csv",
            ),
            "--to is before --from",
        ),
    ],
)
def test_errors_are_one_line(cli, args: tuple[str, ...], message: str) -> None:
    code, out, err = cli(*args)
    assert code == 1 and message in err and err.count("\n") == 1 and out == ""


def test_template_as_csv_and_xlsx(cli, tmp_path: Path) -> None:
    code, out, _ = cli("import", "template", "-o", str(tmp_path / "t.xlsx"))
    assert code == 0 and "Posts, Columns and Example" in out
    assert load_workbook(tmp_path / "t.xlsx").sheetnames == ["Posts", "Columns", "Example"]
    assert cli("import", "template", "-o", str(tmp_path / "t.csv"))[0] == 0
    assert (
        (tmp_path / "t.csv")
        .read_text(encoding="utf-8-sig")
        .startswith("post_key,channel,scheduled_at,title,copy")
    )


def test_export_calendar_in_each_format(cli, tmp_path: Path) -> None:
    code, out, _ = cli(
        "export",
        "calendar",
        "--format",
        "csv",
        "--from",
        str(local_time(-30).date()),
        "-o",
        str(tmp_path / "c.csv"),
    )
    assert code == 0 and out.startswith("wrote ") and "(all 3 brands," in out
    n = int(out.split()[1].replace(",", ""))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == n > 0
    code, out, _ = cli(
        "export", "calendar", "--format", "ics", "--brand", "lumi", "-o", str(tmp_path / "c.ics")
    )
    assert code == 0 and "(lumi, " in out  # default period: today and the next 29 days
    assert (tmp_path / "c.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    code, out, _ = cli(
        "export", "calendar", "--format", "xlsx", "--status", "scheduled", "-o", str(tmp_path / "c.xlsx")
    )
    assert code == 0 and load_workbook(tmp_path / "c.xlsx").active["A1"].value == "post_id"
