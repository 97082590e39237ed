"""Demo numbers: 180 days of channel metrics (with the viral TikTok spike), post metric snapshots on
the same scale, monthly and quarterly KPI targets set against the actuals, and competitor benchmarks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np

from app.demo.catalog import VIRAL_BRAND, VIRAL_DAYS_AGO
from app.demo.common import month_start
from app.demo.series import METRIC_COLUMNS, PROFILES, column_lists, day_list, generate
from app.demo.state import BrandRow, DemoState, PostRow, VariantRow
from app.models.enums import PeriodKind, Platform, PostStatus, PostType

DAYS = 180
# Impressions multiplier on the viral post's days (evening of posting, then two huge days, then fading).
VIRAL_SHOCK = {
    Platform.TIKTOK: (1.8, 7.0, 5.5, 2.2),
    Platform.INSTAGRAM: (1.3, 1.9, 1.5, 1.1),
    Platform.FACEBOOK: (1.2, 1.6, 1.3, 1.0),
}
SNAPSHOT_AGES = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7))
SNAPSHOT_SHARE = (0.14, 0.72, 1.0)  # of the final count reached at each age
VIDEO_TYPES = (PostType.VIDEO, PostType.REEL)


def build(st: DemoState) -> None:
    start = st.today - timedelta(days=DAYS)
    days = day_list(start, DAYS)
    daily: dict[int, dict[str, np.ndarray | None]] = {}
    for brand in st.brands.values():
        arrays = _brand_series(st, brand, start)
        for i, ch in enumerate(brand.channels):
            daily[ch.id] = {k: (None if v is None else v[i]) for k, v in arrays.items()}
        _write_daily(st, brand, arrays, days)
        _kpi_targets(st, brand, arrays, start)
        _competitors(st, brand, start)
    _snapshots(st, daily, start)


def _brand_series(st: DemoState, brand: BrandRow, start: date) -> dict[str, np.ndarray | None]:
    n = len(brand.channels)
    posts = np.zeros((n, DAYS), dtype=np.int64)
    index = {ch.id: i for i, ch in enumerate(brand.channels)}
    for post in st.posts:
        if post.brand is not brand:
            continue
        d = (post.day - start).days
        for v in post.variants:
            if v.status == PostStatus.PUBLISHED and 0 <= d < DAYS:
                posts[index[v.channel.id], d] += 1
    shock = np.ones((n, DAYS))
    if brand.slug == VIRAL_BRAND:
        first = DAYS - VIRAL_DAYS_AGO
        for i, ch in enumerate(brand.channels):
            for k, factor in enumerate(VIRAL_SHOCK.get(ch.platform, ())):
                shock[i, first + k] = factor
    return generate(
        st.np_rng,
        [c.platform for c in brand.channels],
        np.array([c.spec.followers for c in brand.channels]),
        start,
        DAYS,
        trend=np.array([c.spec.trend for c in brand.channels]),
        posts=posts,
        shock=shock,
    )


def _write_daily(
    st: DemoState, brand: BrandRow, arrays: dict[str, np.ndarray | None], days: list[date]
) -> None:
    n = len(brand.channels) * len(days)
    cols = column_lists(arrays, n)
    channel_ids = [c.id for c in brand.channels for _ in days]
    # Rows look imported the night after the day they describe.
    imported = {d: datetime.combine(d + timedelta(days=1), time(2, 10), UTC) for d in days}
    rows = (
        (cid, d, brand.id, *vals, "demo", imported[d])
        for cid, d, *vals in zip(channel_ids, days * len(brand.channels), *cols, strict=True)
    )
    st.w.insert(
        "channel_daily_metrics",
        ("channel_id", "date", "brand_id", *METRIC_COLUMNS, "source", "updated_at"),
        rows,
    )


def _snapshots(st: DemoState, daily: dict[int, dict[str, np.ndarray | None]], start: date) -> None:
    rng = st.np_rng
    finals: list[tuple[PostRow, VariantRow, float]] = []
    for post, v in st.published():
        d = min(max((post.day - start).days, 0), DAYS - 1)
        impressions = daily[v.channel.id]["impressions"]
        assert impressions is not None
        lo = max(0, d - 14)
        level = float(np.median(impressions[lo : d + 1]))
        bump = 1.35 if post.post_type in VIDEO_TYPES and v.channel.platform == Platform.TIKTOK else 1.0
        finals.append((post, v, level * bump * float(rng.lognormal(np.log(0.45), 0.45))))
    top = max(f for p, _, f in finals if p is not st.viral_post)
    for post, v, final in finals:
        if post is st.viral_post:
            # The viral post must stand out as the top post, by a margin a chart shows at a glance.
            boost = {Platform.TIKTOK: 1.0, Platform.INSTAGRAM: 0.25, Platform.FACEBOOK: 0.12}
            final = max(final, 3.0 * top * boost.get(v.channel.platform, 0.1))
        _write_snapshots(st, post, v, final)


def _write_snapshots(st: DemoState, post: PostRow, v: VariantRow, final: float) -> None:
    rng, profile = st.np_rng, PROFILES[v.channel.platform]
    assert v.published_at is not None
    er = profile.engagement_rate * float(rng.lognormal(0, 0.25))
    ctr = profile.click_rate * (2.5 if post.campaign or post.post_type == PostType.LINK else 1.0)
    for age, share in zip(SNAPSHOT_AGES, SNAPSHOT_SHARE, strict=True):
        at = v.published_at + age
        if at > st.now:
            break
        imp = int(final * share)
        eng = int(imp * er)
        video = profile.video_share is not None and post.post_type in VIDEO_TYPES
        st.w.add(
            "post_metric_snapshots",
            variant_id=v.id,
            brand_id=post.brand.id,
            captured_at=at.replace(second=0, microsecond=0),
            impressions=imp,
            reach=int(imp * 0.78),
            engagements=eng,
            likes=int(eng * 0.8),
            comments=int(eng * 0.08),
            shares=int(eng * 0.06),
            saves=int(eng * 0.05) if profile.saves else None,
            clicks=int(imp * ctr),
            video_views=int(imp * 0.7) if video else None,
            source="demo",
        )
        v.impressions, v.engagements, v.clicks = imp, eng, int(imp * ctr)


def _kpi_targets(st: DemoState, brand: BrandRow, arrays: dict[str, np.ndarray | None], start: date) -> None:
    """Targets near the actuals (some beaten, some missed), as an account lead would have set them."""
    rng = st.rng
    totals = {k: arrays[k].sum(axis=0) for k in ("impressions", "engagements", "clicks")}  # type: ignore[union-attr]
    followers = arrays["followers"].sum(axis=0)  # type: ignore[union-attr]
    frt = 1800 if brand.spec.regulated else 3600

    def actual(first: date, last: date) -> dict[str, float]:
        i = max(0, (first - start).days)
        j = min(DAYS, (last - start).days + 1)
        span = (last - first).days + 1
        mean = {k: float(v[i:j].mean()) if j > i else float(v[-30:].mean()) for k, v in totals.items()}
        out = {k: m * span for k, m in mean.items()}  # projected over the whole period
        out["followers"] = float(followers[min(j, DAYS) - 1]) * (1.0 + 0.0008 * max(0, span - (j - i)))
        out["engagement_rate"] = mean["engagements"] / max(mean["impressions"], 1.0)
        return out

    periods = []
    for k in range(-5, 1):
        first = month_start(st.today, k)
        periods.append((PeriodKind.MONTH, first, month_start(first, 1) - timedelta(days=1)))
    q_first = date(st.today.year, 3 * ((st.today.month - 1) // 3) + 1, 1)
    periods.append((PeriodKind.QUARTER, q_first, month_start(q_first, 3) - timedelta(days=1)))
    for kind, first, last in periods:
        values = actual(first, last)
        for key in ("followers", "impressions", "engagements", "clicks", "engagement_rate"):
            factor = rng.uniform(0.9, 1.12) if key != "followers" else rng.uniform(0.995, 1.01)
            value = values[key] * factor
            value = round(value, 4) if key == "engagement_rate" else round(value, -2 if value > 10_000 else 0)
            _target(
                st,
                brand,
                key,
                kind,
                first,
                last,
                value,
                "ratio (0.035 = 3.5%)" if key == "engagement_rate" else "",
            )
        _target(st, brand, "first_response_seconds", kind, first, last, frt, "average, all channels")


def _target(
    st: DemoState,
    brand: BrandRow,
    key: str,
    kind: PeriodKind,
    first: date,
    last: date,
    value: float,
    note: str,
) -> None:
    st.w.add(
        "kpi_targets",
        brand_id=brand.id,
        channel_id=None,
        metric_key=key,
        period_kind=kind,
        period_start=first,
        period_end=last,
        target_value=Decimal(str(value)),
        note=note,
        created_at=min(st.now, datetime.combine(first, time(1, 0), UTC) - timedelta(days=5)),
    )


def _competitors(st: DemoState, brand: BrandRow, start: date) -> None:
    rng = st.np_rng
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = [monday + timedelta(weeks=k) for k in range((st.today - monday).days // 7)]
    own = {c.platform.value: c.spec.followers for c in brand.channels}
    median = sorted(own.values())[len(own) // 2]
    for comp in brand.spec.competitors:
        cid = st.w.add(
            "competitors",
            brand_id=brand.id,
            name=comp.name,
            website=comp.website,
            handles=dict(comp.handles),
            notes=comp.notes,
            created_at=st.now - timedelta(days=185),
        )
        for platform in list(comp.handles)[:3]:
            base = own.get(platform, median) * comp.scale
            growth = np.cumprod(1 + rng.normal(0.004, 0.002, len(weeks)))
            posts = rng.poisson(5 if platform != "tiktok" else 7, len(weeks))
            for n, week in enumerate(weeks):
                fol = int(base * growth[n])
                st.w.add(
                    "competitor_metrics",
                    competitor_id=cid,
                    platform=platform,
                    date=week,
                    followers=fol,
                    posts=int(posts[n]),
                    engagements=int(fol * 0.004 * max(posts[n], 1) * rng.lognormal(0, 0.3)),
                    mentions=int(fol / 900 * rng.lognormal(0, 0.35)),
                    source="demo",
                )
