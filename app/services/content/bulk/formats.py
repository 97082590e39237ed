"""Reading bulk post files (CSV or XLSX) into rows of text: this tool's template, Hootsuite's and Sprout
Social's bulk CSVs, detected from the headers; encodings, `sep=` lines and spreadsheet quirks handled.

Nothing here touches the database: `app.services.post_import` checks and writes what comes back.
Row numbers are the ones the user sees in their spreadsheet (the header is row 1, a `sep=` line
counts, blank lines count), so an error report can be followed cell by cell.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from app.services.core import ValidationError, csv_records, decode_text, norm_header, xlsx_records

FORMATS: tuple[str, ...] = ("template", "hootsuite", "sprout")
FORMAT_LABELS: dict[str, str] = {
    "auto": "Detect from the headers",
    "template": "SocialOps Hub template",
    "hootsuite": "Hootsuite bulk CSV",
    "sprout": "Sprout Social bulk CSV",
}
# Formats with no channel column: the whole file goes to one channel chosen at upload.
ONE_CHANNEL_FORMATS = frozenset({"hootsuite", "sprout"})
DATE_ORDERS: dict[str, str] = {"dmy": "day first (31/12/2026)", "mdy": "month first (12/31/2026)"}


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    required: str  # "yes", "no", or when it is needed
    meaning: str
    example: str


# This tool's own template: one row per variant; rows sharing a post_key (or, without one, a title)
# form one post. Post-level fields may be repeated on every row of the post or given once.
TEMPLATE_COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("post_key", "no", "Groups rows into one post (default: the title)", "ramadan-1"),
    TemplateColumn(
        "channel", "yes (not for ideas)", "Channel slug, or platform name if the brand has one", "instagram"
    ),
    TemplateColumn(
        "scheduled_at",
        "no",
        "ISO 8601 with offset, or local time in the brand's market time zone",
        "2026-12-01 09:30",
    ),
    TemplateColumn(
        "title", "yes (per post)", "Internal title of the post, up to 200 characters", "Kopi O launch"
    ),
    TemplateColumn("copy", "yes", "What goes out on this channel", "Selamat pagi! ☕ #KopiO"),
    TemplateColumn("master_copy", "no", "The post's master copy (default: the first row's copy)", ""),
    TemplateColumn("link", "no", "http(s) link of the post", "https://example.com/kopi-o"),
    TemplateColumn(
        "post_type", "no", "text, image, carousel, video, reel, story or link (default image)", "image"
    ),
    TemplateColumn("pillar", "no", "Content pillar name of the brand", "Heritage stories"),
    TemplateColumn("campaign", "no", "Campaign name or slug of the brand", "kopi-o-classics"),
    TemplateColumn("status", "no", "idea or draft (default draft)", "draft"),
    TemplateColumn(
        "media", "no", "Asset ids (#12) or file names from the brand's library, split by |", "#12|hero.jpg"
    ),
    TemplateColumn(
        "alt_text", "no", "Alt text for the row's images (split by | to give one per image)", "A cup"
    ),
)
TEMPLATE_NAMES: tuple[str, ...] = tuple(c.name for c in TEMPLATE_COLUMNS)
# Shown on the template workbook's "Example" sheet (never imported): one post, two channels.
EXAMPLE_ROWS: tuple[tuple[str, ...], ...] = (
    ("kopi-o-1", "instagram", "2026-12-01 09:30", "Kopi O is back", "Selamat pagi! ☕ Kopi O is back. #KopiO",
     "", "https://example.com/kopi-o", "image", "Heritage stories", "kopi-o-classics", "draft", "#12",
     "A cup of kopi O on a marble table"),
    ("kopi-o-1", "x", "2026-12-01T09:30+08:00", "", "Kopi O is back ☕ 早安 https://example.com/kopi-o",
     "", "", "", "", "", "", "", ""),
)  # fmt: skip

_TEMPLATE_ALIASES: dict[str, str] = {
    **{n: n for n in TEMPLATE_NAMES},
    "key": "post_key",
    "post_id": "post_key",
    "profile": "channel",
    "channel_slug": "channel",
    "scheduled": "scheduled_at",
    "scheduled_time": "scheduled_at",
    "publish_at": "scheduled_at",
    "date_time": "scheduled_at",
    "datetime": "scheduled_at",
    "message": "copy",
    "text": "copy",
    "caption": "copy",
    "link_url": "link",
    "url": "link",
    "type": "post_type",
    "content_pillar": "pillar",
    "assets": "media",
    "alt": "alt_text",
}
# Sprout Social's documented, required headers (its help centre: "date", "time_24hr", "message_text",
# case-sensitive there; matched case-insensitively here). `link` is accepted as well (see README).
_SPROUT_ALIASES: dict[str, str] = {
    "date": "date",
    "time_24hr": "time",
    "message_text": "copy",
    "link": "link",
    "url": "link",
}
_HOOTSUITE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("scheduled_at", "A (date and time)"),
    ("copy", "B (message)"),
    ("link", "C (link)"),
)


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong (or worth knowing) about one cell: where the user finds it and why."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class SourceRow:
    row: int  # as the spreadsheet shows it
    values: dict[str, str]  # canonical column -> cell text (stripped)


@dataclass
class ParsedFile:
    format: str
    filename: str
    encoding: str  # "xlsx" for workbooks
    delimiter: str | None
    headers: list[str]  # as written in the file ([] when it has none, as Hootsuite's)
    # Canonical column -> the name the user sees (their header, or "A (date and time)").
    column_names: dict[str, str]
    rows: list[SourceRow]
    notes: list[str] = field(default_factory=list)

    def column(self, canonical: str) -> str:
        return self.column_names.get(canonical, canonical)


# --- reading cells ----------------------------------------------------------------------------------


# Headers of the post formats: they settle the delimiter of a file whose field counts cannot.
_KNOWN_HEADERS = frozenset(_TEMPLATE_ALIASES) | frozenset(_SPROUT_ALIASES)


# --- formats ----------------------------------------------------------------------------------------


def _looks_like_datetime(text: str) -> bool:
    return bool(re.match(r"^\s*\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}([ T,]+\d{1,2}:\d{2})?", text or ""))


def detect_format(headers: list[str], first_data: list[str] | None = None) -> str:
    """Which format the header row (or, for Hootsuite's header-less file, the first row) says."""
    names = {norm_header(h) for h in headers if h.strip()}
    if "message_text" in names and ({"date", "time_24hr"} & names):
        return "sprout"
    if len(names & set(_TEMPLATE_ALIASES)) >= 2 and names & {"channel", "copy", "post_key", "scheduled_at"}:
        return "template"
    cells = [h for h in headers if h.strip()]
    if 1 <= len(cells) <= 3 and (_looks_like_datetime(headers[0]) or "date" in norm_header(headers[0])):
        return "hootsuite"
    shown = ", ".join(repr(h) for h in cells[:6]) or "nothing"
    raise ValidationError(
        f"could not tell the file's format from its first row ({shown}): expected this tool's template "
        "(channel, scheduled_at, title, copy...), Sprout Social's (date, time_24hr, message_text) or "
        "Hootsuite's three columns (date and time, message, link)",
        field="format",
    )


def _first_nonblank(records: list[tuple[int, list[str]]]) -> int | None:
    for i, (_, cells) in enumerate(records):
        if any(c.strip() for c in cells):
            return i
    return None


def read_rows(data: bytes, filename: str, fmt: str = "auto", *, date_order: str = "dmy") -> ParsedFile:
    """Read a bulk file into rows of text, detecting the format from its headers unless `fmt` names
    one. Raises ValidationError when the file cannot be read or its format is unknown. `date_order`
    is accepted here for symmetry with `import_posts`; dates are parsed by the importer."""
    if fmt not in ("auto", *FORMATS):
        raise ValidationError(f"format {fmt!r} is not one of: auto, {', '.join(FORMATS)}", field="format")
    if date_order not in DATE_ORDERS:
        raise ValidationError(f"date order {date_order!r} is not one of: dmy, mdy", field="date_order")
    if not data:
        raise ValidationError("the file is empty", field="file")
    name = (filename or "").lower()
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError("old .xls workbooks are not read: save as .xlsx or .csv", field="file")
    if data.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        records, encoding, delimiter = xlsx_records(data, sheet="Posts"), "xlsx", None
    else:
        try:
            text, encoding = decode_text(data)
        except UnicodeDecodeError as exc:
            # Found by the property tests: NUL-heavy bytes that are not whole UTF-16 either.
            raise ValidationError(
                f"{filename}: cannot read it as text (byte {exc.start} is not valid {exc.encoding}); "
                "save it as CSV UTF-8 or XLSX",
                field="file",
            ) from None
        records, delimiter, _ = csv_records(text, _KNOWN_HEADERS)
    start = _first_nonblank(records)
    if start is None:
        raise ValidationError("the file has no rows", field="file")
    header_row, headers = records[start]
    detected = detect_format(headers) if fmt == "auto" else fmt
    notes: list[str] = []
    if detected == "hootsuite":
        has_header = not _looks_like_datetime(headers[0])
        body = records[start + 1 :] if has_header else records[start:]
        names = dict(_HOOTSUITE_COLUMNS)
        keys = [k for k, _ in _HOOTSUITE_COLUMNS]
        extra = any(any(c.strip() for c in cells[3:]) for _, cells in body)
        if extra:
            notes.append(
                "Hootsuite files have three columns (date and time, message, link); the rest were ignored"
            )
        rows = [
            SourceRow(n, {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(keys)})
            for n, cells in body
            if any(c.strip() for c in cells)
        ]
        return ParsedFile(
            detected, filename, encoding, delimiter, headers if has_header else [], names, rows, notes
        )
    aliases = _SPROUT_ALIASES if detected == "sprout" else _TEMPLATE_ALIASES
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    for i, h in enumerate(headers):
        key = aliases.get(norm_header(h))
        if key and key not in index:
            index[key] = i
            names[key] = h.strip().lstrip("\ufeff")
        elif h.strip():
            ignored.append(h.strip())
    if ignored:
        notes.append(f"columns not used: {', '.join(ignored)}")
    required = ("date", "time", "copy") if detected == "sprout" else ("copy",)
    missing = [k for k in required if k not in index]
    if missing:
        want = {
            "date": "date",
            "time": "time_24hr",
            "copy": "message_text" if detected == "sprout" else "copy",
        }
        raise ValidationError(
            f"the {FORMAT_LABELS[detected]} needs the column(s) {', '.join(want[k] for k in missing)} "
            f"(header row {header_row} has: {', '.join(h for h in headers if h.strip())})",
            field="format",
        )
    rows = [
        SourceRow(n, {k: (cells[i].strip() if i < len(cells) else "") for k, i in index.items()})
        for n, cells in records[start + 1 :]
        if any(c.strip() for c in cells)
    ]
    return ParsedFile(detected, filename, encoding, delimiter, headers, names, rows, notes)


# --- templates --------------------------------------------------------------------------------------


def template_csv() -> bytes:
    """The template's header row as CSV (UTF-8 with a BOM, so Excel shows emoji and non-Latin text)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(TEMPLATE_NAMES)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The template as a workbook: a "Posts" sheet to fill in, a "Columns" sheet that explains each
    column, and an "Example" sheet (never read by the importer)."""

    wb = Workbook()
    posts = wb.active
    posts.title = "Posts"
    posts.append(list(TEMPLATE_NAMES))
    for ws in (posts,):
        ws.freeze_panes = "A2"
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, name in enumerate(TEMPLATE_NAMES):
            ws.column_dimensions[chr(ord("A") + i)].width = 48 if name == "copy" else 18
            # Text format for every column: Excel must not turn "+60 sales" or "1/2" into numbers or dates.
            ws.column_dimensions[chr(ord("A") + i)].number_format = "@"
    cols = wb.create_sheet("Columns")
    cols.append(["column", "required", "meaning", "example"])
    for c in TEMPLATE_COLUMNS:
        cols.append([c.name, c.required, c.meaning, c.example])
    for cell in cols[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (14, 18, 70, 30), strict=True):
        cols.column_dimensions[letter].width = width
    ex = wb.create_sheet("Example")
    ex.append(list(TEMPLATE_NAMES))
    for row in EXAMPLE_ROWS:
        ex.append(list(row))
        for cell in ex[ex.max_row]:
            cell.data_type = "s"  # "#12" and the times stay text, as in a filled-in CSV
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
