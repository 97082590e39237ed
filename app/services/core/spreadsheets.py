"""Reading the CSV and XLSX files people upload into rows of text, whatever wrote them: byte-order marks,
UTF-16, Windows-1252, a `sep=` first line, `,` `;` or tab, and spreadsheet cells as the text the user
sees (a formula stays its text, never evaluated). Row numbers are the ones the user sees in their
spreadsheet, so every importer can name the row of a problem."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Collection
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook

from app.services.core.errors import ValidationError

Records = list[tuple[int, list[str]]]

# OWASP's rule for CSV injection: a cell that starts with one of these is read by a spreadsheet as a
# formula (`=cmd|' /C calc'!A0`, `@SUM(...)`), so a CSV the hub writes puts an apostrophe before it.
# Spreadsheets show the apostrophe-led cell as the text, and csv_records takes the apostrophe off again,
# so an exported file imports back as it was. Plain numbers ("-5", "+0.25") are left as they are.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What csv_unsafe takes the apostrophe from: a formula start, and (so text of people's own that begins
# with an apostrophe reads back whole) an apostrophe, or a line end (a CR read back as one).
_AFTER_APOSTROPHE = (*FORMULA_START, "'", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_safe(value: str) -> str:
    """A text cell as a CSV the hub writes holds it: one a spreadsheet would run as a formula gets a
    leading apostrophe, and so does text that starts with what csv_unsafe would take off (so reading
    it back gives exactly what was written)."""
    first = value[:1]
    if first in FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    if first == "'" and value[1:2] and value[1:2] in _AFTER_APOSTROPHE:
        return "'" + value
    return value


def csv_unsafe(cell: str) -> str:
    """A cell as read from a CSV: the apostrophe csv_safe put before a formula-looking or apostrophe-led
    text goes."""
    if cell[:1] == "'" and cell[1:2] and cell[1:2] in _AFTER_APOSTROPHE:
        return cell[1:]
    return cell


def frame_csv(frame: Any) -> bytes:
    """A table as the CSV a "Download CSV" button gives (UTF-8, no index), text cells made csv_safe."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype == object or str(values.dtype) in ("str", "string"):
            safe[column] = values.astype(object).map(lambda v: csv_safe(v) if isinstance(v, str) else v)
    # CRLF rows (RFC 4180): the writer then quotes a cell holding a bare CR, which would end a row.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: BOMs first, then UTF-16 without a BOM (NUL bytes), UTF-8,
    and Windows-1252 (what Excel's plain "CSV" writes on Western Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    head = data[:400]
    if head and head.count(0) > len(head) // 4:
        le = head[1::2].count(0) > head[0::2].count(0)
        enc = "utf-16-le" if le else "utf-16-be"
        return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"


def norm_header(text: str) -> str:
    """A header as importers match it: lower case, spaces and dashes as one underscore, no BOM."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower().lstrip("\ufeff")).strip("_")


def _pick_delimiter(lines: list[str], known: Collection[str]) -> str:
    """`,`, `;` or tab: the one that splits the header into known names, else the one that gives the
    most rows the same (largest) number of fields."""
    best: tuple[Any, ...] = ()
    choice = ","
    for delim in (",", ";", "\t"):
        records = [r for r in csv.reader(lines[:50], delimiter=delim) if any(c.strip() for c in r)]
        if not records:
            continue
        named = sum(1 for c in records[0] if norm_header(c) in known)
        counts = Counter(len(r) for r in records)
        mode, hits = counts.most_common(1)[0]
        score = (named >= 2, mode > 1, hits / len(records), mode)
        if score > best:
            best, choice = score, delim
    return choice


def csv_records(text: str, known_headers: Collection[str] = ()) -> tuple[Records, str, int]:
    """(spreadsheet row number, cells) per record, the delimiter, and the row of the first record.
    `known_headers` (normalised with `norm_header`) settle the delimiter when the field counts cannot."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_row = 1
    delimiter = None
    first_line, _, rest = text.partition("\n")
    m = re.fullmatch(r"\s*sep=(.)\s*", first_line, flags=re.IGNORECASE)
    if m:
        delimiter = m.group(1)
        text = rest
        first_row = 2
    if delimiter is None:
        delimiter = _pick_delimiter(text.split("\n", 60)[:60], known_headers)
    records = []
    # csv.reader yields [] for a blank line, so counting records counts rows the way Excel does.
    for i, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
        records.append((first_row + i, [csv_unsafe(c) for c in cells]))
    return records, delimiter, first_row


def _cell_text(value: Any) -> str:
    """Spreadsheet cells as text; formulas come back as their text (`=cmd`), never evaluated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_records(data: bytes, sheet: str | None = None) -> Records:
    """(row number, cells as text) of the workbook's sheet named `sheet` if it has one, else its first."""
    try:
        # data_only=False: a cell holding `=cmd` is read as that text, never as a computed value.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise ValidationError(
            f"the workbook could not be opened ({type(exc).__name__})", field="file"
        ) from None
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        return [
            (i, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    finally:
        wb.close()
