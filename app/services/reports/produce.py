"""Reports: the monthly performance summary per brand, and a report of one brand, template and period
rendered to PDF or XLSX (the CLI, the Reports page and the sending job all come through `produce`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, ChannelDailyMetric, PostVariant
from app.models.enums import PostStatus
from app.services.core import Actor, Perm, ValidationError, require_brands, time_bucket, utc_bounds
from app.services.reports.data import Report, build_report

MONTHLY_COLUMNS = [
    "month",
    "brand",
    "impressions",
    "engagements",
    "engagement rate",
    "clicks",
    "follower growth",
    "posts published",
]


def monthly_summary(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """One row per month and brand: reach and engagement totals, follower growth and posts published.

    The first and last months are partial when the period does not start or end on a month boundary.
    """
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    m = ChannelDailyMetric
    month = time_bucket(session, m.date, "month").label("month")
    metric_rows = session.execute(
        select(
            month,
            m.brand_id,
            func.sum(m.impressions),
            func.sum(m.engagements),
            func.sum(m.clicks),
            func.sum(m.follower_growth),
        )
        .where(m.brand_id.in_(brand_ids), m.date >= start, m.date <= end)
        .group_by(month, m.brand_id)
    ).all()
    metrics = pd.DataFrame(
        metric_rows, columns=["month", "brand_id", "impressions", "engagements", "clicks", "follower growth"]
    )

    lo, hi = utc_bounds(start, end)
    v = PostVariant
    pub_month = time_bucket(session, v.published_at, "month").label("month")
    published = pd.DataFrame(
        session.execute(
            select(pub_month, v.brand_id, func.count())
            .where(
                v.brand_id.in_(brand_ids),
                v.status == PostStatus.PUBLISHED,
                v.published_at >= lo,
                v.published_at < hi,
            )
            .group_by(pub_month, v.brand_id)
        ).all(),
        columns=["month", "brand_id", "posts published"],
    )
    for frame in (metrics, published):
        frame["month"] = pd.to_datetime(frame["month"])
    df = metrics.merge(published, on=["month", "brand_id"], how="outer")
    if df.empty:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    names = dict(session.execute(select(Brand.id, Brand.name).where(Brand.id.in_(brand_ids))).all())
    df["brand"] = df["brand_id"].map(names)
    counts = ["impressions", "engagements", "clicks", "follower growth", "posts published"]
    for col in counts:  # PostgreSQL sums bigints as numeric (Decimal)
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    # A ratio of the month's sums, never an average of daily ratios.
    df["engagement rate"] = (df["engagements"] / df["impressions"].where(df["impressions"] > 0)).astype(float)
    return df.sort_values(["month", "brand"]).reset_index(drop=True)[MONTHLY_COLUMNS]


FORMATS = ("pdf", "xlsx")


def render(report: Report, fmt: str) -> bytes:
    """The built report as a document in `fmt` ("pdf" or "xlsx")."""
    # fpdf2 and openpyxl take ~0.9 s to import: only producing a document pays for them.
    from app.services.reports.pdf import render_pdf  # noqa: PLC0415
    from app.services.reports.xlsx import render_xlsx  # noqa: PLC0415

    fmt = (fmt or "").strip().lower()
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValidationError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}", field="format", value=fmt)


def produce(
    session: Session, actor: Actor, brand: str, template: str | None, start: date, end: date, fmt: str
) -> tuple[Report, bytes]:
    """Build the report and render it; the format is checked before any figure is read."""
    if (fmt or "").strip().lower() not in FORMATS:
        raise ValidationError(
            f"format {fmt!r}: choose one of {', '.join(FORMATS)}", field="format", value=fmt
        )
    report = build_report(session, actor, brand, template, start, end)
    return report, render(report, fmt)


def file_name(report: Report, fmt: str) -> str:
    """e.g. warisan-quarterly-2026-07-01-2026-09-30.pdf"""
    return f"{report.brand_slug}-{report.template.key}-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.{fmt}"
