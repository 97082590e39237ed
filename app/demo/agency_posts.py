"""Vectorised posts, variants and post snapshots for the synthetic agency: numpy draws whole columns at
once, and rows are zipped from plain lists straight into bulk inserts."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import numpy as np

from app.demo.agency_common import CHANNELS_PER_BRAND as CH
from app.demo.agency_common import Organisation, PostContext, times
from app.demo.common import Writer
from app.demo.platform_texts import FAILURES, SYN_TOPICS
from app.demo.series import PROFILES
from app.models.enums import Platform, PostStatus, PostType
from app.models.metrics import POST_BASE_METRICS

POSTS_PER_WEEK = 3.0
FUTURE_DAYS = 14
HOURS = np.array([8, 9, 11, 12, 13, 17, 18, 19, 20, 21])
TYPES = (PostType.IMAGE, PostType.CAROUSEL, PostType.REEL, PostType.VIDEO, PostType.TEXT, PostType.LINK)
TYPE_P = (0.35, 0.2, 0.2, 0.07, 0.1, 0.08)
# Status codes used in the arrays below.
STATUSES = (
    PostStatus.PUBLISHED,
    PostStatus.FAILED,
    PostStatus.ARCHIVED,
    PostStatus.SCHEDULED,
    PostStatus.APPROVED,
    PostStatus.IN_REVIEW,
    PostStatus.DRAFT,
)
PUB, FAIL, ARCH, SCHED = 0, 1, 2, 3


@dataclass
class BlockPlan:
    posts_published: np.ndarray  # (channels of the block, days): published variants per channel-day
    variant_ids: np.ndarray  # published variants only, below
    channel_index: np.ndarray  # index of the variant's channel within the block
    brand_ids: np.ndarray
    platforms: list[Platform]
    published_ts: np.ndarray
    video: np.ndarray


def _group_positions(counts: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each consecutive group of the given sizes."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def write_posts(w: Writer, ctx: PostContext, block: range, org: Organisation) -> BlockPlan:
    rng, days = ctx.rng, ctx.days
    nb = len(block)
    past_n = rng.poisson(POSTS_PER_WEEK / 7 * days, nb)
    fut_n = rng.poisson(POSTS_PER_WEEK / 7 * FUTURE_DAYS, nb)
    counts = past_n + fut_n
    n = int(counts.sum())
    brand_local = np.repeat(np.arange(nb), counts)
    future = _group_positions(counts) >= np.repeat(past_n, counts)
    day = np.where(future, rng.integers(1, FUTURE_DAYS + 1, n), rng.integers(-days, 0, n))
    order = np.lexsort((day, brand_local))
    day, future = day[order], future[order]
    epoch_today = int(ctx.now.timestamp())
    offsets = ctx.offsets[block.start + brand_local]
    sched = (
        epoch_today
        + day * 86400
        + rng.choice(HOURS, n) * 3600
        + rng.choice([0, 15, 30, 45], n) * 60
        - offsets
    )

    u = rng.random(n)
    past_status = np.where(u < 0.975, PUB, np.where(u < 0.99, FAIL, ARCH))
    soon = day <= 7
    fut_status = np.where(
        u < np.where(soon, 0.6, 0.25),
        SCHED,
        np.where(u < np.where(soon, 0.8, 0.45), 4, np.where(u < np.where(soon, 0.9, 0.7), 5, 6)),
    )
    status = np.where(future, fut_status, past_status)
    ptype = rng.choice(len(TYPES), n, p=TYPE_P)

    first = w.reserve("posts", n)
    post_ids = np.arange(first, first + n)
    brand_of_post = np.asarray(org.brand_ids[block.start : block.stop])[brand_local]
    titles = _titles(ctx, block, brand_local, rng.integers(0, 1000, n), rng.random(n))
    created_ts = sched - 86400 * 3 - rng.integers(0, 86400 * 4, n)
    created = times(created_ts)
    updated = times(np.where(status == PUB, np.minimum(sched + 120, epoch_today), created_ts + 3600))
    status_v = [STATUSES[s].value for s in status.tolist()]
    editors = np.asarray(ctx.editors)[brand_local % len(ctx.editors)].tolist()
    w.insert(
        "posts",
        (
            "id",
            "brand_id",
            "title",
            "master_copy",
            "post_type",
            "status",
            "owner_id",
            "created_by_id",
            "updated_at",
            "created_at",
            "version",
        ),
        zip(
            post_ids.tolist(),
            brand_of_post.tolist(),
            titles,
            titles,
            [TYPES[t].value for t in ptype.tolist()],
            status_v,
            editors,
            editors,
            updated,
            created,
            repeat(1),
        ),
    )

    # Variants: 1-3 per post on consecutive channels of the brand (a brand's channel ids are consecutive).
    nv = rng.choice([1, 2, 3], n, p=[0.35, 0.4, 0.25])
    v = int(nv.sum())
    vpost = np.repeat(np.arange(n), nv)
    k = _group_positions(nv)
    ch_local = (rng.integers(0, CH, n)[vpost] + k) % CH
    vbrand_local = brand_local[vpost]
    first_channel = np.asarray(org.first_channel)[block.start + vbrand_local]
    v_status = status[vpost]
    v_sched = sched[vpost] + k * 600
    pub = v_status == PUB
    v_pub = v_sched + rng.integers(2, 90, v)
    vfirst = w.reserve("post_variants", v)
    vids = np.arange(vfirst, vfirst + v)
    plats = [
        org.platforms[block.start + b][c]
        for b, c in zip(vbrand_local.tolist(), ch_local.tolist(), strict=True)
    ]
    keyed = np.isin(v_status, (PUB, FAIL, SCHED))
    hi, lo = rng.integers(0, 2**62, v), rng.integers(0, 2**62, v)
    keys = [
        f"{a:016x}{b:016x}" if kk else None
        for a, b, kk in zip(hi.tolist(), lo.tolist(), keyed.tolist(), strict=True)
    ]
    sched_dt = times(v_sched)
    pub_list = pub.tolist()
    vid_list = vids.tolist()
    ext = [f"syn{i}" if p else None for i, p in zip(vid_list, pub_list, strict=True)]
    links = [
        f"https://{pl.value}.example/p/{i}" if p else None
        for i, p, pl in zip(vid_list, pub_list, plats, strict=True)
    ]
    done = np.isin(v_status, (PUB, FAIL)).tolist()
    w.insert(
        "post_variants",
        (
            "id",
            "post_id",
            "channel_id",
            "brand_id",
            "copy",
            "status",
            "scheduled_at",
            "published_at",
            "external_id",
            "permalink",
            "idempotency_key",
            "attempts",
            "claimed_by",
            "claimed_at",
            "last_error",
            "created_at",
            "version",
        ),
        zip(
            vid_list,
            post_ids[vpost].tolist(),
            (first_channel + ch_local).tolist(),
            brand_of_post[vpost].tolist(),
            [titles[i] for i in vpost.tolist()],
            [status_v[i] for i in vpost.tolist()],
            sched_dt,
            [d if p else None for d, p in zip(times(v_pub), pub_list, strict=True)],
            ext,
            links,
            keys,
            np.select([pub, v_status == FAIL], [1, 3], 0).tolist(),
            ["runner@synthetic" if d else None for d in done],
            [s if d else None for s, d in zip(sched_dt, done, strict=True)],
            [FAILURES[pl] if s == FAIL else None for pl, s in zip(plats, v_status.tolist(), strict=True)],
            [created[i] for i in vpost.tolist()],
            repeat(1),
        ),
    )

    posts_published = np.zeros((nb * CH, days), dtype=np.int64)
    np.add.at(posts_published, ((vbrand_local * CH + ch_local)[pub], (day[vpost] + days)[pub]), 1)
    return BlockPlan(
        posts_published=posts_published,
        variant_ids=vids[pub],
        channel_index=(vbrand_local * CH + ch_local)[pub],
        brand_ids=brand_of_post[vpost][pub],
        platforms=[p for p, keep in zip(plats, pub_list, strict=True) if keep],
        published_ts=v_pub[pub],
        video=np.isin(ptype[vpost][pub], (TYPES.index(PostType.REEL), TYPES.index(PostType.VIDEO))),
    )


def _titles(
    ctx: PostContext, block: range, brand_local: np.ndarray, topic: np.ndarray, u: np.ndarray
) -> list[str]:
    out = []
    for b, t, x, no in zip(brand_local.tolist(), topic.tolist(), u.tolist(), range(len(u)), strict=True):
        langs = ctx.languages[ctx.market_codes[block.start + b]]
        bank = SYN_TOPICS[langs[0] if x < 0.75 or len(langs) == 1 else langs[1]]
        out.append(f"{bank[t % len(bank)]} #{no % 997 + 1}")
    return out


def write_snapshots(
    w: Writer, ctx: PostContext, plan: BlockPlan, means: np.ndarray, org: Organisation
) -> None:
    """One snapshot per published variant, on the scale of its channel's daily impressions."""
    rng, m = ctx.rng, len(plan.variant_ids)
    if m == 0:
        return
    er = np.array([PROFILES[p].engagement_rate for p in plan.platforms])
    ctr = np.array([PROFILES[p].click_rate for p in plan.platforms])
    saves = np.array([PROFILES[p].saves for p in plan.platforms])
    has_video = np.array([PROFILES[p].video_share is not None for p in plan.platforms]) & plan.video
    imp = np.rint(means[plan.channel_index] * rng.lognormal(np.log(0.45), 0.5, m)).astype(np.int64)
    eng = np.rint(imp * er * rng.lognormal(0, 0.25, m)).astype(np.int64)
    captured = np.minimum(plan.published_ts + 7 * 86400, int(ctx.now.timestamp()) - 60)
    first = w.reserve("post_metric_snapshots", m)
    w.insert(
        "post_metric_snapshots",
        (
            "id",
            "variant_id",
            "brand_id",
            "captured_at",
            *POST_BASE_METRICS,
            "source",
        ),
        zip(
            range(first, first + m),
            plan.variant_ids.tolist(),
            plan.brand_ids.tolist(),
            times(captured),
            imp.tolist(),
            (imp * 78 // 100).tolist(),
            eng.tolist(),
            (eng * 8 // 10).tolist(),
            (eng // 12).tolist(),
            (eng // 16).tolist(),
            [x if s else None for x, s in zip((eng // 20).tolist(), saves.tolist(), strict=True)],
            np.rint(imp * ctr).astype(np.int64).tolist(),
            [x if h else None for x, h in zip((imp * 7 // 10).tolist(), has_video.tolist(), strict=True)],
            repeat("synthetic"),
        ),
    )
