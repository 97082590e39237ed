"""Importing platform analytics exports: daily rows become the channel's days (upserted), post rows
become post metric snapshots of the matching variant, GA4/CRM rows become conversions. Every cell is
checked first; one refused cell and nothing is written (one transaction, the caller's).

Idempotent: only rows whose values differ from what is stored are written, so the same file twice
changes nothing (no row, no audit entry, no dirty day for the rollups). A snapshot's time is fixed by
the file (midnight UTC after the newest date in it), so re-importing an export lands on the same snapshot.

Post rows whose variant is not found (posted outside the hub, or before it was used) are not written
as snapshots and not spread over channel days: a post's lifetime totals are not one day's numbers, and
the daily export already counts them. They are listed in the report and kept in the import's audit
entry (row, id or link), so the file can be imported again once the posts are linked.

Public API (stable):
    import_metrics(session, actor, brand, data, filename, *, channel=None, platform="auto",
                   date_order="auto", dry_run=False, progress=None) -> MetricImportReport
    PLATFORM_CHOICES
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Channel
from app.models.enums import Platform
from app.services.content import RowProblem
from app.services.core import Actor, Perm, ValidationError, audit, require
from app.services.measurement.metrics import import_conversions as conversions
from app.services.measurement.metrics import import_write as w
from app.services.measurement.metrics import rollups
from app.services.measurement.metrics.dictionary import platform_fields
from app.services.measurement.metrics.import_formats import PLATFORM_CHOICES, ParsedExport, norm, read_export
from app.services.measurement.metrics.import_values import order_hint
from app.services.org import create_channel, find_brand

__all__ = ["PLATFORM_CHOICES", "MetricImportReport", "RowProblem", "import_metrics"]

Progress = Callable[[float, str], None]


@dataclass
class MetricImportReport:
    format: str
    label: str
    kind: str  # daily | post | conversion
    platform: str | None
    filename: str
    encoding: str
    rows: int
    dry_run: bool
    channel: str | None = None
    channel_created: bool = False
    new: int = 0  # rows (days, snapshots or conversions) that are not stored yet
    changed: int = 0  # stored with other values
    unchanged: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # post rows without a variant
    first_day: date | None = None
    last_day: date | None = None
    refused_rows: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preview: list[dict[str, object]] = field(default_factory=list)
    written: bool = False
    seconds: float = 0.0

    @property
    def what(self) -> str:
        return {"daily": "channel days", "post": "post snapshots", "conversion": "conversions"}[self.kind]

    def summary(self) -> str:
        span = f" ({self.first_day} – {self.last_day})" if self.first_day else ""
        where = f" into {self.channel}" if self.channel else ""
        if self.problems:
            return f"Nothing imported from {self.rows:,} rows: {len(self.refused_rows):,} rows refused"
        verb = "Would write" if self.dry_run else "Wrote"
        if not self.new and not self.changed:
            head = f"Nothing to change: all {self.unchanged:,} {self.what} already as in the file{where}"
        else:
            head = f"{verb} {self.new:,} new and {self.changed:,} changed {self.what}{where}{span}"
            head += f"; {self.unchanged:,} already up to date"
        if self.unmatched:
            head += (
                f"; {len(self.unmatched):,} post rows matched no post of the channel (listed, not written)"
            )
        return f"{head} [{self.label}]"


def _date_order(brand: Brand, requested: str, parsed: ParsedExport) -> str:
    if requested not in ("auto", "dmy", "mdy"):
        raise ValidationError(f"date order {requested!r} is not one of: auto, dmy, mdy", field="date_order")
    texts = [r.cells.get(k, "") for r in parsed.rows for k in ("date", "published", "occurred", "as_of")]
    hint = order_hint(texts)
    if requested != "auto":
        if hint and hint != requested:
            parsed.notes.append(f"dates read {requested} as asked, though some only make sense as {hint}")
        return requested
    if hint:
        return hint
    if parsed.format.date_order:
        return parsed.format.date_order
    fmt = brand.market.date_format or "%d/%m/%Y"
    return "mdy" if fmt.find("%m") < fmt.find("%d") else "dmy"


def _aliases(session: Session) -> dict[Platform, dict[str, str]]:
    return {p: {norm(f.source_field): f.metric_key for f in platform_fields(session, p)} for p in Platform}


def _deprecated_notes(session: Session, parsed: ParsedExport) -> list[str]:
    """Columns whose name the dictionary marks as a platform's older name (e.g. Impressions → Views)."""
    platform = parsed.format.platform
    if platform is None:
        return []
    notes = []
    fields = {norm(f.source_field): f for f in platform_fields(session, platform)}
    for key, header in parsed.column_names.items():
        f = fields.get(norm(header))
        if f is not None and f.deprecated and f.metric_key == key:
            until = f" until {f.valid_to}" if f.valid_to else ""
            notes.append(
                f"column {header!r} is {platform.label}'s older name{until}; read as {key}. {f.note}".strip()
            )
    return notes


def _channel(
    session: Session,
    actor: Actor,
    brand: Brand,
    platform: Platform,
    slug: str | None,
    report: MetricImportReport,
) -> Channel | None:
    if slug:
        ch = session.scalars(select(Channel).where(Channel.slug == slug.strip())).one_or_none()
        if ch is None or ch.brand_id != brand.id:
            raise ValidationError(f"brand {brand.slug} has no channel {slug!r}", field="channel", value=slug)
        if ch.platform != platform:
            raise ValidationError(
                f"channel {ch.slug} is on {ch.platform.label}, the file is a {platform.label} export",
                field="channel",
                value=slug,
            )
        return ch
    found = session.scalars(
        select(Channel).where(Channel.brand_id == brand.id, Channel.platform == platform).order_by(Channel.id)
    ).all()
    active = [c for c in found if c.active] or list(found)
    if len(active) > 1:
        raise ValidationError(
            f"brand {brand.slug} has {len(active)} {platform.label} channels ({', '.join(c.slug for c in active)}): "
            "name one with --channel",
            field="channel",
        )
    if active:
        return active[0]
    report.notes.append(
        f"brand {brand.slug} had no {platform.label} channel: "
        + ("one would be created for this export" if report.dry_run else "created one for this export")
    )
    report.channel_created = True
    if report.dry_run:
        return None

    info = create_channel(
        session,
        actor,
        brand=brand.slug,
        platform=platform.value,
        handle=f"@{brand.slug}",
        display_name=f"{brand.name} {platform.label} (from an analytics export)",
        slug=_free_slug(session, f"{brand.slug}-{platform.value}"),
        connector="export",
    )
    return session.scalars(select(Channel).where(Channel.slug == info.slug)).one()


def _free_slug(session: Session, base: str) -> str:
    slug, n = base, 1
    while session.scalar(select(Channel.id).where(Channel.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def import_metrics(
    session: Session,
    actor: Actor,
    brand: str | int,
    data: bytes,
    filename: str,
    *,
    channel: str | None = None,
    platform: str = "auto",
    date_order: str = "auto",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MetricImportReport:
    """Check every row of an analytics export and store it for `brand` (see the module's docstring).
    Raises ValidationError for a file that cannot be read or recognised, or a channel that does not fit;
    PermissionDenied without kpi.edit on the brand. Refused rows come back in the report."""
    started = time.perf_counter()
    say = progress or (lambda _f, _m: None)
    b = find_brand(session, actor, brand)
    require(actor, Perm.KPI_EDIT, b.id, brand_label=b.slug)
    say(0.02, "Reading the file")
    parsed = read_export(data, filename, platform, _aliases(session))
    fmt = parsed.format
    report = MetricImportReport(
        fmt.name, fmt.label, fmt.kind, fmt.platform.value if fmt.platform else fmt.source, filename,
        parsed.encoding, len(parsed.rows), dry_run, notes=list(parsed.notes),
    )  # fmt: skip
    report.notes += _deprecated_notes(session, parsed)
    order = _date_order(b, date_order, parsed)
    tz = ZoneInfo(b.market.timezone)
    say(0.1, f"Checking {len(parsed.rows):,} rows of a {fmt.label} export")
    if fmt.kind == "conversion":
        plan = conversions.check_conversions(parsed, order, tz, report)
    else:
        assert fmt.platform is not None
        ch = _channel(session, actor, b, fmt.platform, channel, report)
        report.channel = ch.slug if ch else f"{b.slug}-{fmt.platform.value} (new)"
        if fmt.kind == "daily":
            plan = w.check_days(parsed, order, report)
        else:
            plan = w.check_posts(parsed, order, tz, report)
    report.refused_rows = sorted({p.row for p in report.problems})
    if report.problems:
        report.seconds = time.perf_counter() - started
        say(1.0, "Refused; nothing written")
        return report
    say(0.5, "Comparing with what is stored")
    if fmt.kind == "conversion":
        writes = conversions.compare_conversions(session, b, fmt.source, plan, report)
    elif fmt.kind == "daily":
        writes = w.compare_days(session, ch, plan, report)
    else:
        writes = w.compare_posts(session, b, ch, plan, report)
    if dry_run or (not report.new and not report.changed):
        report.seconds = time.perf_counter() - started
        say(1.0, report.summary())
        return report
    say(0.7, f"Writing {report.new + report.changed:,} {report.what}")
    writes(session)
    if fmt.kind == "daily" and ch is not None:
        rollups.refresh_channel_days(session, ch.id, list(plan))
        report.notes.append("weekly and monthly rollups of these days updated at once")
    digest = hashlib.sha256(data).hexdigest()
    audit.record(
        session,
        actor,
        "import",
        "metric_import",
        digest[:16],
        label=f"{filename}: {report.summary()}"[:300],
        brand_id=b.id,
        after={
            "format": fmt.name,
            "filename": filename,
            "channel": report.channel,
            "new": report.new,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "unmatched": [list(u) for u in report.unmatched[:500]],
            "sha256": digest,
        },
    )
    session.flush()
    report.written = True
    report.seconds = time.perf_counter() - started
    say(1.0, report.summary())
    return report
