"""Conversions from GA4, CRM and order exports, the third kind the metric importer reads: each row checked
cell by cell (its id once per file, its time, value, currency and UTM fields), compared with what is
stored, and written as new rows and updates of changed rows only."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.bulk_writes import bulk_insert
from app.models import (
    Brand,
    Conversion,
    TrackedLink,
)
from app.services.core import clock
from app.services.measurement.metrics.import_formats import ParsedExport
from app.services.measurement.metrics.import_values import (
    CellError,
    parse_money,
    parse_when,
)
from app.services.measurement.metrics.import_write import (
    PREVIEW_LIMIT,
    Writer,
    note_problem,
    note_span,
    when_utc,
)

CONV_FIELDS = (
    "kind",
    "occurred_at",
    "value",
    "currency",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
)
_LIMITS = {"utm_source": 120, "utm_medium": 120, "utm_campaign": 120, "utm_content": 200, "kind": 60}


def check_conversions(
    parsed: ParsedExport, order: str, tz: ZoneInfo, report: Any
) -> dict[str, dict[str, Any]]:
    plan: dict[str, dict[str, Any]] = {}
    rows_of: dict[str, int] = {}
    days: list[date] = []
    for row in parsed.rows:
        ext = row.cells.get("external_id", "").strip()
        if not ext or len(ext) > 200:
            note_problem(
                report, row.row, parsed.column("external_id"), ext, "an id of 1-200 characters is needed"
            )
            continue
        if ext in plan:
            note_problem(report, row.row, parsed.column("external_id"), ext, f"also on row {rows_of[ext]}")
            continue
        ok = True
        text = row.cells.get("occurred", "")
        try:
            when = parse_when(text, order) if "occurred" in parsed.column_names else None
            if when is None:
                raise CellError("no date: a conversion needs one")
        except CellError as exc:
            note_problem(report, row.row, parsed.column("occurred"), text, str(exc))
            ok = False
            when = None
        money = row.cells.get("value", "")
        try:
            value = parse_money(money)
        except CellError as exc:
            note_problem(report, row.row, parsed.column("value"), money, str(exc))
            ok, value = False, None
        currency = row.cells.get("currency", "").strip().upper() or None
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            note_problem(report, row.row, parsed.column("currency"), currency, "not a 3-letter currency code")
            ok = False
        fields: dict[str, Any] = {}
        for k, limit in _LIMITS.items():
            v = row.cells.get(k, "").strip()
            if len(v) > limit:
                note_problem(report, row.row, parsed.column(k), v[:40], f"longer than {limit} characters")
                ok = False
            fields[k] = v or None
        if not ok or when is None:
            continue
        fields["kind"] = fields["kind"] or "conversion"
        occurred = when_utc(when, tz)
        days.append(when.date())
        plan[ext] = {**fields, "occurred_at": occurred, "value": value, "currency": currency}
        rows_of[ext] = row.row
        if len(report.preview) < PREVIEW_LIMIT:
            report.preview.append({"row": row.row, "id": ext, **plan[ext]})
    note_span(report, days)
    return plan


def _same(a: Any, b: Any) -> bool:
    if a == b:  # the usual case: aware datetimes and Decimals compare by value
        return True
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.astimezone(UTC) == b.astimezone(UTC)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))
    return a == b


def compare_conversions(
    session: Session, brand: Brand, source: str, plan: dict[str, dict[str, Any]], report: Any
) -> Writer:
    c = Conversion
    # One pass over the brand's conversions of this source: cheaper than thousands of IN lists, and the
    # brand's conversions are what any export of it is compared with anyway.
    existing: dict[str, tuple[int, dict[str, Any]]] = {}
    for cid, ext, *vals in session.execute(
        select(c.id, c.external_id, *[getattr(c, k) for k in CONV_FIELDS]).where(
            c.brand_id == brand.id, c.source == source
        )
    ):
        if ext in plan:
            existing[ext] = (cid, dict(zip(CONV_FIELDS, vals, strict=True)))
    links = {
        (t.utm_source, t.utm_medium, t.utm_campaign, t.utm_content): t.id
        for t in session.execute(
            select(
                TrackedLink.id, TrackedLink.utm_source, TrackedLink.utm_medium, TrackedLink.utm_campaign,
                TrackedLink.utm_content,
            ).where(TrackedLink.brand_id == brand.id)
        )
    }  # fmt: skip
    new = [(ext, v) for ext, v in plan.items() if ext not in existing]
    changed = [
        (existing[ext][0], v)
        for ext, v in plan.items()
        if ext in existing and not all(_same(existing[ext][1][k], v[k]) for k in CONV_FIELDS)
    ]
    report.new, report.changed = len(new), len(changed)
    report.unchanged = len(plan) - len(new) - len(changed)

    def link_of(v: dict[str, Any]) -> int | None:
        return links.get((v["utm_source"], v["utm_medium"], v["utm_campaign"], v["utm_content"]))

    def write(session: Session) -> None:
        conn = session.connection()
        now = clock.now()
        if new:
            cols = ("brand_id", "external_id", "source", *CONV_FIELDS, "tracked_link_id", "created_at")
            rows = [(brand.id, ext, source, *[v[k] for k in CONV_FIELDS], link_of(v), now) for ext, v in new]
            bulk_insert(conn, c.__tablename__, cols, rows)
        for cid, v in changed:
            conn.execute(
                update(c)
                .where(c.id == cid)
                .values(**{k: v[k] for k in CONV_FIELDS}, tracked_link_id=link_of(v))
            )

    return write
