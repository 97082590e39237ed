"""Several editors (separate processes, as app sessions are) and a job runner writing at once, for a
few seconds on the store under test: no "database is locked", nothing a worker believes it saved is
missing or overwritten unseen, no unexpected error. The full-size run (10 editors, 2 jobs, 60 s, both
stores, with latency percentiles) is `python -m benchmarks.load_test`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Brand, Post, PostVariant
from app.services.content import PostDraft, composer, load_post
from app.services.core import Conflict
from app.services.org import users
from benchmarks.load_test import END, START, LoadResult, current_section, run_load, section, write_section


def test_concurrent_editors_and_a_job_lose_nothing(databases, demo_template) -> None:  # type: ignore[no-untyped-def]
    url = databases.new(template=demo_template)
    result = run_load(url, editors=4, jobs=1, seconds=6)
    assert result.saves > 20 and result.job_writes > 2, "the workers did write"
    assert result.locked == 0, f"{result.locked} writes failed with 'database is locked'"
    assert result.lost == 0, result.lost_detail
    assert result.other_errors == []
    databases.drop(url)


def test_a_save_from_before_a_calendar_move_is_refused_not_undoing_the_move(demo_db: Engine) -> None:
    """The lost write the load test found: A opens a post, B drags its variant on the calendar, A saves
    a copy edit. A's save carried the old time back with no conflict; now it is refused."""
    with read_session(demo_db) as s:
        a = users.load_actor(s, "farah.aziz@kopi.example")
        b = users.load_actor(s, "budi.santoso@kopi.example")
        variant = s.scalars(
            select(PostVariant)
            .join(Post, Post.id == PostVariant.post_id)
            .join(Brand, Brand.id == Post.brand_id)
            .where(Post.status == "draft", PostVariant.scheduled_at.is_not(None), Brand.slug == "warisan")
            .order_by(PostVariant.id)
        ).first()
        assert variant is not None
        opened = load_post(s, a, variant.post_id)
    moved_to = (datetime.now(UTC) + timedelta(days=9)).replace(hour=3, minute=0, second=0, microsecond=0)
    with write_session(demo_db) as s:
        composer.reschedule_variant(s, b, variant.id, moved_to, variant.version)
    edited = PostDraft(**{**opened.draft.__dict__, "master_copy": "A's edit"})
    with pytest.raises(Conflict, match="changed by someone else"), write_session(demo_db) as s:
        composer.update_post(s, a, variant.post_id, edited, opened.version)
    with read_session(demo_db) as s:
        assert s.get(PostVariant, variant.id).scheduled_at == moved_to


def test_the_results_section_is_replaced_and_the_rest_of_the_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n| other | figures |\n", encoding="utf-8")
    figures = LoadResult("sqlite", 10, 2, 60, 1000, 50, 5.0, 40.0, 90.0, 300.0, 20.0, 80.0, 0, 12, 0, 0)
    started = datetime.now(UTC)
    write_section(path, section([figures], started))
    write_section(
        path, section([figures, LoadResult(**{**figures.__dict__, "store": "postgresql"})], started)
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\n| other | figures |\n")
    assert text.count(START) == text.count(END) == 1
    assert "| sqlite | 10 + 2, 60 s | 1,000 | 5.0 ms | 40.0 ms | 90.0 ms |" in text
    assert "| postgresql |" in text
    assert current_section(path) == text[text.index(START) :].rstrip("\n")
