"""The agency-scale synthetic data set ("Synthetic Agency"): N brands × 5 channels, daily metrics for
every channel and day, ~3 posts per brand a week with variants and snapshots, and 90 days of inbox,
generated with numpy and streamed to the store in blocks of brands."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import repeat
from random import Random

import numpy as np
from sqlalchemy import Engine

from app.bulk_writes import refresh_statistics
from app.demo.agency_common import CHANNELS_PER_BRAND, Organisation, PostContext
from app.demo.agency_inbox import write_inbox
from app.demo.agency_posts import write_posts, write_snapshots
from app.demo.catalog import AGENCY_MARKETS
from app.demo.common import (
    DemoSummary,
    Progress,
    Stopwatch,
    Writer,
    anchor,
    check_can_seed,
    check_no_workspace,
    no_progress,
    record_seed,
    write_begin,
)
from app.demo.people import AGENCY_PEOPLE
from app.demo.reference import (
    CONNECTOR_BASE_URL,
    connector_kind,
    write_markets,
    write_metrics_dictionary,
    write_people,
    write_severity_levels,
    write_sop_templates,
    write_workspace,
)
from app.demo.series import METRIC_COLUMNS, column_lists, day_list, generate
from app.models.enums import HealthStatus, Platform
from app.services.core import Actor, ValidationError, clock
from app.services.measurement import rebuild_in, triggers_suspended

WORKSPACE_NAME = "Synthetic Agency"
WORKSPACE_SLUG = "synthetic-agency"
PLATFORMS: tuple[Platform, ...] = tuple(Platform)
# ~50k metric rows per block at 730 days: big enough for fast executemany/COPY, small in memory.
BLOCK_CHANNEL_DAYS = 250_000
MARKET_WEIGHTS = {"sg": 0.25, "my": 0.25, "id": 0.3, "cn": 0.2}
UTC_OFFSET_HOURS = {"sg": 8, "my": 8, "id": 7, "cn": 8}  # no daylight saving in any of them
# A typical account of a mid-sized brand, by platform; brands scale it by a log-normal size.
TYPICAL_FOLLOWERS = {
    Platform.FACEBOOK: 40_000,
    Platform.INSTAGRAM: 30_000,
    Platform.TIKTOK: 25_000,
    Platform.LINKEDIN: 4_000,
    Platform.X: 6_000,
    Platform.YOUTUBE: 8_000,
    Platform.THREADS: 5_000,
    Platform.PINTEREST: 3_000,
    Platform.MASTODON: 600,
    Platform.BLUESKY: 900,
}
NAMES_A = ("Golden", "Urban", "Little", "Blue", "Green", "Happy", "Royal", "Fresh", "Lucky", "Jade")
NAMES_B = ("Spoon", "Leaf", "Harbour", "Bean", "Bakery", "Clinic", "Studio", "Motors", "Travel", "Market")
INDUSTRIES = (
    "Food & beverage",
    "Retail",
    "Beauty",
    "Financial services",
    "Travel",
    "Health",
    "Automotive",
    "Education",
    "Telco",
    "Property",
)
PALETTE = ("#4C78A8", "#F58518", "#E45756", "#72B7B2", "#54A24B", "#EECA3B", "#B279A2", "#FF9DA6", "#9D755D")


def build_agency(
    engine: Engine,
    *,
    actor: Actor,
    brands: int,
    days: int,
    seed: int = 7,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    check_can_seed(engine, actor)
    if brands < 1 or days < 1:
        raise ValidationError("brands and days must both be at least 1", value=(brands, days))
    report = progress or no_progress
    stopwatch = Stopwatch()
    today = today or clock.today()
    now = anchor(today)
    nrng = np.random.default_rng(seed)
    rng = Random(seed)

    report(0.0, "Workspace, markets, people and reference data")
    with write_begin(engine) as conn:
        check_no_workspace(conn)
        w = Writer(conn, now)
        org = _organisation(w, rng, nrng, brands, now)
        w.flush()

    start = today - timedelta(days=days)
    days_list = day_list(start, days)
    imported = [datetime.combine(d + timedelta(days=1), time(2, 10), UTC) for d in days_list]
    per_block = max(1, BLOCK_CHANNEL_DAYS // (CHANNELS_PER_BRAND * days))
    ctx = PostContext(
        rng=nrng,
        today=today,
        now=now,
        days=days,
        editors=org.editors,
        market_codes=org.market_codes,
        offsets=org.offsets,
        languages=org.languages,
    )
    for first in range(0, brands, per_block):
        block = range(first, min(brands, first + per_block))
        with write_begin(engine) as conn:
            w.conn = conn
            plan = write_posts(w, ctx, block, org)
            # Bulk-loaded without dirty-day marks, then rolled up from what was written.
            with triggers_suspended(conn):
                means = _write_metrics(
                    w, nrng, org, block, start, days, days_list, imported, plan.posts_published
                )
            rolled = rebuild_in(conn, actor, [org.brand_ids[i] for i in block])
            w.counts["metric_rollups"] += rolled.weeks + rolled.months
            write_snapshots(w, ctx, plan, means, org)
        report(0.02 + 0.88 * block.stop / brands, f"Brands {block.stop:,} of {brands:,}")

    report(0.92, "Inbox")
    with write_begin(engine) as conn:
        w.conn = conn
        write_inbox(w, ctx, org)
        counts = dict(sorted(w.counts.items()))
        record_seed(conn, actor, org.workspace_id, WORKSPACE_NAME, counts)
        w.finish()
    refresh_statistics(engine)
    counts["audit_log"] = counts.get("audit_log", 0) + 1
    report(1.0, f"Synthetic agency ready: {sum(counts.values()):,} rows")
    return DemoSummary(counts=counts, seconds=stopwatch.seconds())


def _organisation(w: Writer, rng: Random, nrng: np.random.Generator, n: int, now: datetime) -> Organisation:
    org = Organisation()
    org.workspace_id = write_workspace(w, slug=WORKSPACE_SLUG, name=WORKSPACE_NAME, timezone="Asia/Singapore")
    market_ids = write_markets(w, org.workspace_id, AGENCY_MARKETS)
    org.languages = {m.code: m.languages for m in AGENCY_MARKETS}
    people = write_people(w, org.workspace_id, AGENCY_PEOPLE, {}, now)
    org.editors = [people[k] for k in ("editor1", "editor2", "editor3")]
    org.cms = [people["cm1"], people["cm2"]]
    write_metrics_dictionary(w)
    write_severity_levels(w, org.workspace_id)
    write_sop_templates(w, org.workspace_id, people["lead"], now - timedelta(days=400), None)

    codes = list(MARKET_WEIGHTS)
    org.market_codes = nrng.choice(codes, size=n, p=list(MARKET_WEIGHTS.values())).tolist()
    org.offsets = np.array([UTC_OFFSET_HOURS[c] * 3600 for c in org.market_codes], dtype=np.int64)
    org.size = nrng.lognormal(0.0, 1.0, size=n)  # brand size: a few big brands, many small ones
    created = now - timedelta(days=800)
    for i in range(n):
        number = f"{i + 1:04d}"
        slug = f"brand-{number}"
        bid = w.add(
            "brands",
            workspace_id=org.workspace_id,
            slug=slug,
            name=f"{NAMES_A[i % len(NAMES_A)]} {NAMES_B[(i // len(NAMES_A)) % len(NAMES_B)]} {number}",
            market_id=market_ids[org.market_codes[i]],
            industry=INDUSTRIES[i % len(INDUSTRIES)],
            regulated=i % 17 == 0,
            color=PALETTE[i % len(PALETTE)],
            active=True,
            publishing_paused=False,
            created_at=created,
        )
        org.brand_ids.append(bid)
        platforms = [PLATFORMS[(i + k) % len(PLATFORMS)] for k in range(CHANNELS_PER_BRAND)]
        org.platforms.append(platforms)
        for k, platform in enumerate(platforms):
            cid = w.add(
                "channels",
                brand_id=bid,
                platform=platform,
                handle=f"@{slug.replace('-', '')}",
                slug=f"{slug}-{platform.value}",
                display_name=f"Brand {number} ({platform.label})",
                market_id=market_ids[org.market_codes[i]],
                external_account_id=f"{rng.getrandbits(48)}",
                active=True,
                created_at=created,
            )
            if k == 0:
                org.first_channel.append(cid)
            kind = connector_kind(platform)
            w.add(
                "connector_accounts",
                channel_id=cid,
                kind=kind,
                base_url=CONNECTOR_BASE_URL.get(platform),
                credential_env=None,
                settings={},
                status=HealthStatus.OK if rng.random() > 0.02 else HealthStatus.DEGRADED,
                last_success_at=now - timedelta(minutes=rng.randrange(1, 600)),
                created_at=created,
            )
    return org


def _write_metrics(
    w: Writer,
    nrng: np.random.Generator,
    org: Organisation,
    block: range,
    start: date,
    days: int,
    days_list: list[date],
    imported: list[datetime],
    posts: np.ndarray,
) -> np.ndarray:
    """Daily rows of every channel of the block; returns each channel's mean daily impressions (the
    scale the block's post snapshots are drawn on)."""
    platforms = [p for i in block for p in org.platforms[i]]
    base = np.array([TYPICAL_FOLLOWERS[p] for p in platforms], dtype=np.float64)
    size = np.repeat(org.size[block.start : block.stop], CHANNELS_PER_BRAND)
    followers0 = np.maximum(100, base * size * nrng.lognormal(0, 0.3, len(platforms))).astype(np.int64)
    trend = nrng.normal(0.1, 0.25, len(platforms)) * days / 365
    arrays = generate(nrng, platforms, followers0, start, days, trend=trend, posts=posts)
    n = len(platforms) * days
    channel_ids = [org.first_channel[i] + k for i in block for k in range(CHANNELS_PER_BRAND)]
    rows = zip(
        np.repeat(channel_ids, days).tolist(),
        days_list * len(platforms),
        np.repeat([org.brand_ids[i] for i in block], CHANNELS_PER_BRAND * days).tolist(),
        *column_lists(arrays, n),
        repeat("synthetic"),
        imported * len(platforms),
    )
    w.insert(
        "channel_daily_metrics",
        ("channel_id", "date", "brand_id", *METRIC_COLUMNS, "source", "updated_at"),
        rows,
    )
    impressions = arrays["impressions"]
    assert impressions is not None
    return impressions.mean(axis=1)
