"""Bulk import of posts from CSV or XLSX (this tool's template, Hootsuite, Sprout Social): every row is
checked with the composer's rules, then the posts are written in one transaction through the bulk
path (thousands of rows a second), all-or-nothing unless the caller asks for the valid rows only.

Public API (stable):
    read_rows(data, filename, fmt="auto", *, date_order="dmy") -> ParsedFile   (app.services.import_formats)
    import_posts(session, actor, brand, data, filename, *, fmt="auto", channel=None, dry_run=False,
                 valid_only=False, date_order="dmy", progress=None, again=False) -> ImportReport
The caller owns the transaction (`write_session`); nothing is written when the report says so.
The same file (bytes, channel and date order) is imported into a brand once: a run repeated after a
crash or a timeout finds the earlier batch and writes nothing, unless `again` says it is meant.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.bulk_writes import bulk_insert, next_id
from app.faults import maybe_crash
from app.models import AuditLog, Brand, Post, PostVariant
from app.services.content.bulk.formats import (
    FORMAT_LABELS,
    ONE_CHANNEL_FORMATS,
    ParsedFile,
    RowProblem,
    read_rows,
)
from app.services.content.bulk.rows import PlannedPost, RowChecker
from app.services.core import Actor, Perm, PermissionDenied, ValidationError, clock, require
from app.services.org import find_brand

__all__ = [
    "EarlierImport",
    "ImportReport",
    "PreviewVariant",
    "RowProblem",
    "batch_posts",
    "earlier_import",
    "file_fingerprint",
    "import_posts",
    "new_batch_id",
    "read_rows",
]

Progress = Callable[[float, str], None]
PREVIEW_LIMIT = 200


@dataclass(frozen=True)
class PreviewVariant:
    """One variant the import creates (or would create): what the page's preview table shows."""

    row: int
    post: str
    channel: str
    platform: str
    scheduled_at: datetime | None
    status: str
    copy: str


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do). `problems` block rows; `warnings` do not."""

    format: str
    filename: str
    encoding: str
    rows: int
    dry_run: bool
    valid_only: bool
    batch_id: str | None = None  # set only when something was written
    created_posts: int = 0
    created_variants: int = 0
    valid_posts: int = 0  # posts whose every row passed the checks
    valid_variants: int = 0
    variants_per_channel: dict[str, int] = field(default_factory=dict)
    first_at: datetime | None = None
    last_at: datetime | None = None
    refused_rows: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preview: list[PreviewVariant] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def blocked(self) -> bool:
        """A real run that wrote nothing because of refused rows."""
        return not self.dry_run and self.created_posts == 0 and bool(self.problems)

    def summary(self) -> str:
        span = ""
        if self.first_at and self.last_at:
            span = f", scheduled {self.first_at:%d %b %Y} – {self.last_at:%d %b %Y} (UTC)"
        if self.dry_run:
            head = f"Dry run of {self.rows:,} rows: {self.valid_posts:,} posts with {self.valid_variants:,} variants pass the checks"
        elif self.created_posts:
            head = f"Imported {self.created_posts:,} posts with {self.created_variants:,} variants (batch {self.batch_id})"
        else:
            head = f"Nothing imported from {self.rows:,} rows"
        refused = f"; {len(self.refused_rows):,} rows refused" if self.refused_rows else ""
        return head + span + refused


def new_batch_id(now: datetime | None = None) -> str:
    """e.g. "imp-20261125-ab12cd": the day, and a random part so two imports a day never clash."""
    return f"imp-{(now or clock.now()):%Y%m%d}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class EarlierImport:
    batch_id: str
    at: datetime
    posts: int


def file_fingerprint(data: bytes, channel: str | None, date_order: str) -> str:
    """What makes two imports the same: the file's bytes and the options that place its posts (the same
    Hootsuite file sent to two channels is two imports)."""
    digest = hashlib.sha256(data)
    digest.update(f"\0{(channel or '').strip().lower()}\0{date_order}".encode())
    return digest.hexdigest()


def earlier_import(session: Session, brand_id: int, fingerprint: str) -> EarlierImport | None:
    """The newest import of this file into the brand whose posts are still there (deleting a batch's
    posts lets the file be imported afresh). Imports are found through their audit rows: the audit log
    is written in the import's own transaction, so it holds exactly the imports that landed."""
    rows = session.execute(
        select(AuditLog.object_id, AuditLog.at, AuditLog.after)
        .where(AuditLog.object_type == "post_import", AuditLog.brand_id == brand_id)
        .order_by(AuditLog.id.desc())
    )
    for batch, at, after in rows:
        if not batch or not isinstance(after, dict) or after.get("fingerprint") != fingerprint:
            continue
        posts = session.scalar(select(func.count()).select_from(Post).where(Post.import_batch == batch))
        if posts:
            return EarlierImport(batch, at, int(posts))
    return None


def _reserve_ids(session: Session, table: str, count: int) -> list[int]:
    """Ids for rows linked before they are written. PostgreSQL: taken from the table's own sequence, so
    a composer save running meanwhile can never be handed the same id (and the sequence needs no reset
    afterwards, which could move it backwards past another session's reservation). SQLite: the next free
    ids; the write session's BEGIN IMMEDIATE keeps every other writer out until commit."""
    if count == 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"),
            {"n": count},
        )
        return [int(r[0]) for r in rows]
    first = next_id(conn, table)
    return list(range(first, first + count))


def import_posts(
    session: Session,
    actor: Actor,
    brand: str | int,
    data: bytes,
    filename: str,
    *,
    fmt: str = "auto",
    channel: str | None = None,
    dry_run: bool = False,
    valid_only: bool = False,
    date_order: str = "dmy",
    progress: Progress | None = None,
    again: bool = False,
) -> ImportReport:
    """Check every row of the file and create its posts (ideas or drafts) for `brand`.

    All-or-nothing by default: any refused row and nothing is written. `valid_only` writes the posts
    whose rows all pass. `dry_run` writes nothing and reports what would be created. `channel` (slug or
    platform) is required for formats without a channel column (Hootsuite, Sprout) and is the default
    for template rows that leave theirs empty. Raises ValidationError for a file that cannot be read
    at all or that was imported into the brand before (unless `again`), PermissionDenied without
    content.edit on the brand."""
    started = time.perf_counter()
    report_progress = progress or (lambda _f, _m: None)
    b = find_brand(session, actor, brand)
    require(actor, Perm.CONTENT_EDIT, b.id, brand_label=b.slug)
    fingerprint = file_fingerprint(data, channel, date_order)
    if not dry_run and session.get_bind().dialect.name == "postgresql":
        # A retry started while the first run still works (it looked stuck) waits here and then finds
        # its batch; on SQLite the write session's BEGIN IMMEDIATE already makes it wait.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(fingerprint[:15], 16)})
    earlier = earlier_import(session, b.id, fingerprint)
    if earlier is not None and not again and not dry_run:
        raise ValidationError(
            f"{filename} was already imported into {b.slug} on {earlier.at:%d %b %Y %H:%M} UTC as batch "
            f"{earlier.batch_id} ({earlier.posts:,} posts); nothing written. To import the same file a "
            "second time on purpose, use --again on the command line",
            field="file",
            value=filename,
        )
    report_progress(0.02, "Reading the file")
    parsed = read_rows(data, filename, fmt, date_order=date_order)
    if parsed.format in ONE_CHANNEL_FORMATS and not (channel or "").strip():
        raise ValidationError(
            f"a {FORMAT_LABELS[parsed.format]} has no channel column: choose the channel its posts go to "
            "(--channel on the command line)",
            field="channel",
        )
    report = ImportReport(
        parsed.format,
        filename,
        parsed.encoding,
        len(parsed.rows),
        dry_run,
        valid_only,
        notes=list(parsed.notes),
    )
    if earlier is not None:
        report.notes.append(
            f"this file was already imported on {earlier.at:%d %b %Y %H:%M} UTC as batch {earlier.batch_id}"
        )
    checker = RowChecker(session, b, ZoneInfo(b.market.timezone), parsed, channel, date_order)
    total = max(len(parsed.rows), 1)
    for i, src in enumerate(parsed.rows):
        checker.add(src)
        if i % 500 == 0:
            report_progress(0.05 + 0.5 * i / total, f"Checking row {src.row:,} of {parsed.rows[-1].row:,}")
    posts = checker.finish()
    report.problems, report.warnings = checker.problems, checker.warnings
    good = [p for p in posts if not p.refused]
    report.refused_rows = sorted({r for p in posts if p.refused for r in p.rows})
    if valid_only:
        report.problems += checker.sibling_notes(posts)
    _describe(report, good, parsed)
    if dry_run or not good or (report.problems and not valid_only):
        report.seconds = time.perf_counter() - started
        report_progress(1.0, "Checked; nothing written")
        return report
    report_progress(0.6, f"Writing {len(good):,} posts")
    maybe_crash("import.checked")
    report.batch_id = new_batch_id()
    _write(session, actor, b, good, report, parsed, fingerprint)
    maybe_crash("import.before_commit")
    report.created_posts = len(good)
    report.created_variants = sum(len(p.variants) for p in good)
    report.seconds = time.perf_counter() - started
    report_progress(1.0, report.summary())
    return report


def _describe(report: ImportReport, good: list[PlannedPost], parsed: ParsedFile) -> None:
    per_channel: Counter[str] = Counter()
    times: list[datetime] = []
    for p in good:
        for v in p.variants:
            per_channel[v.channel.slug] += 1
            if v.scheduled_at:
                times.append(v.scheduled_at)
            if len(report.preview) < PREVIEW_LIMIT:
                report.preview.append(
                    PreviewVariant(
                        v.row,
                        p.title,
                        v.channel.slug,
                        v.channel.platform.value,
                        v.scheduled_at,
                        p.status.value,
                        v.copy,
                    )
                )
    report.valid_posts = len(good)
    report.valid_variants = sum(per_channel.values())
    report.variants_per_channel = dict(sorted(per_channel.items()))
    if times:
        report.first_at, report.last_at = min(times), max(times)


POST_COLUMNS = (
    "id", "brand_id", "campaign_id", "pillar_id", "title", "master_copy", "link_url", "post_type",
    "status", "owner_id", "created_by_id", "updated_at", "import_batch", "created_at", "version",
)  # fmt: skip
VARIANT_COLUMNS = (
    "id", "post_id", "channel_id", "brand_id", "copy", "status", "scheduled_at", "attempts", "created_at", "version",
)  # fmt: skip
AUDIT_COLUMNS = (
    "at", "actor", "actor_user_id", "action", "object_type", "object_id", "object_label", "brand_id", "after",
)  # fmt: skip


def _write(
    session: Session,
    actor: Actor,
    brand: Brand,
    posts: list[PlannedPost],
    report: ImportReport,
    parsed: ParsedFile,
    fingerprint: str,
) -> None:
    """Posts, variants, their media and the audit rows, through the caller's transaction."""
    session.flush()  # anything the ORM holds goes first, in the same transaction
    conn = session.connection()
    now = clock.now()
    batch = report.batch_id
    post_ids = _reserve_ids(session, Post.__tablename__, len(posts))
    variant_ids = iter(_reserve_ids(session, PostVariant.__tablename__, sum(len(p.variants) for p in posts)))
    post_rows: list[tuple] = []
    variant_rows: list[tuple] = []
    media_rows: list[tuple] = []
    audit_rows: list[tuple] = []
    who = (now, actor.audit_label, actor.user_id, "import")
    for post_id, p in zip(post_ids, posts, strict=True):
        status = p.status.value
        content = (p.campaign_id, p.pillar_id, p.title, p.master_copy, p.link, p.post_type.value, status)
        post_rows.append((post_id, brand.id, *content, actor.user_id, actor.user_id, now, batch, now, 1))
        for v in p.variants:
            vid = next(variant_ids)
            variant_rows.append(
                (vid, post_id, v.channel.id, brand.id, v.copy, status, v.scheduled_at, 0, now, 1)
            )
            media_rows += [(vid, a, pos, v.alt_texts.get(a)) for pos, a in enumerate(v.asset_ids)]
        after = {
            "import_batch": batch,
            "rows": p.rows,
            "status": status,
            "variants": [[v.channel.slug, v.scheduled_at and v.scheduled_at.isoformat()] for v in p.variants],
        }
        audit_rows.append((*who, "post", str(post_id), p.title[:300], brand.id, after))
    summary = {
        "format": parsed.format,
        "filename": parsed.filename,
        "rows": report.rows,
        "posts": len(posts),
        "variants": len(variant_rows),
        "refused_rows": len(report.refused_rows),
        "valid_only": report.valid_only,
        "fingerprint": fingerprint,
    }
    label = f"{parsed.filename}: {len(posts):,} posts"[:300]
    audit_rows.append((*who, "post_import", batch, label, brand.id, summary))
    bulk_insert(conn, "posts", POST_COLUMNS, post_rows)
    maybe_crash("import.mid_write")
    bulk_insert(conn, "post_variants", VARIANT_COLUMNS, variant_rows)
    if media_rows:
        bulk_insert(conn, "variant_assets", ("variant_id", "asset_id", "position", "alt_text"), media_rows)
    bulk_insert(conn, "audit_log", AUDIT_COLUMNS, audit_rows)


def batch_posts(session: Session, actor: Actor, batch_id: str) -> list[int]:
    """Ids of the posts an import created (for tracing a batch), limited to brands the actor may see."""
    ids = list(session.execute(select(Post.id, Post.brand_id).where(Post.import_batch == batch_id)))
    visible = actor.visible_brand_ids()
    if visible is not None and any(b not in visible for _, b in ids):
        raise PermissionDenied(f"{actor.email} may not see every post of import {batch_id}")
    return [i for i, _ in ids]
