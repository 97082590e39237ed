"""A bulk import (`python -m app import posts`, a real child process) killed at any point: the store
holds the whole import or none of it, and running the same command again leaves exactly one copy of
the file's posts (it imports what did not land, and refuses to import twice what did)."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bulkfiles import big_template
from faultkit import REPO, TIMEOUT, child_env, kill_after, kill_when, run, timed
from sqlalchemy import Engine, func, select

from app.db import dispose_engine, read_session
from app.models import AuditLog, Post, PostVariant

pytestmark = pytest.mark.slow  # child processes: several seconds each

CHANNELS = ["warisan-x", "warisan-facebook", "warisan-linkedin"]


@dataclass(frozen=True)
class Landed:
    batches: list[str]
    posts: int
    variants: int


def imported(engine: Engine, filename: str, posts: int, variants: int) -> Landed:
    """What the store holds of imports of `filename`, checked for consistency: every batch the audit
    log records holds all its posts, each post all its variants and its own audit row, and no post
    carries a batch that the audit log does not record (a half import)."""
    dispose_engine(engine.url.render_as_string(hide_password=False))  # no connection from before a kill
    with read_session(engine) as s:
        batches = [
            b
            for b, after in s.execute(
                select(AuditLog.object_id, AuditLog.after).where(AuditLog.object_type == "post_import")
            )
            if after["filename"] == filename
        ]
        recorded = set(s.scalars(select(AuditLog.object_id).where(AuditLog.object_type == "post_import")))
        in_posts = set(s.scalars(select(Post.import_batch).where(Post.import_batch.is_not(None)).distinct()))
        assert in_posts <= recorded, f"posts of imports the audit log does not record: {in_posts - recorded}"
        n_posts = s.scalar(select(func.count()).select_from(Post).where(Post.import_batch.in_(batches)))
        n_variants = s.scalar(
            select(func.count())
            .select_from(PostVariant)
            .join(Post, Post.id == PostVariant.post_id)
            .where(Post.import_batch.in_(batches))
        )
        bare = s.scalar(
            select(func.count()).select_from(Post).where(Post.import_batch.in_(batches), ~Post.variants.any())
        )
        post_audits = s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.object_type == "post",
                AuditLog.action == "import",
                AuditLog.object_id.in_(
                    select(func.cast(Post.id, AuditLog.object_id.type)).where(Post.import_batch.in_(batches))
                ),
            )
        )
    assert (n_posts, n_variants, bare) == (posts * len(batches), variants * len(batches), 0)
    assert post_audits == n_posts, "one audit row per imported post"
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(engine.url.database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    return Landed(batches, n_posts, n_variants)


def write_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / f"plan-{rows}.csv"
    path.write_bytes(big_template(rows, CHANNELS))
    return path


def import_cmd(path: Path, *extra: str) -> tuple[str, ...]:
    return ("app", "import", "posts", str(path), "--brand", "warisan", *extra)


# Where the import can die, and whether its posts have landed by then.
POINTS = [
    ("import.checked", False),  # every row checked, nothing written yet
    ("import.mid_write", False),  # posts inserted, their variants not yet: a half import, uncommitted
    ("import.before_commit", False),  # everything inserted, the commit not yet made
    ("import.after_commit", True),  # committed; the person never saw the report
]


@pytest.mark.parametrize(("point", "lands"), POINTS, ids=[p for p, _ in POINTS])
def test_an_import_killed_at_a_crash_point_lands_whole_or_not_at_all_and_the_rerun_finishes_it_once(
    demo_db: Engine, tmp_path: Path, point: str, lands: bool
) -> None:
    path = write_file(tmp_path, 300)  # 100 posts of 3 variants
    crashed = run(demo_db, *import_cmd(path), fault=point)
    assert crashed.crashed, (crashed.code, crashed.err[-2000:])
    assert f"fault injected at {point}" in crashed.err
    after_crash = imported(demo_db, path.name, 100, 300)
    assert len(after_crash.batches) == (1 if lands else 0)

    again = run(demo_db, *import_cmd(path))
    if lands:
        assert again.code == 1 and "was already imported into warisan" in again.err, again
        assert after_crash.batches[0] in again.err and "nothing written" in again.err
    else:
        assert again.code == 0, again.err[-2000:]
        assert again.out.startswith("Imported 100 posts with 300 variants (batch imp-")
    assert len(imported(demo_db, path.name, 100, 300).batches) == 1

    # A third run is refused too: however often the job is retried, the posts exist once.
    third = run(demo_db, *import_cmd(path))
    assert third.code == 1 and "already imported" in third.err
    assert len(imported(demo_db, path.name, 100, 300).batches) == 1


def test_a_deliberate_second_import_of_the_same_file_needs_again(demo_db: Engine, tmp_path: Path) -> None:
    path = write_file(tmp_path, 30)
    assert run(demo_db, *import_cmd(path)).code == 0
    dry = run(demo_db, *import_cmd(path, "--dry-run"))
    assert dry.code == 0 and "note: this file was already imported" in dry.out
    assert run(demo_db, *import_cmd(path, "--again")).code == 0
    assert len(imported(demo_db, path.name, 10, 30).batches) == 2


def test_an_import_killed_at_random_moments_is_consistent_after_each_kill(
    demo_db: Engine, tmp_path: Path
) -> None:
    """SIGKILL a large import (6,000 rows) at seeded random moments, as the OS or an operator would:
    once early in its run, once while it checks rows, twice after it says it is writing (the bulk
    insert, the commit, the report). Moments follow its progress lines, so a busy machine that slows
    the run still sees each phase hit."""
    path = write_file(tmp_path, 6000)
    seconds, dry = timed(demo_db, *import_cmd(path, "--dry-run"))
    assert dry.code == 0, dry.err[-2000:]
    rng = random.Random(6)
    landed_kills: list[str] = []
    for attempt in range(4):
        if attempt == 0:  # while Python starts, the store connects or the file is read
            hit, ended = kill_after(demo_db, rng.uniform(0.1, 0.6) * seconds, *import_cmd(path))
        else:  # while rows are checked; then twice in the bulk insert, the commit or the report
            marker = "Checking row" if attempt == 1 else "Writing"
            hit, ended = kill_when(demo_db, marker, rng.uniform(0.0, 0.5), *import_cmd(path))
        assert hit or ended.code in (0, 1), ended.err[-2000:]
        last = (ended.err.strip().splitlines() or ["(nothing printed)"])[-1].strip()
        if hit:
            landed_kills.append(last)
        print(f"attempt {attempt + 1}: {'killed' if hit else 'ended'} after {last!r}")  # seen with -s
        imported(demo_db, path.name, 2000, 6000)
    assert landed_kills, "no kill landed on a running import"
    landed = imported(demo_db, path.name, 2000, 6000)
    final = run(demo_db, *import_cmd(path))
    if landed.batches:
        assert final.code == 1 and "already imported" in final.err
    else:
        assert final.code == 0, final.err[-2000:]
    assert len(imported(demo_db, path.name, 2000, 6000).batches) == 1


def test_two_runs_of_one_import_at_once_land_it_once(demo_db: Engine, tmp_path: Path) -> None:
    """A retry started while the first run still works (it looked stuck): one imports, the other
    waits for it and is refused."""
    path = write_file(tmp_path, 15000)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", *import_cmd(path)],
            cwd=REPO,
            env=child_env(demo_db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    ended = [(p.wait(timeout=TIMEOUT), p.communicate()[1]) for p in procs]
    assert sorted(code for code, _ in ended) == [0, 1], ended
    assert "already imported" in next(err for code, err in ended if code == 1)
    assert len(imported(demo_db, path.name, 5000, 15000).batches) == 1
