"""The publish job's hold on a variant: which variants are due, the atomic claim that lets exactly one
runner (or one "Publish now" click) take each, and the guarded writes that record how it went.

Every write here is a conditional Core UPDATE checked by the row it returns, in its own short
transaction that the caller commits before (claim) or after (outcome) talking to the platform: two
runners may both pick a variant as a candidate, but only one UPDATE … WHERE status='scheduled' finds it
still scheduled. The same statements work on SQLite (writes serialised by BEGIN IMMEDIATE) and
PostgreSQL (the row lock makes the second UPDATE re-read the row and find it claimed).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from app.models import Channel, ConnectorAccount, Post, PostVariant
from app.models.enums import PostStatus
from app.services.core import Actor, audit, clock, process_alive
from app.services.publishing.pause import paused_brand_ids

P = PostStatus
pv = PostVariant.__table__
posts = Post.__table__
# A claim older than this belongs to a runner that died (a publish takes seconds): another may take over,
# reconciling first, since the dead one may have posted before it died.
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    variant_id: int
    post_id: int
    brand_id: int
    channel_id: int
    idempotency_key: str
    attempts: int  # including this one, ever
    round_attempts: int  # including this one, since it was last scheduled (the retry budget)
    # The variant was claimed before (a crash, a timeout, a retry): the platform may already hold it.
    must_reconcile: bool
    reconcile_since: datetime


def dead_local_claims(session: Session) -> list[str]:
    """Claims held by runners on this host whose process is gone (killed mid-publish): they can be taken
    over at once instead of after STALE_CLAIM (the new holder reconciles first)."""
    host = socket.gethostname()[:60]
    held = session.scalars(
        select(pv.c.claimed_by)
        .where(pv.c.status == P.PUBLISHING, pv.c.manual_queued_at.is_(None), pv.c.claimed_by.is_not(None))
        .distinct()
    ).all()
    dead = []
    for name in held:
        parts = name.split(":")
        if len(parts) == 3 and parts[0] == host and parts[1].isdigit():
            pid = int(parts[1])
            if pid != os.getpid() and not process_alive(pid):
                dead.append(name)
    return dead


def _stale_claim(stale_before: datetime, dead: Sequence[str]):  # type: ignore[no-untyped-def]
    lapsed = or_(pv.c.claimed_at.is_(None), pv.c.claimed_at < stale_before)
    if dead:
        lapsed = or_(lapsed, pv.c.claimed_by.in_(list(dead)))
    return and_(pv.c.status == P.PUBLISHING, pv.c.manual_queued_at.is_(None), lapsed)


def _claimable(now: datetime, *, ignore_time: bool, dead: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    scheduled = pv.c.status == P.SCHEDULED
    if not ignore_time:
        scheduled = and_(
            scheduled,
            pv.c.scheduled_at.is_not(None),
            pv.c.scheduled_at <= now,
            or_(pv.c.next_attempt_at.is_(None), pv.c.next_attempt_at <= now),
        )
    return or_(scheduled, _stale_claim(now - STALE_CLAIM, dead))


@dataclass(frozen=True)
class Candidates:
    ready: list[int]  # variant ids, oldest due first
    paused: list[int]  # due, but their brand or the workspace is paused


def due_candidates(
    session: Session,
    now: datetime,
    limit: int,
    *,
    post_id: int | None = None,
    variant_ids: Sequence[int] | None = None,
) -> Candidates:
    """Variants a runner may try to claim now (on active channels), split by whether publishing is
    paused for them. With `post_id` ("Publish now") the scheduled time and any backoff are ignored."""
    dead = dead_local_claims(session)
    stmt = (
        select(pv.c.id, pv.c.brand_id)
        .join(Channel.__table__, Channel.__table__.c.id == pv.c.channel_id)
        .where(
            _claimable(now, ignore_time=post_id is not None, dead=dead), Channel.__table__.c.active.is_(True)
        )
        .order_by(pv.c.scheduled_at, pv.c.id)
        .limit(limit)
    )
    if post_id is not None:
        stmt = stmt.where(pv.c.post_id == post_id)
    if variant_ids is not None:
        stmt = stmt.where(pv.c.id.in_(list(variant_ids)))
    rows = session.execute(stmt).all()
    paused = paused_brand_ids(session, {b for _, b in rows}, now)
    return Candidates([i for i, b in rows if b not in paused], [i for i, b in rows if b in paused])


def lock_posts(session: Session, post_ids: Iterable[int]) -> None:
    """Serialise writers of the same posts (PostgreSQL: row locks, taken in id order; SQLite: BEGIN
    IMMEDIATE already does), so a post's status is computed from its variants' committed states. Taken
    before any variant row in every transaction here, so two of them never wait on each other in
    opposite orders."""
    ids = sorted(set(post_ids))
    if ids:
        session.execute(select(posts.c.id).where(posts.c.id.in_(ids)).order_by(posts.c.id).with_for_update())


def lock_post(session: Session, post_id: int) -> None:
    lock_posts(session, [post_id])


def claim_many(
    session: Session,
    actor: Actor,
    variant_ids: Sequence[int],
    runner: str,
    now: datetime,
    *,
    ignore_time: bool = False,
    dead: Sequence[str] = (),
) -> list[Claim]:
    """Take for `runner` those of the variants that are still free (one conditional UPDATE; a variant
    someone else took, or that is no longer scheduled, or whose brand was paused meanwhile, is simply not
    returned). The caller commits before publishing any of them."""
    rows = session.execute(
        select(pv.c.id, pv.c.post_id, pv.c.brand_id, pv.c.claimed_at, pv.c.attempts, pv.c.scheduled_at).where(
            pv.c.id.in_(list(variant_ids))
        )
    ).all()
    if not rows:
        return []
    lock_posts(session, (r.post_id for r in rows))
    paused = paused_brand_ids(session, {r.brand_id for r in rows}, now)
    before = {r.id: r for r in rows if r.brand_id not in paused}
    if not before:
        return []
    # Each variant's key is made in the same statement: "soh-v<id>-<nonce>" (unique by its id).
    new_key = literal("soh-v") + cast(pv.c.id, String) + literal(f"-{secrets.token_hex(6)}")
    got = session.execute(
        update(pv)
        .where(pv.c.id.in_(list(before)), _claimable(now, ignore_time=ignore_time, dead=dead))
        .values(
            status=P.PUBLISHING,
            claimed_by=runner,
            # When the claim was really made (a long run's `now` is its start), so another runner never
            # judges a fresh claim stale; a test's simulated clock ahead of the real one wins.
            claimed_at=max(now, clock.now()),
            attempts=pv.c.attempts + 1,
            # A claim of a freshly scheduled variant starts a new round; a retry or a takeover continues
            # it (SET expressions read the row as it was before this UPDATE, on both stores).
            round_attempts=case(
                (and_(pv.c.status == P.SCHEDULED, pv.c.next_attempt_at.is_(None)), 1),
                else_=pv.c.round_attempts + 1,
            ),
            next_attempt_at=None,
            idempotency_key=func.coalesce(pv.c.idempotency_key, new_key),
            version=pv.c.version + 1,
        )
        .returning(pv.c.id, pv.c.idempotency_key, pv.c.attempts, pv.c.round_attempts, pv.c.channel_id)
    ).all()
    out = []
    for vid, key, attempts, round_attempts, channel_id in sorted(got):
        old = before[vid]
        earliest = min(t for t in (old.claimed_at, old.scheduled_at, now) if t is not None)
        audit.record(
            session,
            actor,
            "publish_claim",
            "post_variant",
            vid,
            label=f"post {old.post_id} · {runner}",
            brand_id=old.brand_id,
            before={"status": P.SCHEDULED.value if attempts == 1 else "retry"},
            after={"status": P.PUBLISHING.value, "attempt": attempts},
        )
        out.append(
            Claim(
                variant_id=vid,
                post_id=old.post_id,
                brand_id=old.brand_id,
                channel_id=channel_id,
                idempotency_key=key,
                attempts=attempts,
                round_attempts=round_attempts,
                must_reconcile=old.attempts > 0,
                # Reach back a little before the earliest moment an earlier attempt could have posted.
                reconcile_since=earliest - timedelta(minutes=5),
            )
        )
    follow_post_statuses(session, actor, {c.post_id for c in out})
    return out


def claim(
    session: Session,
    actor: Actor,
    variant_id: int,
    runner: str,
    now: datetime,
    *,
    ignore_time: bool = False,
    dead: Sequence[str] = (),
) -> Claim | None:
    """One variant's claim (see claim_many); None when it is not free."""
    got = claim_many(session, actor, [variant_id], runner, now, ignore_time=ignore_time, dead=dead)
    return got[0] if got else None


def post_status_from(variant_statuses: Iterable[PostStatus]) -> PostStatus | None:
    """The post's status once its variants are going out: published when all are, failed when none is
    pending and one failed, publishing while any is on its way (or some are out and others wait)."""
    states = [s for s in variant_statuses if s != P.ARCHIVED]
    if not states:
        return None
    if all(s == P.PUBLISHED for s in states):
        return P.PUBLISHED
    if any(s == P.PUBLISHING for s in states):
        return P.PUBLISHING
    if any(s == P.SCHEDULED for s in states):
        return P.PUBLISHING if any(s == P.PUBLISHED for s in states) else P.SCHEDULED
    if any(s == P.FAILED for s in states):
        return P.FAILED
    return None


def follow_post_statuses(session: Session, actor: Actor, post_ids: Iterable[int]) -> None:
    """Move each post to what its variants now say (the caller holds the posts' locks), audit-logged the
    way the workflow logs a post's moves."""
    ids = sorted(set(post_ids))
    if not ids:
        return
    states: dict[int, list[PostStatus]] = {}
    for post_id, status in session.execute(select(pv.c.post_id, pv.c.status).where(pv.c.post_id.in_(ids))):
        states.setdefault(post_id, []).append(status)
    moves: dict[PostStatus, list[int]] = {}
    for row in session.execute(
        select(posts.c.id, posts.c.status, posts.c.title, posts.c.brand_id).where(posts.c.id.in_(ids))
    ):
        target = post_status_from(states.get(row.id, []))
        if target is None or target == row.status:
            continue
        moves.setdefault(target, []).append(row.id)
        audit.record(
            session,
            actor,
            "status",
            "post",
            row.id,
            label=row.title,
            brand_id=row.brand_id,
            before={"status": row.status.value},
            after={"status": target.value, "note": "follows its channel variants"},
        )
    for target, moved in moves.items():
        session.execute(
            update(posts).where(posts.c.id.in_(moved)).values(status=target, version=posts.c.version + 1)
        )


def follow_post_status(session: Session, actor: Actor, post_id: int, brand_id: int) -> None:
    follow_post_statuses(session, actor, [post_id])


def settle(
    session: Session,
    actor: Actor,
    c: Claim,
    runner: str,
    *,
    action: str,
    values: dict[str, object],
    note: str = "",
) -> bool:
    """Write the outcome of `runner`'s claim; False (nothing written) if the claim is no longer its own
    (another runner judged it stale and took over; that runner reconciles before posting)."""
    lock_post(session, c.post_id)
    guarded = and_(pv.c.id == c.variant_id, pv.c.status == P.PUBLISHING, pv.c.claimed_by == runner)
    got = session.execute(
        update(pv).where(guarded).values(**values, version=pv.c.version + 1).returning(pv.c.id)
    ).first()
    if got is None:
        return False
    after = {k: audit.jsonable(v) for k, v in values.items() if k not in ("claimed_by", "claimed_at")}
    if note:
        after["note"] = note
    audit.record(
        session,
        actor,
        action,
        "post_variant",
        c.variant_id,
        label=f"post {c.post_id}",
        brand_id=c.brand_id,
        before={"status": P.PUBLISHING.value},
        after=after,
    )
    follow_post_status(session, actor, c.post_id, c.brand_id)
    return True


def note_connection_success(session: Session, channel_id: int, at: datetime) -> None:
    """A post went out: the connection worked (the health page's "last success"). A plain UPDATE, not the
    ORM: workers publishing on one channel at once must not fail each other on the account's version,
    and the account's state (ok / broken) stays with the health checks."""
    acc = ConnectorAccount.__table__
    session.execute(
        update(acc)
        .where(
            acc.c.channel_id == channel_id, or_(acc.c.last_success_at.is_(None), acc.c.last_success_at < at)
        )
        .values(last_success_at=at)
    )
