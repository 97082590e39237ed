"""The workers of the load test (benchmarks.load_test), each run in its own interpreter: editors saving
the way the Compose and Calendar pages do, and job runners. Each keeps a ledger of what it believes it
saved, so the end of the run can hold the database to it."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

EDITORS = ("farah.aziz@kopi.example", "budi.santoso@kopi.example", "mei.lim@kopi.example")
SHARED_POSTS = 12  # drafts every editor edits, so saves collide as on a busy calendar


@dataclass
class Edit:
    post_id: int
    from_version: int  # the version the editor loaded; two saves from one version = a lost update
    master_copy: str


@dataclass
class WorkerReport:
    name: str
    kind: str  # "editor" or "job"
    latencies_ms: list[float] = field(default_factory=list)  # committed writes only
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # the same, per operation
    created: list[str] = field(default_factory=list)  # titles of posts it created
    edits: list[Edit] = field(default_factory=list)
    moves: int = 0
    conflicts: int = 0  # saves refused because someone saved first: shown to the user, nothing lost
    refused: int = 0  # refused by a rule (e.g. a time in the past): shown to the user
    # A save that succeeded although the post's variants had changed since the editor loaded it:
    # it wrote back times or copy the editor never saw, silently undoing someone else's save.
    unseen_overwrites: int = 0
    locked: int = 0
    locked_in: list[str] = field(default_factory=list)  # which operation, and how long it had waited
    other_errors: list[str] = field(default_factory=list)


def _failure(report: WorkerReport, exc: Exception, op: str, started: float) -> None:
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        report.locked += 1
        report.locked_in.append(f"{op} after {(time.perf_counter() - started) * 1000:,.0f} ms")
    else:
        report.other_errors.append(f"{type(exc).__name__}: {exc}"[:300])


def editor(url: str, name: str, seconds: float, seed: int, queue: mp.Queue) -> None:
    """One person in the app: new posts (40%), edits of shared drafts from what they loaded (40%),
    and calendar moves of a variant with the version the calendar showed (20%)."""
    os.environ["DATABASE_URL"] = url
    from app.db import read_session, write_session
    from app.models import Post, PostVariant
    from app.services.content import PostDraft, VariantDraft, composer, load_post
    from app.services.core import Conflict, ServiceError
    from app.services.org import users

    rng = random.Random(seed)
    report = WorkerReport(name, "editor")
    with read_session() as s:
        actor = users.load_actor(s, rng.choice(EDITORS))
        shared = list(
            s.scalars(select(Post.id).where(Post.status == "draft").order_by(Post.id).limit(SHARED_POSTS))
        )
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        when = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(
            days=rng.randint(2, 20), minutes=5 * rng.randint(0, 200)
        )
        op = rng.random()
        kind, started = "create", time.perf_counter()
        try:
            if op < 0.4:
                title = f"load {name} #{n}"
                draft = PostDraft(
                    title=title,
                    post_type="text",
                    variants=(VariantDraft("warisan-facebook", f"Load test {name} {n}", when),),
                )
                started = time.perf_counter()
                with write_session() as s:
                    composer.create_post(s, actor, "warisan", draft)
                _took(report, kind, started)
                report.created.append(title)
            elif op < 0.8 and shared:
                kind = "edit"
                pid = rng.choice(shared)
                with read_session() as s:
                    view = load_post(s, actor, pid)
                text = f"edited by {name} at {n}"
                edited = PostDraft(**{**view.draft.__dict__, "master_copy": text})
                seen = {(v.copy, v.scheduled_at) for v in view.draft.variants}
                started = time.perf_counter()
                with write_session() as s:
                    # What the variants hold as the save starts (the ledger's check, not the app's).
                    now = set(
                        s.execute(
                            select(PostVariant.copy, PostVariant.scheduled_at).where(
                                PostVariant.post_id == pid
                            )
                        ).tuples()
                    )
                    composer.update_post(s, actor, pid, edited, view.version)
                _took(report, kind, started)
                report.edits.append(Edit(pid, view.version, text))
                report.unseen_overwrites += now != seen
            else:
                kind = "move"
                with read_session() as s:
                    row = s.execute(
                        select(PostVariant.id, PostVariant.version)
                        .where(PostVariant.status == "draft", PostVariant.scheduled_at.is_not(None))
                        .order_by(PostVariant.id)
                        .limit(1)
                        .offset(rng.randint(0, 30))
                    ).first()
                if row:
                    started = time.perf_counter()
                    with write_session() as s:
                        composer.reschedule_variant(s, actor, row.id, when, row.version)
                    _took(report, kind, started)
                    report.moves += 1
        except Conflict:
            report.conflicts += 1
        except ServiceError:
            report.refused += 1
        except Exception as exc:
            _failure(report, exc, kind, started)
    queue.put(report)


def _took(report: WorkerReport, kind: str, started: float) -> None:
    ms = (time.perf_counter() - started) * 1000
    report.latencies_ms.append(ms)
    report.by_kind.setdefault(kind, []).append(ms)


def job_runner(url: str, name: str, seconds: float, queue: mp.Queue) -> None:
    """A job process: approvals expiring and small imports (20 posts) in turn, a run every 0.2 s."""
    os.environ["DATABASE_URL"] = url
    from app.db import write_session
    from app.services.content import import_posts
    from app.services.core import Actor
    from jobs import expire_approvals
    from jobs.recording import run_job

    sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (run_job prints a line per run)
    report = WorkerReport(name, "job")
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        started = time.perf_counter()
        try:
            if n % 2:
                if run_job("expire_approvals", expire_approvals.work) != 0:
                    report.other_errors.append(f"expire_approvals failed: {_last_job_error()}")
                    if "locked" in report.other_errors[-1].lower():
                        report.locked += 1
                        report.locked_in.append(f"expire_approvals: {report.other_errors.pop()}")
                    continue
            else:
                when = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0).isoformat()
                rows = "".join(
                    f"warisan-facebook,{when},{name} import {n}.{i},Imported copy {i}\n" for i in range(20)
                )
                data = ("channel,scheduled_at,title,copy\n" + rows).encode()
                started = time.perf_counter()
                with write_session() as s:
                    import_posts(s, Actor.system(f"job:{name}"), "warisan", data, f"{name}-{n}.csv")
                report.created += [f"{name} import {n}.{i}" for i in range(20)]
            _took(report, "import" if n % 2 == 0 else "expire_approvals", started)
        except Exception as exc:
            _failure(report, exc, "import" if n % 2 == 0 else "expire_approvals", started)
        time.sleep(0.2)
    queue.put(report)


def _last_job_error() -> str:
    from app.db import read_session
    from app.models import JobRun
    from app.models.enums import JobStatus

    with read_session() as s:
        error = s.scalars(
            select(JobRun.error)
            .where(JobRun.job_name == "expire_approvals", JobRun.status == JobStatus.FAILED)
            .order_by(JobRun.id.desc())
        ).first()
    return (error or "?").splitlines()[0][:300]
