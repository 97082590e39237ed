"""Operations as read models: how each channel's connection is doing, and what the scheduled jobs
(publish, inbox, metrics...) did recently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ConnectorAccount, JobRun
from app.models.enums import JobStatus
from app.services.permissions import Actor, Perm, require, require_brands

HEALTH_COLUMNS = [
    "channel",
    "brand",
    "platform",
    "connector",
    "status",
    "last success",
    "last error at",
    "last error",
    "token expires",
    "rate limit left",
    "rate limit resets",
]
RUN_COLUMNS = ["job", "started", "duration (s)", "status", "counts", "error", "host"]
SUMMARY_COLUMNS = ["job", "last run", "last status", "runs 24h", "failures 24h", "last error"]
NOT_CONNECTED = "not connected"


def connector_health(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """Every active channel of the brands with its connector's health; a channel without a connector is
    listed as not connected (nothing publishes or imports there automatically)."""
    brand_ids = require_brands(actor, Perm.CONNECTIONS_VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=HEALTH_COLUMNS)
    a = ConnectorAccount
    rows = session.execute(
        select(
            Channel.slug,
            Brand.name,
            Channel.platform,
            a.kind,
            a.status,
            a.last_success_at,
            a.last_error_at,
            a.last_error,
            a.token_expires_at,
            a.rate_limit_remaining,
            a.rate_limit_reset_at,
        )
        .join(Brand, Brand.id == Channel.brand_id)
        .outerjoin(a, a.channel_id == Channel.id)
        .where(Channel.brand_id.in_(brand_ids), Channel.active.is_(True))
        .order_by(Brand.name, Channel.platform, Channel.slug)
    ).all()
    data = [
        (
            slug,
            brand,
            platform.value,
            kind.value if kind else "",
            status.value if status else NOT_CONNECTED,
            ok_at,
            err_at,
            err or "",
            token,
            remaining,
            reset,
        )
        for slug, brand, platform, kind, status, ok_at, err_at, err, token, remaining, reset in rows
    ]
    return pd.DataFrame(data, columns=HEALTH_COLUMNS)


def _require_jobs(actor: Actor) -> None:
    # Jobs work across every brand (their counts and errors name any of them), so reading them takes the
    # permission on the workspace, not on one brand.
    require(actor, Perm.CONNECTIONS_VIEW)


def recent_job_runs(session: Session, actor: Actor, hours: int = 48, limit: int = 2000) -> pd.DataFrame:
    """Runs started in the last `hours`, newest first."""
    _require_jobs(actor)
    since = datetime.now(UTC) - timedelta(hours=hours)
    j = JobRun
    rows = session.execute(
        select(j.job_name, j.started_at, j.finished_at, j.status, j.counts, j.error, j.host)
        .where(j.started_at >= since)
        .order_by(j.started_at.desc(), j.id.desc())
        .limit(limit)
    ).all()
    data = [
        (
            name,
            started,
            round((finished - started).total_seconds(), 1) if finished else None,
            status.value,
            ", ".join(f"{k}: {v}" for k, v in sorted((counts or {}).items())),
            error or "",
            host,
        )
        for name, started, finished, status, counts, error, host in rows
    ]
    return pd.DataFrame(data, columns=RUN_COLUMNS)


def job_summary(session: Session, actor: Actor) -> pd.DataFrame:
    """Per job: when it last ran and how that went, and how many of its runs failed in the last 24 hours."""
    _require_jobs(actor)
    j = JobRun
    day_ago = datetime.now(UTC) - timedelta(hours=24)
    # The newest start per job is an index-only aggregate on (job_name, started_at).
    latest = select(j.job_name, func.max(j.started_at).label("at")).group_by(j.job_name).subquery("latest")
    last_runs = session.execute(
        select(j.job_name, j.started_at, j.status, j.error)
        .join(latest, (latest.c.job_name == j.job_name) & (latest.c.at == j.started_at))
        .order_by(j.job_name, j.id.desc())
    ).all()
    recent = {
        name: (int(runs), int(failed or 0))
        for name, runs, failed in session.execute(
            select(j.job_name, func.count(), func.sum(case((j.status == JobStatus.FAILED, 1), else_=0)))
            .where(j.started_at >= day_ago)
            .group_by(j.job_name)
        )
    }
    data, seen = [], set()
    for name, at, status, error in last_runs:
        if name in seen:  # two runs of a job started in the same instant: the newest row wins
            continue
        seen.add(name)
        runs, failed = recent.get(name, (0, 0))
        data.append((name, at, status.value, runs, failed, error or ""))
    return pd.DataFrame(data, columns=SUMMARY_COLUMNS)
