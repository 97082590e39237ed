"""The checking and writing half of the metric importer (metrics.imports) for channel days and post
snapshots: each export is checked cell by cell into a plan, compared with what is stored, and written
through the bulk path as new rows and updates of changed rows only. Conversions: import_conversions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.bulk_writes import bulk_insert
from app.models import (
    CHANNEL_BASE_METRICS,
    POST_BASE_METRICS,
    Brand,
    Channel,
    ChannelDailyMetric,
    PostMetricSnapshot,
    PostVariant,
)
from app.services.content import RowProblem
from app.services.core import clock
from app.services.measurement.metrics.import_formats import ExportRow, ParsedExport
from app.services.measurement.metrics.import_values import (
    CellError,
    is_blank,
    parse_count,
    parse_day,
    parse_when,
)

Writer = Callable[[Session], None]
CHUNK = 500
SIGNED = frozenset({"follower_growth"})
PREVIEW_LIMIT = 200


def note_problem(report: Any, row: int, column: str, value: str, reason: str) -> None:
    """Refuse one cell of the export: its row, column, value and the reason, for the report."""
    report.problems.append(RowProblem(row, column, value, reason))


def _counts(
    parsed: ParsedExport, row: ExportRow, keys: Sequence[str], report: Any
) -> dict[str, int | None] | None:
    values: dict[str, int | None] = {}
    ok = True
    for k in keys:
        if k not in parsed.column_names:
            continue
        text = row.cells.get(k, "")
        try:
            values[k] = parse_count(text, signed=k in SIGNED)
        except CellError as exc:
            note_problem(report, row.row, parsed.column(k), text, str(exc))
            ok = False
    return values if ok else None


def note_span(report: Any, days: list[date]) -> None:
    """The first and last day the export's accepted rows cover."""
    if days:
        report.first_day, report.last_day = min(days), max(days)


# --- channel days -----------------------------------------------------------------------------------


def check_days(
    parsed: ParsedExport, order: str, report: Any
) -> dict[date, tuple[int, dict[str, int | None]]]:
    plan: dict[date, tuple[int, dict[str, int | None]]] = {}
    for row in parsed.rows:
        text = row.cells.get("date", "")
        try:
            day = parse_day(text, order)
        except CellError as exc:
            note_problem(report, row.row, parsed.column("date"), text, str(exc))
            continue
        if day is None:
            note_problem(report, row.row, parsed.column("date"), text, "no date: every daily row needs one")
            continue
        if day in plan:
            note_problem(report, row.row, parsed.column("date"), text, f"{day} is also on row {plan[day][0]}")
            continue
        values = _counts(parsed, row, CHANNEL_BASE_METRICS, report)
        if values is not None:
            plan[day] = (row.row, values)
            if len(report.preview) < PREVIEW_LIMIT:
                report.preview.append({"row": row.row, "date": day, **values})
    note_span(report, list(plan))
    return plan


def compare_days(
    session: Session, ch: Channel | None, plan: dict[date, tuple[int, dict[str, int | None]]], report: Any
) -> Writer:
    existing: dict[date, dict[str, Any]] = {}
    if ch is not None and plan:
        m = ChannelDailyMetric
        cols = [getattr(m, k) for k in CHANNEL_BASE_METRICS]
        for day, *vals in session.execute(
            select(m.date, *cols).where(m.channel_id == ch.id, m.date >= min(plan), m.date <= max(plan))
        ):
            existing[day] = dict(zip(CHANNEL_BASE_METRICS, vals, strict=True))
    new: list[tuple[date, dict[str, int | None]]] = []
    changed: list[tuple[date, dict[str, int | None]]] = []
    for day, (_, values) in sorted(plan.items()):
        stored = existing.get(day)
        if stored is None:
            new.append((day, values))
        elif any(stored[k] != v for k, v in values.items()):
            changed.append((day, values))
    report.new, report.changed = len(new), len(changed)
    report.unchanged = len(plan) - len(new) - len(changed)
    source = f"export:{report.format}"[:40]

    def write(session: Session) -> None:
        assert ch is not None
        now = clock.now()
        conn = session.connection()
        if new:
            cols = ("channel_id", "date", "brand_id", *CHANNEL_BASE_METRICS, "source", "updated_at")
            rows = [
                (ch.id, d, ch.brand_id, *[v.get(k) for k in CHANNEL_BASE_METRICS], source, now)
                for d, v in new
            ]
            bulk_insert(conn, ChannelDailyMetric.__tablename__, cols, rows)
        # One UPDATE per set of columns the file carries (all rows of one file carry the same ones).
        for keys in {tuple(sorted(v)) for _, v in changed}:
            m = ChannelDailyMetric
            stmt = (
                update(m)
                .where(m.channel_id == bindparam("c"), m.date == bindparam("d"))
                .values({k: bindparam(f"v_{k}") for k in keys} | {"source": source, "updated_at": now})
            )
            params = [
                {"c": ch.id, "d": d, **{f"v_{k}": v[k] for k in keys}}
                for d, v in changed
                if tuple(sorted(v)) == keys
            ]
            conn.execute(stmt.execution_options(synchronize_session=False), params)

    return write


# --- post snapshots ---------------------------------------------------------------------------------


@dataclass
class PostRow:
    row: int
    post_id: str
    permalink: str
    title: str
    published: datetime | None
    values: dict[str, int | None]


def _link_keys(link: str) -> list[str]:
    """A permalink as comparable keys: scheme, host case, "www.", a trailing slash and the query do not
    matter; twitter.com and x.com are one site; the last path segment (a post id) is a key of its own."""
    link = (link or "").strip()
    if not link:
        return []
    parts = urlsplit(link if "//" in link else f"https://{link}")
    host = parts.netloc.lower().removeprefix("www.").replace("twitter.com", "x.com")
    path = parts.path.rstrip("/")
    keys = [f"{host}{path}"]
    last = path.rsplit("/", 1)[-1]
    if last:
        keys.append(f"id:{last}")
    return keys


def when_utc(when: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A time from an export in UTC; a time written without a zone is in the brand's market zone."""
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=tz)).astimezone(UTC)


def check_posts(
    parsed: ParsedExport, order: str, tz: ZoneInfo, report: Any
) -> tuple[list[PostRow], datetime]:
    rows: list[PostRow] = []
    seen: dict[str, int] = {}
    days: list[date] = []
    for row in parsed.rows:
        pid, link = row.cells.get("post_id", ""), row.cells.get("permalink", "")
        if is_blank(pid) and is_blank(link):
            which = " or ".join(
                parsed.column(k) for k in ("post_id", "permalink") if k in parsed.column_names
            )
            note_problem(
                report, row.row, which or "post id", "", "no post id or link: the row cannot be placed"
            )
            continue
        key = pid.strip() or link.strip()
        if key in seen:
            note_problem(
                report,
                row.row,
                parsed.column("post_id" if pid else "permalink"),
                key,
                f"also on row {seen[key]}",
            )
            continue
        seen[key] = row.row
        published = None
        for role in ("published", "as_of"):
            text = row.cells.get(role, "")
            if role not in parsed.column_names or text.strip().lower() in ("lifetime", ""):
                continue
            try:
                when = parse_when(text, order)
            except CellError as exc:
                note_problem(report, row.row, parsed.column(role), text, str(exc))
                continue
            if when is not None:
                days.append(when.date())
                if role == "published":
                    published = when_utc(when, tz)
        values = _counts(parsed, row, POST_BASE_METRICS, report)
        if values is None:
            continue
        rows.append(
            PostRow(row.row, pid.strip(), link.strip(), row.cells.get("title", "")[:200], published, values)
        )
    note_span(report, days)
    if not days and rows:
        report.problems.append(
            RowProblem(
                parsed.header_row, "dates", "", "the export has no publish or period dates to time it by"
            )
        )
        return rows, clock.now()
    # Fixed by the file, so importing it again lands on the same snapshot.
    captured = datetime.combine(max(days) + timedelta(days=1), time(0), UTC) if days else clock.now()
    return rows, captured


def compare_posts(
    session: Session, brand: Brand, ch: Channel | None, planned: tuple[list[PostRow], datetime], report: Any
) -> Writer:
    rows, captured = planned
    by_key: dict[str, int] = {}
    if ch is not None:
        for vid, ext, link in session.execute(
            select(PostVariant.id, PostVariant.external_id, PostVariant.permalink).where(
                PostVariant.channel_id == ch.id
            )
        ):
            if ext:
                by_key.setdefault(f"ext:{ext}", vid)
                by_key.setdefault(f"id:{ext}", vid)
            for k in _link_keys(link or ""):
                by_key.setdefault(k, vid)
    matched: dict[int, PostRow] = {}
    for r in rows:
        keys = ([f"ext:{r.post_id}", f"id:{r.post_id}"] if r.post_id else []) + _link_keys(r.permalink)
        vid = next((by_key[k] for k in keys if k in by_key), None)
        if vid is None:
            report.unmatched.append((r.row, r.post_id or r.permalink))
        elif vid in matched:
            report.unmatched.append(
                (r.row, f"{r.post_id or r.permalink} (same post as row {matched[vid].row})")
            )
        else:
            matched[vid] = r
    s = PostMetricSnapshot
    existing: dict[int, dict[str, Any]] = {}
    ids = list(matched)
    for i in range(0, len(ids), CHUNK):
        for vid, *vals in session.execute(
            select(s.variant_id, *[getattr(s, k) for k in POST_BASE_METRICS]).where(
                s.variant_id.in_(ids[i : i + CHUNK]), s.captured_at == captured
            )
        ):
            existing[vid] = dict(zip(POST_BASE_METRICS, vals, strict=True))
    new = [(v, r) for v, r in matched.items() if v not in existing]
    changed = [
        (v, r)
        for v, r in matched.items()
        if v in existing and any(existing[v][k] != x for k, x in r.values.items())
    ]
    report.new, report.changed = len(new), len(changed)
    report.unchanged = len(matched) - len(new) - len(changed)
    for r in rows[:PREVIEW_LIMIT]:
        report.preview.append({"row": r.row, "post": r.post_id or r.permalink, "title": r.title, **r.values})
    source = f"export:{report.format}"[:40]

    def write(session: Session) -> None:
        conn = session.connection()
        if new:
            cols = ("variant_id", "brand_id", "captured_at", *POST_BASE_METRICS, "source")
            data = [
                (v, brand.id, captured, *[r.values.get(k) for k in POST_BASE_METRICS], source) for v, r in new
            ]
            bulk_insert(conn, s.__tablename__, cols, data)
        for v, r in changed:
            conn.execute(
                update(s)
                .where(s.variant_id == v, s.captured_at == captured)
                .values(**r.values, source=source)
            )

    return write
