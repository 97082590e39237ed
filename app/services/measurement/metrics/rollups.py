"""Weekly and monthly rollups of the channel daily metrics, kept incrementally, so dashboards and reports
read them (through rollup_reads) instead of scanning the daily table.

How changes are found: triggers on channel_daily_metrics (migration 0005) mark each inserted, updated or
deleted channel-day in rollup_dirty_days, whoever wrote it (platform sync, the export importers, sheets,
hand-written SQL). A refresh recomputes only the weeks and months holding marked days, from their daily
rows (at most 7 and 31 rows per mark), then clears the marks it processed (matched on their version, so a
mark raised meanwhile survives for the next run). Chosen over an `updated_at` watermark because a
watermark misses deletes, trusts every writer to set the column, and loses rows whose transaction
commits after a later one.

Public API (stable, used by dashboards and reports):
    refresh(session, actor, *, progress=None) -> RefreshResult        (the job; marked days only)
    refresh_channel_days(session, channel_id, days) -> RefreshResult   (a writer rolling up its own days)
    rebuild(session, actor, brand_ids=None, *, progress=None) -> RefreshResult   (repairs; everything)
    week_start(day), month_start(day), aggregations(session)
and in rollup_reads:
    rollup_frame(session, actor, brand_ids, start, end, *, grain="week", by="channel",
                 channel_ids=None) -> DataFrame   one row per period (and group), base metric columns
    period_totals(session, actor, brand_ids, start, end, *, by="brand", channel_ids=None) -> DataFrame
                 base metrics over exactly [start, end], read from whole months, whole weeks and days
    with_kpis(frame, session) -> DataFrame   adds one column per derived metric of the dictionary
Grains: "day" (the daily table), "week" (ISO, Monday first), "month". Groups (`by`): "channel" (with
brand_id and platform), "brand", "platform", "total". A LAST metric (followers) is each channel's value on
its last day, summed across channels.
"""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.orm import Session

from app.bulk_writes import bulk_insert
from app.models import CHANNEL_BASE_METRICS, Channel, ChannelDailyMetric, MetricDefinition
from app.models.enums import Aggregation
from app.models.metrics import MetricRollup, RollupDirtyDay
from app.services.core import Actor, Perm, clock, require
from app.services.core import audit as audit_log

Progress = Callable[[float, str], None]
METRICS: tuple[str, ...] = CHANNEL_BASE_METRICS
GRAINS = ("week", "month")
READ_GRAINS = ("day", "week", "month")
GROUPS = ("channel", "brand", "platform", "total")
CHUNK_CHANNELS = 400  # channels per daily-rows query (keeps IN lists and frames small)
ROLLUP_COLUMNS = (
    "channel_id", "grain", "period_start", "brand_id", "period_end", "days", "last_day", *METRICS, "updated_at",
)  # fmt: skip


@dataclass
class RefreshResult:
    dirty_days: int = 0  # marks processed
    channels: int = 0
    daily_rows: int = 0  # daily rows read to recompute
    weeks: int = 0  # rollup rows written
    months: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "dirty_days": self.dirty_days,
            "channels": self.channels,
            "daily_rows": self.daily_rows,
            "weeks": self.weeks,
            "months": self.months,
        }


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_end(grain: str, start: date) -> date:
    """The last day of the week or month that starts on `start`."""
    if grain == "week":
        return start + timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def aggregations(session: Session) -> dict[str, Aggregation]:
    """How each base metric combines over days: the dictionary's choice (sum unless it says otherwise)."""
    found = dict(
        session.execute(
            select(MetricDefinition.key, MetricDefinition.aggregation).where(
                MetricDefinition.key.in_(METRICS)
            )
        ).all()
    )
    defaults = {"followers": Aggregation.LAST}
    return {m: found.get(m, defaults.get(m, Aggregation.SUM)) for m in METRICS}


# --- computing --------------------------------------------------------------------------------------


def _daily_frame(session: Session, channel_ids: Sequence[int], lo: date, hi: date) -> pd.DataFrame:
    """The daily rows of `channel_ids` in [lo, hi], read through the driver: SQLAlchemy's per-row date
    conversion (and pandas probing its row objects) was most of a rebuild's time at agency scale; pandas
    parses the date column at once instead."""
    conn = session.connection()
    raw = conn.connection.dbapi_connection  # the same connection, so the same transaction
    qmark = conn.dialect.paramstyle == "qmark"
    names = ["channel_id", "brand_id", "date", *METRICS]
    parts = []
    for i in range(0, len(channel_ids), CHUNK_CHANNELS):
        chunk = [int(c) for c in channel_ids[i : i + CHUNK_CHANNELS]]
        mark = "?" if qmark else "%s"
        sql = (
            f"SELECT {', '.join(names)} FROM channel_daily_metrics WHERE channel_id IN "
            f"({', '.join(mark for _ in chunk)}) AND date >= {mark} AND date <= {mark}"
        )
        params = (*chunk, lo.isoformat() if qmark else lo, hi.isoformat() if qmark else hi)
        cur = raw.cursor()
        try:
            cur.execute(sql, params)
            rows = cur.fetchall()  # plain tuples: pandas probes SQLAlchemy rows attribute by attribute
        finally:
            cur.close()
        if rows:
            parts.append(pd.DataFrame.from_records(rows, columns=names))
    if not parts:
        return pd.DataFrame(columns=names)
    df = pd.concat(parts, ignore_index=True)
    df["date"] = pd.to_datetime(df["date"])
    for k in METRICS:
        df[k] = pd.to_numeric(df[k], errors="coerce").astype("float64")
    return df


def aggregate(df: pd.DataFrame, keys: list[str], aggs: dict[str, Aggregation]) -> pd.DataFrame:
    """One row per `keys` group: each metric by its aggregation, plus days and last_day."""
    df = df.sort_values("date", kind="stable")
    g = df.groupby(keys, sort=False)
    out = g.agg(brand_id=("brand_id", "first"), days=("date", "size"), last_day=("date", "max"))
    for k in METRICS:
        how = aggs[k]
        if how == Aggregation.LAST:
            out[k] = g[k].last()  # last non-null value, rows sorted by day
        elif how == Aggregation.MAX:
            out[k] = g[k].max()
        elif how == Aggregation.AVERAGE:
            out[k] = g[k].mean().round()
        else:
            out[k] = g[k].sum(min_count=1)
    return out.reset_index()


def _rollup_rows(df: pd.DataFrame, grain: str, aggs: dict[str, Aggregation], now: datetime) -> list[tuple]:
    if df.empty:
        return []
    out = aggregate(df, ["channel_id", "period_start"], aggs)
    rows = []
    values = out[list(METRICS)].to_numpy(dtype="float64")
    for i, (ch, start, brand, days, last) in enumerate(
        zip(
            out["channel_id"], out["period_start"], out["brand_id"], out["days"], out["last_day"], strict=True
        )
    ):
        start_d = start.date()
        metrics = [None if np.isnan(v) else int(v) for v in values[i]]
        rows.append(
            (
                int(ch),
                grain,
                start_d,
                int(brand),
                period_end(grain, start_d),
                int(days),
                last.date(),
                *metrics,
                now,
            )
        )
    return rows


def _with_periods(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    weeks = df.assign(period_start=df["date"] - pd.to_timedelta(df["date"].dt.day_of_week, unit="D"))
    months = df.assign(period_start=df["date"].dt.to_period("M").dt.start_time)
    return weeks, months


def _replace(session: Session, keys: Iterable[tuple[int, str, date]], rows: list[tuple]) -> None:
    """Delete the rollup rows of `keys` (periods recomputed) and write `rows` in their place: a period
    whose days were all deleted simply has no row any more."""
    conn = session.connection()
    keys = list(keys)
    if keys:
        stmt = delete(MetricRollup).where(
            MetricRollup.channel_id == bindparam("c"),
            MetricRollup.grain == bindparam("g"),
            MetricRollup.period_start == bindparam("p"),
        )
        conn.execute(stmt, [{"c": c, "g": g, "p": p} for c, g, p in keys])
    if rows:
        bulk_insert(conn, MetricRollup.__tablename__, ROLLUP_COLUMNS, rows)


def _recompute(
    session: Session,
    periods: dict[int, set[tuple[str, date]]],
    aggs: dict[str, Aggregation],
    result: RefreshResult,
    progress: Progress | None,
) -> None:
    """Recompute the given (grain, period start) of each channel from its daily rows."""
    now = clock.now()
    # Channels sharing a date window are read together: after one new day that is every channel at once.
    windows: dict[tuple[date, date], list[int]] = defaultdict(list)
    for ch, ps in periods.items():
        lo = min(p for _, p in ps)
        hi = max(period_end(g, p) for g, p in ps)
        windows[(lo, hi)].append(ch)
    done, total = 0, max(len(periods), 1)
    for (lo, hi), channels in windows.items():
        for i in range(0, len(channels), CHUNK_CHANNELS):
            chunk = channels[i : i + CHUNK_CHANNELS]
            df = _daily_frame(session, chunk, lo, hi)
            result.daily_rows += len(df)
            weeks, months = _with_periods(df)
            wanted = pd.DataFrame(
                [(c, g, pd.Timestamp(p)) for c in chunk for g, p in periods[c]],
                columns=["channel_id", "grain", "period_start"],
            )
            rows: list[tuple] = []
            for grain, frame in (("week", weeks), ("month", months)):
                keys = wanted[wanted["grain"] == grain].drop(columns="grain")
                frame = frame.merge(keys, on=["channel_id", "period_start"], how="inner")
                new = _rollup_rows(frame, grain, aggs, now)
                if grain == "week":
                    result.weeks += len(new)
                else:
                    result.months += len(new)
                rows += new
            _replace(session, [(c, g, p) for c in chunk for g, p in periods[c]], rows)
            done += len(chunk)
            if progress:
                progress(min(0.99, done / total), f"Rolled up {done:,} of {total:,} channels")


def _dirty(session: Session, brand_ids: Sequence[int] | None = None) -> list[tuple[int, date, int]]:
    d = RollupDirtyDay
    stmt = select(d.channel_id, d.date, d.version)
    if brand_ids is not None:
        stmt = stmt.where(d.brand_id.in_(brand_ids))
    return [(c, day, v) for c, day, v in session.execute(stmt)]


def _clear(session: Session, marks: list[tuple[int, date, int]]) -> None:
    if not marks:
        return
    d = RollupDirtyDay
    stmt = delete(d).where(
        d.channel_id == bindparam("c"), d.date == bindparam("d"), d.version == bindparam("v")
    )
    session.connection().execute(stmt, [{"c": c, "d": day, "v": v} for c, day, v in marks])


def _lock(session: Session) -> None:
    """One refresh or rebuild at a time (SQLite's write transaction already is one)."""
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(5005005)"))


def refresh(session: Session, actor: Actor, *, progress: Progress | None = None) -> RefreshResult:
    """Bring the rollups up to date with every channel-day changed since the last refresh. Work is
    proportional to the marked days (a week and a month of daily rows per channel-day at most)."""
    require(actor, Perm.ADMIN)
    started = time.perf_counter()
    _lock(session)
    marks = _dirty(session)
    result = RefreshResult(dirty_days=len(marks))
    if marks:
        periods: dict[int, set[tuple[str, date]]] = defaultdict(set)
        for ch, day, _ in marks:
            periods[ch].add(("week", week_start(day)))
            periods[ch].add(("month", month_start(day)))
        result.channels = len(periods)
        _recompute(session, periods, aggregations(session), result, progress)
        _clear(session, marks)
    result.seconds = time.perf_counter() - started
    return result


def refresh_channel_days(session: Session, channel_id: int, days: Sequence[date]) -> RefreshResult:
    """Roll up `days` of one channel now, in the caller's transaction, and clear their marks: for a
    writer that has checked its own permission on the channel's brand (the export importer), so what it
    wrote shows on dashboards at once rather than after the next hourly refresh."""
    started = time.perf_counter()
    _lock(session)  # never two recomputes of one period at once (the job may be running)
    d = RollupDirtyDay
    wanted = sorted(set(days))
    marks: list[tuple[int, date, int]] = []
    for i in range(0, len(wanted), CHUNK_CHANNELS):
        marks += [
            (c, day, v)
            for c, day, v in session.execute(
                select(d.channel_id, d.date, d.version).where(
                    d.channel_id == channel_id, d.date.in_(wanted[i : i + CHUNK_CHANNELS])
                )
            )
        ]
    result = RefreshResult(dirty_days=len(marks), channels=1 if wanted else 0)
    if wanted:
        periods = {
            channel_id: {(g, f(x)) for x in wanted for g, f in (("week", week_start), ("month", month_start))}
        }
        _recompute(session, periods, aggregations(session), result, None)
        _clear(session, marks)
    result.seconds = time.perf_counter() - started
    return result


def rebuild(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int] | None = None,
    *,
    progress: Progress | None = None,
    audit: bool = True,
) -> RefreshResult:
    """Recompute every rollup (of `brand_ids`, default all brands) from the daily rows: for repairs and
    after a change to a base metric's aggregation. Writes one audit row."""
    require(actor, Perm.ADMIN)
    started = time.perf_counter()
    _lock(session)
    marks = _dirty(session, brand_ids)
    ch_stmt = select(Channel.id).order_by(Channel.id)
    r_stmt = delete(MetricRollup)
    if brand_ids is not None:
        ch_stmt = ch_stmt.where(Channel.brand_id.in_(brand_ids))
        r_stmt = r_stmt.where(MetricRollup.brand_id.in_(brand_ids))
    channels = list(session.scalars(ch_stmt))
    session.execute(r_stmt)
    result = RefreshResult(dirty_days=len(marks), channels=len(channels))
    aggs = aggregations(session)
    now = clock.now()
    m = ChannelDailyMetric
    for i in range(0, len(channels), CHUNK_CHANNELS):
        chunk = channels[i : i + CHUNK_CHANNELS]
        lo, hi = session.execute(
            select(func.min(m.date), func.max(m.date)).where(m.channel_id.in_(chunk))
        ).one()
        if lo is not None:
            df = _daily_frame(session, chunk, lo, hi)
            result.daily_rows += len(df)
            weeks, months = _with_periods(df)
            w_rows, m_rows = _rollup_rows(weeks, "week", aggs, now), _rollup_rows(months, "month", aggs, now)
            result.weeks += len(w_rows)
            result.months += len(m_rows)
            _replace(session, [], w_rows + m_rows)
        if progress:
            done = min(i + CHUNK_CHANNELS, len(channels))
            progress(done / max(len(channels), 1), f"Rebuilt {done:,} of {len(channels):,} channels")
    _clear(session, marks)
    result.seconds = time.perf_counter() - started
    if audit:
        scope = "all brands" if brand_ids is None else f"{len(brand_ids)} brand(s)"
        audit_log.record(
            session,
            actor,
            "rebuild",
            "metric_rollups",
            label=f"rollups rebuilt for {scope}",
            after={**result.counts(), "brand_ids": None if brand_ids is None else list(brand_ids)},
        )
    return result
