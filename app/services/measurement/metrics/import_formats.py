"""The analytics export files people download (Meta Business Suite for Facebook and Instagram, LinkedIn
page analytics, X analytics, TikTok, YouTube Studio, Google Analytics 4 and CRM conversion exports): which
file is which, told from its header row, and which column means what, matched by alias.

Nothing here touches the database. Reading the bytes (BOMs, UTF-16, `sep=` lines, XLSX) is shared with
the post importer (app.services.import_formats); description rows above the header are skipped by
looking for the first row that names a known format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.models.enums import Platform
from app.services.core import ValidationError, csv_records, decode_text, xlsx_records
from app.services.measurement.metrics.import_catalog import FORMATS, ExportFormat

# Roles that are not metrics: where a row belongs and what it says about itself.
ROW_ROLES = ("date", "post_id", "permalink", "published", "title", "as_of")
CONVERSION_ROLES = (
    "external_id", "occurred", "kind", "value", "currency", "utm_source", "utm_medium", "utm_campaign", "utm_content",
)  # fmt: skip
CONVERSION_SOURCES = ("ga4", "crm")
HEADER_SEARCH_ROWS = 30  # description rows above the header: LinkedIn has one, GA4 a dozen
TOTAL_WORDS = frozenset({"total", "totals", "grand total", "summary", "sum", "all"})

FORMAT_BY_NAME = {f.name: f for f in FORMATS}
PLATFORM_CHOICES: tuple[str, ...] = (
    "facebook",
    "instagram",
    "linkedin",
    "x",
    "tiktok",
    "youtube",
    "ga4",
    "crm",
)
# Columns every user of an export sees but that are ratios of base metrics: not stored, recomputed.
DERIVED_HINT = re.compile(r"rate|ctr|%|average|avg|per |duration|watch time", re.IGNORECASE)


def norm(header: str) -> str:
    text = header.replace("\ufeff", "").replace("\u00a0", " ").strip().strip('"').lower()
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip()


@dataclass
class ExportRow:
    row: int  # as the spreadsheet shows it
    cells: dict[str, str]  # role or metric key -> cell text (stripped)


@dataclass
class ParsedExport:
    format: ExportFormat
    filename: str
    encoding: str
    header_row: int
    column_names: dict[str, str]  # role or metric key -> the header as written
    rows: list[ExportRow]
    notes: list[str] = field(default_factory=list)
    totals_rows: list[int] = field(default_factory=list)

    def column(self, role: str) -> str:
        return self.column_names.get(role, role)


def _records(data: bytes, filename: str) -> tuple[list[tuple[int, list[str]]], str]:
    if not data:
        raise ValidationError("the file is empty", field="file")
    name = (filename or "").lower()
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError("old .xls workbooks are not read: save as .xlsx or .csv", field="file")
    if data.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return xlsx_records(data, sheet="Posts"), "xlsx"
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{filename}: cannot read it as text (byte {exc.start} is not valid {exc.encoding}); "
            "save it as CSV UTF-8 or XLSX",
            field="file",
        ) from None
    if "\x00" in text:
        raise ValidationError(f"{filename}: holds NUL characters, so it is not a text export", field="file")
    # GA4's "# ..." description lines become blank lines: still counted as rows, but they no longer
    # outvote the header when the delimiter is guessed.
    text = re.sub(r"(?m)^[ \t]*#[^\r\n]*", "", text)
    try:
        records, _, _ = csv_records(text)
    except Exception as exc:  # csv.Error on broken quoting
        raise ValidationError(f"{filename}: not a readable CSV ({exc})", field="file") from None
    return records, encoding


def _match(headers: list[str], candidates: tuple[ExportFormat, ...]) -> ExportFormat | None:
    names = {norm(h) for h in headers if h.strip()}
    best: tuple[int, ExportFormat] | None = None
    for fmt in candidates:
        if any(sig <= names for sig in fmt.signatures):
            score = len(names & set(fmt.aliases()))
            if best is None or score > best[0]:
                best = (score, fmt)
    return best[1] if best else None


def _is_totals(cells: list[str]) -> bool:
    for c in cells:
        if c.strip():
            return c.strip().lower() in TOTAL_WORDS
    return False


def read_export(
    data: bytes,
    filename: str,
    platform: str = "auto",
    extra_aliases: dict[Platform, dict[str, str]] | None = None,
) -> ParsedExport:
    """Find the header row and the format, and map each column to its role or metric. `extra_aliases`
    are the dictionary's platform fields (normalised name -> metric key) on top of the built-in ones.
    Raises ValidationError naming what was expected when no known export is recognised."""
    if platform not in ("auto", *PLATFORM_CHOICES):
        raise ValidationError(
            f"platform {platform!r} is not one of: auto, {', '.join(PLATFORM_CHOICES)}", field="platform"
        )
    records, encoding = _records(data, filename)
    candidates = tuple(
        f
        for f in FORMATS
        if platform == "auto"
        or (f.platform is not None and f.platform.value == platform)
        or f.source == platform
    )
    fmt, start = None, None
    seen = 0
    for i, (_, cells) in enumerate(records):
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue  # blank lines and GA4's "# ..." description lines
        fmt = _match(cells, candidates)
        if fmt is not None:
            start = i
            break
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if fmt is None or start is None:
        first = next((c for _, c in records if any(x.strip() for x in c)), [])
        shown = ", ".join(repr(c.strip()) for c in first if c.strip())[:300] or "nothing"
        which = "a known analytics export" if platform == "auto" else f"a {platform} export"
        raise ValidationError(
            f"{filename}: not recognised as {which} (first row: {shown}). Read: Meta Business Suite "
            "(Facebook, Instagram), LinkedIn, X, TikTok, YouTube Studio, GA4 and CRM conversion exports",
            field="format",
        )
    header_row, headers = records[start]
    aliases = dict(fmt.aliases())
    if fmt.platform is not None and extra_aliases:
        for name, key in extra_aliases.get(fmt.platform, {}).items():
            aliases.setdefault(name, key)
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    # Earlier aliases of a role win: walk the roles' alias lists in order, not the header order.
    by_norm = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(norm(h), i)
    for role, role_aliases in fmt.columns.items():
        for a in role_aliases:
            if a in by_norm and role not in index and by_norm[a] not in index.values():
                index[role] = by_norm[a]
                break
    for n, i in by_norm.items():
        key = aliases.get(n)
        if key and key not in index and i not in index.values():
            index[key] = i
    for role, i in index.items():
        names[role] = headers[i].strip().lstrip("\ufeff")
    for i, h in enumerate(headers):
        if h.strip() and i not in index.values():
            ignored.append(h.strip())
    notes: list[str] = []
    derived = [h for h in ignored if DERIVED_HINT.search(h)]
    other = [h for h in ignored if h not in derived]
    if derived:
        notes.append(
            f"ratios not stored (the dictionary recomputes them from the counts): {', '.join(derived)}"
        )
    if other:
        notes.append(f"columns not used: {', '.join(other)}")
    rows: list[ExportRow] = []
    totals: list[int] = []
    for n, cells in records[start + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        if _is_totals(cells):
            totals.append(n)
            continue
        rows.append(ExportRow(n, {k: (cells[i].strip() if i < len(cells) else "") for k, i in index.items()}))
    if totals:
        notes.append(f"totals row(s) {', '.join(map(str, totals))} skipped (totals are summed from the rows)")
    if start > 0:
        notes.append(f"header found on row {header_row}; the rows above it describe the export")
    return ParsedExport(fmt, filename, encoding, header_row, names, rows, notes, totals)
