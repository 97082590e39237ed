"""The content calendar out of the hub: CSV (one row per variant), XLSX (the same, as a typed workbook)
and ICS (RFC 5545, one event per variant, for Google Calendar and Outlook)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Brand, Campaign, Channel, ContentPillar, Market, Post, PostVariant
from app.models.enums import PostStatus
from app.services.content.calendar.variant_rows import channel_label, owner_alias, with_variant_context
from app.services.core import Actor, Perm, ValidationError, clock, csv_safe, require_brands, utc_bounds
from app.services.org import current_workspace

EXPORT_FORMATS: dict[str, str] = {
    "csv": "CSV (one row per variant)",
    "xlsx": "Excel workbook",
    "ics": "Calendar (ICS)",
}
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar",
}
EVENT_MINUTES = 15
PRODID = "-//SocialOps Hub//Calendar export//EN"


@dataclass(frozen=True)
class ExportRow:
    """One variant as exported; the field order is the column order."""

    post_id: int
    variant_id: int
    post: str
    brand: str
    channel: str
    platform: str
    status: str
    scheduled_at_utc: datetime | None
    scheduled_at_local: datetime | None
    time_zone: str
    published_at_utc: datetime | None
    copy: str
    link: str
    campaign: str
    pillar: str
    owner: str
    permalink: str
    brand_slug: str


EXPORT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ExportRow))


def export_rows(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    statuses: Iterable[PostStatus | str] | None = None,
) -> list[ExportRow]:
    """Every variant of the brands scheduled in [start, end] (UTC days), or published then without a
    schedule: the calendar's own rule for which day a variant belongs to."""
    allowed = require_brands(actor, Perm.VIEW, brand_ids)
    if not allowed:
        return []
    lo, hi = utc_bounds(start, end)
    v = PostVariant
    owner, owner_name = owner_alias()
    where = [
        v.brand_id.in_(allowed),
        or_(
            and_(v.scheduled_at >= lo, v.scheduled_at < hi),
            and_(v.scheduled_at.is_(None), v.published_at >= lo, v.published_at < hi),
        ),
    ]
    if statuses:
        where.append(v.status.in_([PostStatus(s) for s in statuses]))
    stmt = (
        with_variant_context(
            select(
                v,
                Post.title,
                Post.link_url,
                Brand.name,
                Brand.slug,
                Market.timezone,
                channel_label(),
                Channel.platform,
                Campaign.name,
                ContentPillar.name,
                owner_name,
            ),
            owner,
            market=True,
        )
        .where(*where)
        .order_by(func.coalesce(v.scheduled_at, v.published_at), v.id)
    )
    out = []
    for var, title, link, brand, slug, tz, chan, platform, campaign, pillar, own in session.execute(stmt):
        local = var.scheduled_at.astimezone(ZoneInfo(tz)) if var.scheduled_at else None
        out.append(
            ExportRow(
                var.post_id,
                var.id,
                title,
                brand,
                chan,
                platform.label,
                var.status.value,
                var.scheduled_at,
                local,
                tz,
                var.published_at,
                var.copy or "",
                link or "",
                campaign or "",
                pillar or "",
                own or "",
                var.permalink or "",
                slug,
            )
        )
    return out


def export_calendar(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    fmt: str,
    statuses: Iterable[PostStatus | str] | None = None,
) -> bytes:
    """The calendar of the brands for [start, end] as a CSV, XLSX or ICS file (bytes)."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"format {fmt!r} is not one of: {', '.join(EXPORT_FORMATS)}", field="format")
    if end < start:
        raise ValidationError("the period ends before it starts", field="period")
    return render(session, export_rows(session, actor, brand_ids, start, end, statuses), fmt)


def render(session: Session, rows: Sequence[ExportRow], fmt: str) -> bytes:
    """Rows from `export_rows` as a file in `fmt` (the CLI uses it to count what it wrote)."""
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "xlsx":
        return to_xlsx(rows)
    if fmt == "ics":
        return to_ics(rows, current_workspace(session).slug)
    raise ValidationError(f"format {fmt!r} is not one of: {', '.join(EXPORT_FORMATS)}", field="format")


# --- CSV and XLSX -----------------------------------------------------------------------------------


def _utc_text(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def to_csv(rows: Sequence[ExportRow]) -> bytes:
    """UTF-8 with a BOM (Excel then reads emoji and non-Latin text right), CRLF rows (RFC 4180). Text a
    spreadsheet would run as a formula (a title or copy starting with `=`, `+`, `-`, `@`) is written with
    a leading apostrophe (core.csv_safe), which the importer takes off again; the XLSX stores such text
    as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        writer.writerow(
            (_utc_text(v) if name.endswith("_utc") else v.isoformat(timespec="minutes"))
            if isinstance(v, datetime)
            else ("" if v is None else csv_safe(v) if isinstance(v, str) else v)
            for name, v in zip(EXPORT_COLUMNS, astuple(r), strict=True)
        )
    return out.getvalue().encode("utf-8-sig")


_WIDTHS = {"post": 36, "copy": 60, "link": 36, "permalink": 36, "brand": 22, "channel": 22, "owner": 22}


def to_xlsx(rows: Sequence[ExportRow]) -> bytes:
    """One sheet, bold frozen header, sensible widths, real date cells (UTC and local, without time
    zone: Excel has none, the column names say which); every text cell is a string, never a formula."""

    wb = Workbook()
    ws = wb.active
    ws.title = "Calendar"
    ws.append(list(EXPORT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, name in enumerate(EXPORT_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS.get(name, 20 if "_at_" in name else 14)
    for r in rows:
        ws.append([None] * len(EXPORT_COLUMNS))
        cells = ws[ws.max_row]
        for cell, name, value in zip(cells, EXPORT_COLUMNS, astuple(r), strict=True):
            if isinstance(value, datetime):
                shown = value.astimezone(UTC) if name.endswith("_utc") else value
                cell.value = shown.replace(tzinfo=None)
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # "=cmd", "+60", "@user" stay text, never a formula
            else:
                cell.value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- ICS --------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL_JUNK = re.compile(r"[\s\x00-\x1f\x7f]")


def ics_escape(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped; other control characters out."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character; each
    continuation starts with one space (which counts toward its 75)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[bytes] = []
    limit = 75
    while len(raw) > limit:
        cut = limit
        while cut > 0 and (raw[cut] & 0xC0) == 0x80:  # a continuation byte: step back to a boundary
            cut -= 1
        parts.append(raw[:cut])
        raw = raw[cut:]
        limit = 74
    parts.append(raw)
    return "\r\n ".join(p.decode("utf-8") for p in parts)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def to_ics(
    rows: Sequence[ExportRow], workspace_slug: str = "socialops", now: datetime | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per variant with a time (scheduled, or published without one)."""
    stamp = _stamp(now or clock.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:SocialOps Hub content calendar",
    ]
    for r in rows:
        when = r.scheduled_at_utc or r.published_at_utc
        if when is None:
            continue
        lines += [
            "BEGIN:VEVENT",
            # The variant id with the workspace: the same event on every export, so a re-import updates it.
            f"UID:post-variant-{r.variant_id}@{workspace_slug}.socialops-hub",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(when)}",
            f"DURATION:PT{EVENT_MINUTES}M",
            f"SUMMARY:{ics_escape(f'[{r.platform}] {r.post}')}",
            f"DESCRIPTION:{ics_escape(r.copy)}",
            f"CATEGORIES:{ics_escape(r.brand)},{ics_escape(r.status)}",
        ]
        if r.permalink and r.status == PostStatus.PUBLISHED.value:
            lines.append(f"URL:{_URL_JUNK.sub('', r.permalink)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
