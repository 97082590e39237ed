"""What the admins' red banner lists on every page: broken or long-degraded connections, expired tokens,
failed Sheets syncs, and jobs that are late or whose last run was interrupted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ConnectorAccount, SheetBinding
from app.models.enums import HealthStatus
from app.models.sheets import SyncStatus
from app.services.core import Actor, Perm, clock
from app.services.ops.job_health import JobTiming, every_label, first_run, lateness, run_bounds
from app.services.ops.job_runs import dead_runs

# A degraded connection (timeouts, 5xx) usually recovers by itself; one that has not for this long needs
# a person.
DEGRADED_FOR = timedelta(hours=2)


@dataclass(frozen=True)
class Problem:
    """One line of the admin's red banner."""

    kind: str  # "connection" (a channel or a Sheets worksheet) or "job"
    subject: str  # the channel slug, "Sheets: brand / tab", or the job name
    detail: str


def banner_audience(actor: Actor) -> bool:
    """Who sees the red banner: people holding CONNECTIONS_MANAGE (on the workspace or on a brand), that
    is admins, because they are the ones who can fix a connection (credentials, Check now) or the
    runner; managers can read the health page but cannot act on it, so a banner would only nag them."""
    return actor.can_anywhere(Perm.CONNECTIONS_MANAGE)


def problems_for_banner(
    session: Session, actor: Actor, timings: Sequence[JobTiming], now: datetime | None = None
) -> list[Problem]:
    """Broken connections, expired tokens and connections degraded for more than DEGRADED_FOR, on brands
    where the actor manages connections, and, for a workspace-level admin, jobs that have not succeeded
    on time. Never raises for lack of permission:
    people outside the audience get an empty list (it runs on every page)."""
    if not banner_audience(actor):
        return []
    now = now or clock.now()
    stale = now - DEGRADED_FOR
    a = ConnectorAccount
    problems = []
    for slug, brand_id, status, error, expires, ok_at in session.execute(
        select(Channel.slug, Channel.brand_id, a.status, a.last_error, a.token_expires_at, a.last_success_at)
        .join(a, a.channel_id == Channel.id)
        .where(
            Channel.active.is_(True),
            (a.status == HealthStatus.BROKEN)
            | (a.token_expires_at < now)
            | (
                (a.status == HealthStatus.DEGRADED)
                & a.last_error_at.is_not(None)
                & (a.last_success_at.is_(None) | (a.last_success_at < stale))
            ),
        )
        .order_by(Channel.slug)
    ):
        if not actor.can(Perm.CONNECTIONS_MANAGE, brand_id):
            continue
        if status == HealthStatus.BROKEN:
            problems.append(Problem("connection", slug, f"broken: {error or 'no detail recorded'}"))
        elif expires is not None and expires < now:
            problems.append(Problem("connection", slug, f"token expired on {expires:%d %b %Y %H:%M} UTC"))
        else:
            since = f"since {ok_at:%d %b %H:%M} UTC" if ok_at else "yet"
            problems.append(Problem("connection", slug, f"failing, no success {since}: {error}"))
    if actor.can(Perm.CONNECTIONS_MANAGE):
        bounds = run_bounds(timings)
        dead = dead_runs(session, [t.name for t in timings], bounds, now)
        for t in timings:
            first = first_run(session, t.name)
            late, ok_at = lateness(session, t, first is not None, now)
            if late:
                since = f"since {ok_at:%d %b %H:%M} UTC" if ok_at else "ever"
                problems.append(
                    Problem("job", t.name, f"no successful run {since} (expected {every_label(t.every)})")
                )
            elif dead.get(t.name):
                # Its process died mid-run and no run has come since to record it: the runner is
                # probably down too, long before the job would count as late.
                _, started, why = dead[t.name][-1]
                problems.append(
                    Problem("job", t.name, f"the run started {started:%d %b %H:%M} UTC was {why}")
                )
    # A Google Sheets worksheet whose last sync failed: its editors' changes wait until it works again.
    for brand_slug, brand_id, title, error in session.execute(
        select(Brand.slug, SheetBinding.brand_id, SheetBinding.worksheet_title, SheetBinding.last_error)
        .join(Brand, Brand.id == SheetBinding.brand_id)
        .where(SheetBinding.enabled.is_(True), SheetBinding.last_status == SyncStatus.FAILED)
        .order_by(Brand.slug, SheetBinding.worksheet_title)
    ):
        if actor.can(Perm.CONNECTIONS_MANAGE, brand_id):
            problems.append(
                Problem(
                    "connection", f"Sheets: {brand_slug} / {title}", f"sync failed: {error or 'no detail'}"
                )
            )
    return problems
