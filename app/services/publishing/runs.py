"""Publishing: every approved, scheduled variant whose time has come goes out exactly once, through its
channel's connector; transient errors are retried with bounded backoff, permanent ones fail the variant
and tell the post's owner, and manual channels queue the post for a person.

One variant's life in a run: claim (a committed transaction per batch, publishing_claims.claim_many) → if it
was claimed before, ask the platform whether an earlier attempt already posted it (reconcile) → publish
→ record the outcome (its own transaction, guarded by the claim). A crash between the platform's yes
and the commit leaves a claim with attempts > 0, so the next runner reconciles instead of posting twice.
"""

from __future__ import annotations

import inspect
import os
import secrets
import socket
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.connectors.base import (
    Connector,
    ConnectorError,
    MediaFile,
    Outgoing,
    Published,
    TransientError,
)
from app.connectors.registry import connector_for
from app.db import read_session, write_session
from app.faults import maybe_crash
from app.models import Asset, Channel, ConnectorAccount, Post, PostVariant, variant_assets
from app.models.enums import ConnectorKind, PostStatus
from app.services.content import resolve_asset_path
from app.services.core import Actor, NotFound, Perm, ValidationError, clock, notify, require
from app.services.publishing import claims as claims

P = PostStatus
ConnectorFactory = Callable[[ConnectorAccount, Channel], Connector]
# Publishing waits on the platform, not the CPU: a few calls in flight drain a busy minute much faster
# than one at a time, while staying far below any platform's rate limit.
DEFAULT_WORKERS = 4
OUTCOMES = ("published", "failed", "retried", "reconciled", "manual_queued", "claimed_elsewhere")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: 1, 2, 4, 8 min … capped at an hour; the fifth failed attempt fails
    the variant. A platform's Retry-After wins when it asks for longer."""

    max_attempts: int = 5
    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        wait = min(self.base * (2 ** max(attempts - 1, 0)), self.cap)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=min(retry_after, self.cap.total_seconds())))
        return wait


@dataclass
class PublishCounts:
    published: int = 0
    failed: int = 0
    retried: int = 0
    reconciled: int = 0
    skipped_paused: int = 0
    manual_queued: int = 0
    claimed_elsewhere: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in (*OUTCOMES[:4], "skipped_paused", *OUTCOMES[4:])}

    def summary(self) -> str:
        parts = [f"{v} {k.replace('_', ' ')}" for k, v in self.as_dict().items() if v]
        return ", ".join(parts) or "nothing was due"


def runner_name() -> str:
    """Who holds a claim: host and process (so a runner on the same host can tell a dead one's claims)
    plus a nonce, so two runs of one process never pass for each other."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def _default_factory(account: ConnectorAccount, channel: Channel) -> Connector:

    return connector_for(account, channel)


@dataclass(frozen=True)
class _Job:
    outgoing: Outgoing | None  # None when the media could not be found (problem says why)
    channel: Channel
    account: ConnectorAccount | None
    problem: str = ""


def _load_jobs(session: Session, batch: Sequence[claims.Claim]) -> dict[int, _Job]:
    """What each claimed variant sends, and through which channel and account: a few queries per batch."""
    ids = [c.variant_id for c in batch]
    if not ids:
        return {}
    rows = session.execute(
        select(PostVariant.id, PostVariant.copy, Post.master_copy, Post.link_url, Channel, ConnectorAccount)
        .join(Post, Post.id == PostVariant.post_id)
        .join(Channel, Channel.id == PostVariant.channel_id)
        .outerjoin(ConnectorAccount, ConnectorAccount.channel_id == Channel.id)
        .where(PostVariant.id.in_(ids))
    ).all()
    media: dict[int, list[tuple[str, str, str, str, str | None]]] = {}
    for vid, *row in session.execute(
        select(
            variant_assets.c.variant_id,
            Asset.storage_path,
            Asset.mime_type,
            Asset.alt_text,
            Asset.filename,
            variant_assets.c.alt_text,
        )
        .join(Asset, Asset.id == variant_assets.c.asset_id)
        .where(variant_assets.c.variant_id.in_(ids))
        .order_by(variant_assets.c.variant_id, variant_assets.c.position, Asset.id)
    ):
        media.setdefault(vid, []).append(tuple(row))  # type: ignore[arg-type]
    keys = {c.variant_id: c.idempotency_key for c in batch}
    jobs: dict[int, _Job] = {}
    for vid, copy, master, link, channel, account in rows:
        files: list[MediaFile] = []
        problem = ""
        for storage_path, mime, alt, filename, alt_override in media.get(vid, []):
            path = resolve_asset_path(storage_path)
            if path is None or not path.is_file():
                problem = f"the media file {filename!r} is missing from the asset store"
                break
            files.append(MediaFile(path=path, mime_type=mime, alt_text=(alt_override or alt or "")))
        out = Outgoing(text=copy or master, idempotency_key=keys[vid], media=tuple(files), link=link)
        jobs[vid] = _Job(None if problem else out, channel, account, problem)
    return jobs


def _owner(session: Session, post_id: int) -> tuple[int | None, str]:
    row = session.execute(
        select(Post.owner_id, Post.created_by_id, Post.title).where(Post.id == post_id)
    ).first()
    return ((row.owner_id or row.created_by_id), row.title) if row else (None, "")


def _find_published(connector: Connector, c: claims.Claim, sent: Outgoing) -> Published | None:
    """Ask the platform for an earlier attempt. Connectors that cannot see the key on a post (Mastodon)
    match on what was sent, so they take the post too."""
    if "post" in inspect.signature(connector.find_published).parameters:
        return connector.find_published(c.idempotency_key, c.reconcile_since, post=sent)  # type: ignore[call-arg]
    return connector.find_published(c.idempotency_key, c.reconcile_since)


class _Pipeline:
    """One run: claims variants and takes each through reconcile → publish → record."""

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        now: datetime,
        runner: str,
        factory: ConnectorFactory,
        policy: RetryPolicy,
        ignore_time: bool,
    ) -> None:
        self.engine, self.actor, self.now, self.runner = engine, actor, now, runner
        self.factory, self.policy, self.ignore_time = factory, policy, ignore_time
        # One connector per channel and worker thread for the whole run: its HTTP session keeps the
        # connection to the platform open across posts (a connector is not shared between threads).
        self._local = threading.local()
        # SQLite lets one writer in at a time and makes the others sleep-and-retry (busy_timeout, in
        # steps of up to 100 ms): the workers of one run queue here instead, which costs nothing extra.
        self._writing: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def clock(self) -> datetime:
        """Now, for times written during the run (`self.now`, the run's start, decides what is due);
        a test's simulated clock ahead of the real one wins."""
        return max(self.now, clock.now())

    def connector(self, job: _Job) -> Connector:
        cache: dict[tuple[int, int, int], Connector] = self._local.__dict__.setdefault("connectors", {})
        assert job.account is not None
        key = (job.channel.id, job.account.id, job.account.version)
        if key not in cache:
            cache[key] = self.factory(job.account, job.channel)
        return cache[key]

    def claim_batch(self, variant_ids: list[int]) -> tuple[list[tuple[claims.Claim, _Job]], int]:
        """Claim as many as possible in one transaction, committed before any platform call; then read
        what each one sends."""
        with self._writing, write_session(self.engine) as session:
            dead = claims.dead_local_claims(session)
            got = claims.claim_many(
                session,
                self.actor,
                variant_ids,
                self.runner,
                self.now,
                ignore_time=self.ignore_time,
                dead=dead,
            )
        with read_session(self.engine) as session:
            jobs = _load_jobs(session, got)
        return [(c, jobs[c.variant_id]) for c in got], len(variant_ids) - len(got)

    def _settle(self, c: claims.Claim, action: str, values: dict[str, object], note: str = "") -> bool:
        with self._writing, write_session(self.engine) as session:
            ok = claims.settle(session, self.actor, c, self.runner, action=action, values=values, note=note)
            if ok and values.get("status") == P.PUBLISHED:
                claims.note_connection_success(session, c.channel_id, clock.now())
            if ok and values.get("status") == P.FAILED:
                owner, title = _owner(session, c.post_id)
                if owner is not None:
                    notify(
                        session,
                        owner,
                        "publish_failed",
                        f"{title!r} could not be published: {values.get('last_error')}",
                        brand_id=c.brand_id,
                        post_id=c.post_id,
                        variant_id=c.variant_id,
                    )
            return ok

    def _published(self, c: claims.Claim, result: Published, reconciled: bool) -> str:
        values: dict[str, object] = {
            "status": P.PUBLISHED,
            "external_id": result.external_id,
            "permalink": result.permalink,
            "published_at": result.published_at or clock.now(),
            "last_error": None,
            "next_attempt_at": None,
        }
        note = "found on the platform after an interrupted attempt" if reconciled else ""
        ok = self._settle(c, "publish_reconciled" if reconciled else "published", values, note)
        return ("reconciled" if reconciled else "published") if ok else "claimed_elsewhere"

    def _failed(self, c: claims.Claim, message: str) -> str:
        values = {"status": P.FAILED, "last_error": message[:2000], "next_attempt_at": None}
        ok = self._settle(c, "publish_failed", values)
        return "failed" if ok else "claimed_elsewhere"

    def _transient(self, c: claims.Claim, message: str, retry_after: float | None) -> str:
        if c.round_attempts >= self.policy.max_attempts:
            return self._failed(c, f"gave up after {c.round_attempts} attempts: {message}")
        when = self.clock() + self.policy.delay(c.round_attempts, retry_after)
        values = {
            "status": P.SCHEDULED,
            "claimed_by": None,
            "next_attempt_at": when,
            "last_error": message[:2000],
        }
        ok = self._settle(
            c, "publish_retry", values, f"attempt {c.round_attempts} failed; next at {when:%H:%M:%S} UTC"
        )
        return "retried" if ok else "claimed_elsewhere"

    def _queue_for_person(self, c: claims.Claim) -> str:
        ok = self._settle(
            c, "ready_to_post", {"manual_queued_at": self.clock()}, "waiting for a person to post it"
        )
        return "manual_queued" if ok else "claimed_elsewhere"

    def process(self, c: claims.Claim, job: _Job) -> str:
        if job.account is None or job.account.kind == ConnectorKind.MANUAL:
            # No connection set up, or a platform without API access: a person posts it.
            return self._queue_for_person(c)
        if job.outgoing is None:
            return self._failed(c, job.problem)
        try:
            connector = self.connector(job)
        except ConnectorError as exc:
            return self._failed(c, f"cannot reach {job.channel.slug}: {exc.platform_message}")
        if getattr(connector, "queues_for_person", False):
            return self._queue_for_person(c)
        try:
            if c.must_reconcile:
                found = _find_published(connector, c, job.outgoing)
                if found is not None:
                    return self._published(c, found, reconciled=True)
            result = connector.publish(job.outgoing)
        except TransientError as exc:
            return self._transient(c, exc.platform_message, exc.retry_after)
        except ConnectorError as exc:  # PermanentError, NotSupported: retrying will not help
            return self._failed(c, exc.platform_message)
        except Exception as exc:  # a bug or an unwrapped network error: the platform may have posted
            return self._transient(c, f"{type(exc).__name__}: {exc}", None)
        # The fault tests kill the process here: the platform said yes, nothing is committed yet.
        maybe_crash("publish.after_platform_call")
        return self._published(c, result, reconciled=False)


def _run(pipeline: _Pipeline, candidates: claims.Candidates, workers: int, batch: int) -> PublishCounts:
    """Claim a batch, hand it to the workers, and claim the next one while they publish (at most one
    batch ahead, so a runner never holds many more claims than it is working on)."""
    counts = PublishCounts(skipped_paused=len(candidates.paused))
    tally: Counter[str] = Counter()
    ready = candidates.ready
    pending: deque[Future[str]] = deque()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="publish") as pool:
        for start in range(0, len(ready), batch):
            got, missed = pipeline.claim_batch(ready[start : start + batch])
            tally["claimed_elsewhere"] += missed
            pending.extend(pool.submit(pipeline.process, c, job) for c, job in got)
            while len(pending) > batch:
                tally[pending.popleft().result()] += 1
        while pending:
            tally[pending.popleft().result()] += 1
    for key, n in tally.items():
        setattr(counts, key, getattr(counts, key) + n)
    return counts


def publish_due(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    limit: int = 1000,
    workers: int = DEFAULT_WORKERS,
    batch: int = 20,
    runner: str | None = None,
    connector_for: ConnectorFactory | None = None,
    policy: RetryPolicy = RetryPolicy(),
) -> PublishCounts:
    """Publish up to `limit` due variants (the publish job). Each claim and each outcome commits on
    its own, so this takes an engine, not a session. `workers` platform calls run at once."""
    require(actor, Perm.ADMIN)  # the job acts for the whole workspace (system actors are admins)
    now = now or clock.now()
    with read_session(engine) as session:
        candidates = claims.due_candidates(session, now, limit)
    pipeline = _Pipeline(
        engine, actor, now, runner or runner_name(), connector_for or _default_factory, policy, False
    )
    return _run(pipeline, candidates, workers, batch)


def publish_now(
    engine: Engine,
    actor: Actor,
    post_id: int,
    *,
    now: datetime | None = None,
    runner: str | None = None,
    connector_for: ConnectorFactory | None = None,
    policy: RetryPolicy = RetryPolicy(),
) -> PublishCounts:
    """ "Publish now" on a scheduled post: its scheduled variants go out at once, through the same claim
    as the job (so a click and a runner never both post it). Needs the right to approve content: it
    releases the post earlier than the time its approvers signed off on."""
    now = now or clock.now()
    with read_session(engine) as session:
        post = session.get(Post, post_id)
        visible = actor.visible_brand_ids()
        if post is None or (visible is not None and post.brand_id not in visible):
            raise NotFound(f"no post {post_id}")
        require(actor, Perm.CONTENT_APPROVE, post.brand_id)
        if post.status not in (P.SCHEDULED, P.PUBLISHING):
            raise ValidationError(
                f"{post.title!r} is {post.status.label.lower()}: only a scheduled post can be published now",
                field="status",
            )
        candidates = claims.due_candidates(session, now, 100, post_id=post_id)
    if candidates.paused:
        raise ValidationError(
            f"publishing is paused for {post.title!r}'s brand; resume it first", field="status"
        )
    if not candidates.ready:
        raise ValidationError(f"{post.title!r} has no variant waiting to go out", field="status")
    pipeline = _Pipeline(
        engine, actor, now, runner or runner_name(), connector_for or _default_factory, policy, True
    )
    return _run(pipeline, candidates, workers=2, batch=100)
