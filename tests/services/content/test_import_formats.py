"""Reading bulk files without a database: formats told apart by their headers, the encodings and
separators real tools write, row numbers as the spreadsheet shows them, formula-looking cells kept as
text, and dates read day-first or month-first in the brand's time zone."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from bulkfiles import (
    COPY_ID,
    COPY_MS,
    COPY_ZH,
    FORMULA_COPY,
    FORMULA_LIKE,
    hootsuite_csv,
    sprout_csv,
    template_csv,
    template_row,
    template_xlsx,
)
from openpyxl import load_workbook

from app.services.content import template_csv as blank_template_csv
from app.services.content import template_xlsx as blank_template_xlsx
from app.services.content.bulk.formats import TEMPLATE_NAMES, read_rows
from app.services.content.bulk.times import TimeProblem, parse_date_and_time, parse_datetime
from app.services.core import ValidationError

KL = ZoneInfo("Asia/Kuala_Lumpur")
ROWS = [
    template_row(
        post_key="a", channel="warisan-x", scheduled_at="2030-01-02 09:30", title="Pagi", copy=COPY_MS
    ),
    template_row(post_key="a", channel="facebook", copy=COPY_ZH),
    template_row(post_key="b", channel="x", copy=FORMULA_COPY),
    *[template_row(post_key=f"f{i}", channel="x", copy=c) for i, c in enumerate(FORMULA_LIKE)],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "sep_line"),
    [
        ("utf-8", ",", False),
        ("utf-8-sig", ",", False),  # Excel's "CSV UTF-8"
        ("utf-16", "\t", False),  # Excel's "Unicode text": UTF-16 with a BOM, tabs
        ("utf-16-le", ";", False),  # no BOM at all
        ("utf-8-sig", ";", True),  # European Excel: `sep=;` first line
    ],
)
def test_template_csv_in_the_encodings_and_separators_real_tools_write(encoding, delimiter, sep_line) -> None:
    data = template_csv(ROWS, encoding=encoding, delimiter=delimiter, sep_line=sep_line)
    parsed = read_rows(data, "posts.csv")
    assert parsed.format == "template"
    first = 3 if sep_line else 2
    assert [r.row for r in parsed.rows] == list(range(first, first + len(ROWS)))
    copies = [r.values["copy"] for r in parsed.rows]
    assert copies == [
        r["copy"] for r in ROWS
    ]  # emoji, Chinese, `=HYPERLINK(...)`, `+60`, `-20%`, `@` verbatim
    assert parsed.rows[0].values["channel"] == "warisan-x"


def test_blank_lines_and_trailing_spaces_keep_the_spreadsheet_row_numbers() -> None:
    text = (
        "Post Key , Channel,Scheduled At ,Copy,Extra notes\r\n"
        "\r\n"
        'k1 ,  warisan-x , 2030-01-02 09:30 ,"Baris satu\nbaris dua" ,ignored\r\n'
        ",,,,\r\n"
        f"k2,x,,{COPY_ID}  ,\r\n"
    )
    parsed = read_rows(text.encode("utf-8"), "notes.csv")
    assert parsed.format == "template"
    assert [r.row for r in parsed.rows] == [3, 5]
    assert parsed.rows[0].values == {
        "post_key": "k1",
        "channel": "warisan-x",
        "scheduled_at": "2030-01-02 09:30",
        "copy": "Baris satu\nbaris dua",
    }
    assert parsed.column("scheduled_at") == "Scheduled At"
    assert parsed.notes == ["columns not used: Extra notes"]


def test_template_xlsx_keeps_formula_looking_text_and_real_dates() -> None:
    rows = [dict(r) for r in ROWS]
    parsed = read_rows(template_xlsx(rows), "posts.xlsx")
    assert parsed.format == "template" and parsed.encoding == "xlsx"
    assert [r.values["copy"] for r in parsed.rows] == [r["copy"] for r in ROWS]
    # A date typed into Excel arrives as a datetime cell: read as local text, like the CSV's.
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["channel", "scheduled_at", "copy"])
    wb.active.append(["x", datetime(2030, 1, 2, 9, 30), "Hai"])
    buf = io.BytesIO()
    wb.save(buf)
    assert read_rows(buf.getvalue(), "dates.xlsx").rows[0].values["scheduled_at"] == "2030-01-02 09:30"


def test_hootsuite_without_header_with_header_and_extra_columns() -> None:
    rows = [("02/01/2030 09:30", COPY_MS, "https://warisan.example/menu"), ("03/01/2030 10:00", COPY_ZH, "")]
    parsed = read_rows(hootsuite_csv(rows), "hootsuite.csv")
    assert parsed.format == "hootsuite" and parsed.headers == []
    assert [r.row for r in parsed.rows] == [1, 2]
    assert parsed.rows[0].values == {
        "scheduled_at": "02/01/2030 09:30",
        "copy": COPY_MS,
        "link": "https://warisan.example/menu",
    }
    assert parsed.column("copy") == "B (message)"
    with_header = read_rows(hootsuite_csv(rows, header=True), "h.csv")
    assert with_header.format == "hootsuite" and [r.row for r in with_header.rows] == [2, 3]
    extra = read_rows(b"02/01/2030 09:30,Hai,,note\n", "h.csv")
    assert extra.notes and "three columns" in extra.notes[0]


def test_sprout_headers_are_recognised_case_insensitively() -> None:
    parsed = read_rows(sprout_csv([("02/01/2030", "09:30", COPY_ID, "")]), "sprout.csv")
    assert parsed.format == "sprout"
    assert parsed.rows[0].values == {"date": "02/01/2030", "time": "09:30", "copy": COPY_ID, "link": ""}
    upper = read_rows(b"Date,Time_24hr,Message_Text\n02/01/2030,09:30,Hai\n", "s.csv")
    assert upper.format == "sprout" and upper.column("copy") == "Message_Text"


def test_a_file_whose_format_cannot_be_told_is_refused_with_what_is_expected() -> None:
    with pytest.raises(ValidationError, match="could not tell the file's format") as exc:
        read_rows(b"name,price\nKopi O,2.50\n", "menu.csv")
    assert "time_24hr" in str(exc.value) and "channel" in str(exc.value)
    with pytest.raises(ValidationError, match="needs the column"):
        read_rows(b"channel,copy\nx,Hai\n", "t.csv", fmt="sprout")
    with pytest.raises(ValidationError, match="empty"):
        read_rows(b"", "t.csv")
    with pytest.raises(ValidationError, match=r"\.xls"):
        read_rows(b"\xd0\xcf\x11\xe0rest", "old.xls")


def test_the_downloadable_templates() -> None:
    assert blank_template_csv().decode("utf-8-sig").strip() == ",".join(TEMPLATE_NAMES)
    wb = load_workbook(io.BytesIO(blank_template_xlsx()))
    assert wb.sheetnames == ["Posts", "Columns", "Example"]
    assert [c.value for c in wb["Posts"][1]] == list(TEMPLATE_NAMES)
    assert wb["Posts"].freeze_panes == "A2"
    assert wb["Example"]["L2"].value == "#12" and wb["Example"]["L2"].data_type == "s"
    assert read_rows(blank_template_xlsx(), "template.xlsx").rows == []  # only the Posts sheet is read


@pytest.mark.parametrize(
    ("text", "order", "expected_utc"),
    [
        ("2030-01-02 09:30", "dmy", datetime(2030, 1, 2, 1, 30, tzinfo=UTC)),  # KL is UTC+8
        ("2030-01-02T09:30:00+07:00", "dmy", datetime(2030, 1, 2, 2, 30, tzinfo=UTC)),
        ("2030-01-02T09:30Z", "mdy", datetime(2030, 1, 2, 9, 30, tzinfo=UTC)),
        ("03/04/2030 09:30", "dmy", datetime(2030, 4, 3, 1, 30, tzinfo=UTC)),
        ("03/04/2030 09:30", "mdy", datetime(2030, 3, 4, 1, 30, tzinfo=UTC)),
        ("3.4.30 9:30 PM", "dmy", datetime(2030, 4, 3, 13, 30, tzinfo=UTC)),
        ("2030/04/03 12:05 am", "mdy", datetime(2030, 4, 2, 16, 5, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_the_chosen_order_and_the_brand_time_zone(text, order, expected_utc) -> None:
    assert parse_datetime(text, KL, order) == expected_utc


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2026 10:00", "not a date"),
        ("tomorrow", "not a date"),
        ("2030-01-02", "has no time of day"),
        ("13:00 02/01/2030", "not a date"),
        ("02/01/2030 13:00 pm", "12-hour"),
    ],
)
def test_bad_times_say_why(text, reason) -> None:
    with pytest.raises(TimeProblem, match=reason):
        parse_datetime(text, KL, "dmy")


def test_a_time_skipped_by_a_clock_change_is_refused() -> None:
    with pytest.raises(TimeProblem, match="does not exist in America/New_York"):
        parse_datetime("2030-03-10 02:30", ZoneInfo("America/New_York"))


def test_sprout_date_and_time_cells() -> None:
    assert parse_date_and_time("02/01/2030", "17:05", KL) == (
        datetime(2030, 1, 2, 9, 5, tzinfo=UTC),
        None,
        None,
    )
    assert parse_date_and_time("02/01/2030", "25:00", KL)[1:] == (
        "time",
        "not a time (24-hour, e.g. 09:30 or 17:05)",
    )
    assert parse_date_and_time("31/02/2030", "10:00", KL)[1] == "date"
