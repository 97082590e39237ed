"""Daily channel metrics as numpy arrays (channels × days): platform-typical magnitudes, weekly
seasonality, trend, noise and posting effects. Shared by the small demo and the agency-scale build."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from app.models.enums import Platform
from app.models.metrics import CHANNEL_BASE_METRICS

# (days, rows) blocks of the metrics table, in the column order of channel_daily_metrics.
METRIC_COLUMNS: tuple[str, ...] = CHANNEL_BASE_METRICS


@dataclass(frozen=True)
class PlatformProfile:
    impressions_per_follower: float  # a typical day
    engagement_rate: float  # engagements per impression
    click_rate: float
    video_share: float | None  # video views per impression; None: the platform reports none
    saves: bool
    growth: float  # daily follower growth on a flat trend
    weekly: tuple[float, float, float, float, float, float, float]  # Monday .. Sunday


# Why the shapes differ: LinkedIn is read at work, TikTok and Instagram in the evening and at
# weekends, Facebook is flat, X peaks with weekday news; YouTube impressions are thumbnail views.
PROFILES: dict[Platform, PlatformProfile] = {
    Platform.FACEBOOK: PlatformProfile(
        0.18, 0.012, 0.006, 0.20, False, 0.0004, (1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 1.02)
    ),
    Platform.INSTAGRAM: PlatformProfile(
        0.30, 0.028, 0.002, 0.35, True, 0.0009, (0.92, 0.93, 0.95, 1.0, 1.06, 1.16, 1.12)
    ),
    Platform.TIKTOK: PlatformProfile(
        0.90, 0.055, 0.001, 0.85, True, 0.0016, (0.88, 0.88, 0.92, 0.98, 1.1, 1.26, 1.22)
    ),
    Platform.LINKEDIN: PlatformProfile(
        0.22, 0.021, 0.009, 0.05, False, 0.0007, (1.16, 1.22, 1.2, 1.15, 0.98, 0.52, 0.48)
    ),
    Platform.X: PlatformProfile(
        0.35, 0.011, 0.005, 0.08, True, 0.0002, (1.1, 1.12, 1.08, 1.05, 1.0, 0.82, 0.83)
    ),
    Platform.YOUTUBE: PlatformProfile(
        1.80, 0.040, 0.004, 0.07, False, 0.0008, (0.95, 0.9, 0.9, 0.95, 1.05, 1.15, 1.2)
    ),
    Platform.THREADS: PlatformProfile(
        0.25, 0.030, 0.002, None, False, 0.0014, (0.95, 0.95, 0.97, 1.0, 1.04, 1.1, 1.08)
    ),
    Platform.PINTEREST: PlatformProfile(
        0.60, 0.008, 0.012, 0.10, True, 0.0005, (0.9, 0.9, 0.95, 1.0, 1.0, 1.1, 1.2)
    ),
    Platform.MASTODON: PlatformProfile(
        0.60, 0.030, 0.006, None, False, 0.0010, (1.08, 1.1, 1.08, 1.05, 1.0, 0.86, 0.84)
    ),
    Platform.BLUESKY: PlatformProfile(
        0.50, 0.032, 0.006, None, False, 0.0012, (1.05, 1.08, 1.06, 1.04, 1.0, 0.9, 0.88)
    ),
}


def day_list(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


def generate(
    rng: np.random.Generator,
    platforms: Sequence[Platform],
    followers0: np.ndarray,
    start: date,
    days: int,
    *,
    trend: np.ndarray | None = None,
    posts: np.ndarray | None = None,
    shock: np.ndarray | None = None,
) -> dict[str, np.ndarray | None]:
    """Metrics for len(platforms) channels over `days` days from `start`: int64 arrays (C, D) per
    base metric, or None where none of the platforms report the metric.

    `trend` is each channel's change of reach over the period in log terms, `posts` the posts
    published per channel and day, `shock` a multiplier on impressions (a viral day)."""
    c = len(platforms)
    profiles = [PROFILES[p] for p in platforms]
    t = np.linspace(0.0, 1.0, days)[None, :]
    trend = np.zeros(c) if trend is None else trend
    posts = rng.poisson(0.45, size=(c, days)) if posts is None else posts
    weekday = (start.weekday() + np.arange(days)) % 7
    weekly = np.array([p.weekly for p in profiles])[:, weekday]
    ipf = np.array([p.impressions_per_follower for p in profiles])[:, None]
    er = np.array([p.engagement_rate for p in profiles])[:, None]
    ctr = np.array([p.click_rate for p in profiles])[:, None]
    growth = np.array([p.growth for p in profiles])[:, None]

    # Followers grow with the reach trend (a declining page loses followers) and jump on big days.
    drift = growth * (1.0 + 3.0 * trend[:, None]) + np.minimum(trend[:, None], 0) * 0.004
    drift = np.maximum(drift, -0.5 / days)  # even a collapsing account keeps about half its audience
    f0 = followers0.astype(np.float64)[:, None]
    level = np.exp(trend[:, None] * t)
    boost = (1.0 + 0.22 * posts) * (1.0 if shock is None else shock)
    impressions = f0 * ipf * level * weekly * boost * rng.lognormal(0.0, 0.16, size=(c, days))
    gained = f0 * drift * rng.lognormal(0.0, 0.35, size=(c, days)) + impressions * 0.0004 * (boost - 1)
    follower_growth = np.rint(gained).astype(np.int64)
    followers = followers0.astype(np.int64)[:, None] + np.cumsum(follower_growth, axis=1)
    engagements = impressions * er * rng.lognormal(0.0, 0.12, size=(c, days))
    mix = rng.dirichlet((30.0, 4.0, 3.0, 2.5), size=(c, days))  # likes, comments, shares, saves

    out: dict[str, np.ndarray | None] = {
        "followers": followers,
        "follower_growth": follower_growth,
        "impressions": np.rint(impressions).astype(np.int64),
        "reach": np.rint(impressions * rng.uniform(0.55, 0.8, size=(c, days))).astype(np.int64),
        "engagements": np.rint(engagements).astype(np.int64),
        "likes": np.rint(engagements * mix[..., 0] * 0.95).astype(np.int64),
        "comments": np.rint(engagements * mix[..., 1] * 0.95).astype(np.int64),
        "shares": np.rint(engagements * mix[..., 2] * 0.95).astype(np.int64),
        "clicks": np.rint(impressions * ctr * rng.lognormal(0.0, 0.2, size=(c, days))).astype(np.int64),
        "posts_published": posts.astype(np.int64),
        # People name a brand roughly in step with how much it is seen.
        "mentions": np.rint(impressions * 0.0006 * rng.lognormal(0.0, 0.5, size=(c, days))).astype(np.int64),
    }
    has_saves = np.array([p.saves for p in profiles])[:, None]
    out["saves"] = (
        np.where(has_saves, np.rint(engagements * mix[..., 3] * 0.95), -1).astype(np.int64)
        if has_saves.any()
        else None
    )
    vshare = np.array([p.video_share if p.video_share is not None else -1.0 for p in profiles])[:, None]
    out["video_views"] = (
        np.where(
            vshare >= 0, np.rint(impressions * np.abs(vshare) * rng.lognormal(0.0, 0.15, (c, days))), -1
        ).astype(np.int64)
        if (vshare >= 0).any()
        else None
    )
    return out


def column_lists(arrays: dict[str, np.ndarray | None], n: int) -> list[list[int | None]]:
    """Flatten (C, D) arrays into Python lists in METRIC_COLUMNS order; -1 (not reported) becomes None,
    and plain ints, not numpy scalars, go to the driver."""
    cols: list[list[int | None]] = []
    for name in METRIC_COLUMNS:
        arr = arrays[name]
        if arr is None:
            cols.append([None] * n)
            continue
        flat = arr.ravel().tolist()
        if name in ("saves", "video_views") and (arr < 0).any():
            flat = [None if v < 0 else v for v in flat]
        cols.append(flat)
    return cols
