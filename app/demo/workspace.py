"""The realistic demo workspace ("Kopi Digital Agency": three brands in Singapore, Malaysia and
Indonesia): the order of the build, the organisation, strategy and operations rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

import numpy as np
from sqlalchemy import Engine

from app.bulk_writes import refresh_statistics
from app.demo import assets, attribution, community, content, crisis, metrics, sop_runs
from app.demo.catalog import DEMO_BRANDS, DEMO_MARKETS
from app.demo.common import (
    DemoSummary,
    Progress,
    Stopwatch,
    Writer,
    anchor,
    check_can_seed,
    check_no_workspace,
    month_start,
    no_progress,
    record_seed,
    write_begin,
)
from app.demo.people import BRAND_EDITOR, DEMO_PEOPLE
from app.demo.reference import (
    connector_kind,
    write_markets,
    write_metrics_dictionary,
    write_people,
    write_severity_levels,
    write_sop_templates,
    write_workspace,
)
from app.demo.state import BrandRow, CampaignRow, ChannelRow, DemoState
from app.models.enums import CampaignStatus, ConnectorKind, HealthStatus, JobStatus, Platform
from app.services.core import Actor, clock
from app.services.measurement import rebuild_in

WORKSPACE_NAME = "Kopi Digital Agency"
WORKSPACE_SLUG = "kopi-digital"
SEED = 20_240_607  # fixed: the demo must look the same on every machine for the same day


def seed_demo_workspace(
    engine: Engine, *, actor: Actor, today: date | None = None, progress: Progress | None = None
) -> DemoSummary:
    check_can_seed(engine, actor)
    report = progress or no_progress
    stopwatch = Stopwatch()
    today = today or clock.today()
    with write_begin(engine) as conn:
        check_no_workspace(conn)
        st = DemoState(
            w=Writer(conn, anchor(today)),
            rng=Random(SEED),
            np_rng=np.random.default_rng(SEED),
            today=today,
            now=anchor(today),
        )
        report(0.02, "Workspace, markets and people")
        _organisation(st)
        report(0.10, "Strategy: objectives, pillars, campaigns")
        _strategy(st)
        report(0.18, "Posts, variants and approvals")
        content.build(st)
        report(0.40, "Assets")
        assets.build(st)
        report(0.48, "Channel metrics, post metrics and targets")
        metrics.build(st)
        report(0.62, "Links, conversions and experiments")
        attribution.build(st)
        report(0.70, "Inbox, routing and the crisis room")
        crisis.build(st, community.build(st))
        report(0.82, "SOP checklists")
        sop_runs.build(st)
        _operations(st)
        report(0.90, "Writing rows")
        st.w.flush()
        counts = dict(sorted(st.w.counts.items()))
        record_seed(conn, actor, st.workspace_id, WORKSPACE_NAME, counts)
        st.w.finish()
        report(0.95, "Weekly and monthly rollups")
        rolled = rebuild_in(conn, actor)
    refresh_statistics(engine)
    counts["metric_rollups"] = rolled.weeks + rolled.months
    counts["audit_log"] = counts.get("audit_log", 0) + 1
    report(1.0, f"Demo workspace ready: {sum(counts.values()):,} rows")
    return DemoSummary(counts=counts, seconds=stopwatch.seconds())


def _organisation(st: DemoState) -> None:
    w, now = st.w, st.now
    st.workspace_id = write_workspace(w, slug=WORKSPACE_SLUG, name=WORKSPACE_NAME, timezone="Asia/Singapore")
    st.market_ids = write_markets(w, st.workspace_id, DEMO_MARKETS)
    for spec in DEMO_BRANDS:
        brand = BrandRow(
            id=w.add(
                "brands",
                workspace_id=st.workspace_id,
                slug=spec.slug,
                name=spec.name,
                market_id=st.market_ids[spec.market.code],
                industry=spec.industry,
                regulated=spec.regulated,
                color=spec.color,
                active=True,
                publishing_paused=False,
                created_at=now - timedelta(days=200),
            ),
            spec=spec,
        )
        st.brands[spec.slug] = brand
        for ch in spec.channels:
            slug = f"{spec.slug}-{ch.platform.value}"
            cid = w.add(
                "channels",
                brand_id=brand.id,
                platform=ch.platform,
                handle=ch.handle,
                slug=slug,
                display_name=f"{spec.name} ({ch.platform.label})",
                market_id=st.market_ids[spec.market.code],
                external_account_id=str(st.rng.randrange(10**14, 10**15)),
                active=True,
                created_at=now - timedelta(days=200),
            )
            brand.channels.append(ChannelRow(cid, slug, ch))
            _connector(st, cid, slug, ch.platform)
    st.people = write_people(w, st.workspace_id, DEMO_PEOPLE, {s: b.id for s, b in st.brands.items()}, now)
    write_metrics_dictionary(w)
    st.severity = write_severity_levels(w, st.workspace_id)
    st.sops = write_sop_templates(
        w,
        st.workspace_id,
        st.people["lead"],
        now - timedelta(days=200),
        now - timedelta(days=sop_runs.V2_DAYS_AGO),
    )


def _connector(st: DemoState, channel_id: int, slug: str, platform: Platform) -> None:
    """Every demo channel is posted by hand (the manual connector): the demo has no accounts on any
    platform, so a channel pointed at a real server would fail as soon as the jobs runner syncs it, and
    greet a newcomer with a red banner for trouble that is not theirs. Its past trouble is history on
    Jobs & connections instead (the failed job runs below). Connecting a real account is
    `python -m app channels add` or Settings → Channels."""
    now, rng = st.now, st.rng
    last_ok_minutes = rng.randrange(3, 50)
    if connector_kind(platform) != ConnectorKind.MANUAL:
        # The draws an API connector took (headroom, cursor), so the rest of the demo stays as it was.
        rng.randrange(180, 300)
        rng.randrange(10**17, 10**18)
    st.w.add(
        "connector_accounts",
        channel_id=channel_id,
        kind=ConnectorKind.MANUAL,
        base_url=None,
        credential_env=None,
        settings={},
        status=HealthStatus.OK,
        last_success_at=now - timedelta(minutes=last_ok_minutes),
        last_error_at=None,
        last_error=None,
        token_expires_at=None,
        rate_limit_remaining=None,
        rate_limit_reset_at=None,
        inbox_cursor=None,
        created_at=now - timedelta(days=200),
    )


def _strategy(st: DemoState) -> None:
    w, now, today = st.w, st.now, st.today
    for brand in st.brands.values():
        spec = brand.spec
        objective_ids = []
        for name, kind, description in spec.objectives:
            objective_ids.append(
                w.add(
                    "objectives",
                    brand_id=brand.id,
                    name=name,
                    kind=kind,
                    description=description,
                    period_start=date(today.year, 1, 1),
                    period_end=date(today.year, 12, 31),
                    created_at=now - timedelta(days=190),
                )
            )
        for p in spec.pillars:
            brand.pillar_ids.append(
                w.add(
                    "content_pillars",
                    brand_id=brand.id,
                    name=p.name,
                    description=p.description,
                    color=p.color,
                    target_share_pct=p.share,
                    created_at=now - timedelta(days=190),
                )
            )
        kinds = [k for _, k, _ in spec.objectives]
        for c in spec.campaigns:
            start, end = today + timedelta(days=c.start), today + timedelta(days=c.end)
            status = (
                CampaignStatus.COMPLETED
                if end < today
                else CampaignStatus.ACTIVE
                if start <= today
                else CampaignStatus.PLANNED
            )
            utm = f"{spec.slug}_{c.slug.replace('-', '_')}"
            cid = w.add(
                "campaigns",
                brand_id=brand.id,
                objective_id=objective_ids[kinds.index(c.objective)] if c.objective in kinds else None,
                slug=c.slug,
                name=c.name,
                description=c.description,
                status=status,
                budget=Decimal(c.budget),
                currency=spec.market.currency,
                start_date=start,
                end_date=end,
                utm_campaign=utm,
                markets=[spec.market.code],
                channel_ids=[ch.id for ch in brand.channels],
                created_at=min(now, now + timedelta(days=c.start - 30)),
            )
            # The pillar the campaign's posts are about, so the campaign panel and filters name it.
            w.add("campaign_pillars", campaign_id=cid, pillar_id=brand.pillar_ids[c.pillar])
            brand.campaigns.append(CampaignRow(cid, c, utm, start, end, status))


JOBS: tuple[tuple[str, int, int], ...] = (
    # (job name, every n minutes, typical seconds): the runner's default cadences (jobs/registry.py), so
    # the demo opens with every job on time; the admin banner says so if the runner then stays off.
    ("publish_due", 1, 2),
    ("sync_inbox", 5, 18),
    ("expire_approvals", 15, 1),
    ("refresh_rollups", 60, 9),
    ("import_metrics", 60, 140),
)
MASTODON_503 = "mastodon.social: HTTP 503 Service Unavailable (GET /api/v1/notifications) after 3 retries"
TIKTOK_RENAMED = (
    "warisan-tiktok Overview.csv: expected column 'Video Views', found 'Post views' (format changed?)"
)
JOB_FAILURES = {("sync_inbox", 84): MASTODON_503, ("import_metrics", 2): TIKTOK_RENAMED}  # (job, run number)


def _operations(st: DemoState) -> None:
    w, rng = st.w, st.rng
    # The job history ends when the demo is built, not at the demo's midnight "now": the first look at
    # Jobs & connections shows the runner on time, and lateness appears only if it then stays off.
    # (A demo built for another day keeps the fixed anchor, so its data stay reproducible.)
    built = clock.now()
    end = built if built.date() == st.now.date() else st.now
    start = end - timedelta(days=2)
    for name, every, typical in JOBS:
        for n in range(int(2 * 24 * 60 / every)):
            began = start + timedelta(minutes=every * n, seconds=rng.randrange(0, 20))
            error = JOB_FAILURES.get((name, n))
            counts = {
                "publish_due": {"published": rng.choice((0,) * 30 + (1, 2, 3)), "failed": 0},
                "expire_approvals": {"expired": rng.choice((0,) * 20 + (1,))},
                "sync_inbox": {"fetched": rng.randrange(0, 25), "channels": 17},
                "refresh_rollups": {"brands": 3, "days": 2},
                "import_metrics": {"files": 17, "rows": 17 * 2},
            }[name]
            w.add(
                "job_runs",
                job_name=name,
                started_at=began,
                finished_at=began + timedelta(seconds=typical * rng.uniform(0.6, 1.8)),
                status=JobStatus.FAILED if error else JobStatus.OK,
                counts={} if error else counts,
                error=error,
                host="ops-1",
            )
    for brand in st.brands.values():
        cur = brand.spec.market.currency
        scale = {"SGD": 1, "MYR": 3.4, "IDR": 11_500}[cur]
        for k in range(-5, 2):
            start_m = month_start(st.today, k)
            end_m = month_start(start_m, 1) - timedelta(days=1)
            hours = Decimal(rng.randrange(60, 110))
            budget = Decimal(round(rng.randrange(4000, 9000) * scale, -2))
            past = end_m < st.today
            w.add(
                "resource_allocations",
                brand_id=brand.id,
                campaign_id=None,
                user_id=st.people[BRAND_EDITOR[brand.slug]],
                period_start=start_m,
                period_end=end_m,
                hours_planned=hours,
                hours_actual=(hours * Decimal(str(round(rng.uniform(0.85, 1.2), 2)))).quantize(
                    Decimal("0.01")
                )
                if past
                else None,
                budget_planned=budget,
                budget_actual=(budget * Decimal(str(round(rng.uniform(0.8, 1.05), 2)))).quantize(Decimal("1"))
                if past
                else None,
                currency=cur,
                note="Retainer: content, community and reporting",
            )
