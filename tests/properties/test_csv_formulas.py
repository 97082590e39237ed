"""No CSV the hub writes carries a formula (issue 14, finding 1): whatever text people wrote, a cell of
an exported CSV, read back by a CSV reader, never starts with what a spreadsheet runs as a formula
(`=`, `+`, `-`, `@`, tab, carriage return), plain numbers aside; and the importer reads the cell back
as exactly the text that was written (line ends read as "\n")."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from app.services.core import csv_records, csv_safe, csv_unsafe, frame_csv
from app.services.core.spreadsheets import FORMULA_START

# Text weighted towards what matters here: formula starts, apostrophes, numbers, then anything.
LEADS = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "-1", "+65 ", ""])
TEXT = st.builds(lambda lead, rest: lead + rest, LEADS, st.text(max_size=40))
ATTACKS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '+HYPERLINK("http://evil.example","click")',
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
]


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "_" not in text and text.lower() not in ("nan", "inf", "-inf", "+inf")


def _formula(cell: str) -> bool:
    return cell[:1] in FORMULA_START and cell != "" and not _is_plain_number(cell)


@given(TEXT)
def test_a_written_cell_never_starts_a_formula_and_reads_back_as_written(text: str) -> None:
    cell = csv_safe(text)
    assert not _formula(cell), (text, cell)
    assert csv_unsafe(cell) == text


@given(st.lists(TEXT, min_size=1, max_size=6))
def test_a_download_re_read_by_a_csv_reader_holds_no_formula_and_imports_back_as_written(
    texts: list[str],
) -> None:
    frame = pd.DataFrame({"title": texts, "n": range(len(texts))})
    data = frame_csv(frame)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["title", "n"]
    assert not [c for row in rows[1:] for c in row if _formula(c)]
    records, _, _ = csv_records(data.decode("utf-8"), known_headers=["title", "n"])
    # The importer reads every line end as "\n", inside a cell too (as a spreadsheet does).
    assert [cells[0] for _, cells in records[1:]] == [
        t.replace("\r\n", "\n").replace("\r", "\n") for t in texts
    ]


def test_the_known_attacks_are_written_as_text() -> None:
    for attack in ATTACKS:
        assert csv_safe(attack) == "'" + attack
    # Numbers stay numbers in a spreadsheet; text that only looks odd stays as it was.
    assert [csv_safe(v) for v in ["-5", "+0.25", "-1e3", "'tis the season", "a=b", ""]] == [
        "-5", "+0.25", "-1e3", "'tis the season", "a=b", "",
    ]  # fmt: skip
